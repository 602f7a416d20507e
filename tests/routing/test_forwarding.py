"""Forwarding to the competent authority (CRPA L114-2): on the platform the case moves with
its public history and the competent authority acknowledges it; outside, a forwarding email
or letter is produced; the person is always told; deadlines follow the law's rule."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from guichet.cases.enums import SilenceRule, Status
from guichet.cases.models import Case
from guichet.cases.services import case_add_note, case_create, case_reply
from guichet.core.files import check_upload
from guichet.core.models import Event
from guichet.interactions.enums import Purpose
from guichet.interactions.models import Interaction
from guichet.letters.acknowledgements import acknowledgement_render
from guichet.routing.forwarding import case_forward, first_received_on
from tests import factories as f
from tests.core.test_files import tiny_pdf
from tests.www.backoffice_helpers import text, url


@pytest.fixture
def agglo(db):
    epci = f.AuthorityFactory(
        name="Agglo du Lac",
        slug="agglo-lac",
        kind="epci",
        email="contact@agglo.example",
        phone="05 00 00 00 09",
    )
    service = f.ServiceFactory(authority=epci, name="Eau et assainissement")
    category = f.CategoryFactory(
        authority=epci,
        default_service=service,
        label="Facture d'eau",
        silence_rule=SilenceRule.REJECTION,
        silence_delay_months=2,
    )
    agent = f.MembershipFactory(authority=epci, service=service, role="agent").user
    return epci, category, agent


@pytest.fixture
def water_case(authority, category, citizen_contact, citizen, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("facture.pdf", tiny_pdf(), content_type="application/pdf")
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        created, _ = case_create(
            actor=citizen,
            authority=authority,
            category=category,
            contact=citizen_contact,
            subject="Ma facture d'eau est trop élevée",
            description="Je conteste la facture de janvier.",
            channel="portal",
            files=[check_upload(upload)],
            notify=False,
        )
    return created


def test_on_the_platform_the_case_continues_with_its_history(
    water_case, agent, agglo, citizen, django_capture_on_commit_callbacks
):
    epci, water, _ = agglo
    case_add_note(actor=agent, case=water_case, body="Pas chez nous : eau = agglo.")
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            forwarding = case_forward(
                actor=agent,
                case=water_case,
                reason="L'eau relève de l'agglomération.",
                to_authority=epci,
                to_category=water,
            )
    new = forwarding.to_case
    assert new.authority == epci and new.category == water
    assert new.subject == water_case.subject
    # The person's record exists in the agglomeration, linked to the same account.
    person = new.contacts.get()
    assert person.authority == epci and person.user == citizen
    # The public exchanges came along with their files; the internal note did not.
    first = new.interactions.order_by("occurred_at").first()
    assert first.body == "Je conteste la facture de janvier."
    assert first.attachments.get().filename == "facture.pdf"
    assert not new.notes.exists()
    # The first authority's case is closed as forwarded, with the trace: a later message
    # from the person cannot reopen it where nobody can decide it.
    water_case.refresh_from_db()
    assert water_case.status == Status.CLOSED
    assert Event.objects.filter(
        case=water_case, verb="case.forwarded", data__to_case=new.pk
    ).exists()
    assert Event.objects.filter(
        case=new, verb="case.received_forwarded", data__first_received_on="2026-03-02"
    ).exists()
    # The person was told, by email, with the rule on deadlines.
    notice = forwarding.notice
    assert notice.purpose == Purpose.FORWARDING and notice.case == water_case
    assert "Agglo du Lac" in notice.body and "L114-2" in notice.body
    assert "vaut rejet" in notice.body and "2 mars 2026" in notice.body
    # The competent authority's acknowledgement counts a rejection from the first receipt.
    assert first_received_on(new) == dt.date(2026, 3, 2)
    body = acknowledgement_render(case=new, contact=person, by_email=True)[1]
    assert "2 mai 2026" in body  # two months from 2 March, not from 10 March


def test_citizens_see_the_case_continue_in_the_competent_authority(
    water_case, agent, agglo, citizen, client_for
):
    epci, water, _ = agglo
    forwarding = case_forward(
        actor=agent,
        case=water_case,
        reason="Compétence de l'agglomération.",
        to_authority=epci,
        to_category=water,
    )
    page = client_for(citizen).get(f"/{epci.slug}/mes-demandes/{forwarding.to_case.reference}/")
    assert page.status_code == 200 and "Je conteste la facture de janvier." in text(page)


def test_outside_the_platform_by_email(
    water_case, agent, settings, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        forwarding = case_forward(
            actor=agent,
            case=water_case,
            reason="Le syndicat des eaux est compétent.",
            external_name="Syndicat des eaux du Lac",
            external_email="Contact@Syndicat-Eaux.example",
        )
    assert forwarding.to_case is None
    sent = next(m for m in mail.outbox if "contact@syndicat-eaux.example" in m.to)
    assert "L114-2" in sent.subject and "Je conteste la facture de janvier." in sent.body
    assert [a[0] for a in sent.attachments] == ["facture.pdf"]
    transmission = forwarding.transmission
    assert not transmission.visible_to_contact and transmission.purpose == Purpose.FORWARDING
    told = next(m for m in mail.outbox if "citoyenne@example.org" in m.to)
    assert "Syndicat des eaux du Lac" in told.body


def test_outside_the_platform_by_letter(water_case, agent):
    forwarding = case_forward(
        actor=agent,
        case=water_case,
        reason="La préfecture est compétente.",
        external_name="Préfecture de l'Indre",
        external_address="Place de la Victoire\n36000 Châteauroux",
    )
    letter = forwarding.transmission
    assert letter.channel == "post" and letter.attachments.filter(mime_type="application/pdf")
    assert "36000 Châteauroux" in letter.recipient
    assert letter.contact.organisation_name == "Préfecture de l'Indre"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"reason": ""}, "reason"),
        ({"reason": "x", "external_name": ""}, "external_name"),
        ({"reason": "x", "external_name": "Préfecture"}, "external_email"),
    ],
)
def test_what_is_refused(water_case, agent, kwargs, field):
    with pytest.raises(ValidationError) as error:
        case_forward(actor=agent, case=water_case, **kwargs)
    assert field in error.value.message_dict
    assert Case.objects.filter(pk=water_case.pk, status=Status.NEW).exists()


def test_own_authority_closed_cases_and_outsiders_are_refused(
    water_case, agent, other_agent, authority, category, agglo
):
    with pytest.raises(ValidationError):
        case_forward(
            actor=agent, case=water_case, reason="x", to_authority=authority, to_category=category
        )
    epci, water, _ = agglo
    with pytest.raises(ValidationError):  # a category of another authority than the target
        case_forward(
            actor=agent, case=water_case, reason="x", to_authority=epci, to_category=category
        )
    with pytest.raises(PermissionDenied):
        case_forward(
            actor=other_agent, case=water_case, reason="x", to_authority=epci, to_category=water
        )
    case_reply(actor=agent, case=water_case, body="Réponse.")
    from guichet.cases.services import case_resolve

    case_resolve(actor=agent, case=water_case)
    with pytest.raises(ValidationError):
        case_forward(actor=agent, case=water_case, reason="x", to_authority=epci, to_category=water)


def test_the_forward_page(water_case, agent, other_agent, citizen, client_for, agglo):
    epci, water, _ = agglo
    path = url("case_forward", water_case.pk)
    assert client_for(citizen).get(path).status_code == 403
    assert client_for(other_agent).get(path).status_code in (403, 404)
    client = client_for(agent)
    page = client.get(path)
    assert page.status_code == 200 and "Agglo du Lac — Facture d&#x27;eau" in text(page)
    bad = client.post(path, {"reason": "x", "to_category": water.pk, "external_name": "Préfecture"})
    assert bad.status_code == 400 and "pas les deux" in text(bad)
    missing = client.post(path, {"reason": ""})
    assert missing.status_code == 400 and "Ce champ est obligatoire." in text(missing)
    done = client.post(path, {"reason": "Compétence de l'agglo", "to_category": water.pk})
    assert done.status_code == 302
    assert Interaction.objects.filter(case__authority=epci).exists()
    assert client.get(url("case_forward", 999999)).status_code == 404


def test_the_case_never_joins_another_persons_account_by_email(
    authority, category, agent, agglo, other_citizen, client_for
):
    """A shared address (a family's) must not hand the forwarded demand to the account
    that uses it in the competent authority: the person gets their own record there."""
    from guichet.contacts.services import contact_create

    epci, water, _ = agglo
    requester = contact_create(
        actor=agent,
        authority=authority,
        first_name="Paul",
        birth_name="Martin",
        email="famille@example.org",
    )
    theirs = contact_create(
        actor=other_citizen,
        authority=epci,
        user=other_citizen,
        first_name="Louis",
        birth_name="Petit",
        email="famille@example.org",
    )
    desk_case, _ = case_create(
        actor=agent,
        authority=authority,
        category=category,
        contact=requester,
        subject="Facture d'eau",
        description="Une fuite chez moi.",
        channel="counter",
        notify=False,
    )
    forwarding = case_forward(
        actor=agent, case=desk_case, reason="Eau", to_authority=epci, to_category=water
    )
    person = forwarding.to_case.contacts.get()
    assert person != theirs and person.user is None and person.birth_name == "Martin"
    page = client_for(other_citizen).get(
        f"/{epci.slug}/mes-demandes/{forwarding.to_case.reference}/"
    )
    assert page.status_code == 404


def test_a_forwarded_case_does_not_teach_the_routing(water_case, agent, agglo):
    """It ended in the service that forwarded it, which was not competent: learning from
    it would send the next water bill to that service again."""
    from guichet.routing.services import training_examples

    epci, water, _ = agglo
    case_forward(actor=agent, case=water_case, reason="Eau", to_authority=epci, to_category=water)
    water_case.refresh_from_db()
    assert water_case.status == Status.CLOSED
    for target in ("service", "category"):
        case_rows = training_examples(water_case.authority, target)[3]
        assert not [row for row in case_rows if "facture de janvier" in row[0]]


def test_a_person_without_account_can_follow_the_case_in_the_competent_authority(
    authority, category, agent, agglo, django_capture_on_commit_callbacks
):
    from guichet.cases.tracking import tracking_url
    from guichet.contacts.services import contact_create

    epci, water, _ = agglo
    requester = contact_create(
        actor=agent,
        authority=authority,
        first_name="Paul",
        birth_name="Martin",
        email="paul.martin@example.org",
    )
    desk_case, _ = case_create(
        actor=agent,
        authority=authority,
        category=category,
        contact=requester,
        subject="Facture d'eau",
        description="Une fuite chez moi.",
        channel="email",
        notify=False,
        with_tracking_link=True,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        forwarding = case_forward(
            actor=agent, case=desk_case, reason="Eau", to_authority=epci, to_category=water
        )
    link = tracking_url(forwarding.to_case)
    assert link and epci.slug in link
    registered = next(m for m in mail.outbox if forwarding.to_case.reference in m.subject)
    assert link in registered.body


def test_forwarded_twice_the_rejection_delay_still_runs_from_the_first_receipt(
    water_case, agent, agglo, django_capture_on_commit_callbacks
):
    epci, water, epci_agent = agglo
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC), tick=False):
        first = case_forward(
            actor=agent, case=water_case, reason="Eau", to_authority=epci, to_category=water
        )
    with time_machine.travel(dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC), tick=False):
        second = case_forward(
            actor=epci_agent,
            case=first.to_case,
            reason="Le syndicat des eaux est compétent.",
            external_name="Syndicat des eaux du Lac",
            external_email="contact@syndicat-eaux.example",
        )
    assert "court à compter du 2 mars 2026" in " ".join(second.notice.body.split())
    assert "reçue par notre administration le 2 mars 2026" in " ".join(
        second.transmission.body.split()
    )
