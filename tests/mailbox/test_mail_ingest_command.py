"""`manage.py mail_ingest`: the third door, for a file or a pipe from a mail server."""

# The fixtures imported below are taken as test parameters by name.
# ruff: noqa: F811

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from guichet.cases.models import Case
from guichet.mailbox.models import InboundMessage, InboundSource, InboundStatus
from tests.mailbox.ingest_helpers import ADDRESS, MESSAGES, load, mailbox  # noqa: F401


def run(*args, stdin: bytes | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    out = io.StringIO()
    call_command("mail_ingest", *args, stdout=out)
    return out.getvalue()


def test_a_file_becomes_a_demand(mailbox):
    output = run("--mailbox", ADDRESS, str(MESSAGES / "gmail_new_demand.eml"))
    message = InboundMessage.objects.get()
    assert message.source == InboundSource.FILE
    assert message.status == InboundStatus.INGESTED
    assert output.startswith(
        f"new: message {message.pk} status=ingested case={message.case.reference}"
    )


def test_standard_input_is_read_and_a_second_time_is_recognised(mailbox, monkeypatch):
    raw = load("latin1_encoded_headers.eml")
    run("--mailbox", ADDRESS.upper(), "-", stdin=raw, monkeypatch=monkeypatch)
    output = run("--mailbox", ADDRESS, "-", stdin=raw, monkeypatch=monkeypatch)
    assert output.startswith("already received:")
    assert Case.objects.count() == 1
    with InboundMessage.objects.get().raw.open("rb") as handle:
        assert handle.read() == raw


def test_a_quarantined_file_says_why(mailbox):
    output = run("--mailbox", ADDRESS, str(MESSAGES / "malformed.eml"))
    assert "status=quarantined" in output
    assert "reason=L'expéditeur du message est absent ou illisible." in output


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("--mailbox", "inconnue@ville-demo.fr", "x.eml"), "No mailbox has the address"),
        (("--mailbox", ADDRESS, "/nonexistent/message.eml"), "No such file"),
    ],
)
def test_bad_input_is_refused(mailbox, args, error):
    with pytest.raises(CommandError, match=error):
        run(*args)
    assert not InboundMessage.objects.exists()


def test_an_empty_input_is_refused(mailbox, monkeypatch):
    with pytest.raises(CommandError, match="empty"):
        run("--mailbox", ADDRESS, "-", stdin=b"", monkeypatch=monkeypatch)
