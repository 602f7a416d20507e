"""Build a realistic demo instance: a commune and its intercommunality, their services and
agents, categories, a few thousand residents and a year of demands and exchanges."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guichet.authorities.models import Authority
from guichet.demo import catalogue
from guichet.demo.generate import build_organisation, fill


class Command(BaseCommand):
    help = (
        "Create the demo instance (Ville de Démo and its intercommunality) with a year of "
        "demands. Every demo account uses the password " + catalogue.DEMO_PASSWORD + "."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when an authority already exists (for start-up scripts).",
        )
        parser.add_argument("--contacts", type=int, default=3000, help="Residents (3,000).")
        parser.add_argument("--cases", type=int, default=6000, help="Demands (about 6,000).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (2026).")

    def handle(self, *args, if_empty, contacts, cases, seed, **options):
        if contacts < 0 or cases < 0:
            raise CommandError("--contacts and --cases must be positive.")
        if not settings.GUICHET_DEMO:
            # Demo accounts share a published password: never in a real instance.
            if if_empty:
                self.stdout.write("GUICHET_DEMO is off: demo data not created.")
                return
            raise CommandError("Demo data is only created with GUICHET_DEMO=1.")
        if Authority.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds data: demo data not created.")
                return
            raise CommandError(
                "The database already holds authorities: demo data is only created in an "
                "empty database (use --if-empty to skip silently, or start from a new database)."
            )
        started = time.monotonic()
        say = self.stdout.write if options["verbosity"] >= 1 else (lambda message: None)
        progress = self.stdout.write if options["verbosity"] >= 2 else (lambda message: None)
        with transaction.atomic():
            organisation = build_organisation(seed=seed, out=say)
        say(
            f"Organisation: {organisation['authorities']} authorities, "
            f"{organisation['services']} services, {organisation['users']} accounts, "
            f"{organisation['categories']} categories."
        )
        result = fill(
            contacts=contacts, cases=cases, seed=seed, years=1, out=progress, announce=say
        )
        rows = result["rows"]
        from guichet.demo.extras import seed_extras

        seed_extras(out=say)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data created in {elapsed:.1f} s: "
                f"{rows.get('contacts.Contact', 0):,} contacts, "
                f"{rows.get('cases.Case', 0):,} cases, "
                f"{rows.get('interactions.Interaction', 0):,} exchanges, "
                f"{rows.get('cases.Note', 0):,} notes, "
                f"{rows.get('core.Event', 0):,} events."
            )
        )
        say(
            f"Sign in with any demo account (e.g. accueil@{catalogue.USER_DOMAIN}) and the "
            f"password {catalogue.DEMO_PASSWORD}"
        )
