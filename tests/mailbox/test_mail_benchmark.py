"""`manage.py mail_benchmark` prints its report and leaves nothing behind."""

import io
import re
from pathlib import Path

from django.core.management import call_command

from guichet.authorities.models import Authority
from guichet.cases.models import Case
from guichet.contacts.models import Contact
from guichet.interactions.models import Interaction
from guichet.mailbox.models import InboundMessage, Mailbox


def test_the_benchmark_reports_and_rolls_back(db, settings):
    out = io.StringIO()
    call_command("mail_benchmark", count=60, stdout=out)
    report = out.getvalue()
    assert re.search(r"^60 messages in [\d.]+ s .*: \d+ messages/s$", report, re.M)
    assert re.search(r"^Arrival to case: p50 [\d.]+ ms, p95 [\d.]+ ms", report, re.M)
    # A varied batch: demands, robots set aside, messages seen twice.
    assert re.search(r"new ingested\s+\d+", report)
    assert re.search(r"new auto_reply\s+\d+", report)
    assert re.search(r"again \w+\s+\d+", report)
    for model in (Authority, Mailbox, InboundMessage, Case, Contact, Interaction):
        assert not model.objects.exists(), model
    # The raw messages went to a temporary folder, not to the media folder.
    assert not (Path(settings.MEDIA_ROOT) / "mail").exists()
