"""Database upkeep: SQLite gets fresh planner statistics, every night."""

import pytest
from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from guichet.core.tasks import database_statistics_refresh

pytestmark = pytest.mark.django_db


def test_the_statistics_refresh_is_a_nightly_job():
    path, every = settings.GUICHET_PERIODIC_JOBS["database_statistics_refresh"]
    assert import_string(path) is database_statistics_refresh and every == 86400


def test_sqlite_gets_statistics_and_postgresql_is_left_to_autovacuum(authority, category):
    outcome = database_statistics_refresh.call()
    if connection.vendor != "sqlite":
        assert outcome == "skipped"
        return
    assert outcome == "analyzed"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'cases_category'")
        assert cursor.fetchone()[0] > 0
