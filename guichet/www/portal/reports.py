"""Problem reports on the portal: the report form, its confirmation, and the public list,
map and page of each report. Public pages show no personal data: no name, no email, no
description, no original photo — the category, the state and its history, the date, the
address found and the public copies of the photos."""

from __future__ import annotations

import math
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guichet.contacts.services import contact_for_citizen
from guichet.core.maps import allow_map_tiles, parse_bbox
from guichet.core.ratelimit import client_key, counter_hit
from guichet.reports import following, promises, services
from guichet.reports.enums import ReportStatus
from guichet.reports.fields import category_fields
from guichet.reports.forms import (
    FollowForm,
    ReportFilterForm,
    ReportForm,
    report_categories,
    report_category_groups,
)
from guichet.reports.models import Report, ReportPhoto
from guichet.territories.models import Territory
from guichet.www.photos import report_photo_response
from guichet.www.portal.views import _authority_or_404, _private

SUBMITTED_SESSION_KEY = "portal_submitted_reports"
TOKEN_SESSION_KEY = "portal_report_tracking"
PAGE_SIZE = 30
# The public map never sends more points than this for one visible area (a phone draws them
# all): past it, the map asks the person to zoom in.
MAP_LIMIT = 500


_with_tiles = allow_map_tiles


def _map_context(authority) -> dict:
    box = [
        t
        for t in Territory.objects.filter(authority=authority, min_lat__isnull=False).values_list(
            "min_lat", "min_lon", "max_lat", "max_lon"
        )
    ]
    bounds = ""
    if box:
        south, west = min(b[0] for b in box), min(b[1] for b in box)
        north, east = max(b[2] for b in box), max(b[3] for b in box)
        bounds = f"{south},{west},{north},{east}"
    return {
        "tile_url": settings.GUICHET_MAP_TILE_URL,
        "tile_attribution": settings.GUICHET_MAP_TILE_ATTRIBUTION,
        "map_bounds": bounds,
    }


# The form -------------------------------------------------------------------------------------


def _delays(categories) -> list[dict]:
    now = timezone.now()
    return [{"category": c, "promise": promises.report_promise(c, now=now)} for c in categories]


@require_http_methods(["GET", "POST"])
def report_new(request, authority_slug):
    authority = _authority_or_404(authority_slug)
    groups = report_category_groups(authority)
    anonymous = not request.user.is_authenticated
    chosen = None
    nearby = []
    status = 200
    # The chosen category's extra fields are added on the server, so that choosing a
    # category (a link, or the form sent again) shows them without any script.
    asked = request.POST.get("category") if request.method == "POST" else None
    asked = _int(asked if asked is not None else request.GET.get("categorie"))
    asked_category = next((c for g in groups for c in g.categories if c.pk == asked), None)
    extra_fields = category_fields(asked_category)
    if request.method == "POST":
        form = ReportForm(
            request.POST,
            request.FILES,
            groups=groups,
            anonymous=anonymous,
            extra_fields=extra_fields,
        )
        if form.is_valid():
            data = form.cleaned_data
            chosen = data["category"]
            outcome = _submit_or_nearby(request, authority, form)
            if isinstance(outcome, Report):
                return redirect("portal:report_submitted", authority.slug, outcome.public_id)
            nearby = outcome
        else:
            status = 400
            chosen = form._categories.get(_int(request.POST.get("category")))
    else:
        chosen = next(
            (c for g in groups for c in g.categories if c.pk == _int(request.GET.get("categorie"))),
            None,
        )
        initial = {"submission_key": uuid.uuid4()}
        if chosen:
            initial["category"] = chosen.pk
        form = ReportForm(
            initial=initial, groups=groups, anonymous=anonymous, extra_fields=extra_fields
        )
    if form.errors:
        status = 400
    context = {
        "authority": authority,
        "groups": groups,
        "form": form,
        "chosen": chosen,
        "delays": _delays(c for g in groups for c in g.categories),
        "nearby": nearby,
        "follow_email": form.cleaned_data.get("email", "") if nearby else "",
        "files_lost": request.method == "POST" and bool(request.FILES),
        "nav": "reports",
        **_map_context(authority),
    }
    template = (
        "portal/reports/new.html" if chosen or form.is_bound else "portal/reports/choose.html"
    )
    return _with_tiles(render(request, template, context, status=status))


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


TOO_MANY = gettext_lazy(
    "Trop de signalements envoyés depuis cette connexion : réessayez dans une heure, ou "
    "appelez la mairie."
)


def _too_many(request, authority) -> bool:
    """Reports and "me too" sent from one address in the hour, past the limit (a robot
    filling the map, or signing someone else's address up to every report)."""
    used = counter_hit(
        f"report-submit:{authority.pk}:{client_key(request)}:{timezone.now():%Y%m%d%H}",
        window=3600,
    )
    return used > settings.GUICHET_REPORT_SUBMISSIONS_PER_HOUR


def _submit_or_nearby(request, authority, form: ReportForm):
    """The new report, or the open reports nearby the person has not seen yet (the form is
    then shown again with them, to follow one instead)."""
    data = form.cleaned_data
    already = services.report_for_submission(
        authority=authority, submission_key=data["submission_key"]
    )
    if already is not None:
        return already
    # Counted before the address is looked up: a refused robot costs no geocoder call.
    if _too_many(request, authority):
        form.add_error(None, TOO_MANY)
        return []
    lat, lon = data.get("latitude"), data.get("longitude")
    location = services.report_locate(
        lat=lat, lon=lon, address=data.get("address", ""), authority=authority
    )
    if location.lat is None:
        # No point placed or found: the position a phone wrote in a photo, if any.
        position = next((p.position for p in data["photos"] if p.position), None)
        if position is not None:
            location = services.report_locate(
                lat=position.lat, lon=position.lon, authority=authority, guessed=True
            )
    if location.lat is not None and not data.get("confirm_new"):
        nearby = services.reports_nearby(
            authority=authority, category=data["category"], lat=location.lat, lon=location.lon
        )
        if nearby:
            form.data = form.data.copy()
            form.data["confirm_new"] = "on"
            form.data["latitude"], form.data["longitude"] = location.lat, location.lon
            return nearby
    email = data.get("email", "")
    contact = None
    if request.user.is_authenticated:

        def contact():
            return contact_for_citizen(user=request.user, authority=authority)

    try:
        report, token, _created = services.report_submit(
            actor=request.user,
            authority=authority,
            category=data["category"],
            description=data["description"],
            submission_key=data["submission_key"],
            location=location,
            address_text=data.get("address", ""),
            photos=data["photos"],
            contact=contact,
            email=email,
            extra=data.get("extra", {}),
        )
    except ValidationError as error:
        form.add_service_error(error, aliases={"address": "address"})
        return []
    sent = request.session.get(SUBMITTED_SESSION_KEY, [])
    request.session[SUBMITTED_SESSION_KEY] = [*sent, report.pk][-20:]
    if token:
        request.session[TOKEN_SESSION_KEY] = {"report": report.pk, "token": token}
    return report


def _float(value) -> float | None:
    try:
        number = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@require_GET
def report_nearby(request, authority_slug):
    """The open reports near a point, as the part of the form that lists them: the form's
    script asks for it as the point moves, so that the person sees them before sending."""
    authority = _authority_or_404(authority_slug)
    category = next(
        (c for c in report_categories(authority) if c.pk == _int(request.GET.get("category"))),
        None,
    )
    lat, lon = _float(request.GET.get("latitude")), _float(request.GET.get("longitude"))
    nearby = []
    if category and lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        nearby = services.reports_nearby(authority=authority, category=category, lat=lat, lon=lon)
    form = FollowForm(request.GET)
    email = form.cleaned_data["email"] if form.is_valid() else ""
    context = {"authority": authority, "nearby": nearby, "follow_email": email}
    response = render(request, "portal/reports/includes/nearby.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def report_submitted(request, authority_slug, public_id):
    authority = _authority_or_404(authority_slug)
    sent = request.session.get(SUBMITTED_SESSION_KEY, [])
    report = get_object_or_404(
        Report.objects.filter(authority=authority, pk__in=sent).select_related(
            "case", "category", "case__service"
        ),
        public_id=public_id,
    )
    tracking_url = ""
    pending = request.session.get(TOKEN_SESSION_KEY)
    if pending and pending.get("report") == report.pk:
        del request.session[TOKEN_SESSION_KEY]
        tracking_url = request.build_absolute_uri(
            reverse("portal:track", args=[authority.slug, pending["token"]])
        )
    context = {
        "authority": authority,
        "report": report,
        "case": report.case,
        "tracking_url": tracking_url,
        "signed_in": request.user.is_authenticated,
        "nav": "reports",
    }
    return _private(render(request, "portal/reports/submitted.html", context))


# Public pages ---------------------------------------------------------------------------------


def _public_reports(authority):
    public_photos = ReportPhoto.objects.filter(is_public=True).order_by("order", "id")
    return (
        Report.objects.of_authority(authority)
        .public()
        .for_public_list()
        .prefetch_related(Prefetch("photos", queryset=public_photos, to_attr="public_photos"))
    )


def _filtered(request, authority):
    """The list's filters and its reports. The state shown and filtered on is the stored
    field status: the case lifecycle moves it in the same transaction as the case (see
    `report_follow_case`), so it is what the public should read, and the index serves it."""
    form = ReportFilterForm(request.GET or None, categories=report_categories(authority))
    reports = _public_reports(authority)
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("categorie"):
            reports = reports.filter(category_id=form.cleaned_data["categorie"])
        if form.cleaned_data.get("etat"):
            reports = reports.filter(status=form.cleaned_data["etat"])
    return form, reports


@require_GET
def report_list(request, authority_slug):
    authority = _authority_or_404(authority_slug)
    form, reports = _filtered(request, authority)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "authority": authority,
        "filter_form": form,
        "page_obj": page,
        "querystring": query.urlencode(),
        "map_limit": MAP_LIMIT,
        "nav": "reports",
        **_map_context(authority),
    }
    return _with_tiles(render(request, "portal/reports/list.html", context))


def _bad_request(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@require_GET
def report_geojson(request, authority_slug):
    """The public reports of the visible area (`bbox=west,south,east,north`) as GeoJSON
    points, for the map: the open ones unless a state is chosen, the newest first, at most
    MAP_LIMIT of them; `truncated` then tells the map to ask the person to zoom in. Built
    from plain values in one query, with public fields only."""
    authority = _authority_or_404(authority_slug)
    form = ReportFilterForm(request.GET, categories=report_categories(authority))
    if not form.is_valid():
        return _bad_request(" ".join(str(m) for msgs in form.errors.values() for m in msgs))
    raw_bbox = request.GET.get("bbox", "")
    box = parse_bbox(raw_bbox) if raw_bbox else None
    if raw_bbox and box is None:
        return _bad_request(
            _("La zone demandée n'est pas valide : ouest, sud, est, nord, en degrés.")
        )
    reports = Report.objects.of_authority(authority).public()
    chosen = form.cleaned_data
    if chosen.get("etat"):
        reports = reports.filter(status=chosen["etat"])
    else:
        reports = reports.open()
    if chosen.get("categorie"):
        reports = reports.filter(category_id=chosen["categorie"])
    if box is not None:
        west, south, east, north = box
        reports = reports.in_box(south=south, west=west, north=north, east=east)
    else:
        reports = reports.filter(latitude__isnull=False, longitude__isnull=False)
    rows = list(
        reports.order_by("-created_at", "-id").values_list(
            "public_id",
            "longitude",
            "latitude",
            "status",
            "category__label",
            "address_label",
            "district__name",
            "commune__name",
            "created_at",
        )[: MAP_LIMIT + 1]
    )
    truncated = len(rows) > MAP_LIMIT
    labels = {value: str(label) for value, label in ReportStatus.choices}
    # One reverse() for all: the public number is the last part of the address.
    prefix = reverse("portal:report_detail", args=[authority.slug, "X"]).removesuffix("X/")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": public_id,
                "category": category,
                "status": status,
                "status_label": labels.get(status, status),
                "place": address or ", ".join(n for n in (district, commune) if n),
                "created": timezone.localdate(created).isoformat(),
                "url": f"{prefix}{public_id}/",
            },
        }
        for public_id, lon, lat, status, category, address, district, commune, created in rows[
            :MAP_LIMIT
        ]
    ]
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "truncated": truncated,
            "limit": MAP_LIMIT,
        },
        content_type="application/geo+json",
    )


def _public_report_or_404(authority, public_id) -> Report:
    report = _public_reports(authority).filter(public_id=public_id).first()
    if report is None:
        raise Http404(_("Signalement introuvable."))
    return report


@require_GET
def report_detail(request, authority_slug, public_id):
    authority = _authority_or_404(authority_slug)
    report = _public_report_or_404(authority, public_id)
    context = {
        "authority": authority,
        "report": report,
        "history": report.status_changes.all(),
        "follow_form": FollowForm(),
        "can_follow": report.is_open,
        "nav": "reports",
        **_map_context(authority),
    }
    return _with_tiles(render(request, "portal/reports/detail.html", context))


@require_POST
def report_follow(request, authority_slug, public_id):
    """ "Me too": follow an open report instead of sending a new one."""
    authority = _authority_or_404(authority_slug)
    report = _public_report_or_404(authority, public_id)
    form = FollowForm(request.POST)
    if form.is_valid() and _too_many(request, authority):
        form.add_error(None, TOO_MANY)
    elif form.is_valid():
        contact = None
        if request.user.is_authenticated:
            contact = contact_for_citizen(user=request.user, authority=authority)
        try:
            follower, _created = following.report_follow(
                actor=request.user,
                report=report,
                contact=contact,
                email="" if contact else form.cleaned_data["email"],
                # An address typed here may be anyone's: its owner confirms first.
                confirmed=False,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if follower is not None and follower.confirmed_at is None:
                messages.success(
                    request,
                    _(
                        "Merci : confirmez avec le lien envoyé à %(email)s, et vous serez "
                        "prévenu(e) de sa résolution."
                    )
                    % {"email": follower.email},
                )
            elif follower is not None:
                messages.success(
                    request,
                    _("Merci : vous suivez ce signalement et serez prévenu(e) de sa résolution."),
                )
            else:
                messages.success(request, _("Merci : votre soutien à ce signalement est compté."))
            return redirect("portal:report_detail", authority.slug, report.public_id)
    context = {
        "authority": authority,
        "report": report,
        "history": report.status_changes.all(),
        "follow_form": form,
        "can_follow": True,
        "nav": "reports",
        **_map_context(authority),
    }
    return _with_tiles(render(request, "portal/reports/detail.html", context, status=400))


@require_GET
def report_photo(request, authority_slug, public_id, photo_id, size="display"):
    """A public copy of a photo (never the original), re-encoded without metadata."""
    authority = _authority_or_404(authority_slug)
    report = _public_report_or_404(authority, public_id)
    photo = next((p for p in report.public_photos if p.pk == photo_id), None)
    # Short: a photo taken off the site must not linger in shared caches.
    return report_photo_response(photo, size=size, cache_control="public, max-age=300")


# Included under "signalements/" by the portal's URLs.
report_urlpatterns = [
    path("", report_list, name="reports"),
    path("carte.geojson", report_geojson, name="reports_geojson"),
    path("nouveau/", report_new, name="report_new"),
    path("proches/", report_nearby, name="reports_nearby"),
    path("<str:public_id>/", report_detail, name="report_detail"),
    path("<str:public_id>/envoye/", report_submitted, name="report_submitted"),
    path("<str:public_id>/suivre/", report_follow, name="report_follow"),
    path("<str:public_id>/photos/<int:photo_id>/", report_photo, name="report_photo"),
    path(
        "<str:public_id>/photos/<int:photo_id>/vignette/",
        report_photo,
        {"size": "thumbnail"},
        name="report_thumbnail",
    ),
]
