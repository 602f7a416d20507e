"""One demand, every channel: started by phone at the desk, continued by email and by letter,
answered, and written on from the portal once the person's two records are merged. The case
timeline, the person's page and the contact's history keep the whole thread, in order."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from guichet.cases.services import case_add_note, case_reply, desk_exchange_record
from guichet.contacts.services import contact_merge
from guichet.interactions.services import interaction_record
from tests.www.backoffice_helpers import text, url

pytestmark = pytest.mark.django_db

PHONE = "Téléphone : un lampadaire ne s'allume plus rue des Lilas"
EMAIL = "Courriel : je vous envoie le numéro du lampadaire, le 14"
NOTE = "Note : voir avec le centre technique"
HIDDEN = "Appel interne au centre technique municipal"
LETTER = "Lettre : je confirme ma demande par écrit"
REPLY = "Réponse : nous passerons mardi"
PORTAL = "Portail : merci, je serai là mardi"
PUBLIC = [PHONE, EMAIL, LETTER, REPLY, PORTAL]


def positions(body: str, needles: list[str]) -> list[int]:
    found = [body.find(n.replace("'", "&#x27;")) for n in needles]
    assert -1 not in found, [n for n, at in zip(needles, found, strict=True) if at == -1]
    return found


@pytest.fixture
def thread(authority, category, front_desk, agent, citizen, citizen_contact, client_for):
    start = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)

    def at(hours):
        return time_machine.travel(start + dt.timedelta(hours=hours), tick=False)

    with at(0):
        call, case = desk_exchange_record(
            actor=front_desk,
            authority=authority,
            contact=None,
            channel="phone",
            body=PHONE,
            submission_key="appel-1",
            new_contact={"first_name": "Jeanne", "usage_name": "Durand", "mobile": "0611223344"},
            open_case=True,
            category=category,
        )
    desk_contact = call.contact
    with at(1):
        interaction_record(
            actor=None,
            authority=authority,
            channel="email",
            direction="in",
            contact=desk_contact,
            case=case,
            subject="Lampadaire",
            body=EMAIL,
            idempotency_key="<lampadaire-14@example.org>",
        )
    with at(2):
        case_add_note(actor=agent, case=case, body=NOTE)
    with at(3):
        interaction_record(
            actor=agent,
            authority=authority,
            channel="phone",
            direction="out",
            contact=desk_contact,
            case=case,
            body=HIDDEN,
            visible_to_contact=False,
        )
    with at(4):
        interaction_record(
            actor=front_desk,
            authority=authority,
            channel="post",
            direction="in",
            contact=desk_contact,
            case=case,
            body=LETTER,
        )
    portal_page = reverse(
        "portal:case_detail", kwargs={"authority_slug": authority.slug, "reference": case.reference}
    )
    # Not hers yet: the desk record has no account.
    assert client_for(citizen).get(portal_page).status_code == 404
    with at(5):
        contact_merge(actor=front_desk, survivor=citizen_contact, merged=desk_contact)
    with at(6):
        case.refresh_from_db()
        case_reply(actor=agent, case=case, body=REPLY, channel="email")
    with at(7):
        response = client_for(citizen).post(portal_page, {"body": PORTAL})
        assert response.status_code == 302
    return {"case": case, "desk_contact": desk_contact, "portal_page": portal_page}


def test_the_case_timeline_keeps_every_channel_in_order(thread, client_for, agent):
    body = text(client_for(agent).get(url("case_detail", thread["case"].pk)))
    body = body[body.index('class="timeline"') :]
    found = positions(body, [PHONE, EMAIL, NOTE, HIDDEN, LETTER, REPLY, PORTAL])
    assert found == sorted(found)
    for channel in ("Téléphone · Reçu", "Courriel · Reçu", "Courrier · Reçu", "Courriel · Envoyé"):
        assert channel in body


def test_the_person_sees_every_public_exchange_in_order_and_nothing_internal(
    thread, client_for, citizen
):
    response = client_for(citizen).get(thread["portal_page"])
    assert response.status_code == 200
    body = text(response)
    body = body[body.index('class="timeline"') :]
    found = positions(body, PUBLIC)
    assert found == sorted(found)
    assert NOTE not in body and HIDDEN not in body
    for channel in ("Votre message (Téléphone)", "Votre message (Courriel)"):
        assert channel in body
    assert "Votre message (Courrier)" in body and "Votre message (Portail)" in body
    assert re.search(r"Message de Voirie \(Courriel\)", body)
    mine = text(
        client_for(citizen).get(reverse("portal:my_cases", args=[thread["case"].authority.slug]))
    )
    assert thread["case"].reference in mine


def test_the_contact_history_holds_the_whole_thread_after_the_merge(
    thread, client_for, agent, citizen_contact
):
    client = client_for(agent)
    old = client.get(url("contact_detail", thread["desk_contact"].pk))
    assert old["Location"] == url("contact_detail", citizen_contact.pk)
    body = text(client.get(url("contact_detail", citizen_contact.pk)))
    for needle in [PHONE, EMAIL, HIDDEN, LETTER, REPLY, PORTAL]:
        assert needle.replace("'", "&#x27;") in body, needle
    # Most recent first on the contact page.
    exchanges = body[body.index('id="h-exchanges"') :]
    found = positions(exchanges, [PORTAL, REPLY, LETTER, HIDDEN, EMAIL, PHONE])
    assert found == sorted(found)
    assert body.count(thread["case"].reference) >= 1
