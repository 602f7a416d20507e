"""How fast problem reports answer at scale: builds N reports (200,000 by default) spread
over a town, then requests the real pages through Django's test client (in process, without
a web server in front) and prints the median and 95th percentile of each: the public map's
GeoJSON for a visible area of about 1 km², the back office's GeoJSON of the same area and its
map page (signed in as an agent of the service), the nearby-duplicate check as the report
form asks for it, and Open311 reads, with the requests per second these serve. Everything
is rolled back."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import random
import statistics
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from guichet.accounts.models import User
from guichet.authorities.enums import Role
from guichet.authorities.models import Authority, Membership, Service
from guichet.cases.models import Case, Category
from guichet.reports.enums import CASE_STATUS, ReportStatus
from guichet.reports.models import Report

CENTRE = (46.8103, 1.6913)
SPAN = 0.08  # degrees of latitude: a town of about 9 km across
# Half a visible area of about 1 km x 1 km at the centre's latitude.
HALF_LAT = 0.0045
HALF_LON = 0.0066
MAP_TARGET_MS = 200
NEARBY_TARGET_MS = 50


class Rollback(Exception):
    pass


def percentile(values, share):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


class Command(BaseCommand):
    help = "Time the reports maps, the nearby check and Open311 reads on N reports."

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
                        # The case stands where the report's field status puts it, as
                        # the report services leave it.
                        status=CASE_STATUS[status],
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
        # Table statistics, as PostgreSQL's autovacuum keeps them and as SQLite has them once
        # ANALYZE (or PRAGMA optimize) has run: without them SQLite reads the nearby check
        # through the date index instead of the place index, several times slower.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_report")
            cursor.execute("ANALYZE cases_case")
        out(
            f"{count:,} reports built in {time.perf_counter() - started:.0f} s "
            f"on {connection.vendor}."
        )

        # Every figure is a real page or endpoint, through the whole Django stack (no web
        # server, no network), as the browser or the client calls it.
        with override_settings(**_client_settings()), _quiet_request_log():
            self._measure(authority, service, categories, spots, queries, rng)

    def _measure(self, authority, service, categories, spots, queries, rng):
        out = self.stdout.write
        anyone = Client(HTTP_HOST="localhost")
        agent = User.objects.create_user(email=f"banc-{authority.slug}@example.org")
        Membership.objects.create(user=agent, authority=authority, service=service, role=Role.AGENT)
        staff = Client(HTTP_HOST="localhost")
        staff.force_login(agent)

        def visible_area():
            # A screen over a street: about 1 km x 1 km around a spot where reports gather.
            lat, lon = rng.choice(spots)
            box = (lon - HALF_LON, lat - HALF_LAT, lon + HALF_LON, lat + HALF_LAT)
            return ",".join(f"{n:.6f}" for n in box)

        public_map = reverse("portal:reports_geojson", args=[authority.slug])
        timings, sizes, capped = self._time(
            anyone, queries, lambda: f"{public_map}?bbox={visible_area()}", features=True
        )
        out(
            f"Public map of a visible area (carte.geojson): {_figures(timings)} (target p95 "
            f"{MAP_TARGET_MS} ms), {statistics.mean(sizes):.0f} open reports sent on average, "
            f"{capped} of {len(sizes)} areas past the limit"
        )

        staff_map = reverse("backoffice:reports_geojson")
        timings, sizes, _capped = self._time(
            staff, queries, lambda: f"{staff_map}?bbox={visible_area()}", features=True
        )
        out(
            f"Back-office GeoJSON of the same area: {_figures(timings)} (target p95 "
            f"{MAP_TARGET_MS} ms), {statistics.mean(sizes):.0f} reports sent on average"
        )

        page = reverse("backoffice:reports_map")
        timings, _sizes, _capped = self._time(staff, max(10, queries // 10), lambda: page)
        out(f"Back-office map page (its table of open reports): {_figures(timings)}")

        nearby = reverse("portal:reports_nearby", args=[authority.slug])

        def nearby_url():
            lat, lon = rng.choice(spots)
            query = urlencode(
                {
                    "category": rng.choice(categories).pk,
                    "latitude": f"{lat + rng.gauss(0, 0.001):.6f}",
                    "longitude": f"{lon + rng.gauss(0, 0.0015):.6f}",
                    "email": "",
                }
            )
            return f"{nearby}?{query}"

        timings, _sizes, _capped = self._time(anyone, queries, nearby_url)
        out(
            f"Nearby-duplicate check (signalements/proches/): {_figures(timings)} "
            f"(target p95 {NEARBY_TARGET_MS} ms)"
        )

        paths = [
            f"/open311/v2/requests.json?jurisdiction_id={authority.slug}&page_size=50",
            f"/open311/v2/requests.json?jurisdiction_id={authority.slug}",
            f"/open311/v2/requests.xml?jurisdiction_id={authority.slug}&status=open",
            f"/open311/v2/services.json?jurisdiction_id={authority.slug}",
        ]
        rounds = max(20, queries // 4)
        for path in paths:
            timings, _sizes, _capped = self._time(anyone, rounds, lambda path=path: path)
            if not timings:
                continue
            out(
                f"Open311 GET {path.split('=', 1)[0]}…{path.split(authority.slug)[1]}: "
                f"{_figures(timings)}, {1000 * len(timings) / sum(timings):.1f} requests/s"
            )

    def _time(self, client, count, next_url, *, features=False):
        """Times `count` requests (after one that warms the caches and compiles the
        templates); a page that does not answer 200 is reported once and not timed."""
        timings, sizes, capped = [], [], 0
        for index in range(count + 1):
            url = next_url()
            begin = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - begin) * 1000
            if response.status_code != 200:
                self.stdout.write(
                    f"  {url} answered {response.status_code}: {response.content[:200]!r}"
                )
                return [], [0], 0
            if index == 0:
                continue
            timings.append(elapsed)
            if features:
                data = json.loads(response.content)
                sizes.append(len(data["features"]))
                capped += bool(data.get("truncated"))
        return timings, sizes or [0], capped


def _figures(timings) -> str:
    if not timings:
        return "not measured"
    return f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms"


def _client_settings() -> dict:
    """The test client's host, no limit on Open311 reads without a key (the rate is what is
    measured, from one client), and plain static files when collectstatic has not been run
    (the pages name their scripts through the static files' manifest)."""
    overrides: dict = {
        "ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "localhost", "testserver"],
        "GUICHET_OPEN311_ANONYMOUS_RATE": 10**9,
    }
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    if "Manifest" in backend and not manifest.exists():
        overrides["STORAGES"] = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    return overrides


@contextmanager
def _quiet_request_log():
    # A page that answers 400 or 404 is reported by the benchmark itself.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
