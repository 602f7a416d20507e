"""Territories in the back office (administrators): the list, one territory with its
outline drawn on a map or written as GeoJSON, an import of many, and the GeoJSON export
the map reads."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from guichet.core.maps import allow_map_tiles, map_tile_context
from guichet.routing.models import RoutingRule
from guichet.territories import services
from guichet.territories.forms import TerritoryForm, TerritoryImportForm
from guichet.territories.models import Territory
from guichet.www.backoffice.access import authority_admin_required


def _territory_or_404(request, pk: int) -> Territory:
    territory = (
        Territory.objects.filter(authority=request.authority, pk=pk)
        .select_related("parent")
        .first()
    )
    if territory is None:
        raise Http404(_("Territoire introuvable."))
    return territory


def _rules_by_territory(authority) -> dict[int, list[RoutingRule]]:
    links = RoutingRule.territories.through.objects.filter(
        routingrule__authority=authority
    ).select_related("routingrule")
    rules = defaultdict(list)
    for link in links:
        rules[link.territory_id].append(link.routingrule)
    return rules


@authority_admin_required
def territories(request):
    authority = request.authority
    rules = _rules_by_territory(authority)
    rows = list(Territory.objects.filter(authority=authority).select_related("parent"))
    for territory in rows:
        territory.rules = sorted(rules.get(territory.pk, []), key=lambda r: r.name)
    response = render(
        request,
        "backoffice/territories/list.html",
        {"authority": authority, "territories": rows, **_map_context()},
    )
    return _with_tiles_allowed(response)


# Shared with the other map pages (see guichet.core.maps).
_map_context = map_tile_context
_with_tiles_allowed = allow_map_tiles


def _territory_form(request, territory: Territory | None):
    authority = request.authority
    form = TerritoryForm(request.POST or None, authority=authority, territory=territory)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "kind": data["kind"],
            "geometry": data["geometry"],
            "code": data["code"],
            "postal_codes": data["postal_codes"],
            "parent": data["parent"],
        }
        try:
            if territory is None:
                saved = services.territory_save(actor=request.user, authority=authority, **fields)
            else:
                saved = services.territory_update(actor=request.user, territory=territory, **fields)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Territoire « %(name)s » enregistré.") % {"name": saved})
            return redirect("backoffice:territories")
    response = render(
        request,
        "backoffice/territories/edit.html",
        {"authority": authority, "form": form, "territory": territory, **_map_context()},
    )
    return _with_tiles_allowed(response)


@authority_admin_required
def territory_create(request):
    return _territory_form(request, None)


@authority_admin_required
def territory_edit(request, pk: int):
    return _territory_form(request, _territory_or_404(request, pk))


@authority_admin_required
def territory_import(request):
    authority = request.authority
    form = TerritoryImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.territories_import_geojson(
                actor=request.user,
                authority=authority,
                data=data["file"],
                kind=data["kind"],
                name_property=data["name_property"],
            )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            messages.success(
                request,
                ngettext("%(n)d territoire importé.", "%(n)d territoires importés.", len(saved))
                % {"n": len(saved)},
            )
            return redirect("backoffice:territories")
    return render(
        request, "backoffice/territories/import.html", {"authority": authority, "form": form}
    )


@require_POST
@authority_admin_required
def territory_delete(request, pk: int):
    territory = _territory_or_404(request, pk)
    name = territory.name
    try:
        services.territory_delete(actor=request.user, territory=territory)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("backoffice:territory_edit", territory.pk)
    messages.success(request, _("Territoire « %(name)s » supprimé.") % {"name": name})
    return redirect("backoffice:territories")


@require_GET
@authority_admin_required
def territory_geojson(request):
    """The authority's territories as a GeoJSON FeatureCollection, with the properties the
    import reads back (nom, code, codesPostaux)."""
    features = []
    for territory in Territory.objects.filter(authority=request.authority).select_related("parent"):
        features.append(
            {
                "type": "Feature",
                "id": territory.pk,
                "geometry": territory.geometry,
                "properties": {
                    "id": territory.pk,
                    "nom": territory.name,
                    "type": territory.kind,
                    "libelleType": territory.get_kind_display(),
                    "code": territory.code,
                    "codesPostaux": territory.postal_code_list,
                    "parent": territory.parent.name if territory.parent else None,
                },
            }
        )
    response = JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
    if request.GET.get("telecharger"):
        response["Content-Disposition"] = 'attachment; filename="territoires.geojson"'
    return response
