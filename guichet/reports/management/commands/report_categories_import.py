"""Load the tree of street-problem categories (a DansMaRue-style CSV) into an authority."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from guichet.authorities.models import Authority, Service
from guichet.core.text import fold
from guichet.reports.taxonomy import parse_street_taxonomy, report_categories_import


class Command(BaseCommand):
    help = (
        "Create or update an authority's problem-report categories from a DansMaRue-style "
        "CSV (id, libelle, parent_id, root, is_leaf, actif). Run it again after a new "
        "version of the file: labels follow, the town's own settings stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--authority", required=True, help="The authority's slug.")
        parser.add_argument(
            "--service", required=True, help="The service in charge by default (its name)."
        )
        parser.add_argument(
            "--theme-service",
            action="append",
            default=[],
            metavar="WORD=SERVICE",
            help="Themes whose label contains WORD go to SERVICE (repeatable), e.g. "
            "'éclairage=Éclairage public'.",
        )
        parser.add_argument("--delay-days", type=int, default=5)
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; change nothing."
        )

    def handle(self, *args, file, authority, service, theme_service, delay_days, dry_run, **o):
        target = Authority.objects.filter(slug=authority).first()
        if target is None:
            raise CommandError(f"No authority with the slug {authority!r}.")
        services = {fold(s.name): s for s in Service.objects.filter(authority=target)}

        def named(name: str) -> Service:
            found = services.get(fold(name))
            if found is None:
                raise CommandError(f"No service named {name!r} in {target.name}.")
            return found

        default = named(service)
        by_word = []
        for rule in theme_service:
            word, sep, name = rule.partition("=")
            if not sep or not word.strip():
                raise CommandError(f"--theme-service takes WORD=SERVICE, not {rule!r}.")
            by_word.append((fold(word.strip()), named(name.strip())))

        def service_for(theme: str) -> Service:
            folded = fold(theme)
            return next((s for word, s in by_word if word in folded), default)

        try:
            roots = parse_street_taxonomy(Path(file).read_text(encoding="utf-8"))
            with transaction.atomic():
                result = report_categories_import(
                    actor=None,
                    authority=target,
                    roots=roots,
                    service_for=service_for,
                    delay_days=delay_days,
                )
                if dry_run:
                    transaction.set_rollback(True)
        except (OSError, UnicodeDecodeError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        prefix = "Would change" if dry_run else "Categories of"
        self.stdout.write(
            f"{prefix} {target.name}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
