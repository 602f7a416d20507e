"""How fast likely duplicates are found on the database as it stands: a printed report,
not a test. Keys the contacts that have no keys yet, then times the authority-wide
comparison (without and with the cache) and the contact-page panel, with their queries."""

from __future__ import annotations

import statistics
import time

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from guichet.authorities.enums import Role
from guichet.authorities.models import Authority, Membership
from guichet.contacts.duplicates import (
    duplicate_pair_refs,
    duplicate_pairs,
    duplicates_of,
    match_keys_backfill,
)
from guichet.contacts.models import Contact


class Command(BaseCommand):
    help = "Time the detection of likely duplicate contacts on the current database."

    def add_arguments(self, parser):
        parser.add_argument("--authority", help="Slug of the authority (default: the largest).")
        parser.add_argument("--samples", type=int, default=20, help="Contact pages to time.")

    def handle(self, *args, authority=None, samples=20, **options):
        if authority:
            chosen = Authority.objects.filter(slug=authority).first()
            if chosen is None:
                raise CommandError(f"No authority {authority!r}.")
        else:
            chosen = (
                Authority.objects.annotate(n=Count("contacts"))
                .filter(n__gt=0)
                .order_by("-n")
                .first()
            )
        if chosen is None:
            raise CommandError("No authority holds contacts: run the demo first.")
        contacts = Contact.objects.filter(authority=chosen).active()
        self.stdout.write(f"{chosen}: {contacts.count()} active contacts")

        started, keyed = time.perf_counter(), 0
        while done := match_keys_backfill(batch=1000):
            keyed += done
        self.stdout.write(f"keyed {keyed} contacts in {time.perf_counter() - started:.1f} s")

        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            pairs = duplicate_pairs(chosen)
            elapsed = time.perf_counter() - started
        self.stdout.write(
            f"authority-wide comparison: {len(pairs)} pairs in {elapsed * 1000:.0f} ms, "
            f"{len(queries)} queries"
        )
        cache.clear()
        duplicate_pair_refs(chosen)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            duplicate_pair_refs(chosen)
            elapsed = time.perf_counter() - started
        self.stdout.write(f"list from the cache: {elapsed * 1000:.0f} ms, {len(queries)} queries")

        keeper = (
            Membership.objects.filter(authority=chosen, role__in=(Role.FRONT_DESK, Role.ADMIN))
            .select_related("user")
            .first()
        )
        if keeper is None:
            self.stdout.write("no front-desk agent or administrator: contact panel not timed")
            return
        timings, counts = [], []
        for contact in contacts.order_by("?")[:samples]:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                duplicates_of(contact, keeper.user)
                timings.append((time.perf_counter() - started) * 1000)
            counts.append(len(queries))
        if timings:
            self.stdout.write(
                f"contact panel: median {statistics.median(timings):.1f} ms, "
                f"max {max(timings):.1f} ms, at most {max(counts)} queries "
                f"({len(timings)} contacts)"
            )
