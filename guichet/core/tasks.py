"""Upkeep of the database itself."""

from __future__ import annotations

import logging

from django.db import connection
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def database_statistics_refresh() -> str:
    """Give SQLite's query planner fresh statistics, so that it keeps reading the indexes
    made for the maps and the nearby check (without any, it may scan by date instead: ten
    times slower on a town's years of reports). A sample per index keeps it quick however
    large the tables; PostgreSQL's autovacuum already does this, so nothing runs there."""
    if connection.vendor != "sqlite":
        return "skipped"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
    logger.info("SQLite statistics refreshed")
    return "analyzed"
