"""The contact page shows the most recent history first, and all of it on request."""

import pytest
from django.urls import reverse

from guichet.interactions.services import interaction_record
from guichet.www.backoffice.views.contacts import HISTORY_SHOWN

pytestmark = pytest.mark.django_db


def test_a_long_history_is_cut_with_a_link_to_the_whole(client_for, front_desk, contact):
    for n in range(HISTORY_SHOWN + 5):
        interaction_record(
            actor=front_desk,
            authority=contact.authority,
            channel="phone",
            direction="in",
            contact=contact,
            body=f"Appel numéro {n:03d}",
        )
    url = reverse("backoffice:contact_detail", args=[contact.pk])
    page = client_for(front_desk).get(url).content.decode()
    assert "Appel numéro 034" in page  # the most recent
    assert "Appel numéro 000" not in page  # the oldest waits behind the link
    assert "Afficher tout l'historique" in page

    whole = client_for(front_desk).get(url, {"historique": "tout"}).content.decode()
    assert "Appel numéro 000" in whole and "Appel numéro 034" in whole
    assert "Afficher tout l'historique" not in whole


def test_the_queue_flags_a_message_from_the_person_that_nobody_answered(
    client_for, agent, case, citizen, citizen_contact
):
    import datetime as dt

    from django.utils import timezone

    from guichet.cases.models import Case
    from guichet.cases.services import case_citizen_reply, case_reply
    from guichet.interactions.models import Interaction

    yesterday = timezone.now() - dt.timedelta(days=1)
    Case.objects.filter(pk=case.pk).update(received_at=yesterday)
    Interaction.objects.filter(case=case).update(occurred_at=yesterday)
    queue = reverse("backoffice:queue")
    assert "Nouveau message de l" not in client_for(agent).get(queue).content.decode()
    case.refresh_from_db()
    case_citizen_reply(actor=citizen, case=case, contact=citizen_contact, body="Et alors ?")
    assert "Nouveau message de l" in client_for(agent).get(queue).content.decode()
    case_reply(actor=agent, case=case, body="Nous passons demain.")
    assert "Nouveau message de l" not in client_for(agent).get(queue).content.decode()
