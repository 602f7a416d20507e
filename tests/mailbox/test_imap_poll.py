"""The IMAP poller against a real Dovecot on loopback: new mail becomes demands, once."""

# The fixtures imported from transport_fixtures are taken as test parameters by name.
# ruff: noqa: F811

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from guichet.cases.models import Case
from guichet.interactions.models import Interaction
from guichet.mailbox import imap, services
from guichet.mailbox.imap import mailbox_create, mailbox_lock, mailbox_poll, mailbox_update
from guichet.mailbox.models import InboundMessage, InboundStatus, Mailbox
from guichet.mailbox.tasks import mailboxes_poll
from tests.mailbox.transport_fixtures import (  # noqa: F401 - fixtures
    PASSWORD,
    dovecot,
    email_bytes,
    free_port,
    imap_settings,
)

pytestmark = pytest.mark.django_db(transaction=True)

SEEN = b"\\Seen"


class Killed(BaseException):
    """The poller's process dying: nothing after this point runs."""


@pytest.fixture
def make_mailbox(authority, category, dovecot, imap_settings):
    def make(address="mairie@testville.fr", *, security="ssl", password=PASSWORD, **values):
        port = dovecot.imaps_port if security == "ssl" else dovecot.imap_port
        return mailbox_create(
            actor=None,
            authority=authority,
            address=address,
            label="Mairie",
            imap_host=dovecot.host,
            imap_port=port,
            imap_security=security,
            imap_user=values.pop("imap_user", None) or dovecot.new_account(),
            password=password,
            default_category=category,
            **values,
        )

    return make


def test_new_mail_becomes_demands_and_is_marked_read_on_the_server(dovecot, make_mailbox):
    mailbox = make_mailbox()
    dovecot.append(mailbox.imap_user, email_bytes(subject="Lampadaire éteint"))
    dovecot.append(
        mailbox.imap_user,
        email_bytes(sender="Luc Martin <luc@example.org>", subject="Poubelle non ramassée"),
    )

    report = mailbox_poll(mailbox.pk)

    assert (report.error, report.fetched, report.new) == ("", 2, 2)
    subjects = set(
        Case.objects.filter(authority=mailbox.authority).values_list("subject", flat=True)
    )
    assert subjects == {"Lampadaire éteint", "Poubelle non ramassée"}
    assert set(InboundMessage.objects.values_list("source", "status")) == {
        ("imap", InboundStatus.INGESTED)
    }
    assert Interaction.objects.filter(channel="email", direction="in").count() == 2
    assert all(SEEN in flags for flags in dovecot.folder_state(mailbox.imap_user).values())
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 2 and mailbox.uidvalidity
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""


def test_a_second_poll_fetches_only_what_arrived_since(dovecot, make_mailbox):
    mailbox = make_mailbox()
    dovecot.append(mailbox.imap_user, email_bytes(subject="Premier"))
    assert mailbox_poll(mailbox.pk).new == 1

    again = mailbox_poll(mailbox.pk)
    assert (again.fetched, again.new) == (0, 0)

    # A message someone already opened in the webmail is still new to Guichet.
    dovecot.append(mailbox.imap_user, email_bytes(subject="Deuxième"), flags=[SEEN])
    later = mailbox_poll(mailbox.pk)
    assert (later.fetched, later.new) == (1, 1)
    assert Case.objects.count() == 2


def test_mail_already_read_before_the_first_poll_is_left_alone(dovecot, make_mailbox):
    mailbox = make_mailbox()
    dovecot.append(mailbox.imap_user, email_bytes(subject="Ancien, déjà lu"), flags=[SEEN])
    dovecot.append(mailbox.imap_user, email_bytes(subject="Nouveau"))

    report = mailbox_poll(mailbox.pk)

    assert report.new == 1
    assert list(Case.objects.values_list("subject", flat=True)) == ["Nouveau"]


def test_a_poller_killed_before_its_commit_loses_nothing(dovecot, make_mailbox, monkeypatch):
    mailbox = make_mailbox()
    dovecot.append(mailbox.imap_user, email_bytes(subject="Trottoir abîmé"))
    real_ingest = services.email_ingest

    def ingest_then_die(**kwargs):
        real_ingest(**kwargs)
        raise Killed  # fetched and processed, but the transaction never commits

    monkeypatch.setattr(services, "email_ingest", ingest_then_die)
    with pytest.raises(Killed):
        mailbox_poll(mailbox.pk)

    assert not InboundMessage.objects.exists() and not Interaction.objects.exists()
    assert [SEEN in f for f in dovecot.folder_state(mailbox.imap_user).values()] == [False]

    monkeypatch.setattr(services, "email_ingest", real_ingest)
    report = mailbox_poll(mailbox.pk)

    assert (report.fetched, report.new) == (1, 1)
    assert Interaction.objects.filter(direction="in", subject="Trottoir abîmé").count() == 1
    assert Case.objects.count() == 1
    assert [SEEN in f for f in dovecot.folder_state(mailbox.imap_user).values()] == [True]


def test_a_poller_killed_after_its_commit_duplicates_nothing(dovecot, make_mailbox, monkeypatch):
    mailbox = make_mailbox(processed_folder="Traités")
    dovecot.append(mailbox.imap_user, email_bytes(subject="Banc cassé"))

    def die(*args, **kwargs):
        raise Killed  # committed, but the server was never told

    monkeypatch.setattr(imap, "message_processed", die)
    with pytest.raises(Killed):
        mailbox_poll(mailbox.pk)

    assert Interaction.objects.filter(direction="in").count() == 1
    assert [SEEN in f for f in dovecot.folder_state(mailbox.imap_user).values()] == [False]

    monkeypatch.undo()
    report = mailbox_poll(mailbox.pk)

    assert (report.fetched, report.new) == (1, 0)
    assert Interaction.objects.filter(direction="in").count() == 1
    assert Case.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    assert dovecot.folder_state(mailbox.imap_user) == {}
    assert len(dovecot.folder_state(mailbox.imap_user, "Traités")) == 1
    assert mailbox_poll(mailbox.pk).fetched == 0


def test_processed_messages_are_moved_to_the_processed_folder(dovecot, make_mailbox):
    mailbox = make_mailbox(processed_folder="Traités")
    dovecot.append(mailbox.imap_user, email_bytes(subject="Graffiti"))
    dovecot.append(mailbox.imap_user, email_bytes(subject="Fuite d'eau"))

    assert mailbox_poll(mailbox.pk).new == 2

    assert dovecot.folder_state(mailbox.imap_user) == {}
    moved = dovecot.folder_state(mailbox.imap_user, "Traités")
    assert len(moved) == 2 and all(SEEN in flags for flags in moved.values())
    # New mail still arrives in the inbox, and is taken after the moved ones.
    dovecot.append(mailbox.imap_user, email_bytes(subject="Encore une fuite"))
    assert mailbox_poll(mailbox.pk).new == 1
    assert len(dovecot.folder_state(mailbox.imap_user, "Traités")) == 3


def test_without_move_the_message_is_copied_then_expunged(dovecot, make_mailbox, monkeypatch):
    from imapclient import IMAPClient

    real = IMAPClient.has_capability
    monkeypatch.setattr(
        IMAPClient, "has_capability", lambda self, name: name != "MOVE" and real(self, name)
    )
    monkeypatch.setattr(IMAPClient, "move", lambda *args: pytest.fail("MOVE is not offered"))
    mailbox = make_mailbox(processed_folder="Classés")
    dovecot.append(mailbox.imap_user, email_bytes(subject="Nid de poule"))

    assert mailbox_poll(mailbox.pk).new == 1

    assert dovecot.folder_state(mailbox.imap_user) == {}
    assert len(dovecot.folder_state(mailbox.imap_user, "Classés")) == 1


def test_a_wrong_password_is_recorded_and_the_other_mailboxes_are_still_polled(
    dovecot, make_mailbox
):
    broken = make_mailbox("mairie@testville.fr", password="pas-le-bon")
    working = make_mailbox("urbanisme@testville.fr")
    dovecot.append(working.imap_user, email_bytes(to=working.address, subject="Permis"))

    result = mailboxes_poll.enqueue()

    assert result.return_value == {"mailboxes": 2, "new": 1, "busy": 0, "errors": 1}
    broken.refresh_from_db()
    working.refresh_from_db()
    assert "refusé l'identifiant ou le mot de passe" in broken.last_error
    assert broken.last_polled_at is not None
    assert working.last_error == "" and Case.objects.get().subject == "Permis"

    mailbox_update(actor=None, mailbox=broken, password=PASSWORD)
    assert mailbox_poll(broken.pk).error == ""
    broken.refresh_from_db()
    assert broken.last_error == ""


def test_a_server_that_does_not_answer_is_recorded(make_mailbox):
    mailbox = make_mailbox()
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_port=free_port())

    report = mailbox_poll(mailbox.pk)

    assert "injoignable" in report.error
    mailbox.refresh_from_db()
    assert "injoignable" in mailbox.last_error


def test_starttls_and_plain_text_when_explicitly_chosen(dovecot, make_mailbox):
    for security in ("starttls", "none"):
        mailbox = make_mailbox(f"{security}@testville.fr", security=security)
        dovecot.append(mailbox.imap_user, email_bytes(to=mailbox.address, subject=security))
        report = mailbox_poll(mailbox.pk)
        assert (report.error, report.new) == ("", 1), security
    assert set(Case.objects.values_list("subject", flat=True)) == {"starttls", "none"}


def test_an_unknown_certificate_is_refused(dovecot, make_mailbox, settings):
    for security in ("ssl", "starttls"):
        mailbox = make_mailbox(f"{security}@testville.fr", security=security)
        dovecot.append(mailbox.imap_user, email_bytes(to=mailbox.address))
        settings.GUICHET_IMAP_CA_FILE = ""  # the system's authorities do not know our test CA

        report = mailbox_poll(mailbox.pk)

        assert "certificat" in report.error, security
        settings.GUICHET_IMAP_CA_FILE = dovecot.ca_file
    assert not InboundMessage.objects.exists()


def test_a_mailbox_being_polled_is_passed_by(dovecot, make_mailbox):
    mailbox = make_mailbox()
    dovecot.append(mailbox.imap_user, email_bytes())

    with mailbox_lock(mailbox.pk) as acquired:
        assert acquired
        report = mailbox_poll(mailbox.pk)
    assert report.busy and report.fetched == 0
    assert not InboundMessage.objects.exists()

    assert mailbox_poll(mailbox.pk).new == 1


def test_the_poller_refuses_to_run_inside_a_transaction(make_mailbox):
    mailbox = make_mailbox()
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        mailbox_poll(mailbox.pk)
    assert not connection.in_atomic_block


def test_a_renumbered_folder_is_read_again_from_its_unread_messages(dovecot, make_mailbox):
    mailbox = make_mailbox()
    dovecot.append(mailbox.imap_user, email_bytes(subject="Avant"))
    assert mailbox_poll(mailbox.pk).new == 1
    # The server renumbered the folder (restored from a backup, for instance).
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=1, last_uid=500)
    dovecot.append(mailbox.imap_user, email_bytes(subject="Après"))

    report = mailbox_poll(mailbox.pk)

    assert (report.fetched, report.new) == (1, 1)
    mailbox.refresh_from_db()
    assert mailbox.uidvalidity != 1 and mailbox.last_uid == 2


def test_a_message_too_large_is_quarantined_and_a_huge_one_left_in_the_mailbox(
    dovecot, make_mailbox, settings
):
    mailbox = make_mailbox()
    dovecot.append(mailbox.imap_user, email_bytes(subject="Énorme", body="x" * 12000))
    dovecot.append(mailbox.imap_user, email_bytes(subject="Gros", body="x" * 3000))
    dovecot.append(mailbox.imap_user, email_bytes(subject="Petit", body="court"))
    settings.GUICHET_INBOUND_MAX_BYTES = 2000

    report = mailbox_poll(mailbox.pk)

    assert Case.objects.get().subject == "Petit"
    # Over the limit: kept in quarantine, with the reason, for an administrator.
    held = InboundMessage.objects.get(status="quarantined")
    assert "trop volumineux" in held.reason and held.size > 2000
    # Far over it: left unread on the server, and said.
    mailbox.refresh_from_db()
    assert "dépasse la taille acceptée" in mailbox.last_error and mailbox.last_uid == 3
    state = dovecot.folder_state(mailbox.imap_user)
    assert SEEN not in state[1] and SEEN in state[2] and SEEN in state[3]
    assert report.new == 2


def test_inactive_mailboxes_and_mailboxes_without_server_are_not_polled(dovecot, make_mailbox):
    off = make_mailbox("ferme@testville.fr", is_active=False)
    dovecot.append(off.imap_user, email_bytes(to=off.address))
    Mailbox.objects.filter(pk=make_mailbox("smtp@testville.fr").pk).update(imap_host="")

    assert mailboxes_poll.enqueue().return_value["mailboxes"] == 0
    assert not InboundMessage.objects.exists()


def test_the_mail_poll_command(dovecot, make_mailbox, capsys):
    first = make_mailbox("mairie@testville.fr")
    second = make_mailbox("urbanisme@testville.fr")
    dovecot.append(first.imap_user, email_bytes())
    dovecot.append(second.imap_user, email_bytes(to=second.address, subject="Autre"))

    call_command("mail_poll", "--mailbox", "Mairie@Testville.fr")

    assert "mairie@testville.fr: 1 fetched, 1 new" in capsys.readouterr().out
    assert list(Case.objects.values_list("subject", flat=True)) == [
        "Lampadaire éteint rue des Lilas"
    ]
    with pytest.raises(CommandError):
        call_command("mail_poll", "--mailbox", "personne@testville.fr")
    Mailbox.objects.filter(pk=first.pk).update(imap_port=free_port())
    with pytest.raises(CommandError):
        call_command("mail_poll")
    assert Case.objects.filter(subject="Autre").exists()


def test_passwords_survive_a_key_rotation_kept_in_the_fallbacks(dovecot, make_mailbox, settings):
    mailbox = make_mailbox()
    dovecot.append(mailbox.imap_user, email_bytes())
    assert PASSWORD not in mailbox.imap_password
    old_key = settings.SECRET_KEY

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-brand-new-key-" * 4, [old_key]
    assert imap.password_decrypt(mailbox.imap_password) == PASSWORD

    settings.SECRET_KEY_FALLBACKS = []
    report = mailbox_poll(mailbox.pk)
    assert "saisissez-le à nouveau" in report.error and report.new == 0
    mailbox_update(actor=None, mailbox=mailbox, password=PASSWORD)
    assert mailbox_poll(mailbox.pk).new == 1
