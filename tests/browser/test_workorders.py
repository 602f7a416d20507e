"""In a real browser on a phone-sized screen: a field agent opens the team's day, opens an
order and sees the citizen's photo, closes it with a comment and a photo from the phone, and
the report is fixed with its follower told."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from guichet.reports import workorders
from guichet.reports.enums import ReportStatus
from guichet.reports.models import WorkOrderStatus
from tests.browser.test_journeys import sign_in
from tests.reports.factories import phone_jpeg, street_categories, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_field_agent_closes_an_order_from_a_phone(new_page, authority, voirie, agent, manager):
    pothole = street_categories(voirie)[1]
    report = submit(
        authority, pothole, email="riverain@example.org", photos=[io.BytesIO(phone_jpeg())]
    )
    team = workorders.field_team_save(
        actor=manager, service=voirie, name="Équipe chaussée", members=[agent]
    )
    order = workorders.work_order_create(
        actor=manager, report=report, team=team, planned_on=timezone.localdate()
    )
    photo = report.photos.get()
    mail.outbox.clear()

    page = new_page(mobile=True)
    sign_in(page, agent.email)
    page.goto("/agents/interventions/")
    expect(page.locator("li[data-workorder]")).to_have_count(1)
    page.locator("#workorders-map.leaflet-container").wait_for()
    page.get_by_role("link", name=f"{report.public_id} — {pothole.label}").click()

    expect(page.locator("[data-address]")).to_be_visible()
    # The citizen's photo, served to the agents who see the order (the test server alone
    # would also serve the stored file's own path): wait for it to load rather than racing
    # it; it must have pixels.
    thumbnail = page.get_by_role("img", name="Photo 1 du signalement")
    expect(thumbnail).to_have_attribute(
        "src", reverse("backoffice:workorder_photo_thumbnail", args=[order.pk, photo.pk])
    )
    assert thumbnail.evaluate(
        "img => img.complete ? img.naturalWidth > 0 : new Promise(done => {"
        " img.onload = () => done(img.naturalWidth > 0); img.onerror = () => done(false); })"
    )
    geo = page.locator("a[data-geo]")
    expect(geo).to_have_attribute(
        "href",
        f"geo:{report.latitude:f},{report.longitude:f}?q={report.latitude:f},{report.longitude:f}",
    )
    button = page.get_by_role("button", name="Clore le bon")
    box = button.bounding_box()
    assert box["width"] > 300 and box["height"] >= 44  # a thumb-sized target on a phone
    page.get_by_label("Ce qui a été fait (obligatoire)").fill("Trou rebouché à l'enrobé.")
    page.get_by_label("Photo (facultative)").set_input_files(
        files=[{"name": "fin.jpg", "mimeType": "image/jpeg", "buffer": phone_jpeg()}]
    )
    page.get_by_label("Publier la photo sur la page publique").check()
    button.click()
    expect(page.get_by_text("Bon d'intervention clos.")).to_be_visible()
    expect(page.locator("[data-workorder-status]")).to_have_text("Terminé")
    expect(page.locator("[data-closing-comment]")).to_have_text("Trou rebouché à l'enrobé.")

    order.refresh_from_db()
    report.refresh_from_db()
    assert order.status == WorkOrderStatus.DONE and order.closed_by == agent
    assert report.status == ReportStatus.FIXED
    assert report.photos.filter(is_public=True).count() == 2
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["riverain@example.org"], f"Signalement {report.public_id} : Résolu")
    ]
