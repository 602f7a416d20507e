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
