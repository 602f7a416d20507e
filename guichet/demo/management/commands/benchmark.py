"""How fast the agents' main pages answer on a large database: a printed report, not a test.

Fills the database with the demo generator (skipped when it already holds that many cases),
then requests each page in-process with Django's test client, logged in as an agent, and
reports the server time and the number of SQL queries per page.
"""

from __future__ import annotations

import argparse
import logging
import math
import random
import statistics
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse

from guichet.accounts.models import User
from guichet.authorities.enums import Role
from guichet.authorities.models import Membership
from guichet.cases.models import Case, CaseContact
from guichet.contacts.enums import ContactKind
from guichet.contacts.models import Contact
from guichet.contacts.phones import display_phone
from guichet.core.models import Event
from guichet.demo import catalogue
from guichet.demo.bulk import bulk_load
from guichet.demo.generate import (
    analyse,
    build_organisation,
    demo_authorities,
    fill,
    organisation_exists,
)
from guichet.interactions.models import Interaction

TARGET_MS = 150
TEXT_QUERIES = (
    "lampadaire",
    "trottoir",
    "graffitis",
    "acte de naissance",
    "salle des fêtes",
    "dépôt sauvage",
    "nuisances sonores",
    "fuite d'eau",
)


@dataclass
class Row:
    label: str
    user: str
    urls: list[str]
    times: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    unavailable: str = ""
    note: str = ""


class Command(BaseCommand):
    help = (
        "Fill the database with demo data at scale, then time the agents' pages "
        "(queue, case, contact, search): median and 95th percentile server time, SQL queries."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--contacts", type=int, default=300_000)
        parser.add_argument(
            "--fill",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="Add data up to --cases and --contacts first (default); --no-fill measures "
            "what is there.",
        )
        parser.add_argument("--repeat", type=int, default=30, help="Requests per page (30).")
        parser.add_argument(
            "--years", type=float, default=3.0, help="Span of the generated cases (3 years)."
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--bulk-load",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="On PostgreSQL, set aside the secondary indexes and foreign keys of the big "
            "tables during the fill and restore them after (default: when adding 100,000 "
            "cases or more).",
        )

    def say(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()  # a long fill is often followed through a log file

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.")
        self.verbosity = options["verbosity"]
        if options["fill"]:
            self.fill(options)
        elif not organisation_exists():
            raise CommandError("No demo data: run with --fill, or run demo_data first.")
        self.measure(options["repeat"], options["seed"])

    # Filling ------------------------------------------------------------------------------
    def fill(self, options) -> None:
        if not organisation_exists():
            with transaction.atomic():
                build_organisation(seed=options["seed"], out=self.say)
        authorities = demo_authorities()
        have_cases = Case.objects.filter(authority__in=authorities).count()
        have_contacts = Contact.objects.filter(authority__in=authorities).count()
        add_cases = max(0, options["cases"] - have_cases)
        add_contacts = max(0, options["contacts"] - have_contacts)
        if not add_cases and not add_contacts:
            self.stdout.write(
                f"Fill skipped: the database already holds {have_cases:,} cases and "
                f"{have_contacts:,} contacts."
            )
            return
        self.stdout.write(
            f"Filling ({connection.vendor}): +{add_cases:,} cases, +{add_contacts:,} contacts "
            f"(already {have_cases:,} and {have_contacts:,})."
        )
        drop = options["bulk_load"]
        if drop is None:
            drop = connection.vendor == "postgresql" and add_cases >= 100_000
        started = time.monotonic()
        with bulk_load(enabled=drop, out=self.say):
            result = fill(
                contacts=add_contacts,
                cases=add_cases,
                seed=options["seed"] + have_cases,
                years=options["years"],
                standalone_ratio=0.3,
                out=self.say,
                announce=self.say,
                citizen_cases=0 if have_cases else 5,
            )
        filled = time.monotonic() - started
        self.say("Updating the planner's statistics…")
        analyse()
        total = time.monotonic() - started
        rows = sum(result["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Filled in {filled:.0f} s ({rows:,} rows, {rows / max(filled, 0.001):,.0f} "
                f"rows/s), {total:.0f} s with the statistics."
            )
        )
        for name, count in sorted(result["rows"].items()):
            self.stdout.write(f"  {name:<32} {count:>12,}")

    # Measuring ----------------------------------------------------------------------------
    def _user(self, email: str, role: str) -> User | None:
        user = User.objects.filter(email=email, is_active=True).first()
        if user and user.memberships.exists():
            return user
        membership = (
            Membership.objects.filter(role=role, user__is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        return membership.user if membership else None

    def measure(self, repeat: int, seed: int) -> None:
        rng = random.Random(seed)
        domain = catalogue.USER_DOMAIN
        agent = self._user(f"voirie@{domain}", Role.AGENT)
        manager = self._user(f"dst@{domain}", Role.MANAGER)
        front_desk = self._user(f"accueil@{domain}", Role.FRONT_DESK)
        if agent is None or front_desk is None:
            raise CommandError("No agent or front-desk account to measure with.")
        counts = {
            "cases": Case.objects.count(),
            "contacts": Contact.objects.count(),
            "exchanges": Interaction.objects.count(),
            "events": Event.objects.count(),
        }
        self.stdout.write(
            f"\nMeasuring on {connection.vendor}: "
            + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        )
        rows = self.plan_rows(rng, repeat, agent, manager, front_desk)
        self.run_rows(rows, repeat)
        self.report(rows)

    def plan_rows(self, rng, repeat, agent, manager, front_desk) -> list[Row]:
        rows: list[Row] = []

        def url(name: str, *args, query: dict | None = None) -> str | None:
            try:
                path = reverse(name, args=args)
            except NoReverseMatch:
                return None
            return f"{path}?{urlencode(query)}" if query else path

        def add(label: str, user: User, urls: list[str | None]) -> None:
            if user is None:
                return
            if not urls or any(u is None for u in urls):
                rows.append(Row(label, user.email, [], unavailable="unavailable (no URL)"))
            else:
                rows.append(Row(label, user.email, urls))

        add("queue, first page", agent, [url("backoffice:queue")])
        add(
            "queue, in progress + overdue, by due date",
            agent,
            [url("backoffice:queue", query={"status": "in_progress", "overdue": 1, "sort": "due"})],
        )
        if manager is not None:
            add("queue, first page (manager)", manager, [url("backoffice:queue")])

        def case_url(pk: int, reference: str) -> str | None:
            # By reference where the URL takes one, by id otherwise.
            return url("backoffice:case_detail", reference) or url("backoffice:case_detail", pk)

        service_ids = list(agent.scope.service_ids)
        cases = self.sample_ids(Case.objects.filter(service_id__in=service_ids), rng, repeat)
        references = dict(Case.objects.filter(pk__in=cases).values_list("pk", "reference"))
        add("case page", agent, [case_url(pk, references[pk]) for pk in cases])
        long_cases = list(
            Interaction.objects.filter(case__service_id__in=service_ids)
            .values("case_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("case_id", flat=True)[:5]
        )
        long_refs = Case.objects.filter(pk__in=long_cases).values_list("pk", "reference")
        add("case page, long timeline", agent, [case_url(pk, ref) for pk, ref in long_refs])

        directory = list(front_desk.scope.directory_authority_ids)
        people = self.sample_ids(
            Contact.objects.filter(authority_id__in=directory, kind=ContactKind.PERSON).active(),
            rng,
            repeat,
        )
        add("contact page", front_desk, [url("backoffice:contact_detail", pk) for pk in people])
        busy = list(
            CaseContact.objects.filter(contact__authority_id__in=directory)
            .values("contact_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .values_list("contact_id", flat=True)[:5]
        )
        add(
            "contact page, long history",
            front_desk,
            [url("backoffice:contact_detail", pk) for pk in busy],
        )
        # A service agent reaches contacts through the cases of their services.
        theirs = self.sample_ids(
            Contact.objects.filter(case_links__case__service_id__in=service_ids).distinct(),
            rng,
            repeat,
        )
        add(
            "contact page (service agent)",
            agent,
            [url("backoffice:contact_detail", pk) for pk in theirs],
        )

        contacts = list(
            Contact.objects.filter(pk__in=people).values_list(
                "first_name", "usage_name", "birth_name", "email", "mobile", "phone"
            )
        )

        def search(label: str, queries: list[str]) -> None:
            queries = [q for q in queries if q]
            if not queries:
                rows.append(Row(label, front_desk.email, [], unavailable="no sample data"))
                return
            add(label, front_desk, [url("backoffice:search", query={"q": q}) for q in queries])

        search("search by reference", list(references.values()))
        search("search by name", [f"{f} {u or b}" for f, u, b, *_ in contacts])
        search("search by email", [c[3] for c in contacts])
        search("search by phone", [display_phone(c[4] or c[5]) for c in contacts])
        search("search by text", list(TEXT_QUERIES))
        add(
            "one-stop desk, matches while typing",
            front_desk,
            [
                url("backoffice:desk_matches", query={"who": (u or b)[:4]})
                for f, u, b, *_ in contacts
                if (u or b)
            ],
        )
        return rows

    @staticmethod
    def sample_ids(queryset, rng: random.Random, k: int) -> list[int]:
        """k random rows, found by id ranges rather than ORDER BY random()."""
        bounds = queryset.aggregate(low=Min("pk"), high=Max("pk"))
        if bounds["low"] is None:
            return []
        found: list[int] = []
        for _ in range(k * 3):
            start = rng.randint(bounds["low"], bounds["high"])
            pk = queryset.filter(pk__gte=start).order_by("pk").values_list("pk", flat=True).first()
            if pk is not None and pk not in found:
                found.append(pk)
            if len(found) >= k:
                break
        return found

    def run_rows(self, rows: list[Row], repeat: int) -> None:
        clients: dict[str, Client] = {}
        request_logger = logging.getLogger("django.request")
        level = request_logger.level
        request_logger.setLevel(logging.CRITICAL)
        try:
            with override_settings(**self.test_settings()), warnings.catch_warnings():
                # WhiteNoise warns once about a missing STATIC_ROOT: not what is measured.
                warnings.filterwarnings("ignore", message="No directory at")
                for row in rows:
                    if row.unavailable:
                        continue
                    client = clients.get(row.user)
                    if client is None:
                        client = clients[row.user] = Client()
                        client.force_login(User.objects.get(email=row.user))
                    self.run_row(client, row, repeat)
                    if self.verbosity >= 2:
                        self.stdout.write(f"  {row.label}: done")
        finally:
            request_logger.setLevel(level)

    def run_row(self, client: Client, row: Row, repeat: int) -> None:
        login_path = reverse(settings.LOGIN_URL)
        for index in range(repeat + 1):
            url = row.urls[index % len(row.urls)]
            try:
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = time.perf_counter() - started
            except Exception as exc:  # noqa: BLE001 - a page being written may fail in any way
                row.unavailable = f"unavailable ({exc.__class__.__name__}: {str(exc)[:60]})"
                return
            status = response.status_code
            if status in (301, 302, 303) and login_path not in response.get("Location", ""):
                row.note = f"answers {status} (redirect)"
            elif status != 200:
                row.unavailable = f"unavailable (status {status})"
                return
            if index == 0:
                continue  # the first request warms the caches and compiles the templates
            row.times.append(elapsed * 1000)
            row.queries.append(len(captured.captured_queries))

    @staticmethod
    def test_settings() -> dict:
        """The client's host, and plain static files when collectstatic has not been run."""
        overrides: dict = {"ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"]}
        manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
        backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
        if "Manifest" in backend and not manifest.exists():
            overrides["STORAGES"] = {
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        return overrides

    def report(self, rows: list[Row]) -> None:
        header = f"{'page':<44} {'median ms':>10} {'p95 ms':>8} {'SQL':>9}  user"
        self.stdout.write("\n" + header)
        self.stdout.write("-" * len(header))
        slow, measured, missing = [], 0, 0
        for row in rows:
            who = row.user.split("@")[0]
            if row.unavailable or not row.times:
                missing += 1
                self.stdout.write(f"{row.label:<44} {row.unavailable or 'no data':<29}  {who}")
                continue
            measured += 1
            median = statistics.median(row.times)
            p95 = percentile(row.times, 95)
            sql = f"{min(row.queries)}-{max(row.queries)}"
            if min(row.queries) == max(row.queries):
                sql = str(min(row.queries))
            line = f"{row.label:<44} {median:>10.1f} {p95:>8.1f} {sql:>9}  {who}"
            if row.note:
                line += f"  ({row.note})"
            self.stdout.write(line)
            if p95 >= TARGET_MS:
                slow.append(row.label)
        self.stdout.write("")
        if not measured:
            self.stdout.write(self.style.WARNING("No page could be measured."))
        elif slow:
            self.stdout.write(self.style.ERROR(f"p95 < {TARGET_MS} ms: no — {', '.join(slow)}."))
        else:
            note = f" ({missing} page(s) unavailable)" if missing else ""
            self.stdout.write(
                self.style.SUCCESS(f"p95 < {TARGET_MS} ms: yes, on every measured page{note}.")
            )


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]
