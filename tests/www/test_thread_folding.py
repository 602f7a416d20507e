"""A reply that quotes the whole thread shows its own words first, the quote folded."""

from django.urls import reverse

from guichet.core.enums import Channel, Direction
from guichet.interactions.services import interaction_record
from guichet.mailbox.parsing import QUOTE_SEPARATOR

QUOTED = "> Le 3 mars, la Voirie a écrit :\n> Bonjour"


def test_the_quoted_thread_is_folded_on_both_sides(case, client_for, agent, citizen):
    interaction_record(
        actor=None,
        authority=case.authority,
        channel=Channel.EMAIL,
        direction=Direction.IN,
        case=case,
        contact=case.contacts.get(),
        subject="Re: votre demande",
        body=f"Merci, c'est réparé.\n{QUOTE_SEPARATOR}\n{QUOTED}",
    )
    for client, path in (
        (client_for(agent), reverse("backoffice:case_detail", args=[case.pk])),
        (
            client_for(citizen),
            reverse("portal:case_detail", args=[case.authority.slug, case.reference]),
        ),
    ):
        html = client.get(path).content.decode()
        own = html.index("Merci, c&#x27;est réparé.")
        folded = html.index("Messages précédents cités")
        assert own < folded < html.index("la Voirie a écrit")
        assert QUOTE_SEPARATOR not in html
