"""How fast incoming email becomes demands: a printed report, not a test.

Builds a varied batch (new demands in plain text and HTML, attachments, replies threaded by
reply address, In-Reply-To and reference, auto-replies, bounces and messages delivered
twice), ingests it through `email_ingest` as the poller does, and prints the throughput and
the time from a message's arrival to its case. Everything runs in a throw-away authority,
inside a transaction that is rolled back, with the raw messages written to a temporary
folder: the database and the media folder are left as they were.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections import Counter
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from guichet.authorities.enums import AuthorityKind
from guichet.authorities.models import Authority, Service
from guichet.cases.models import Category
from guichet.core.text import fold
from guichet.interactions.models import Interaction
from guichet.mailbox.models import InboundSource, Mailbox
from guichet.mailbox.services import email_ingest
from guichet.mailbox.tokens import case_reply_address

ADDRESS = "benchmark@guichet-benchmark.invalid"
FIRST_NAMES = ["Jeanne", "Louis", "Élodie", "Karim", "Sophie", "Marc", "Inès", "Théo", "Zoé"]
LAST_NAMES = ["Durand", "Martin", "Le Goff", "Benali", "Lefèvre", "Roux", "Müller", "Nguyen"]
SUBJECTS = [
    "Lampadaire en panne rue des Écoles",
    "Nid de poule devant le 12",
    "Dépôt sauvage chemin du Moulin",
    "Demande d'acte de naissance",
    "Réservation de la salle des fêtes",
    "Bruit de la fête foraine",
    "Graffitis sur le mur de l'école",
]
PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
)

# Share of each kind of message in the batch.
MIX = [
    ("new_plain", 34),
    ("new_html", 10),
    ("new_attachment", 8),
    ("reply_token", 12),
    ("reply_in_reply_to", 10),
    ("reply_reference", 6),
    ("auto_reply", 8),
    ("bounce", 4),
    ("duplicate", 8),
]


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Measure how fast incoming email is ingested (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=2000, help="Messages (2,000).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (2026).")

    def handle(self, *args, count: int, seed: int, **options):
        if count < 1:
            raise CommandError("--count must be positive.")
        self.rng = random.Random(seed)
        with tempfile.TemporaryDirectory(prefix="guichet-mail-benchmark-") as folder:
            storages = {
                "default": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": folder},
                },
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
            with override_settings(
                STORAGES=storages,
                EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            ):
                try:
                    with transaction.atomic():
                        report = self._run(count)
                        raise Rollback
                except Rollback:
                    pass
        self._print(count, report)

    # The batch -------------------------------------------------------------------------

    def _setup(self):
        suffix = timezone.now().strftime("%Y%m%d%H%M%S%f")
        authority = Authority.objects.create(
            name="Ville du banc d'essai",
            slug=f"banc-essai-{suffix}",
            kind=AuthorityKind.COMMUNE,
        )
        service = Service.objects.create(authority=authority, name="Accueil")
        category = Category.objects.create(
            authority=authority, default_service=service, label="À qualifier", delay_days=10
        )
        Mailbox.objects.filter(address=ADDRESS).delete()
        return Mailbox.objects.create(
            authority=authority, address=ADDRESS, label="Banc d'essai", default_category=category
        )

    def _person(self) -> tuple[str, str]:
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        number = self.rng.randrange(600)
        local = fold(first).replace(" ", "")
        return f"{first} {last}", f"{local}.{number}@exemple.invalid"

    def _message(self, *, sender, subject, body, to=ADDRESS, headers=None, html=False):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = format_datetime(timezone.now())
        message["Message-ID"] = make_msgid(domain="exemple.invalid")
        for name, value in (headers or {}).items():
            message[name] = value
        if html:
            message.set_content(
                f"<html><body><p>{body}</p><p><b>Merci</b></p></body></html>", "html"
            )
        else:
            message.set_content(body)
        return message

    def _build(self, kind: str, state: dict) -> tuple[bytes, list[str]]:
        rng = self.rng
        name, address = self._person()
        sender = f"{name} <{address}>"
        body = "Bonjour,\n\n" + " ".join(rng.choice(SUBJECTS) for _ in range(8)) + ".\n"
        cases = state["cases"]
        if kind.startswith("reply") and not cases:
            kind = "new_plain"
        if kind == "duplicate" and not state["raws"]:
            kind = "new_plain"
        if kind == "duplicate":
            return rng.choice(state["raws"]), [ADDRESS]
        if kind == "new_plain":
            msg = self._message(sender=sender, subject=rng.choice(SUBJECTS), body=body)
        elif kind == "new_html":
            msg = self._message(sender=sender, subject=rng.choice(SUBJECTS), body=body, html=True)
        elif kind == "new_attachment":
            msg = self._message(sender=sender, subject=rng.choice(SUBJECTS), body=body)
            msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="pièce.pdf")
        elif kind == "reply_token":
            case, (case_sender, _key) = rng.choice(cases)
            to = case_reply_address(case, state["mailbox"])
            msg = self._message(sender=case_sender, subject="Re: votre demande", body=body, to=to)
            return bytes(msg), [to]
        elif kind == "reply_in_reply_to":
            case, (case_sender, key) = rng.choice(cases)
            msg = self._message(
                sender=case_sender,
                subject="Re: votre demande",
                body=body,
                headers={"In-Reply-To": key, "References": key},
            )
        elif kind == "reply_reference":
            case, (case_sender, _key) = rng.choice(cases)
            msg = self._message(sender=case_sender, subject=f"Re: {case.reference}", body=body)
        elif kind == "auto_reply":
            msg = self._message(
                sender=sender,
                subject="Réponse automatique : absent",
                body="Je suis absent.\n",
                headers={"Auto-Submitted": "auto-replied"},
            )
        else:  # bounce
            msg = self._message(
                sender="MAILER-DAEMON@exemple.invalid",
                subject="Undelivered Mail Returned to Sender",
                body=f"<{address}>: 550 5.1.1 User unknown\n",
                headers={"X-Failed-Recipients": address},
            )
        return bytes(msg), [ADDRESS]

    def _run(self, count: int) -> dict:
        mailbox = self._setup()
        state = {"cases": [], "raws": [], "mailbox": mailbox}
        kinds = [k for k, _w in MIX]
        weights = [w for _k, w in MIX]
        latencies = []
        outcomes: Counter = Counter()
        started = time.perf_counter()
        for _ in range(count):
            kind = self.rng.choices(kinds, weights)[0]
            raw, recipients = self._build(kind, state)
            arrival = time.perf_counter()
            message = email_ingest(
                raw=raw, mailbox=mailbox, recipients=recipients, source=InboundSource.FILE
            )
            latencies.append(time.perf_counter() - arrival)
            outcomes[("new " if message.created else "again ") + message.status] += 1
            if message.created:
                state["raws"].append(raw)
                if message.case_id and kind.startswith("new"):
                    # What a reply points to: the receipt sent on the case.
                    key = (
                        Interaction.objects.filter(case_id=message.case_id, direction="out")
                        .values_list("idempotency_key", flat=True)
                        .first()
                    )
                    state["cases"].append((message.case, (message.sender, key or "")))
        elapsed = time.perf_counter() - started
        return {"elapsed": elapsed, "latencies": latencies, "outcomes": outcomes}

    def _print(self, count: int, report: dict) -> None:
        latencies = sorted(report["latencies"])
        ingest_time = sum(latencies)

        def pct(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(round(p * (len(latencies) - 1))))] * 1000

        write = self.stdout.write
        write(f"Database: {connection.vendor}")
        write(
            f"{count} messages in {report['elapsed']:.2f} s (ingestion alone {ingest_time:.2f} s): "
            f"{count / ingest_time:.0f} messages/s"
        )
        write(
            "Arrival to case: "
            f"p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, max {latencies[-1] * 1000:.1f} ms, "
            f"mean {statistics.fmean(latencies) * 1000:.1f} ms"
        )
        write("Outcomes:")
        for outcome, number in sorted(report["outcomes"].items()):
            write(f"  {outcome:<24} {number}")
        write("Everything was rolled back.")
