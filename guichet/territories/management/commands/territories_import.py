"""Load territories (communes, districts, zones) from a GeoJSON file."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from guichet.authorities.models import Authority
from guichet.territories.models import TerritoryKind
from guichet.territories.services import territories_import_geojson


class Command(BaseCommand):
    help = "Import the polygons of a GeoJSON FeatureCollection as territories of an authority."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--authority", required=True, help="The authority's slug.")
        parser.add_argument("--kind", choices=TerritoryKind.values, default="district")
        parser.add_argument("--name-property", default="nom")
        parser.add_argument("--code-property", default="code")

    def handle(self, *args, file, authority, kind, name_property, code_property, **options):
        target = Authority.objects.filter(slug=authority).first()
        if target is None:
            raise CommandError(f"No authority with the slug {authority!r}.")
        try:
            with open(file, "rb") as handle:
                saved = territories_import_geojson(
                    actor=None,
                    authority=target,
                    data=handle.read(),
                    kind=kind,
                    name_property=name_property,
                    code_property=code_property,
                )
        except (OSError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{len(saved)} territories imported for {target.name}.")
