"""The back office, through HTTP: every page and action for its success, refusal, not-found
and bad-input cases, and what list and case pages cost in queries."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guichet.authorities.enums import Role
from guichet.cases import services
from guichet.cases.enums import Status
from guichet.cases.models import Case, Note
from guichet.core.enums import Channel, Direction
from guichet.core.files import check_upload
from guichet.core.models import Event
from guichet.interactions.enums import DeliveryStatus
from guichet.interactions.models import Attachment, Interaction
from guichet.interactions.services import interaction_record
from tests import factories as f
from tests.core.test_files import tiny_pdf, tiny_png, windows_program
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    make_case,
    text,
    url,
)

# Every URL: who gets what -------------------------------------------------------------------


@pytest.fixture
def every_url(case, citizen_contact, attachment):
    """Each back-office URL, with the method that uses it and a harmless valid payload."""
    pk = case.pk
    return [
        ("GET", url("queue"), {}),
        ("GET", url("case_detail", pk), {}),
        ("POST", url("case_take", pk), {}),
        ("POST", url("case_assign", pk), {"assignee": ""}),
        ("POST", url("case_status", pk), {"action": "start"}),
        ("POST", url("case_priority", pk), {"priority": "high"}),
        ("POST", url("case_note", pk), {"body": "Vu sur place."}),
        ("POST", url("case_reply", pk), {"body": "Nous passons lundi."}),
        ("POST", url("case_transfer", pk), {"service": "", "reason": "Erreur"}),
        ("POST", url("case_duplicate", pk), {"original": "26-2222X"}),
        ("GET", url("attachment", attachment.pk), {}),
        ("GET", url("contact_detail", citizen_contact.pk), {}),
        ("GET", url("contact_edit", citizen_contact.pk), {}),
        ("GET", url("contact_member_search", citizen_contact.pk) + "?q=dur", {}),
        ("POST", url("contact_member_add", citizen_contact.pk), {"person": "1"}),
        ("POST", url("contact_member_remove", citizen_contact.pk, citizen_contact.pk), {}),
        ("GET", url("contact_duplicates"), {}),
        ("POST", url("contact_duplicate_dismiss", citizen_contact.pk, citizen_contact.pk), {}),
        ("GET", url("contact_merge", citizen_contact.pk, citizen_contact.pk), {}),
        ("GET", url("contact_merges"), {}),
        ("GET", url("contact_merge_detail", 1), {}),
        ("POST", url("contact_merge_undo", 1), {}),
        ("GET", url("desk"), {}),
        ("GET", url("desk_matches") + "?who=durand", {}),
        ("POST", url("authority_switch"), {"authority": "1"}),
        ("GET", url("search") + "?q=poule", {}),
        ("GET", url("settings_home"), {}),
    ]


def test_every_url_of_the_urlconf_is_covered(every_url):
    from guichet.www.backoffice.urls import urlpatterns

    assert_urls_covered(urlpatterns, every_url)


def test_anonymous_visitors_are_sent_to_the_login_page(every_url):
    assert_anonymous_sent_to_login(every_url)


def test_citizens_are_refused(every_url, client_for, citizen):
    assert_refused(client_for(citizen), every_url)


def test_actions_refuse_get(case, client_for, agent):
    client = client_for(agent)
    for name in (
        "case_take",
        "case_assign",
        "case_status",
        "case_note",
        "case_reply",
        "case_transfer",
        "case_duplicate",
    ):
        assert client.get(url(name, case.pk)).status_code == 405, name
    assert Case.objects.get(pk=case.pk).status == Status.NEW


CASE_ACTIONS = [
    ("case_take", {}),
    ("case_assign", {"assignee": ""}),
    ("case_status", {"action": "start"}),
    ("case_note", {"body": "Note"}),
    ("case_reply", {"body": "Réponse"}),
    ("case_transfer", {"reason": "Motif"}),
    ("case_duplicate", {"original": "26-2223X"}),
]


@pytest.mark.parametrize(("name", "data"), CASE_ACTIONS)
def test_another_services_agent_cannot_find_the_case(
    case, client_for, other_agent, foreign_agent, name, data
):
    for outsider in (other_agent, foreign_agent):
        assert client_for(outsider).post(url(name, case.pk), data).status_code == 404
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.assignee_id, stored.service.name) == (Status.NEW, None, "Voirie")
    assert not Note.objects.exists()


@pytest.mark.parametrize(("name", "data"), CASE_ACTIONS)
def test_the_front_desk_cannot_act_on_another_services_case(
    case, client_for, front_desk, dpo, name, data
):
    events = Event.objects.count()
    for reader in (front_desk, dpo):
        assert client_for(reader).post(url(name, case.pk), data).status_code == 403
    assert Event.objects.count() == events


@pytest.mark.parametrize(("name", "data"), CASE_ACTIONS)
def test_actions_on_an_unknown_case_are_not_found(client_for, agent, name, data):
    assert client_for(agent).post(url(name, 999999), data).status_code == 404


def test_unknown_pages_are_not_found(client_for, agent, admin_user):
    for user in (agent, admin_user):
        client = client_for(user)
        assert client.get(url("case_detail", 999999)).status_code == 404
        assert client.get(url("contact_detail", 999999)).status_code == 404
        assert client.get(url("contact_edit", 999999)).status_code == 404
        assert client.get(url("attachment", 999999)).status_code == 404


# The case page ------------------------------------------------------------------------------


def test_the_agent_of_the_service_sees_the_whole_case(case, client_for, agent):
    services.case_add_note(actor=agent, case=case, body="Trou de 20 cm, à baliser.")
    response = client_for(agent).get(url("case_detail", case.pk))
    assert response.status_code == 200
    body = text(response)
    assert case.reference in body
    assert "Un trou profond devant le 12." in body
    assert "Trou de 20 cm, à baliser." in body
    assert "Jeanne DURAND" in body
    assert url("case_reply", case.pk) in body
    assert "Demande enregistrée" in body


def test_the_manager_and_the_administrator_see_the_whole_case(
    case, client_for, manager, admin_user, dpo
):
    for user in (manager, admin_user, dpo):
        response = client_for(user).get(url("case_detail", case.pk))
        assert response.status_code == 200
        assert "Un trou profond devant le 12." in text(response)


def test_the_front_desk_gets_only_the_summary(case, client_for, front_desk, agent):
    services.case_add_note(actor=agent, case=case, body="Note très interne")
    services.case_wait(actor=agent, case=case, waiting_for="person", reason="Photo demandée")
    response = client_for(front_desk).get(url("case_detail", case.pk))
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "backoffice/cases/summary.html"
    body = text(response)
    assert case.reference in body
    assert "Voirie — nid de poule" in body
    assert "En attente" in body
    for secret in (
        "Nid de poule rue des Lilas",
        "Un trou profond",
        "Note très interne",
        "Photo demandée",
        "Jeanne",
        "citoyenne@example.org",
    ):
        assert secret not in body, secret


def test_other_services_and_authorities_do_not_find_the_case(
    case, client_for, other_agent, foreign_agent
):
    for outsider in (other_agent, foreign_agent):
        assert client_for(outsider).get(url("case_detail", case.pk)).status_code == 404


def test_the_due_date_is_explained(case, client_for, agent):
    body = text(client_for(agent).get(url("case_detail", case.pk)))
    assert "délai de 5 jours ouvrés" in body
    assert case.due_on.strftime("%d/%m/%Y") in body


# Actions ------------------------------------------------------------------------------------


def test_taking_a_case(case, client_for, agent):
    client = client_for(agent)
    response = client.post(url("case_take", case.pk))
    assert response.status_code == 302
    assert response["Location"] == url("case_detail", case.pk)
    stored = Case.objects.get(pk=case.pk)
    assert stored.assignee == agent
    assert stored.status == Status.IN_PROGRESS
    page = client.get(url("case_detail", case.pk))
    assert "Vous avez pris la demande en charge." in text(page)


def test_assigning_to_a_colleague(case, client_for, agent, voirie):
    colleague = f.MembershipFactory(service=voirie, role=Role.AGENT).user
    response = client_for(agent).post(url("case_assign", case.pk), {"assignee": colleague.pk})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).assignee == colleague


def test_assigning_to_someone_outside_the_service_is_bad_input(
    case, client_for, agent, other_agent
):
    response = client_for(agent).post(url("case_assign", case.pk), {"assignee": other_agent.pk})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).assignee is None


@pytest.mark.parametrize(
    ("action", "extra", "status"),
    [
        ("start", {}, Status.IN_PROGRESS),
        ("wait", {"waiting_for": "person", "reason": "Photo"}, Status.WAITING),
        ("resolve", {"reason": "Rebouché"}, Status.RESOLVED),
        ("reject", {"reason": "Voie privée"}, Status.REJECTED),
    ],
)
def test_changing_the_status(case, client_for, agent, action, extra, status):
    response = client_for(agent).post(url("case_status", case.pk), {"action": action, **extra})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == status


def test_rejecting_without_a_reason_is_bad_input(case, client_for, agent):
    events = Event.objects.count()
    response = client_for(agent).post(
        url("case_status", case.pk), {"action": "reject", "reason": " "}
    )
    assert response.status_code == 400
    assert "Indiquez le motif du rejet." in text(response)
    assert Case.objects.get(pk=case.pk).status == Status.NEW
    assert Event.objects.count() == events


def test_a_refused_transition_is_bad_input_with_its_message(case, client_for, agent):
    response = client_for(agent).post(url("case_status", case.pk), {"action": "close"})
    assert response.status_code == 400
    assert "Impossible de passer une demande « Nouvelle » à l&#x27;état « Clôturée »." in text(
        response
    )
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_reopening_after_the_window_is_refused(case, client_for, agent):
    services.case_resolve(actor=agent, case=case)
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - dt.timedelta(days=40))
    response = client_for(agent).post(url("case_status", case.pk), {"action": "reopen"})
    assert response.status_code == 400
    assert "Le délai de réouverture (30 jours) est dépassé" in text(response)
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


@pytest.mark.parametrize("action", ["start", "resume"])
def test_no_status_action_reopens_a_case_after_the_window(case, client_for, agent, action):
    services.case_resolve(actor=agent, case=case)
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - dt.timedelta(days=40))
    response = client_for(agent).post(url("case_status", case.pk), {"action": action})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == Status.RESOLVED


def test_an_unknown_status_action_is_bad_input(case, client_for, agent):
    response = client_for(agent).post(url("case_status", case.pk), {"action": "delete"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == Status.NEW


def test_adding_a_note(case, client_for, agent):
    response = client_for(agent).post(url("case_note", case.pk), {"body": "Appelé ce matin."})
    assert response.status_code == 302
    assert Note.objects.get(case=case).body == "Appelé ce matin."


@pytest.mark.parametrize("body", ["", "   "])
def test_an_empty_note_is_bad_input(case, client_for, agent, body):
    response = client_for(agent).post(url("case_note", case.pk), {"body": body})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)
    assert not Note.objects.exists()


def test_replying_by_email(case, client_for, agent, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    client = client_for(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("case_reply", case.pk),
            {
                "body": "Nous intervenons lundi.",
                "files": [SimpleUploadedFile("plan.pdf", tiny_pdf())],
            },
        )
    assert response.status_code == 302
    reply = Interaction.objects.get(
        case=case, direction="out", body__startswith="Nous intervenons lundi."
    )
    assert reply.delivery_status == DeliveryStatus.SENT
    assert reply.attachments.get().filename == "plan.pdf"
    assert [m.to for m in mail.outbox] == [["citoyenne@example.org"]]
    page = client.get(url("case_detail", case.pk))
    assert "Réponse envoyée par courriel à citoyenne@example.org." in text(page)


def test_a_disguised_file_in_a_reply_is_bad_input(
    case, client_for, agent, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    interactions = Interaction.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(agent).post(
            url("case_reply", case.pk),
            {
                "body": "Voici le document.",
                "files": [SimpleUploadedFile("document.pdf", windows_program())],
            },
        )
    assert response.status_code == 400
    assert "« document.pdf » n&#x27;est pas accepté" in text(response)
    assert Interaction.objects.count() == interactions
    assert not Attachment.objects.exists()
    assert mail.outbox == []


def test_too_many_files_in_a_reply_is_bad_input(case, client_for, agent, settings):
    settings.GUICHET_ATTACHMENT_MAX_COUNT = 2
    interactions = Interaction.objects.count()
    response = client_for(agent).post(
        url("case_reply", case.pk),
        {
            "body": "Photos",
            "files": [SimpleUploadedFile(f"p{i}.png", tiny_png()) for i in range(3)],
        },
    )
    assert response.status_code == 400
    assert "Vous pouvez joindre au plus 2 fichiers." in text(response)
    assert Interaction.objects.count() == interactions


def test_an_empty_reply_is_bad_input(case, client_for, agent):
    response = client_for(agent).post(url("case_reply", case.pk), {"body": ""})
    assert response.status_code == 400
    assert (
        not Interaction.objects.filter(case=case, direction="out")
        .exclude(delivery_status=DeliveryStatus.QUEUED)
        .exists()
    )


def test_transferring_keeps_read_access(case, client_for, agent, other_agent, etat_civil):
    client = client_for(agent)
    response = client.post(
        url("case_transfer", case.pk),
        {"service": etat_civil.pk, "reason": "Relève de l'état civil"},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).service == etat_civil
    page = client.get(url("case_detail", case.pk))
    assert page.status_code == 200
    body = text(page)
    assert "Un trou profond devant le 12." in body
    assert "lecture seule" in body
    assert url("case_reply", case.pk) not in body
    assert client.post(url("case_note", case.pk), {"body": "Encore"}).status_code == 403
    # The new service may act.
    assert client_for(other_agent).post(url("case_take", case.pk)).status_code == 302


@pytest.mark.parametrize("data", [{"reason": ""}, {"reason": "   "}])
def test_a_transfer_without_a_reason_is_bad_input(case, client_for, agent, etat_civil, data):
    response = client_for(agent).post(
        url("case_transfer", case.pk), {"service": etat_civil.pk, **data}
    )
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)
    stored = Case.objects.get(pk=case.pk)
    assert stored.service.name == "Voirie"
    assert not Event.objects.filter(verb="case.transferred").exists()


def test_a_transfer_to_another_authoritys_service_is_bad_input(
    case, client_for, agent, foreign_agent
):
    foreign_service = foreign_agent.memberships.get().service
    response = client_for(agent).post(
        url("case_transfer", case.pk), {"service": foreign_service.pk, "reason": "Ailleurs"}
    )
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).service.name == "Voirie"


def test_marking_a_duplicate_by_reference(
    case, client_for, agent, authority, category, citizen_contact
):
    original = make_case(authority, category, citizen_contact, "Même nid de poule")
    typed = original.reference.lower().replace("-", " ")
    response = client_for(agent).post(url("case_duplicate", case.pk), {"original": typed})
    assert response.status_code == 302
    stored = Case.objects.get(pk=case.pk)
    assert (stored.status, stored.duplicate_of) == (Status.DUPLICATE, original)


def test_a_duplicate_of_an_unknown_or_invisible_case_is_bad_input(case, client_for, agent, ec_case):
    for reference in ("26-ZZZZZ", ec_case.reference, case.reference):
        response = client_for(agent).post(url("case_duplicate", case.pk), {"original": reference})
        assert response.status_code == 400, reference
    assert Case.objects.get(pk=case.pk).status == Status.NEW


# Attachments --------------------------------------------------------------------------------


def test_downloading_an_attachment(attachment, client_for, agent, admin_user):
    for user in (agent, admin_user):
        response = client_for(user).get(url("attachment", attachment.pk))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == tiny_png()
        assert 'filename="trou.png"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_an_attachment_of_another_service_is_not_found(
    attachment, client_for, other_agent, front_desk, foreign_agent
):
    for outsider in (other_agent, front_desk, foreign_agent):
        assert client_for(outsider).get(url("attachment", attachment.pk)).status_code == 404


# Query counts -------------------------------------------------------------------------------


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_queue_costs_the_same_for_3_or_30_cases(
    authority, category, citizen_contact, client_for, agent, voirie
):
    colleague = f.MembershipFactory(service=voirie, role=Role.AGENT).user
    client = client_for(agent)
    for i in range(3):
        created = make_case(authority, category, citizen_contact, f"Cas {i}", days_ago=i)
        services.case_assign(actor=agent, case=created, assignee=colleague)
    client.get(url("queue"))
    small = count_queries(client, url("queue"))
    for i in range(27):
        created = make_case(authority, category, citizen_contact, f"Autre {i}", days_ago=i)
        services.case_assign(actor=agent, case=created, assignee=colleague)
    large = count_queries(client, url("queue"))
    assert large == small


def test_the_case_page_costs_the_same_for_2_or_30_exchanges(
    case, client_for, agent, authority, citizen_contact
):
    client = client_for(agent)

    def add(n):
        for i in range(n):
            services.case_add_note(actor=agent, case=case, body=f"Note {i}")
            interaction = interaction_record(
                actor=agent,
                authority=authority,
                channel=Channel.PHONE,
                direction=Direction.IN,
                contact=citizen_contact,
                case=case,
                body=f"Appel {i}",
                files=[check_upload(SimpleUploadedFile(f"p{i}.png", tiny_png()))],
            )
            assert interaction.case == case

    add(2)
    client.get(url("case_detail", case.pk))
    small = count_queries(client, url("case_detail", case.pk))
    add(28)
    large = count_queries(client, url("case_detail", case.pk))
    assert large == small


def test_the_contact_page_costs_the_same_for_2_or_30_cases(
    authority, category, citizen_contact, category_etat_civil, client_for, front_desk
):
    client = client_for(front_desk)

    def add(n):
        for i in range(n):
            make_case(
                authority, category if i % 2 else category_etat_civil, citizen_contact, f"Cas {i}"
            )

    add(2)
    client.get(url("contact_detail", citizen_contact.pk))
    small = count_queries(client, url("contact_detail", citizen_contact.pk))
    add(28)
    large = count_queries(client, url("contact_detail", citizen_contact.pk))
    assert large == small


def test_the_settings_page_is_for_the_authoritys_administrators(
    client_for, admin_user, agent, manager, front_desk, dpo
):
    assert client_for(admin_user).get(url("settings_home")).status_code == 200
    for user in (agent, manager, front_desk, dpo):
        assert client_for(user).get(url("settings_home")).status_code == 403
