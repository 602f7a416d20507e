"""Receive email over SMTP for the active mailboxes, until stopped (SIGTERM or Ctrl-C).

Meant to sit behind the authority's mail server (Postfix relaying the mailboxes' domain to
it, for example), listening on a private address: it speaks neither TLS nor authentication.
"""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from guichet.mailbox.smtp import SmtpReceiver


class Command(BaseCommand):
    help = "Run the SMTP receiver for incoming email."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.GUICHET_SMTPD_HOST)
        parser.add_argument("--port", type=int, default=settings.GUICHET_SMTPD_PORT)

    def handle(self, *args, host: str, port: int, **options):
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        receiver = SmtpReceiver(host, port)
        receiver.start()
        self.stdout.write(f"Receiving email on {host}:{port}")
        try:
            stopping.wait()
        finally:
            receiver.stop()
        self.stdout.write("Stopped.")
