"""Problem reports in the back office: the case page's panel and its field-status actions,
the reports map with its filters and due dates, and its GeoJSON of the visible area."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guichet.cases.enums import Status
from guichet.reports.enums import ReportStatus
from guichet.reports.models import Report
from guichet.www.backoffice import reports_urls
from tests.reports.factories import LAT, LON, street_categories, submit
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    text,
    url,
)

pytestmark = pytest.mark.django_db

# A Wednesday: the pothole's 5 working days fall on the next Wednesday.
MONDAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def report(authority, pothole):
    return submit(authority, pothole, email="riverain@example.org")


def every_url(report):
    return [
        ("GET", url("reports_map"), None),
        ("GET", url("reports_geojson"), None),
        ("POST", url("report_status", report.pk), {"action": "investigate"}),
        ("POST", url("report_duplicate", report.pk), {"original": report.public_id}),
        # The photos and moderation, tested in test_moderation.py.
        ("GET", url("report_photo", report.pk, 1), None),
        ("GET", url("report_thumbnail", report.pk, 1), None),
        ("POST", url("report_publication", report.pk), {"public": "0", "reason": "Injure"}),
        ("POST", url("report_photo_publication", report.pk, 1), {"public": "0"}),
    ]


def test_every_page_is_covered_and_needs_an_agent(client_for, citizen, report):
    assert_urls_covered(reports_urls.urlpatterns, every_url(report))
    assert_anonymous_sent_to_login(every_url(report))
    assert_refused(client_for(citizen), every_url(report), 403)


def test_agents_who_cannot_read_the_case_cannot_act_on_its_report(
    client_for, other_agent, foreign_agent, front_desk, report
):
    for user in (other_agent, foreign_agent, front_desk):
        client = client_for(user)
        for name, data in (("report_status", {"action": "fix"}), ("report_duplicate", {})):
            assert client.post(url(name, report.pk), data).status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_an_agent_who_reads_but_does_not_act_is_refused(client_for, authority, report):
    from tests.conftest import _member

    # An agent who once handled the case reads it, but it is no longer theirs to act on.
    reader = _member(report.case.service.parent or report.case.service, role="agent")
    report.case.handlers.add(reader)
    assert reader.pk  # reads through the history rule
    response = client_for(reader).post(url("report_status", report.pk), {"action": "fix"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_the_case_page_shows_the_report_panel_with_its_actions(client_for, agent, report):
    page = text(client_for(agent).get(url("case_detail", report.case_id)))
    assert f"Signalement {report.public_id}" in page
    assert f'data-lat="{LAT:f}"' in page
    assert url("report_status", report.pk) in page and 'value="schedule"' in page
    assert url("report_duplicate", report.pk) in page
    assert "data-followers>1<" in page


def test_a_case_page_without_report_has_no_panel(client_for, agent, case):
    page = text(client_for(agent).get(url("case_detail", case.pk)))
    assert "data-report-panel" not in page


def test_an_agent_schedules_then_fixes_and_the_follower_is_told(
    client_for, agent, report, django_capture_on_commit_callbacks
):
    client = client_for(agent)
    planned = timezone.localdate() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("report_status", report.pk),
            {"action": "schedule", "planned_on": planned.isoformat(), "note": "Équipe voirie"},
        )
    assert response.status_code == 302 and response["Location"] == url(
        "case_detail", report.case_id
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.ACTION_SCHEDULED and report.planned_on == planned
    assert report.status_changes.last().note == "Équipe voirie"
    page = text(client.get(url("case_detail", report.case_id)))
    assert "Intervention programmée" in page and planned.strftime("%d/%m/%Y") in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("report_status", report.pk), {"action": "fix"})
    report.refresh_from_db()
    assert report.status == ReportStatus.FIXED and report.case.status == Status.RESOLVED
    assert [m.to for m in mail.outbox] == [["riverain@example.org"], ["riverain@example.org"]]
    assert "Résolu" in mail.outbox[1].subject


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "explode"}, "Choisissez une action."),
        ({"action": "decline", "note": "  "}, "Indiquez pourquoi"),
        ({"action": "schedule", "planned_on": "31/02/2026"}, "Cette date n&#x27;est pas valide."),
        ({"action": "schedule", "planned_on": "2001-01-01"}, "ne peut pas être passée"),
        ({"action": "close"}, "Impossible de passer un signalement"),
    ],
)
def test_bad_input_is_refused_with_a_french_message(client_for, agent, report, data, message):
    response = client_for(agent).post(url("report_status", report.pk), data)
    assert response.status_code == 400
    assert message in text(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_decline_with_a_reason_and_not_found(client_for, agent, report):
    client = client_for(agent)
    assert client.post(url("report_status", 999999), {"action": "fix"}).status_code == 404
    response = client.post(
        url("report_status", report.pk), {"action": "decline", "note": "Route départementale"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.NOT_OUR_RESPONSIBILITY
    assert report.case.status == Status.REJECTED


def test_marking_a_duplicate_moves_the_followers(client_for, agent, authority, pothole, report):
    copy = submit(authority, pothole, email="voisin@example.org")
    client = client_for(agent)
    assert client.post(url("report_duplicate", copy.pk), {"original": "S00-NOPE"}).status_code == (
        400
    )
    assert client.post(
        url("report_duplicate", copy.pk), {"original": copy.public_id}
    ).status_code == (400)
    response = client.post(url("report_duplicate", copy.pk), {"original": report.public_id.lower()})
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.status == ReportStatus.DUPLICATE and copy.duplicate_of == report
    assert report.followers.count() == 2


def test_a_report_of_another_authority_is_not_an_original(
    client_for, agent, authority, pothole, other_authority
):
    from tests.factories import ServiceFactory

    foreign_category = street_categories(ServiceFactory(authority=other_authority))[1]
    first_foreign = submit(other_authority, foreign_category)
    foreign = submit(other_authority, foreign_category)
    report = submit(authority, pothole)
    # Each authority numbers its own reports: the same first number in both.
    assert first_foreign.public_id == report.public_id
    # The foreign second report's number exists only over there.
    response = client_for(agent).post(
        url("report_duplicate", report.pk), {"original": foreign.public_id}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_a_report_the_agent_cannot_read_is_not_an_original(
    client_for, agent, authority, pothole, etat_civil
):
    from tests.factories import CategoryFactory

    hidden = submit(
        authority,
        CategoryFactory(default_service=etat_civil, is_public_space=True),
        email="inconnu@example.org",
    )
    assert not Report.objects.visible_to(agent).filter(pk=hidden.pk).exists()
    report = submit(authority, pothole, email="voisin@example.org")
    response = client_for(agent).post(
        url("report_duplicate", report.pk), {"original": hidden.public_id}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN
    assert hidden.followers.count() == 1


# The map -------------------------------------------------------------------------------------


def test_the_map_lists_the_open_reports_the_agent_reads_with_their_due_dates(
    client_for, agent, other_agent, foreign_agent, authority, pothole, bench
):
    with time_machine.travel(MONDAY - dt.timedelta(days=14), tick=False):
        late = submit(authority, pothole)
    with time_machine.travel(MONDAY - dt.timedelta(days=6), tick=False):
        near = submit(authority, pothole)  # due Monday + 1 working day
    with time_machine.travel(MONDAY, tick=False):
        fresh = submit(authority, bench)
        done = submit(authority, pothole)
        from guichet.reports.services import report_fix

        report_fix(actor=agent, report=done)
        page = text(client_for(agent).get(url("reports_map")))
        assert late.public_id in page and near.public_id in page and fresh.public_id in page
        assert done.public_id not in page
        assert page.count("délai dépassé") >= 1 and "délai proche" in page
        assert 'class="due-past"' in page and 'class="due-near"' in page

        filtered = text(client_for(agent).get(url("reports_map") + "?due=1"))
        assert late.public_id in filtered and near.public_id in filtered
        assert fresh.public_id not in filtered
        by_category = text(client_for(agent).get(url("reports_map") + f"?category={bench.pk}"))
        assert fresh.public_id in by_category and late.public_id not in by_category

        for outsider in (other_agent, foreign_agent):
            response = client_for(outsider).get(url("reports_map"))
            assert response.status_code == 200 and late.public_id not in text(response)


def test_the_map_filters_every_category_that_may_have_reports_grouped_by_theme(
    client_for, agent, authority, voirie, categories, pothole
):
    from tests.factories import CategoryFactory

    streets = categories[0]
    loose = CategoryFactory(
        default_service=voirie, label="Tag sur un mur", is_public_space=True, delay_days=5
    )
    closed = CategoryFactory(
        default_service=voirie,
        parent=streets,
        label="Plaque d'égout",
        is_public_space=True,
        is_active=False,
    )
    CategoryFactory(
        default_service=voirie,
        parent=streets,
        label="Ancien type sans signalement",
        is_public_space=True,
        is_active=False,
    )
    CategoryFactory(default_service=voirie, label="Permis de construire")  # not public space
    on_theme = submit(authority, streets)
    on_loose = submit(authority, loose)
    on_pothole = submit(authority, pothole)
    with_closed = submit(authority, pothole, lat=LAT + 0.001)
    # The category was closed after it got a report.
    Report.objects.filter(pk=with_closed.pk).update(category=closed)
    client = client_for(agent)

    page = text(client.get(url("reports_map")))
    select = page[page.index('id="report-category"') : page.index("</select>")]
    groups = [g.split('"', 1)[0] for g in select.split('<optgroup label="')[1:]]
    assert groups == ["Voirie", "Autres problèmes"]
    voirie_group, loose_group = select.split("<optgroup")[1:]
    options = [o.split("<", 1)[0].split(">")[-1] for o in voirie_group.split("<option")[1:]]
    assert options == [
        "Banc abîmé",
        "Nid de poule",
        "Plaque d&#x27;égout",
        "Autre problème (Voirie)",
    ]
    assert f'value="{loose.pk}"' in loose_group
    assert "Ancien type" not in select and "Permis de construire" not in select

    for category, found, others in (
        (streets, on_theme, (on_pothole, on_loose)),
        (loose, on_loose, (on_theme, on_pothole)),
        (closed, with_closed, (on_pothole,)),
    ):
        response = client.get(url("reports_map") + f"?category={category.pk}")
        assert response.status_code == 200
        filtered = text(response)
        assert f'value="{category.pk}" selected' in filtered
        assert f'data-report="{found.public_id}"' in filtered
        for other in others:
            assert f'data-report="{other.public_id}"' not in filtered
        features = client.get(url("reports_geojson") + f"?category={category.pk}").json()
        assert [f["properties"]["id"] for f in features["features"]] == [found.pk]


def test_the_map_refuses_unknown_filters(client_for, agent, report):
    client = client_for(agent)
    for query in ("?category=abc", "?category=999999", "?status=fixed"):
        response = client.get(url("reports_map") + query)
        assert response.status_code == 400
        assert report.public_id not in text(response)
    assert client.get(url("reports_geojson") + "?status=nope").status_code == 400


def test_the_map_and_its_geojson_take_the_same_queries_whatever_the_number(
    client_for, agent, authority, pothole
):
    client = client_for(agent)
    submit(authority, pothole)
    pages = (url("reports_map"), url("reports_geojson") + "?bbox=2.3,48.8,2.4,48.9")
    few = []
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        few.append(len(queries.captured_queries))
    for n in range(8):
        submit(authority, pothole, lat=LAT + n / 10_000)
    for page, count in zip(pages, few, strict=True):
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        assert len(queries.captured_queries) == count, page
    reads = [q["sql"] for q in queries.captured_queries if "reports_report" in q["sql"]]
    assert len(reads) == 1


def test_the_geojson_gives_the_points_of_the_visible_area(
    client_for, agent, other_agent, authority, pothole
):
    inside = submit(authority, pothole)
    outside = submit(authority, pothole, lat=45.76, lon=4.83)
    client = client_for(agent)
    response = client.get(url("reports_geojson") + "?bbox=2.30,48.80,2.40,48.90")
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    features = response.json()["features"]
    assert [f["properties"]["public_id"] for f in features] == [inside.public_id]
    feature = features[0]
    assert feature["geometry"]["coordinates"] == [LON, LAT]
    assert feature["properties"]["url"] == url("case_detail", inside.case_id)
    assert feature["properties"]["due_on"] == inside.case.due_on.isoformat()
    everything = client.get(url("reports_geojson")).json()["features"]
    assert {f["properties"]["public_id"] for f in everything} == {
        inside.public_id,
        outside.public_id,
    }
    for bad in ("1,2,3", "a,b,c,d", "3,48,2,49", "2,95,3,96"):
        assert client.get(url("reports_geojson") + f"?bbox={bad}").status_code == 400
    assert client_for(other_agent).get(url("reports_geojson")).json()["features"] == []


def test_the_nav_leads_to_the_map(client_for, agent):
    assert url("reports_map") in text(client_for(agent).get(url("queue")))


def test_reports_stay_one_per_case(report):
    assert Report.objects.filter(case=report.case).count() == 1


def test_the_case_page_map_may_load_the_configured_tiles(client_for, agent, report, settings):
    settings.GUICHET_MAP_TILE_URL = "https://{s}.tuiles.example.org/{z}/{x}/{y}.png"
    response = client_for(agent).get(f"/agents/demandes/{report.case_id}/")
    assert "https://*.tuiles.example.org" in response["Content-Security-Policy"]
    assert 'data-tile-url="https://{s}.tuiles.example.org/{z}/{x}/{y}.png"' in (
        response.content.decode()
    )


def test_the_case_page_warns_that_a_rejection_reason_is_public_for_a_report(
    client_for, agent, report, case
):
    assert "data-public-reason" in text(client_for(agent).get(url("case_detail", report.case_id)))
    assert "data-public-reason" not in text(client_for(agent).get(url("case_detail", case.pk)))


def test_the_map_lists_the_most_urgent_and_its_geojson_says_when_it_is_cut(
    client_for, agent, authority, pothole, monkeypatch
):
    from guichet.www.backoffice.views import reports as views

    monkeypatch.setattr(views, "TABLE_LIMIT", 2)
    monkeypatch.setattr(views, "GEOJSON_LIMIT", 2)
    with time_machine.travel(MONDAY - dt.timedelta(days=14), tick=False):
        oldest = submit(authority, pothole)
    with time_machine.travel(MONDAY, tick=False):
        others = [submit(authority, pothole, lat=LAT + n / 10_000) for n in range(1, 3)]
        page = text(client_for(agent).get(url("reports_map")))
        assert "3 signalements ouverts" in page and "les 2 plus urgents" in page
        assert oldest.public_id in page  # past its promise: first
        assert others[-1].public_id not in page
        body = client_for(agent).get(url("reports_geojson")).json()
        assert body["truncated"] is True and len(body["features"]) == 2
        assert body["features"][0]["properties"]["public_id"] == oldest.public_id
        assert body["features"][0]["properties"]["due_state"] == "past"
        narrow = (
            client_for(agent)
            .get(
                url("reports_geojson")
                + f"?bbox={LON - 0.0001},{LAT - 0.0001},{LON + 0.0001},{LAT + 0.00015}"
            )
            .json()
        )
        assert narrow["truncated"] is False and len(narrow["features"]) == 2
