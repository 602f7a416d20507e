"""The back office, through HTTP: every page and action for its success, refusal, not-found
and bad-input cases, the queue's counters and filters, the one-stop desk and the search."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from guichet.authorities.enums import Role
from guichet.cases import services
from guichet.cases.enums import Status
from guichet.cases.models import Case, Note
from guichet.contacts.models import Contact
from guichet.contacts.services import contact_create
from guichet.core.enums import Channel, Direction
from guichet.core.files import check_upload
from guichet.core.models import Event
from guichet.interactions.enums import DeliveryStatus, Outcome
from guichet.interactions.models import Attachment, Interaction
from guichet.interactions.services import interaction_record
from tests import factories as f
from tests.core.test_files import tiny_pdf, tiny_png, windows_program

LOGIN = reverse("accounts:login")


def url(name, *args):
    return reverse(f"backoffice:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def make_case(
    authority,
    category,
    contact,
    subject="Demande",
    *,
    actor=None,
    days_ago=0,
    channel="phone",
    **kwargs,
):
    received_at = timezone.now() - dt.timedelta(days=days_ago)
    created, _ = services.case_create(
        actor=actor,
        authority=authority,
        category=category,
        contact=contact,
        subject=subject,
        channel=channel,
        received_at=received_at,
        notify=False,
        **kwargs,
    )
    return created


@pytest.fixture
def attachment(case, citizen, citizen_contact):
    """A photo the citizen sent on their case."""
    interaction = services.case_citizen_reply(
        actor=citizen,
        case=case,
        contact=citizen_contact,
        body="La photo du trou",
        files=[check_upload(SimpleUploadedFile("trou.png", tiny_png()))],
    )
    return interaction.attachments.get()


@pytest.fixture
def ec_case(authority, category_etat_civil, other_citizen):
    contact = contact_create(
        actor=other_citizen,
        authority=authority,
        user=other_citizen,
        first_name="Louis",
        usage_name="Petit",
        email=other_citizen.email,
    )
    return make_case(
        authority,
        category_etat_civil,
        contact,
        "Copie d'acte de naissance",
        description="Né à Toulouse en 1980.",
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
        ("GET", url("desk"), {}),
        ("GET", url("desk_matches") + "?who=durand", {}),
        ("POST", url("authority_switch"), {"authority": "1"}),
        ("GET", url("search") + "?q=poule", {}),
    ]


def test_every_url_of_the_urlconf_is_covered(every_url):
    from guichet.www.backoffice.urls import urlpatterns

    covered = {path.split("?")[0] for _, path, _ in every_url}
    for pattern in urlpatterns:
        args = [1] * len(pattern.pattern.converters)
        assert any(
            re.fullmatch(re.sub(r"\d+", r"\\d+", url(pattern.name, *args)), path)
            for path in covered
        ), pattern.name


def _send(client, method, path, data):
    return client.get(path) if method == "GET" else client.post(path, data)


def test_anonymous_visitors_are_sent_to_the_login_page(every_url):
    client = Client()
    for method, path, data in every_url:
        response = _send(client, method, path, data)
        assert response.status_code == 302, path
        assert response["Location"].startswith(f"{LOGIN}?next="), path


def test_citizens_are_refused(every_url, client_for, citizen):
    client = client_for(citizen)
    for method, path, data in every_url:
        assert _send(client, method, path, data).status_code == 403, path


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


# The queue ----------------------------------------------------------------------------------


@pytest.fixture
def queue_cases(authority, category, category_etat_civil, citizen_contact, agent, voirie):
    """Voirie: new, new and overdue, mine, someone else's, waiting, resolved; and a case of
    the État civil that the Voirie agent must not see."""
    colleague = f.MembershipFactory(service=voirie, role=Role.AGENT, user__first_name="Zoé").user
    other_category = f.CategoryFactory(default_service=voirie, label="Éclairage", delay_days=5)
    cases = {
        "new": make_case(authority, category, citizen_contact, "Nouveau", channel="portal"),
        "overdue": make_case(authority, category, citizen_contact, "Ancien", days_ago=30),
        "mine": make_case(authority, other_category, citizen_contact, "Le mien", channel="email"),
        "colleague": make_case(authority, category, citizen_contact, "Celui de Zoé"),
        "waiting": make_case(authority, category, citizen_contact, "En attente", days_ago=30),
        "resolved": make_case(authority, category, citizen_contact, "Fini"),
        "etat_civil": make_case(authority, category_etat_civil, citizen_contact, "Acte"),
    }
    services.case_take(actor=agent, case=cases["mine"])
    services.case_assign(actor=agent, case=cases["colleague"], assignee=colleague)
    services.case_wait(actor=agent, case=cases["waiting"], waiting_for="person")
    services.case_resolve(actor=agent, case=cases["resolved"])
    return {"cases": cases, "colleague": colleague, "other_category": other_category}


def listed(response, cases):
    body = text(response)
    return {name for name, c in cases.items() if c.reference in body}


def test_the_queue_counts_what_needs_attention(queue_cases, client_for, agent):
    response = client_for(agent).get(url("queue"))
    assert response.status_code == 200
    assert response.context["counters"] == {"new": 2, "mine": 1, "overdue": 1, "waiting": 1}
    body = text(response)
    assert re.search(r"<strong>2</strong>\s*nouvelles", body)
    assert re.search(r"<strong>1</strong>\s*en retard", body)
    # Open cases of my services by default; never another service's.
    assert listed(response, queue_cases["cases"]) == {
        "new",
        "overdue",
        "mine",
        "colleague",
        "waiting",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=new", {"new", "overdue"}),
        ("status=waiting", {"waiting"}),
        ("status=finished", {"resolved"}),
        ("status=in_progress", {"mine", "colleague"}),
        ("assignee=me", {"mine"}),
        ("assignee=none", {"new", "overdue", "waiting"}),
        ("overdue=1", {"overdue"}),
        ("channel=portal", {"new"}),
        ("channel=email", {"mine"}),
        ("channel=pigeon", {"new", "overdue", "mine", "colleague", "waiting"}),
        ("status=open&assignee=me&channel=phone", set()),
    ],
)
def test_the_queue_filters(queue_cases, client_for, agent, query, expected):
    response = client_for(agent).get(url("queue") + "?" + query)
    assert response.status_code == 200
    assert listed(response, queue_cases["cases"]) == expected


def test_the_queue_filters_by_category_and_assignee(queue_cases, client_for, agent):
    client = client_for(agent)
    by_category = client.get(url("queue"), {"category": queue_cases["other_category"].pk})
    assert listed(by_category, queue_cases["cases"]) == {"mine"}
    by_agent = client.get(url("queue"), {"assignee": queue_cases["colleague"].pk})
    assert listed(by_agent, queue_cases["cases"]) == {"colleague"}


def test_the_queue_sorts(queue_cases, client_for, agent):
    cases = queue_cases["cases"]
    client = client_for(agent)
    newest = text(client.get(url("queue"), {"sort": "-received"}))
    oldest = text(client.get(url("queue"), {"sort": "received"}))
    assert newest.index(cases["new"].reference) < newest.index(cases["overdue"].reference)
    assert oldest.index(cases["overdue"].reference) < oldest.index(cases["new"].reference)
    by_due = text(client.get(url("queue"), {"sort": "due"}))
    assert by_due.index(cases["overdue"].reference) < by_due.index(cases["new"].reference)


def test_the_queue_is_paginated(authority, category, citizen_contact, client_for, agent, settings):
    settings.GUICHET_QUEUE_PAGE_SIZE = 2
    cases = {
        i: make_case(authority, category, citizen_contact, f"Cas {i}", days_ago=i) for i in range(3)
    }
    client = client_for(agent)
    first = client.get(url("queue"), {"sort": "-received", "status": "open"})
    second = client.get(url("queue"), {"sort": "-received", "status": "open", "page": 2})
    assert listed(first, cases) == {0, 1}
    assert listed(second, cases) == {2}
    assert "Page 1 sur 2" in text(first)
    # The link to the next page keeps the filters.
    assert "?sort=-received&amp;status=open&amp;page=2" in text(first)


def test_the_manager_queue_covers_the_direction_and_the_admin_the_authority(
    queue_cases, client_for, manager, admin_user
):
    cases = queue_cases["cases"]
    assert "etat_civil" not in listed(client_for(manager).get(url("queue")), cases)
    assert "new" in listed(client_for(manager).get(url("queue")), cases)
    assert "etat_civil" in listed(client_for(admin_user).get(url("queue")), cases)


def test_the_queue_ignores_bad_filters(queue_cases, client_for, agent):
    response = client_for(agent).get(
        url("queue"),
        {
            "status": "bogus",
            "category": "abc",
            "service": "x",
            "assignee": "?",
            "sort": "drop",
            "page": "999",
        },
    )
    assert response.status_code == 200
    # Unknown values fall back to the open cases; a page past the end shows the last one.
    assert listed(response, queue_cases["cases"]) == {
        "new",
        "overdue",
        "mine",
        "colleague",
        "waiting",
    }


def test_the_foreign_agent_queue_is_empty(queue_cases, client_for, foreign_agent):
    response = client_for(foreign_agent).get(url("queue"))
    assert listed(response, queue_cases["cases"]) == set()
    assert response.context["counters"]["new"] == 0


# Contacts -----------------------------------------------------------------------------------


def test_the_contact_page_shows_history_within_what_the_agent_sees(
    case, ec_case, client_for, agent, front_desk, citizen_contact
):
    response = client_for(agent).get(url("contact_detail", citizen_contact.pk))
    assert response.status_code == 200
    body = text(response)
    assert "Jeanne DURAND" in body
    assert case.reference in body
    assert "Un trou profond devant le 12." in body


def test_the_front_desk_sees_the_directory_but_only_summaries(
    case, client_for, front_desk, citizen_contact
):
    response = client_for(front_desk).get(url("contact_detail", citizen_contact.pk))
    assert response.status_code == 200
    body = text(response)
    assert case.reference in body
    assert "(autre service)" in body
    assert "Un trou profond" not in body


def test_a_contact_of_another_service_is_not_found(ec_case, client_for, agent, foreign_agent):
    contact = ec_case.contacts.get()
    for outsider in (agent, foreign_agent):
        assert client_for(outsider).get(url("contact_detail", contact.pk)).status_code == 404
        assert client_for(outsider).get(url("contact_edit", contact.pk)).status_code == 404
        assert (
            client_for(outsider)
            .post(url("contact_edit", contact.pk), contact_form(contact, city="X"))
            .status_code
            == 404
        )
    contact.refresh_from_db()
    assert contact.city == ""


def contact_form(contact, **changes):
    from guichet.contacts.services import EDITABLE_FIELDS

    data = {field: getattr(contact, field) for field in EDITABLE_FIELDS}
    data.update(changes)
    data = {k: v for k, v in data.items() if v not in (None, False)}
    return data


def test_editing_a_contact_records_its_history(case, client_for, agent, citizen_contact):
    client = client_for(agent)
    assert client.get(url("contact_edit", citizen_contact.pk)).status_code == 200
    response = client.post(
        url("contact_edit", citizen_contact.pk),
        contact_form(citizen_contact, city="Toulouse", phone="07 11 22 33 44"),
    )
    assert response.status_code == 302
    assert response["Location"] == url("contact_detail", citizen_contact.pk)
    citizen_contact.refresh_from_db()
    assert (citizen_contact.city, citizen_contact.phone) == ("Toulouse", "+33711223344")
    event = Event.objects.get(verb="contact.updated", contact=citizen_contact)
    assert event.actor == agent
    assert set(event.data["changes"]) == {"city", "phone"}
    page = text(client.get(url("contact_detail", citizen_contact.pk)))
    assert re.search(r"modification : [^(]*commune", page)


def test_saving_an_unchanged_contact_records_nothing(case, client_for, agent, citizen_contact):
    events = Event.objects.count()
    response = client_for(agent).post(
        url("contact_edit", citizen_contact.pk), contact_form(citizen_contact)
    )
    assert response.status_code == 302
    assert Event.objects.count() == events


def test_a_bad_phone_on_the_contact_form_is_bad_input(case, client_for, agent, citizen_contact):
    response = client_for(agent).post(
        url("contact_edit", citizen_contact.pk),
        contact_form(citizen_contact, phone="12", city="Albi"),
    )
    assert response.status_code == 400
    assert "« 12 » n&#x27;est pas un numéro de téléphone valide." in text(response)
    citizen_contact.refresh_from_db()
    assert citizen_contact.city == ""
    assert not Event.objects.filter(verb="contact.updated").exists()


def test_a_nameless_contact_is_bad_input(case, client_for, agent, citizen_contact):
    response = client_for(agent).post(
        url("contact_edit", citizen_contact.pk),
        contact_form(citizen_contact, first_name="", usage_name="", birth_name=""),
    )
    assert response.status_code == 400
    assert "Indiquez au moins un nom ou un prénom." in text(response)
    citizen_contact.refresh_from_db()
    assert citizen_contact.first_name == "Jeanne"


# The one-stop desk --------------------------------------------------------------------------


def desk_post(**values):
    data = {
        "submission_key": "clé-1",
        "channel": "counter",
        "outcome": "answered",
        "body": "Horaires de la déchetterie ?",
        "contact": "",
    }
    data.update(values)
    return data


NEW_PERSON = {
    "contact": "new",
    "new-kind": "person",
    "new-first_name": "Awa",
    "new-usage_name": "Diallo",
    "new-phone": "06 98 76 54 32",
}


def test_the_desk_page(client_for, front_desk, category):
    response = client_for(front_desk).get(url("desk"))
    assert response.status_code == 200
    assert "Voirie — nid de poule → Voirie (5 jours ouvrés)" in text(response)


def test_the_desk_records_a_new_person_and_an_answer_on_the_spot(client_for, front_desk, accueil):
    response = client_for(front_desk).post(url("desk"), desk_post(**NEW_PERSON))
    assert response.status_code == 302
    person = Contact.objects.get(name_key="diallo awa")
    assert person.phone == "+33698765432"
    exchange = Interaction.objects.get(contact=person)
    assert exchange.case is None
    assert exchange.outcome == Outcome.ANSWERED
    assert exchange.service == accueil
    assert exchange.agent == front_desk
    assert response["Location"] == url("contact_detail", person.pk)


def test_the_desk_opens_a_case_for_a_new_person(client_for, front_desk, category, voirie):
    response = client_for(front_desk).post(
        url("desk"),
        desk_post(
            **NEW_PERSON,
            outcome="case",
            category=category.pk,
            subject="Trou rue Pasteur",
            body="Un trou dangereux rue Pasteur.",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get(subject="Trou rue Pasteur")
    assert response["Location"] == url("case_detail", case.pk)
    assert case.service == voirie
    assert case.contacts.get().name_key == "diallo awa"


def test_the_desk_records_an_answer_for_a_known_person(
    client_for, front_desk, accueil, citizen_contact
):
    response = client_for(front_desk).post(
        url("desk"), desk_post(contact=citizen_contact.pk, duration_minutes="4")
    )
    assert response.status_code == 302
    assert response["Location"] == url("contact_detail", citizen_contact.pk)
    exchange = Interaction.objects.get(contact=citizen_contact, channel=Channel.COUNTER)
    assert exchange.case is None
    assert exchange.outcome == Outcome.ANSWERED
    assert exchange.service == accueil
    assert exchange.duration_seconds == 240
    assert exchange.body == "Horaires de la déchetterie ?"


def test_the_desk_opens_a_case_routed_to_the_categorys_service(
    client_for, front_desk, category, voirie, citizen_contact
):
    client = client_for(front_desk)
    response = client.post(
        url("desk"),
        desk_post(
            contact=citizen_contact.pk,
            channel="phone",
            outcome="case",
            category=category.pk,
            subject="Trou rue Pasteur",
            body="Un trou dangereux rue Pasteur.",
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get(subject="Trou rue Pasteur")
    assert response["Location"] == url("case_detail", case.pk)
    assert case.service == voirie
    assert case.channel == "phone"
    assert list(case.contacts.all()) == [citizen_contact]
    exchange = case.interactions.get(direction="in")
    assert exchange.outcome == Outcome.CASE_OPENED
    # The front desk then sees the summary, the Voirie agent the case.
    summary = client.get(response["Location"])
    assert [t.name for t in summary.templates][0] == "backoffice/cases/summary.html"
    assert "Demande " + case.reference in text(summary)


def test_an_anonymous_caller_is_recorded_without_a_contact(client_for, front_desk):
    response = client_for(front_desk).post(url("desk"), desk_post(channel="phone"))
    assert response.status_code == 302
    assert response["Location"] == url("desk")
    exchange = Interaction.objects.get()
    assert exchange.contact is None and exchange.channel == "phone"


def test_the_same_desk_submission_twice_gives_one_exchange(
    client_for, front_desk, citizen_contact, category
):
    client = client_for(front_desk)
    data = desk_post(
        contact=citizen_contact.pk,
        outcome="case",
        category=category.pk,
        subject="Trou",
        body="Un trou",
    )
    first = client.post(url("desk"), data)
    second = client.post(url("desk"), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Interaction.objects.filter(channel=Channel.COUNTER).count() == 1
    assert Case.objects.filter(subject="Trou").count() == 1


def test_the_same_desk_submission_with_a_new_person_twice_creates_one_person(
    client_for, front_desk
):
    client = client_for(front_desk)
    client.post(url("desk"), desk_post(**NEW_PERSON))
    client.post(url("desk"), desk_post(**NEW_PERSON))
    assert Contact.objects.filter(name_key="diallo awa").count() == 1
    assert Interaction.objects.count() == 1


def test_a_desk_exchange_without_body_is_bad_input(client_for, front_desk, citizen_contact):
    contacts, events = Contact.objects.count(), Event.objects.count()
    response = client_for(front_desk).post(url("desk"), desk_post(**NEW_PERSON, body="  "))
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)
    assert not Interaction.objects.exists()
    assert (Contact.objects.count(), Event.objects.count()) == (contacts, events)


def test_too_many_files_at_the_desk_is_bad_input(
    client_for, front_desk, citizen_contact, category, settings
):
    settings.GUICHET_ATTACHMENT_MAX_COUNT = 1
    files = [SimpleUploadedFile(f"p{i}.png", tiny_png()) for i in range(2)]
    response = client_for(front_desk).post(
        url("desk"),
        desk_post(
            contact=citizen_contact.pk,
            outcome="case",
            category=category.pk,
            subject="Trou",
            files=files,
        ),
    )
    assert response.status_code == 400
    assert "Vous pouvez joindre au plus 1 fichier." in text(response)
    assert not Interaction.objects.filter(channel=Channel.COUNTER).exists()
    assert not Case.objects.exists()


def test_opening_a_case_at_the_desk_needs_a_category_and_a_subject(
    client_for, front_desk, citizen_contact
):
    response = client_for(front_desk).post(
        url("desk"), desk_post(contact=citizen_contact.pk, outcome="case")
    )
    assert response.status_code == 400
    body = text(response)
    assert "Choisissez la catégorie de la demande." in body
    assert "Indiquez l&#x27;objet de la demande." in body
    assert not Interaction.objects.filter(channel=Channel.COUNTER).exists()
    assert not Case.objects.exists()


def test_the_desk_refuses_a_contact_the_agent_may_not_see(client_for, agent, ec_case):
    stranger = ec_case.contacts.get()
    response = client_for(agent).post(url("desk"), desk_post(contact=stranger.pk))
    assert response.status_code == 400
    assert "Cet usager est introuvable." in text(response)
    assert not Interaction.objects.filter(channel=Channel.COUNTER).exists()


@pytest.mark.parametrize(
    "who", ["durand", "Jeanne Durand", "CITOYENNE@example.org", "06 12 34 56 78", "+33612345678"]
)
def test_desk_matches_find_the_person_and_their_open_cases(case, client_for, front_desk, who):
    response = client_for(front_desk).get(url("desk_matches"), {"who": who})
    assert response.status_code == 200
    body = text(response)
    assert "Jeanne DURAND" in body
    assert "1 fiche correspondante" in body
    assert case.reference in body
    assert "Voirie — nid de poule" in body


def test_desk_matches_do_not_show_finished_cases(case, client_for, front_desk, agent):
    services.case_resolve(actor=agent, case=case)
    body = text(client_for(front_desk).get(url("desk_matches"), {"who": "durand"}))
    assert "Jeanne DURAND" in body
    assert case.reference not in body


def test_desk_matches_propose_a_new_record_when_nobody_matches(case, client_for, front_desk):
    body = text(client_for(front_desk).get(url("desk_matches"), {"who": "inconnu"}))
    assert "Aucune fiche ne correspond" in body


def test_desk_matches_wait_for_two_characters(case, client_for, front_desk):
    response = client_for(front_desk).get(url("desk_matches"), {"who": "d"})
    assert response.status_code == 200
    assert "Jeanne" not in text(response)


def test_desk_matches_stay_in_the_agents_authority(case, client_for, foreign_agent):
    body = text(client_for(foreign_agent).get(url("desk_matches"), {"who": "durand"}))
    assert "Jeanne" not in body


# Authority switch ---------------------------------------------------------------------------


def test_an_agent_of_two_authorities_switches(client_for, agent, other_authority, authority):
    f.MembershipFactory(user=agent, service=f.ServiceFactory(authority=other_authority))
    client = client_for(agent)
    response = client.post(
        url("authority_switch"), {"authority": other_authority.pk, "next": url("search")}
    )
    assert response.status_code == 302
    assert response["Location"] == url("search")
    assert client.get(url("queue")).context["authority"] == other_authority
    # An authority the agent does not belong to is ignored; an outside "next" too.
    stranger = f.AuthorityFactory()
    response = client.post(
        url("authority_switch"), {"authority": stranger.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == url("queue")
    assert client.get(url("queue")).context["authority"] == other_authority


def test_the_authority_switch_ignores_bad_input(client_for, agent, authority):
    client = client_for(agent)
    response = client.post(url("authority_switch"), {"authority": "abc"})
    assert response.status_code == 302
    assert client.get(url("queue")).context["authority"] == authority


# Search -------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{spaced}"])
def test_searching_a_reference_opens_the_case(case, client_for, agent, typed):
    query = typed.format(
        ref=case.reference, lower=case.reference.lower(), spaced=case.reference.replace("-", " ")
    )
    response = client_for(agent).get(url("search"), {"q": query})
    assert response.status_code == 302
    assert response["Location"] == url("case_detail", case.pk)


def test_the_front_desk_finds_a_reference_to_orient_the_caller(case, client_for, front_desk):
    response = client_for(front_desk).get(url("search"), {"q": case.reference})
    assert response["Location"] == url("case_detail", case.pk)


@pytest.mark.parametrize(
    "query",
    [
        "Jeanne Durand",
        "durand",
        "citoyenne@example.org",
        "CITOYENNE@EXAMPLE.ORG",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
    ],
)
def test_searching_a_person(case, client_for, agent, citizen_contact, query):
    response = client_for(agent).get(url("search"), {"q": query})
    assert response.status_code == 200
    assert url("contact_detail", citizen_contact.pk) in text(response)


@pytest.mark.parametrize("query", ["poule", "trou profond", "Lilas"])
def test_searching_words_finds_cases(case, client_for, agent, query):
    response = client_for(agent).get(url("search"), {"q": query})
    assert response.status_code == 200
    assert case.reference in text(response)


def test_an_agent_never_finds_what_they_may_not_see(
    case, ec_case, client_for, agent, other_agent, foreign_agent, citizen_contact
):
    case_link = url("case_detail", case.pk)
    contact_link = url("contact_detail", citizen_contact.pk)
    client = client_for(other_agent)
    by_reference = client.get(url("search"), {"q": case.reference})
    assert by_reference.status_code == 200
    by_words = client.get(url("search"), {"q": "poule"})
    by_name = client.get(url("search"), {"q": "Jeanne Durand"})
    for response in (by_reference, by_words, by_name):
        assert case_link not in text(response)
        assert contact_link not in text(response)
        assert "Aucune demande trouvée" in text(response)
    assert url("case_detail", ec_case.pk) not in text(
        client_for(agent).get(url("search"), {"q": "naissance"})
    )
    foreign = client_for(foreign_agent)
    assert case_link not in text(foreign.get(url("search"), {"q": "poule"}))
    assert foreign.get(url("search"), {"q": case.reference}).status_code == 200


def test_an_empty_search_shows_the_form(client_for, agent):
    response = client_for(agent).get(url("search"))
    assert response.status_code == 200
    assert "Aucun usager trouvé." not in text(response)
