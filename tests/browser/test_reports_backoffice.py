"""In a real browser: an agent opens the reports map, opens a report from its point, schedules
the intervention for a day, then marks the problem fixed; the person who said "me too" gets
the email with the public page."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from guichet.reports.enums import ReportStatus
from guichet.reports.following import report_follow
from tests.browser.test_journeys import sign_in
from tests.reports.factories import street_categories, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_schedules_then_fixes_a_report_from_the_map(new_page, authority, voirie, agent):
    pothole = street_categories(voirie)[1]
    report = submit(authority, pothole, email="riverain@example.org")
    report_follow(actor=None, report=report, email="voisine@example.org")
    page = new_page()
    sign_in(page, agent.email)
    page.goto("/agents/")
    page.get_by_role("link", name="Signalements").click()
    page.locator("#reports-map.leaflet-container").wait_for()
    expect(page.locator("#reports-map")).to_have_attribute("data-count", "1")
    expect(page.locator("tr[data-report]")).to_have_count(1)

    # The point on the map opens the report's summary, which leads to its case.
    page.locator("#reports-map path.leaflet-interactive").first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(report.public_id)
    popup.get_by_role("link").click()
    expect(page.locator("#h-report")).to_have_text(f"Signalement {report.public_id}")
    page.locator("[data-report-point].leaflet-container").wait_for()

    planned = timezone.localdate() + dt.timedelta(days=3)
    page.get_by_label("Nouvel état sur le terrain").select_option("schedule")
    page.get_by_label("Date prévue (si programmée)").fill(planned.isoformat())
    page.get_by_label("Précision publique ou motif").fill("Équipe voirie nord")
    page.get_by_role("button", name="Enregistrer l'état").click()
    expect(page.get_by_text("L'intervention est programmée.")).to_be_visible()
    expect(page.locator("[data-report-status]")).to_have_text("Intervention programmée")

    page.get_by_label("Nouvel état sur le terrain").select_option("fix")
    page.get_by_role("button", name="Enregistrer l'état").click()
    expect(page.get_by_text("Le signalement est résolu.")).to_be_visible()
    expect(page.locator("[data-report-status]")).to_have_text("Résolu")

    report.refresh_from_db()
    assert report.status == ReportStatus.FIXED and report.planned_on is None
    to_follower = [m for m in mail.outbox if m.to == ["voisine@example.org"]]
    assert [m.subject for m in to_follower] == [
        f"Signalement {report.public_id} : Intervention programmée",
        f"Signalement {report.public_id} : Résolu",
    ]
    assert re.search(rf"/testville/signalements/{report.public_id}/", to_follower[1].body)
