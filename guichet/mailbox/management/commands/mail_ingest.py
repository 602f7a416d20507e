"""Bring one email in from a file or standard input, as the poller and the SMTP receiver do.

manage.py mail_ingest --mailbox mairie@ville.fr message.eml
some-mta-pipe | manage.py mail_ingest --mailbox mairie@ville.fr -
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guichet.mailbox.models import InboundSource, Mailbox
from guichet.mailbox.services import UnknownRecipient, email_ingest


class Command(BaseCommand):
    help = "Bring one email (an .eml file or standard input) into a mailbox."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", required=True, help="The mailbox's address.")
        parser.add_argument(
            "file", nargs="?", default="-", help="The message file, or - for standard input."
        )

    def handle(self, *args, mailbox: str, file: str, **options):
        found = Mailbox.objects.select_related("authority").filter(address=mailbox.strip().lower())
        box = found.first()
        if box is None:
            raise CommandError(f"No mailbox has the address {mailbox}.")
        if file == "-":
            raw = sys.stdin.buffer.read()
        else:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"No such file: {file}")
            raw = path.read_bytes()
        if not raw:
            raise CommandError("The message is empty.")
        try:
            message = email_ingest(
                raw=raw, mailbox=box, recipients=(box.address,), source=InboundSource.FILE
            )
        except UnknownRecipient as exc:
            raise CommandError(str(exc)) from exc
        state = "new" if message.created else "already received"
        case = message.case.reference if message.case_id else "-"
        self.stdout.write(
            f"{state}: message {message.pk} status={message.status} case={case}"
            + (f" reason={message.reason}" if message.reason else "")
        )
