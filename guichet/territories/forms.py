"""Administrators' forms for territories: one territory with its outline, and a GeoJSON
import. The outline is GeoJSON text, which the map keeps in sync but which also works on
its own (no JavaScript, no map tiles)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guichet.territories.models import Territory, TerritoryKind

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def outline_problem(geometry) -> str | None:
    """What is wrong with a territory's outline, in French, or None: it must be a GeoJSON
    Polygon or MultiPolygon of closed rings of at least four longitude/latitude positions."""
    if not isinstance(geometry, dict):
        return gettext("le contour doit être un objet GeoJSON.")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates if isinstance(coordinates, list) else None
    else:
        return gettext(
            "seul un polygone (Polygon ou MultiPolygon) décrit un territoire, pas « %(type)s »."
        ) % {"type": kind or "?"}
    if not polygons or not all(isinstance(p, list) and p for p in polygons):
        return gettext("le polygone n'a aucun contour.")
    for polygon in polygons:
        for ring in polygon:
            try:
                points = [(float(p[0]), float(p[1])) for p in ring]
            except (TypeError, ValueError, IndexError):
                return gettext("une position n'est pas un couple longitude, latitude.")
            if len(points) < 4:
                return gettext("un contour a au moins quatre positions (trois sommets).")
            if points[0] != points[-1]:
                return gettext(
                    "un contour n'est pas fermé : sa dernière position doit répéter la première."
                )
            if not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
                return gettext(
                    "une position sort des longitudes (−180 à 180) ou latitudes (−90 à 90)."
                )
    return None


def outline_from_text(text: str) -> dict | None:
    """The geometry written in the outline field (a geometry, a Feature or a collection of
    one Feature), or None when the field is empty; a French ValidationError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise forms.ValidationError(
            gettext("Le contour n'est pas du GeoJSON lisible (JSON invalide).")
        ) from exc
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise forms.ValidationError(
                gettext("Le contour doit décrire un seul territoire (une seule « Feature »).")
            )
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    problem = outline_problem(data)
    if problem:
        raise forms.ValidationError(
            gettext("Contour invalide : %(problem)s") % {"problem": problem}
        )
    return data


class TerritoryForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=TerritoryKind.choices)
    code = forms.CharField(
        label=_("Code INSEE"),
        max_length=10,
        required=False,
        help_text=_("Pour une commune : son code officiel géographique, par exemple 31555."),
    )
    postal_codes = forms.CharField(
        label=_("Codes postaux"),
        max_length=200,
        required=False,
        help_text=_("Séparés par des virgules : une adresse sans position est placée par eux."),
    )
    parent = forms.ModelChoiceField(
        label=_("Compris dans"),
        queryset=Territory.objects.none(),
        required=False,
        help_text=_("Par exemple la commune d'un quartier."),
    )
    geometry = forms.CharField(
        label=_("Contour (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "monospace"}),
        help_text=_(
            "Dessinez le contour sur la carte, ou collez un polygone GeoJSON (longitude, "
            "latitude) : la carte et ce champ se suivent."
        ),
    )

    def __init__(self, *args, authority, territory: Territory | None = None, **kwargs):
        if territory is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": territory.name,
                "kind": territory.kind,
                "code": territory.code,
                "postal_codes": territory.postal_codes,
                "parent": territory.parent_id,
                "geometry": json.dumps(territory.geometry) if territory.geometry else "",
            }
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.territory = territory
        parents = Territory.objects.filter(authority=authority).order_by("kind", "name")
        if territory is not None:
            parents = parents.exclude(pk=territory.pk)
        self.fields["parent"].queryset = parents

    def clean_geometry(self):
        return outline_from_text(self.cleaned_data["geometry"])

    def clean_postal_codes(self):
        codes = [c.strip() for c in self.cleaned_data["postal_codes"].split(",") if c.strip()]
        for code in codes:
            if not (len(code) == 5 and code.isdigit()):
                raise forms.ValidationError(
                    gettext("« %(code)s » n'est pas un code postal (cinq chiffres).")
                    % {"code": code}
                )
        return ", ".join(codes)

    def clean(self):
        data = super().clean()
        name = " ".join((data.get("name") or "").split())
        kind = data.get("kind")
        if name and kind:
            taken = Territory.objects.filter(authority=self.authority, kind=kind, name=name)
            if self.territory is not None:
                taken = taken.exclude(pk=self.territory.pk)
            if taken.exists():
                self.add_error("name", gettext("Un territoire de ce type porte déjà ce nom."))
        return data


class TerritoryImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier GeoJSON"),
        help_text=_(
            "Une FeatureCollection de polygones, longitude et latitude en degrés (WGS 84), "
            "comme les contours de communes publiés par l'IGN ou geo.api.gouv.fr."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )
    kind = forms.ChoiceField(label=_("Type des territoires"), choices=TerritoryKind.choices)
    name_property = forms.CharField(
        label=_("Propriété qui porte le nom"),
        max_length=100,
        initial="nom",
        help_text=_("Le nom de la propriété de chaque « Feature » qui donne le nom du territoire."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                gettext("Ce fichier dépasse %(size)d Mo.") % {"size": MAX_IMPORT_BYTES // 2**20}
            )
        try:
            data = json.loads(upload.read())
        except ValueError as exc:
            raise forms.ValidationError(
                gettext("Ce fichier n'est pas du GeoJSON lisible (JSON invalide).")
            ) from exc
        if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
            raise forms.ValidationError(
                gettext("Le fichier doit être une FeatureCollection GeoJSON.")
            )
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise forms.ValidationError(gettext("Le fichier ne contient aucun territoire."))
        return data

    def clean(self):
        data = super().clean()
        collection, name_property = data.get("file"), data.get("name_property")
        if not collection or not name_property:
            return data
        # Checked here in French, feature by feature, before anything is saved.
        seen = set()
        for index, feature in enumerate(collection["features"], start=1):
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                self.add_error(
                    "file",
                    gettext("Élément n° %(n)d : ce n'est pas une « Feature ».") % {"n": index},
                )
                break
            properties = feature.get("properties") or {}
            name = str(properties.get(name_property) or properties.get("name") or "").strip()
            label = gettext("Territoire n° %(n)d") % {"n": index}
            if name:
                label = gettext("Territoire n° %(n)d « %(name)s »") % {"n": index, "name": name}
            else:
                self.add_error(
                    "file",
                    gettext("%(label)s : la propriété « %(p)s » (le nom) manque.")
                    % {"label": label, "p": name_property},
                )
                break
            folded = " ".join(name.split())
            if folded in seen:
                self.add_error(
                    "file", gettext("%(label)s : ce nom figure deux fois.") % {"label": label}
                )
                break
            seen.add(folded)
            if feature.get("geometry") is None:
                continue
            problem = outline_problem(feature["geometry"])
            if problem:
                self.add_error("file", f"{label} : {problem}")
                break
        return data
