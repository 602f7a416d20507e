"""How fast problem reports answer at scale: builds N reports (200,000 by default) spread
over a town, then prints the 95th percentile of the map query for a visible area and of
the nearby-duplicate check, and how many Open311 GET requests the application serves per
second (in process, without a web server in front). Everything is rolled back."""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from guichet.authorities.models import Authority, Service
from guichet.cases.enums import Status
from guichet.cases.models import Case, Category
from guichet.reports.enums import ReportStatus
from guichet.reports.models import Report
from guichet.reports.services import reports_nearby

CENTRE = (46.8103, 1.6913)
SPAN = 0.08  # degrees of latitude: a town of about 9 km across


class Rollback(Exception):
    pass


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


class Command(BaseCommand):
    help = "Measure the reports map, the nearby check and Open311 reads on N reports."

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=200_000)
        parser.add_argument("--queries", type=int, default=200)
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args, reports, queries, seed, **options):
        rng = random.Random(seed)
        try:
            with transaction.atomic():
                self._run(reports, queries, rng)
                raise Rollback
        except Rollback:
            self.stdout.write("Everything was rolled back.")

    def _run(self, count, queries, rng):
        out = self.stdout.write
        started = time.perf_counter()
        authority = Authority.objects.create(
            name="Banc d'essai des signalements",
            slug=f"banc-signalements-{rng.randint(0, 10**9)}",
            kind="commune",
        )
        service = Service.objects.create(authority=authority, name="Voirie")
        parent = Category.objects.create(
            authority=authority,
            label="Voirie",
            default_service=service,
            is_public_space=True,
            channels=["portal", "api"],
        )
        categories = [
            Category.objects.create(
                authority=authority,
                parent=parent,
                label=f"Problème {n}",
                default_service=service,
                is_public_space=True,
                channels=["portal", "api"],
                delay_days=5,
            )
            for n in range(20)
        ]
        now = timezone.now()
        # Reports gather around a few hundred hot spots, as they do along real streets.
        spots = [
            (CENTRE[0] + rng.uniform(-SPAN / 2, SPAN / 2), CENTRE[1] + rng.uniform(-SPAN, SPAN))
            for _ in range(400)
        ]
        batch = 5000
        made = 0
        statuses = [ReportStatus.OPEN] * 3 + [ReportStatus.FIXED, ReportStatus.CLOSED]
        while made < count:
            size = min(batch, count - made)
            cases, rows = [], []
            for i in range(size):
                n = made + i
                category = rng.choice(categories)
                created = now - dt.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
                lat, lon = rng.choice(spots)
                lat += rng.gauss(0, 0.002)
                lon += rng.gauss(0, 0.003)
                status = rng.choice(statuses)
                cases.append(
                    Case(
                        authority=authority,
                        reference=f"B{n:07d}",
                        category=category,
                        service=service,
                        subject=category.label,
                        channel="portal",
                        received_at=created,
                        delay_days=5,
                        status=Status.NEW if status == ReportStatus.OPEN else Status.CLOSED,
                        latitude=round(lat, 6),
                        longitude=round(lon, 6),
                    )
                )
                rows.append((category, created, lat, lon, status, n))
            created_cases = Case.objects.bulk_create(cases)
            Report.objects.bulk_create(
                Report(
                    authority=authority,
                    case=case,
                    category=category,
                    public_id=f"SB{n:07d}",
                    status=status,
                    created_at=created,
                    status_changed_at=created,
                    latitude=lat,
                    longitude=lon,
                )
                for case, (category, created, lat, lon, status, n) in zip(
                    created_cases, rows, strict=True
                )
            )
            made += size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE reports_report")
                cursor.execute("ANALYZE cases_case")
        out(
            f"{count:,} reports built in {time.perf_counter() - started:.0f} s "
            f"on {connection.vendor}."
        )

        # The map of a visible area: a phone screen over a street (about 1 km x 600 m).
        timings = []
        sizes = []
        for _ in range(queries):
            lat, lon = rng.choice(spots)
            begin = time.perf_counter()
            found = list(
                Report.objects.filter(authority=authority)
                .public()
                .open()
                .in_box(south=lat - 0.0045, west=lon - 0.006, north=lat + 0.0045, east=lon + 0.006)
                .values("public_id", "latitude", "longitude", "status", "category_id")[:1000]
            )
            timings.append((time.perf_counter() - begin) * 1000)
            sizes.append(len(found))
        out(
            f"Map of a visible area: p50 {statistics.median(timings):.1f} ms, "
            f"p95 {percentile(timings, 0.95):.1f} ms (target 200 ms), "
            f"{statistics.mean(sizes):.0f} open reports shown on average"
        )

        # The nearby-duplicate check before a report is sent.
        timings = []
        for _ in range(queries):
            lat, lon = rng.choice(spots)
            category = rng.choice(categories)
            begin = time.perf_counter()
            reports_nearby(
                authority=authority,
                category=category,
                lat=lat + rng.gauss(0, 0.001),
                lon=lon + rng.gauss(0, 0.0015),
            )
            timings.append((time.perf_counter() - begin) * 1000)
        out(
            f"Nearby-duplicate check: p50 {statistics.median(timings):.1f} ms, "
            f"p95 {percentile(timings, 0.95):.1f} ms (target 50 ms)"
        )

        # Open311 reads, through the whole Django stack (no web server, no network).
        client = Client(HTTP_HOST="localhost")
        paths = [
            f"/open311/v2/requests.json?jurisdiction_id={authority.slug}&page_size=50",
            f"/open311/v2/requests.json?jurisdiction_id={authority.slug}",
            f"/open311/v2/requests.xml?jurisdiction_id={authority.slug}&status=open",
            f"/open311/v2/services.json?jurisdiction_id={authority.slug}",
        ]
        for path in paths:
            response = client.get(path)
            if response.status_code != 200:
                out(f"  {path} answered {response.status_code}: {response.content[:200]!r}")
        rounds = max(20, queries // 4)
        for path in paths:
            begin = time.perf_counter()
            for _ in range(rounds):
                client.get(path)
            elapsed = time.perf_counter() - begin
            out(
                f"Open311 GET {path.split('=', 1)[0]}…{path.split(authority.slug)[1]}: "
                f"{rounds / elapsed:.1f} requests/s"
            )
