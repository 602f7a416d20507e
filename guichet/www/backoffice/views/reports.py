"""Problem reports in the back office: the map of the open reports an agent may read, its
GeoJSON for the visible area, the field-status actions of the case page's panel, its photos
and the moderation of what the public sees."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Exists, F, OuterRef, Q, When
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guichet.cases.models import Category
from guichet.cases.services import case_can_act
from guichet.core.maps import parse_bbox
from guichet.core.text import fold
from guichet.reports import moderation, promises, services
from guichet.reports.enums import OPEN_REPORT_STATUSES, ReportStatus
from guichet.reports.models import Report
from guichet.www.backoffice.access import agent_required, current_authority
from guichet.www.backoffice.views.territories import _map_context, _with_tiles_allowed
from guichet.www.photos import report_photo_response

# The map page's table shows the most urgent reports (the map, the visible area): a town's
# whole open queue would be a page of thousands of rows. The GeoJSON never sends more
# points than GEOJSON_LIMIT for one visible area.
TABLE_LIMIT = 100
GEOJSON_LIMIT = 500


def get_report_for_user_or_404(user, pk: int) -> Report:
    report = (
        Report.objects.visible_to(user)
        .select_related("case", "case__authority", "authority", "category")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404(_("Signalement introuvable."))
    return report


# The map -------------------------------------------------------------------------------------


def _filters(request, authority) -> tuple[dict, list[str]]:
    """The map's filters from the query string: category, field status, near or past due.
    Unknown values are reported, not silently dropped."""
    errors = []
    chosen = {"category": None, "status": "", "due": False}
    raw_category = request.GET.get("category", "")
    if raw_category:
        category = (
            Category.objects.filter(
                authority=authority, is_public_space=True, pk=raw_category
            ).first()
            if raw_category.isdigit()
            else None
        )
        if category is None:
            errors.append(_("Ce type de problème n'existe pas."))
        chosen["category"] = category
    raw_status = request.GET.get("status", "")
    if raw_status:
        if raw_status not in OPEN_REPORT_STATUSES:
            errors.append(_("Cet état n'existe pas."))
        else:
            chosen["status"] = raw_status
    chosen["due"] = request.GET.get("due") == "1"
    return chosen, errors


def _open_reports(request, authority, chosen, *, clock):
    reports = Report.objects.visible_to(request.user).filter(authority=authority).open()
    if chosen["category"] is not None:
        reports = reports.filter(category=chosen["category"])
    if chosen["status"]:
        reports = reports.filter(status=chosen["status"])
    if chosen["due"]:
        reports = reports.due_by(day=clock.soon, moment=clock.near_at)
    # Past their promise first, then near it, then the rest (promises in hours or in days
    # alike); within each, promises in hours by the hour, then the others by the day.
    urgency = Case(
        When(
            Q(due_at__lt=clock.now) | Q(due_at__isnull=True, case__due_on__lt=clock.today), then=0
        ),
        When(
            Q(due_at__lte=clock.near_at) | Q(due_at__isnull=True, case__due_on__lte=clock.soon),
            then=1,
        ),
        default=2,
    )
    return (
        reports.for_map()
        .annotate(urgency=urgency)
        .order_by("urgency", F("due_at").asc(nulls_last=True), "case__due_on", "created_at", "id")
    )


def _with_due_state(reports, *, clock):
    for report in reports:
        # Computed here for all at once (the model would read the calendar for each).
        report.due_state = clock.state(report)
    return reports


@require_GET
@agent_required
def reports_map(request):
    authority = current_authority(request)
    chosen, errors = _filters(request, authority)
    clock = promises.report_due_clock(authority)
    reports, total = [], 0
    if not errors:
        listed = _open_reports(request, authority, chosen, clock=clock)
        # Sorted by their numbers alone (a narrow sort over a town's whole open queue),
        # then the hundred rows read whole.
        ids = list(listed.values_list("pk", flat=True)[:TABLE_LIMIT])
        found = Report.objects.for_map().in_bulk(ids)
        reports = _with_due_state([found[pk] for pk in ids], clock=clock)
        total = len(ids) if len(ids) < TABLE_LIMIT else listed.count()
    query = request.GET.urlencode()
    response = render(
        request,
        "backoffice/reports/map.html",
        {
            "authority": authority,
            "reports": reports,
            "total": total,
            "errors": errors,
            "chosen": chosen,
            "category_groups": _category_groups(authority),
            "statuses": [(s, ReportStatus(s).label) for s in OPEN_REPORT_STATUSES],
            "geojson_url": reverse("backoffice:reports_geojson") + (f"?{query}" if query else ""),
            "soon": clock.soon,
            **_map_context(),
        },
        status=400 if errors else 200,
    )
    return _with_tiles_allowed(response)


def _category_groups(authority) -> list[tuple[str, list[tuple[Category, str]]]]:
    """Every public-space category that may have reports, grouped by theme as on the
    portal's form: (theme, [(category, label)]). A theme's own category (the portal's
    "Autre problème (theme)") comes last in its group, categories without a theme in a
    group of their own. A category closed since still counts while it has reports. One
    query."""
    categories = list(
        Category.objects.filter(authority=authority, is_public_space=True)
        .filter(
            # One index probe per category (report_nearby_idx starts with the category).
            Q(is_active=True) | Exists(Report.objects.filter(category=OuterRef("pk")))
        )
        .select_related("parent")
    )
    themes = {c.parent_id: c.parent.label for c in categories if c.parent_id}
    groups: dict[int, list[tuple[Category, str]]] = {pk: [] for pk in themes}
    loose: list[tuple[Category, str]] = []
    for category in categories:
        if category.parent_id:
            groups[category.parent_id].append((category, category.label))
        elif category.pk not in themes:
            loose.append((category, category.label))
    for entries in groups.values():
        entries.sort(key=lambda entry: fold(entry[1]))
    for category in categories:
        if category.pk in themes:
            label = _("Autre problème (%(theme)s)") % {"theme": category.label}
            groups[category.pk].append((category, label))
    result = sorted(
        ((themes[pk], entries) for pk, entries in groups.items()), key=lambda g: fold(g[0])
    )
    if loose:
        result.append((_("Autres problèmes"), sorted(loose, key=lambda entry: fold(entry[1]))))
    return result


def _due_label(due_at, due_on) -> str:
    if due_at is not None:
        return date_format(timezone.localtime(due_at), "d/m/Y H:i")
    return date_format(due_on, "d/m/Y") if due_on else ""


@require_GET
@agent_required
def reports_geojson(request):
    """The open reports of the visible area as GeoJSON, the most urgent first, read as
    plain rows in one query; past GEOJSON_LIMIT, `truncated` tells the map to ask for a
    closer look."""
    authority = current_authority(request)
    chosen, errors = _filters(request, authority)
    box = parse_bbox(request.GET.get("bbox", "")) if request.GET.get("bbox") else None
    if errors or (request.GET.get("bbox") and box is None):
        return HttpResponseBadRequest(
            " ".join(errors) or _("La zone demandée n'est pas valide."),
            content_type="text/plain; charset=utf-8",
        )
    clock = promises.report_due_clock(authority)
    reports = _open_reports(request, authority, chosen, clock=clock)
    if box is not None:
        west, south, east, north = box
        reports = reports.in_box(south=south, west=west, north=north, east=east)
    else:
        reports = reports.filter(latitude__isnull=False, longitude__isnull=False)
    rows = list(
        reports.values_list(
            "pk",
            "public_id",
            "case_id",
            "latitude",
            "longitude",
            "status",
            "category__label",
            "address_label",
            "district__name",
            "commune__name",
            "case__due_on",
            "due_at",
        )[: GEOJSON_LIMIT + 1]
    )
    truncated = len(rows) > GEOJSON_LIMIT
    # One reverse() for all: the case's number goes in place of a placeholder.
    case_url = reverse("backoffice:case_detail", args=[0]).replace("/0/", "/{}/")
    labels = dict(ReportStatus.choices)
    features = []
    for (
        pk,
        public_id,
        case_id,
        lat,
        lon,
        status,
        category,
        address,
        district,
        commune,
        due_on,
        due_at,
    ) in rows[:GEOJSON_LIMIT]:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": pk,
                    "public_id": public_id,
                    "category": category,
                    "status": status,
                    "status_label": str(labels[status]),
                    "place": address or ", ".join(n for n in (district, commune) if n),
                    "due_on": due_on.isoformat() if due_on else None,
                    "due_at": due_at.isoformat() if due_at else None,
                    "due_label": _due_label(due_at, due_on),
                    "due_state": clock.state_of(status=status, due_at=due_at, due_on=due_on),
                    "url": case_url.format(case_id),
                },
            }
        )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features, "truncated": truncated},
        content_type="application/geo+json",
    )


# The case page's panel -----------------------------------------------------------------------


def _report_for_action(request, pk: int) -> Report:
    report = get_report_for_user_or_404(request.user, pk)
    if not case_can_act(request.user, report.case):
        raise PermissionDenied(_("Vous n'intervenez pas sur ce signalement."))
    return report


def _refused(request, report: Report, error: ValidationError):
    if hasattr(error, "message_dict"):
        texts = [m for msgs in error.message_dict.values() for m in msgs]
    else:
        texts = error.messages
    return render(
        request,
        "backoffice/reports/refused.html",
        {"authority": report.authority, "report": report, "errors": texts},
        status=400,
    )


def _planned_on(raw: str) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as error:
        raise ValidationError({"planned_on": _("Cette date n'est pas valide.")}) from error


STATUS_ACTIONS = {
    "investigate": (services.report_investigate, _("Le signalement est en cours d'examen.")),
    "schedule": (services.report_schedule, _("L'intervention est programmée.")),
    "start": (services.report_start_work, _("L'intervention a commencé.")),
    "fix": (services.report_fix, _("Le signalement est résolu.")),
    "decline": (services.report_decline, _("Le signalement est hors de nos compétences.")),
    "close": (services.report_close, _("Le signalement est clôturé.")),
}


@require_POST
@agent_required
def report_status(request, pk: int):
    report = _report_for_action(request, pk)
    action = request.POST.get("action", "")
    if action not in STATUS_ACTIONS:
        return _refused(request, report, ValidationError(_("Choisissez une action.")))
    service, done = STATUS_ACTIONS[action]
    note = request.POST.get("note", "")
    try:
        if action == "decline":
            service(actor=request.user, report=report, reason=note)
        elif action == "close":
            service(actor=request.user, report=report)
        elif action == "schedule":
            service(
                actor=request.user,
                report=report,
                note=note,
                planned_on=_planned_on(request.POST.get("planned_on", "")),
            )
        else:
            service(actor=request.user, report=report, note=note)
    except ValidationError as error:
        return _refused(request, report, error)
    messages.success(request, str(done))
    return redirect("backoffice:case_detail", pk=report.case_id)


@require_POST
@agent_required
def report_duplicate(request, pk: int):
    report = _report_for_action(request, pk)
    public_id = (request.POST.get("original", "") or "").strip().upper()
    # Only a report the agent reads may take this one's followers.
    original = (
        Report.objects.visible_to(request.user)
        .filter(authority=report.authority, public_id=public_id)
        .first()
    )
    if original is None:
        return _refused(
            request,
            report,
            ValidationError(_("Aucun signalement de la collectivité ne porte ce numéro.")),
        )
    try:
        services.report_mark_duplicate(actor=request.user, report=report, original=original)
    except ValidationError as error:
        return _refused(request, report, error)
    messages.success(
        request,
        _("Le signalement est marqué comme doublon de %(id)s ; ses abonnés suivent l'original.")
        % {"id": original.public_id},
    )
    return redirect("backoffice:case_detail", pk=report.case_id)


# Photos and moderation -----------------------------------------------------------------------


@require_GET
@agent_required
def report_photo(request, pk: int, photo_id: int, size: str = "display"):
    """A photo's display copy or thumbnail for the agents who read the report, public or
    withdrawn (the original, with its metadata, is the case's attachment)."""
    report = get_report_for_user_or_404(request.user, pk)
    photo = report.photos.filter(pk=photo_id).first()
    # Never kept by a shared cache: the photo may be one withdrawn from the public.
    return report_photo_response(photo, size=size, cache_control="private, max-age=600")


def _report_for_moderation(request, pk: int) -> Report:
    report = get_report_for_user_or_404(request.user, pk)
    if not moderation.report_can_moderate(request.user, report):
        raise PermissionDenied(_("Vous ne pouvez pas modérer ce signalement."))
    return report


def _public_choice(request) -> bool | None:
    return {"1": True, "0": False}.get(request.POST.get("public", ""))


@require_POST
@agent_required
def report_publication(request, pk: int):
    """Take the whole report off the public pages with a reason, or put it back."""
    report = _report_for_moderation(request, pk)
    public = _public_choice(request)
    if public is None:
        return _refused(request, report, ValidationError(_("Choisissez une action.")))
    try:
        moderation.report_publish(
            actor=request.user, report=report, public=public, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, report, error)
    if public:
        messages.success(request, _("Le signalement est de nouveau visible sur le site public."))
    else:
        messages.success(request, _("Le signalement est retiré du site public."))
    return redirect("backoffice:case_detail", pk=report.case_id)


@require_POST
@agent_required
def report_photo_publication(request, pk: int, photo_id: int):
    """Take one photo off the public pages, or put it back."""
    report = _report_for_moderation(request, pk)
    photo = report.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404(_("Photo introuvable."))
    public = _public_choice(request)
    if public is None:
        return _refused(request, report, ValidationError(_("Choisissez une action.")))
    try:
        moderation.report_photo_publish(
            actor=request.user, photo=photo, public=public, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        return _refused(request, report, error)
    if public:
        messages.success(request, _("La photo est de nouveau visible sur le site public."))
    else:
        messages.success(request, _("La photo est retirée du site public."))
    return redirect("backoffice:case_detail", pk=report.case_id)
