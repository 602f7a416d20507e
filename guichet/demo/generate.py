"""Demo and benchmark data, shared by the `demo_data` and `benchmark` commands.

The organisation (authorities, services, agents, categories) is small and goes through the
ORM (`organisation.py`). Contacts (`people.py`), cases, exchanges, notes and events
(`histories.py`) are many: they are written in batches with `RowWriter`, one transaction per
batch, and each row has the shape the services give it (`case_create`, `case_assign`,
`case_wait`, `case_reply`, `interaction_record`…): same fields, same event verbs and data,
same reference format and counter.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import connection

from guichet.authorities.models import Authority
from guichet.demo import catalogue as cat
from guichet.demo.arrivals import ArrivalModel
from guichet.demo.bulk import Out, RowWriter, quiet
from guichet.demo.histories import CaseGenerator
from guichet.demo.organisation import DATA_DIR, AuthorityPlan, build_organisation, demo_now
from guichet.demo.people import ContactPool, generate_contacts

__all__ = ["build_organisation", "fill", "analyse", "organisation_exists", "demo_authorities"]

LA311_CSV = DATA_DIR / "service-requests" / "la311" / "la311-2017-sample.csv"
UTC = dt.UTC

COMMUNE_SHARE = 0.93  # of contacts and cases; the rest belongs to the intercommunality


def organisation_exists() -> bool:
    return Authority.objects.filter(slug=cat.COMMUNE["slug"]).exists()


def demo_authorities() -> list[Authority]:
    return list(
        Authority.objects.filter(slug__in=(cat.COMMUNE["slug"], cat.EPCI["slug"])).order_by("kind")
    )


def fill(
    *,
    contacts: int,
    cases: int,
    seed: int,
    years: float = 1.0,
    standalone_ratio: float = 0.8,
    out: Out = quiet,
    announce: Out = quiet,
    batch_size: int = 5000,
    now: dt.datetime | None = None,
    citizen_cases: int = 5,
) -> dict:
    """Add `contacts` contacts and `cases` cases (with their exchanges and events) to the
    demo authorities, spread over the last `years` years. Returns timings and counts."""
    now = now or demo_now()
    start = now - dt.timedelta(days=365 * years)
    writer = RowWriter()
    arrivals = ArrivalModel.load(LA311_CSV)
    announce(f"Arrival times: {arrivals.source}.")
    timings = {}
    try:
        for authority in demo_authorities():
            share = COMMUNE_SHARE if authority.kind == "commune" else 1 - COMMUNE_SHARE
            plan = AuthorityPlan.load(authority)
            n_contacts = round(contacts * share)
            n_cases = round(cases * share)
            begin = time.monotonic()
            generate_contacts(
                writer=writer,
                plan=plan,
                count=n_contacts,
                seed=seed,
                start=start - dt.timedelta(days=730),
                end=now,
                out=out,
                batch_size=batch_size,
            )
            writer.finish()
            timings[f"contacts ({authority.slug})"] = time.monotonic() - begin
            begin = time.monotonic()
            pool = ContactPool.load(authority, random.Random(f"{seed}-pool"))
            generator = CaseGenerator(
                writer=writer,
                plan=plan,
                pool=pool,
                seed=seed,
                now=now,
                arrivals=arrivals,
                out=out,
                citizen_cases=citizen_cases if authority.kind == "commune" else 0,
            )
            generator.run(
                count=n_cases,
                start=start,
                standalone_ratio=standalone_ratio if authority.kind == "commune" else 0.0,
                batch_size=batch_size,
            )
            writer.finish()
            timings[f"cases ({authority.slug})"] = time.monotonic() - begin
    finally:
        writer.finish()
    return {"rows": dict(writer.counts), "timings": timings}


def analyse() -> None:
    """After a large fill: the planner's statistics and, on PostgreSQL, the visibility map
    that index-only scans rely on, as after a normal day of autovacuum."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
