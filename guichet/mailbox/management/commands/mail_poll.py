"""Fetch the new messages of the mailboxes now, outside the recurring job."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from guichet.mailbox.imap import mailboxes_poll_all
from guichet.mailbox.models import Mailbox


class Command(BaseCommand):
    help = "Poll the active mailboxes over IMAP once (or only the one at --mailbox)."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", metavar="ADDRESS", help="Only this mailbox's address.")

    def handle(self, *args, mailbox: str | None = None, **options):
        if mailbox and not Mailbox.objects.filter(address=mailbox.strip().lower()).exists():
            raise CommandError(f"No mailbox at {mailbox}.")
        reports = mailboxes_poll_all(address=mailbox)
        if not reports:
            self.stdout.write("No active mailbox with an IMAP server to poll.")
        failed = False
        for report in reports:
            if report.error:
                failed = True
                self.stderr.write(str(report))
            else:
                self.stdout.write(str(report))
            for notice in report.notices:
                self.stdout.write(f"  {notice}")
        if failed:
            raise CommandError("At least one mailbox could not be polled.")
