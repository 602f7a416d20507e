"""A promised intervention delay in hours (an urgent category, counted round the clock):
set on each report when it is sent, shown before sending, on the report's pages, on the
back office's map with its near and past states, and given to Open311 clients."""

import datetime as dt
import html

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from guichet.reports import promises, services
from guichet.reports.models import Report, ReportCategorySettings
from tests.reports.factories import submit
from tests.www.backoffice_helpers import text, url

pytestmark = pytest.mark.django_db

# A Saturday evening: a promise in hours runs through the weekend.
SATURDAY = dt.datetime(2026, 12, 12, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def danger(categories):
    """The bench category made urgent: 4 hours."""
    bench = categories[2]
    ReportCategorySettings.objects.create(category=bench, intervention_hours=4)
    return bench


def test_a_report_in_an_urgent_category_is_due_hours_after_it_was_sent(danger, pothole):
    with time_machine.travel(SATURDAY, tick=False):
        urgent = submit(danger.authority, danger)
        ordinary = submit(pothole.authority, pothole)
    urgent = Report.objects.select_related("case").get(pk=urgent.pk)
    assert urgent.delay_hours == 4
    assert urgent.due_at == SATURDAY + dt.timedelta(hours=4)
    # The case keeps its own delay in working days; only the intervention is in hours.
    assert urgent.case.delay_days == 10
    ordinary = Report.objects.get(pk=ordinary.pk)
    assert ordinary.delay_hours is None and ordinary.due_at is None


def test_the_promise_of_a_category_in_hours_or_in_working_days(danger, pothole):
    promise = promises.report_promise(danger, now=SATURDAY)
    assert (promise.hours, promise.due_at, promise.due_on) == (
        4,
        SATURDAY + dt.timedelta(hours=4),
        None,
    )
    # Saturday + 5 working days: Friday 18 December.
    promise = promises.report_promise(pothole, now=SATURDAY)
    assert (promise.hours, promise.due_on) == (None, dt.date(2026, 12, 18))


def test_an_urgent_report_is_near_in_its_last_two_hours_then_past(danger, agent):
    with time_machine.travel(SATURDAY, tick=False):
        report = submit(danger.authority, danger)
    for minutes, state in ((60, ""), (121, "near"), (239, "near"), (241, "past")):
        clock = promises.report_due_clock(
            danger.authority, now=SATURDAY + dt.timedelta(minutes=minutes)
        )
        assert clock.state(Report.objects.select_related("case").get(pk=report.pk)) == state
    services.report_fix(actor=agent, report=report)
    clock = promises.report_due_clock(danger.authority, now=SATURDAY + dt.timedelta(hours=9))
    assert clock.state(Report.objects.select_related("case").get(pk=report.pk)) == ""


def test_the_map_puts_urgent_reports_first_and_filters_them_by_the_hour(
    client_for, agent, danger, pothole
):
    authority = danger.authority
    with time_machine.travel(SATURDAY, tick=False):
        ordinary = submit(authority, pothole)
        late = submit(authority, danger)
    with time_machine.travel(SATURDAY + dt.timedelta(hours=3, minutes=30), tick=False):
        soon = submit(authority, danger)
    with time_machine.travel(SATURDAY + dt.timedelta(hours=5), tick=False):
        page = text(client_for(agent).get(url("reports_map")))
        order = [page.index(r.public_id) for r in (late, soon, ordinary)]
        assert order == sorted(order)
        assert "sous 4 heures" in page and "5 jours ouvrés" in page
        local = timezone.localtime(late.due_at)
        assert local.strftime("%d/%m/%Y %H:%M") in page
        filtered = text(client_for(agent).get(url("reports_map") + "?due=1"))
        assert late.public_id in filtered
        assert soon.public_id not in filtered  # two and a half hours left
        assert ordinary.public_id not in filtered
        features = client_for(agent).get(url("reports_geojson")).json()["features"]
        by_id = {f["properties"]["public_id"]: f["properties"] for f in features}
        assert by_id[late.public_id]["due_state"] == "past"
        assert by_id[late.public_id]["due_at"] == late.due_at.isoformat()
        assert by_id[late.public_id]["due_label"] == local.strftime("%d/%m/%Y %H:%M")
        assert by_id[ordinary.public_id]["due_label"] == "18/12/2026"
        assert by_id[soon.public_id]["due_state"] == ""
        assert by_id[ordinary.public_id]["due_at"] is None
    with time_machine.travel(SATURDAY + dt.timedelta(hours=5, minutes=45), tick=False):
        filtered = text(client_for(agent).get(url("reports_map") + "?due=1"))
        assert soon.public_id in filtered  # now in its last two hours


def test_the_case_page_shows_the_promise_in_hours(client_for, agent, danger):
    with time_machine.travel(SATURDAY, tick=False):
        report = submit(danger.authority, danger)
    with time_machine.travel(SATURDAY + dt.timedelta(hours=5), tick=False):
        page = text(client_for(agent).get(url("case_detail", report.case_id)))
    assert "sous 4 heures" in page and "délai dépassé" in page


def portal(authority, suffix=""):
    return f"/{authority.slug}/signalements/{suffix}"


def test_the_portal_shows_the_promise_in_hours_before_and_after_sending(danger, pothole, agent):
    authority = danger.authority
    client = Client()
    with time_machine.travel(SATURDAY, tick=False):
        choose = html.unescape(client.get(portal(authority, "nouveau/")).content.decode())
        assert "Intervention sous 4 heures" in choose
        assert "Intervention sous 5 jours ouvrés" in choose
        form = html.unescape(
            client.get(portal(authority, f"nouveau/?categorie={danger.pk}")).content.decode()
        )
        assert "4 heures, jour et nuit" in form
        # 18:00 UTC is 19:00 in Paris: due before 23:00 the same Saturday.
        assert "samedi 12 décembre 2026, 23:00" in form
        report = submit(authority, danger)
        detail = html.unescape(
            client.get(portal(authority, f"{report.public_id}/")).content.decode()
        )
        assert "Intervention promise avant le" in detail
        assert "samedi 12 décembre 2026, 23:00" in detail
    services.report_fix(actor=agent, report=report)
    detail = html.unescape(client.get(portal(authority, f"{report.public_id}/")).content.decode())
    assert "Intervention promise avant le" not in detail  # fixed: the promise is behind it


def test_open311_gives_the_promised_moment_and_its_notice(danger, pothole):
    with time_machine.travel(SATURDAY, tick=False):
        urgent = submit(danger.authority, danger)
        ordinary = submit(pothole.authority, pothole)
        rows = Client().get("/open311/v2/requests.json").json()
    by_id = {row["service_request_id"]: row for row in rows}
    assert dt.datetime.fromisoformat(by_id[urgent.public_id]["expected_datetime"]) == (
        SATURDAY + dt.timedelta(hours=4)
    )
    assert by_id[urgent.public_id]["service_notice"] == "Intervention promise sous 4 heures."
    assert by_id[ordinary.public_id]["service_notice"] == (
        "Intervention promise sous 5 jours ouvrés."
    )
    assert dt.datetime.fromisoformat(
        by_id[ordinary.public_id]["expected_datetime"]
    ).date() == dt.date(2026, 12, 18)


def test_reports_past_their_promise_come_first_whatever_its_unit(
    client_for, agent, danger, pothole
):
    authority = danger.authority
    with time_machine.travel(SATURDAY - dt.timedelta(days=14), tick=False):
        overdue = submit(authority, pothole)  # promised in working days, long past
    with time_machine.travel(SATURDAY, tick=False):
        urgent = submit(authority, danger)  # promised in hours, still within them
        page = text(client_for(agent).get(url("reports_map")))
    assert page.index(overdue.public_id) < page.index(urgent.public_id)
