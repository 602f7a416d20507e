"""Routing pages: rules and their preview for administrators, the demands to qualify with
their suggestion accepted in one click, the explanation on the case page, the routing
quality for managers, and the receiving service told of a transfer."""

import pytest
from django.core import mail

from guichet.cases import services as case_services
from guichet.routing.enums import ModelTarget, RoutingMethod, RoutingOutcome
from guichet.routing.models import RoutingRule, RoutingSettings
from guichet.routing.services import routing_train
from tests import factories as f
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    text,
    url,
)


@pytest.fixture
def espaces_verts(authority):
    return f.ServiceFactory(authority=authority, name="Espaces verts", keywords="arbre élagage")


@pytest.fixture
def rule(authority, category, espaces_verts):
    created = RoutingRule.objects.create(
        authority=authority, service=espaces_verts, name="Tout aux espaces verts", priority=5
    )
    created.categories.set([category])
    return created


@pytest.fixture
def pending_case(authority, accueil, espaces_verts, citizen_contact, category):
    other = f.CategoryFactory(authority=authority, default_service=accueil, label="Autre")
    f.CategoryFactory(
        authority=authority,
        default_service=espaces_verts,
        label="Arbres",
        description="arbre élagage branche haie pelouse",
    )
    category.description = "nid de poule trottoir chaussée"
    category.save()
    settings = RoutingSettings.objects.create(authority=authority)
    settings.qualification_categories.set([other])
    for target in ModelTarget.values:
        routing_train(authority=authority, target=target)
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=other,
        contact=citizen_contact,
        subject="Haie trop haute",
        description="La haie du voisin et un arbre à élaguer",
        channel="email",
        notify=False,
    )
    assert case.routing_decision.method == RoutingMethod.PENDING
    return case


@pytest.fixture
def every_url(rule, pending_case):
    return [
        ("GET", url("routing_rules"), {}),
        ("GET", url("routing_rule_create"), {}),
        ("GET", url("routing_rule_edit", rule.pk), {}),
        ("GET", url("routing_preview") + "?channel=portal", {}),
        ("GET", url("routing_settings"), {}),
        ("POST", url("routing_train"), {}),
        ("GET", url("routing_qualify"), {}),
        ("POST", url("routing_accept", pending_case.pk), {}),
        ("GET", url("routing_quality"), {}),
        ("GET", url("case_forward", pending_case.pk), {}),
    ]


ADMIN_ONLY = {
    "routing_rules",
    "routing_rule_create",
    "routing_rule_edit",
    "routing_preview",
    "routing_settings",
    "routing_train",
}


def test_every_url_is_covered(every_url):
    from guichet.www.backoffice.routing_urls import urlpatterns

    assert_urls_covered(urlpatterns, every_url)


def test_anonymous_and_citizens_are_kept_out(every_url, client_for, citizen):
    assert_anonymous_sent_to_login(every_url)
    assert_refused(client_for(citizen), every_url)


def test_rules_and_settings_are_for_administrators(every_url, client_for, agent, front_desk, dpo):
    admin_pages = [
        u for u in every_url if "/regles/" in u[1] or "/reglages/" in u[1] or "/entrainer/" in u[1]
    ]
    assert len(admin_pages) == len(ADMIN_ONLY)
    for user in (agent, front_desk, dpo):
        assert_refused(client_for(user), admin_pages)


def test_another_authoritys_administrator_cannot_touch_the_rules(rule, client_for, other_authority):
    foreign_admin = f.UserFactory()
    f.MembershipFactory(user=foreign_admin, authority=other_authority, service=None, role="admin")
    assert client_for(foreign_admin).get(url("routing_rule_edit", rule.pk)).status_code == 404


def test_an_administrator_writes_a_rule_and_previews_it(
    authority, client_for, admin_user, category, espaces_verts, voirie
):
    client = client_for(admin_user)
    response = client.post(
        url("routing_rule_create"),
        {
            "name": "Voirie par courriel",
            "priority": "10",
            "is_active": "on",
            "categories": [category.pk],
            "channels": ["email"],
            "service": espaces_verts.pk,
        },
    )
    assert response.status_code == 302
    assert RoutingRule.objects.get(name="Voirie par courriel").channels == ["email"]
    page = text(client.get(url("routing_preview"), {"category": category.pk, "channel": "email"}))
    assert "Cette demande irait au service Espaces verts." in page
    assert "Voirie par courriel" in page
    page = text(client.get(url("routing_preview"), {"category": category.pk, "channel": "post"}))
    assert "irait au service Voirie" in page
    # Bad input: a rule needs a service; the error is in French.
    response = client.post(url("routing_rule_create"), {"name": "Sans service", "priority": "1"})
    assert response.status_code == 200 and "Ce champ est obligatoire." in text(response)
    page = text(client.get(url("routing_preview"), {"channel": "email"}))
    assert "Ce champ est obligatoire." in page


def test_the_threshold_is_between_0_and_1(client_for, admin_user):
    response = client_for(admin_user).post(
        url("routing_settings"), {"suggestions_enabled": "on", "auto_threshold": "1.5"}
    )
    assert response.status_code == 200
    assert "Assurez-vous que cette valeur est inférieure ou égale à 1" in text(response) or (
        "Le seuil est une confiance entre 0 et 1." in text(response)
    )


def test_the_case_page_explains_its_routing(pending_case, client_for, front_desk):
    page = text(client_for(front_desk).get(url("case_detail", pending_case.pk)))
    assert "Pourquoi ce service ?" in page
    assert "Espaces verts" in page and "« arbre »" in page
    assert "Accepter la suggestion" in page


def test_the_queue_to_qualify_and_accepting_in_one_click(
    pending_case, client_for, front_desk, espaces_verts, other_agent
):
    client = client_for(front_desk)
    assert pending_case.reference in text(client.get(url("routing_qualify")))
    # Another service's agent does not see it at all.
    assert pending_case.reference not in text(client_for(other_agent).get(url("routing_qualify")))
    assert client_for(other_agent).post(url("routing_accept", pending_case.pk)).status_code in (
        403,
        404,
    )
    response = client.post(url("routing_accept", pending_case.pk), {"next": "qualify"})
    assert response["Location"] == url("routing_qualify")
    pending_case.refresh_from_db()
    assert pending_case.service == espaces_verts
    assert pending_case.routing_decision.outcome == RoutingOutcome.ACCEPTED
    assert pending_case.reference not in text(client.get(url("routing_qualify")))
    assert client.post(url("routing_accept", 999999)).status_code == 404


def test_a_transfer_corrects_the_suggestion_and_tells_the_receiving_service(
    pending_case, front_desk, etat_civil, other_agent, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_transfer(
            actor=front_desk, case=pending_case, service=etat_civil, reason="C'est un cimetière"
        )
    pending_case.refresh_from_db()
    assert pending_case.routing_decision.outcome == RoutingOutcome.CORRECTED
    message = mail.outbox[-1]
    assert pending_case.reference in message.subject
    assert other_agent.email in message.to and etat_civil.email in message.to
    assert "C'est un cimetière" in message.body and "Awa Accueil" in message.body


def test_a_stale_accept_does_not_undo_a_correction(
    pending_case, client_for, front_desk, admin_user, etat_civil
):
    case_services.case_transfer(
        actor=front_desk, case=pending_case, service=etat_civil, reason="C'est un cimetière"
    )
    # The administrator's queue was opened before the correction.
    response = client_for(admin_user).post(url("routing_accept", pending_case.pk))
    assert response.status_code == 302
    pending_case.refresh_from_db()
    assert pending_case.service == etat_civil
    assert pending_case.routing_decision.outcome == RoutingOutcome.CORRECTED


def test_the_routing_quality_for_managers(
    pending_case, client_for, manager, admin_user, agent, front_desk, etat_civil
):
    case_services.case_transfer(
        actor=front_desk, case=pending_case, service=etat_civil, reason="Erreur"
    )
    page = text(client_for(admin_user).get(url("routing_quality")))
    assert "Accueil" in page and "État civil" in page and "100 %" in page
    assert client_for(manager).get(url("routing_quality")).status_code == 200
    for user in (agent, front_desk):
        assert client_for(user).get(url("routing_quality")).status_code == 403


def test_retraining_from_the_page_runs_in_the_worker(authority, client_for, admin_user, category):
    from guichet.routing.models import RoutingModel

    response = client_for(admin_user).post(url("routing_train"))
    assert response.status_code == 302
    # The test suite's task backend runs the queued task at once.
    assert RoutingModel.objects.filter(authority=authority).count() >= 1


def test_a_rule_is_tried_before_it_is_saved(
    authority, client_for, admin_user, category, espaces_verts, voirie
):
    client = client_for(admin_user)
    rule_fields = {
        "name": "Essai",
        "priority": "1",
        "is_active": "on",
        "categories": [category.pk],
        "channels": ["email"],
        "service": espaces_verts.pk,
    }
    trial = {"essai-category": category.pk, "essai-channel": "email", "essayer": "1"}
    page = text(client.post(url("routing_rule_create"), {**rule_fields, **trial}))
    assert "Cette demande irait au service Espaces verts." in page and "« Essai »" in page
    assert not RoutingRule.objects.filter(name="Essai").exists()  # tried, not saved
    page = text(
        client.post(url("routing_rule_create"), {**rule_fields, **trial, "essai-channel": "post"})
    )
    assert "irait au service Voirie" in page
    # Saving still works from the same page.
    assert client.post(url("routing_rule_create"), rule_fields).status_code == 302
    assert RoutingRule.objects.filter(name="Essai").exists()


def test_the_queue_counts_the_demands_to_qualify(pending_case, client_for, front_desk, accueil):
    page = text(client_for(front_desk).get(url("queue")))
    assert url("routing_qualify") in page and "à qualifier" in page


def test_saving_rules_and_settings_is_audited(authority, client_for, admin_user, espaces_verts):
    from guichet.core.models import Event

    client = client_for(admin_user)
    client.post(
        url("routing_rule_create"),
        {"name": "Audit", "priority": "3", "is_active": "on", "service": espaces_verts.pk},
    )
    client.post(url("routing_settings"), {"suggestions_enabled": "on", "auto_threshold": "0.9"})
    rule_event = Event.objects.get(verb="routing.rule_saved")
    assert rule_event.actor == admin_user and rule_event.data["name"] == "Audit"
    assert rule_event.authority == authority
    settings_event = Event.objects.get(verb="routing.settings_saved")
    assert settings_event.data == {"threshold": 0.9, "enabled": True}
    assert RoutingSettings.objects.get(authority=authority).auto_threshold == 0.9
