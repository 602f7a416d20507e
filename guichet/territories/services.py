"""Territories: loading their outlines, and finding where a point or an address is."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guichet.core.events import event_record
from guichet.core.text import fold
from guichet.territories import geometry as geo
from guichet.territories.models import Territory, TerritoryKind


def _bounds(territory: Territory) -> None:
    if territory.geometry:
        try:
            box = geo.bounding_box(territory.geometry)
            territory.area = geo.area(territory.geometry)
        except geo.GeometryError as exc:
            raise ValidationError(
                {"geometry": _("Contour GeoJSON invalide : %(error)s") % {"error": exc}}
            ) from exc
        territory.min_lon, territory.min_lat, territory.max_lon, territory.max_lat = box
    else:
        territory.min_lon = territory.min_lat = territory.max_lon = territory.max_lat = None
        territory.area = 0


@transaction.atomic
def territory_save(
    *,
    actor,
    authority,
    name: str,
    kind: str,
    geometry: dict | None = None,
    code: str = "",
    postal_codes: str = "",
    parent: Territory | None = None,
) -> Territory:
    """Create or replace (by kind and name) a territory of the authority."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Donnez un nom au territoire.")})
    if kind not in TerritoryKind.values:
        raise ValidationError({"kind": _("Type de territoire inconnu.")})
    if parent is not None and parent.authority_id != authority.pk:
        raise ValidationError(_("Ce territoire parent appartient à une autre collectivité."))
    territory = Territory.objects.filter(authority=authority, kind=kind, name=name).first()
    territory = territory or Territory(authority=authority, kind=kind, name=name)
    territory.geometry = geometry
    territory.code = code
    territory.postal_codes = postal_codes
    territory.parent = parent
    _bounds(territory)
    territory.save()
    event_record(
        actor=actor,
        verb="territory.saved",
        target=territory,
        authority=authority,
        data={"kind": kind, "name": name},
    )
    return territory


@transaction.atomic
def territory_update(
    *,
    actor,
    territory: Territory,
    name: str,
    kind: str,
    geometry: dict | None = None,
    code: str = "",
    postal_codes: str = "",
    parent: Territory | None = None,
) -> Territory:
    """Change a territory in place (its name and kind too, unlike `territory_save`, which
    finds the territory by them)."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Donnez un nom au territoire.")})
    if kind not in TerritoryKind.values:
        raise ValidationError({"kind": _("Type de territoire inconnu.")})
    authority_id = territory.authority_id
    if parent is not None:
        if parent.authority_id != authority_id:
            raise ValidationError(_("Ce territoire parent appartient à une autre collectivité."))
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == territory.pk:
                raise ValidationError(
                    {"parent": _("Un territoire ne peut pas être compris dans lui-même.")}
                )
            ancestor = ancestor.parent
    taken = Territory.objects.filter(authority_id=authority_id, kind=kind, name=name)
    if taken.exclude(pk=territory.pk).exists():
        raise ValidationError({"name": _("Un territoire de ce type porte déjà ce nom.")})
    territory.name, territory.kind, territory.geometry = name, kind, geometry
    territory.code, territory.postal_codes, territory.parent = code, postal_codes, parent
    _bounds(territory)
    territory.save()
    event_record(
        actor=actor,
        verb="territory.saved",
        target=territory,
        authority=territory.authority,
        data={"kind": kind, "name": name},
    )
    return territory


@transaction.atomic
def territory_delete(*, actor, territory: Territory) -> None:
    """Delete a territory no routing rule uses and no other territory lies within."""
    from guichet.routing.models import RoutingRule

    rules = list(
        RoutingRule.objects.filter(territories=territory)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if rules:
        raise ValidationError(
            _(
                "« %(name)s » sert à orienter les demandes (règle : %(rules)s) : "
                "retirez-le d'abord de ces règles."
            )
            % {"name": territory.name, "rules": ", ".join(f"« {r} »" for r in rules)}
        )
    children = list(territory.children.order_by("name").values_list("name", flat=True))
    if children:
        raise ValidationError(
            _(
                "« %(name)s » contient d'autres territoires (%(children)s) : supprimez-les "
                "ou rattachez-les ailleurs d'abord."
            )
            % {"name": territory.name, "children": ", ".join(children)}
        )
    event_record(
        actor=actor,
        verb="territory.deleted",
        target=territory,
        authority=territory.authority,
        data={"kind": territory.kind, "name": territory.name, "code": territory.code},
    )
    territory.delete()


def territories_import_geojson(
    *,
    actor,
    authority,
    data: str | bytes | dict,
    kind: str,
    name_property: str = "nom",
    code_property: str = "code",
    postal_codes_property: str = "codesPostaux",
) -> list[Territory]:
    """Load every polygon feature of a GeoJSON FeatureCollection as a territory; the whole
    file or nothing, with the faulty feature named in the error."""
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ValidationError(_("Ce fichier n'est pas du GeoJSON lisible.")) from exc
    features = data.get("features") if data.get("type") == "FeatureCollection" else [data]
    if not features:
        raise ValidationError(_("Le fichier ne contient aucun territoire."))
    saved = []
    with transaction.atomic():
        for index, feature in enumerate(features, start=1):
            properties = feature.get("properties") or {}
            name = str(properties.get(name_property) or properties.get("name") or "").strip()
            if not name:
                raise ValidationError(
                    _("Territoire n° %(n)d : la propriété « %(p)s » (le nom) manque.")
                    % {"n": index, "p": name_property}
                )
            postal = properties.get(postal_codes_property) or ""
            if isinstance(postal, list):
                postal = ",".join(str(p) for p in postal)
            try:
                saved.append(
                    territory_save(
                        actor=actor,
                        authority=authority,
                        name=name,
                        kind=kind,
                        geometry=feature.get("geometry"),
                        code=str(properties.get(code_property) or "")[:10],
                        postal_codes=str(postal)[:200],
                    )
                )
            except ValidationError as exc:
                raise ValidationError(
                    _("Territoire « %(name)s » : %(error)s")
                    % {"name": name, "error": "; ".join(exc.messages)}
                ) from exc
    return saved


def territories_at(authority_id: int, longitude: float, latitude: float) -> list[Territory]:
    """The territories of the authority that contain the point (or have it on their
    border), the smallest first: a district before its commune."""
    candidates = Territory.objects.filter(
        authority_id=authority_id,
        geometry__isnull=False,
        min_lon__lte=longitude,
        max_lon__gte=longitude,
        min_lat__lte=latitude,
        max_lat__gte=latitude,
    )
    inside = [t for t in candidates if geo.contains(t.geometry, longitude, latitude)]
    return sorted(inside, key=lambda t: (t.area, t.pk))


def territories_for_address(authority_id: int, *, postal_code: str = "", city: str = ""):
    """Communes named by an address without a position: by postal code, then by name."""
    postal_code = (postal_code or "").strip()
    city_key = fold(city)
    found = []
    for territory in Territory.objects.filter(authority_id=authority_id):
        if postal_code and postal_code in territory.postal_code_list:
            found.append(territory)
        elif city_key and fold(territory.name) == city_key:
            found.append(territory)
    return found
