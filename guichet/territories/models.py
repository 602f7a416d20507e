from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    DISTRICT = "district", _("Quartier")
    ZONE = "zone", _("Secteur")


class Territory(models.Model):
    """A named area of an authority: a member commune of an intercommunality, a district,
    or any zone drawn or imported as GeoJSON. Used to route demands and to place reports."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.CASCADE, related_name="territories"
    )
    kind = models.CharField(_("type"), max_length=16, choices=TerritoryKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    code = models.CharField(_("code INSEE"), max_length=10, blank=True)
    postal_codes = models.CharField(
        _("codes postaux"),
        max_length=200,
        blank=True,
        help_text=_("Séparés par des virgules : une adresse sans position est placée par eux."),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    geometry = models.JSONField(_("contour (GeoJSON)"), null=True, blank=True)
    # The outline's bounding box, so that the database keeps only the candidates.
    min_lon = models.FloatField(null=True, blank=True)
    min_lat = models.FloatField(null=True, blank=True)
    max_lon = models.FloatField(null=True, blank=True)
    max_lat = models.FloatField(null=True, blank=True)
    area = models.FloatField(default=0)

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "kind", "name"], name="unique_territory_name"
            )
        ]
        indexes = [
            models.Index(
                fields=["authority", "min_lon", "max_lon", "min_lat", "max_lat"],
                name="territory_bbox_idx",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def postal_code_list(self) -> list[str]:
        return [c.strip() for c in self.postal_codes.split(",") if c.strip()]
