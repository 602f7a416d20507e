"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) over problem reports: discovery,
services and their definitions, POST of a request with an API key, tokens, GET of requests
with the spec's filters, and the common extensions (page and page_size, extensions=true,
mySociety's servicerequestupdates). Answers hold no personal data: no name, email, phone
or the person's own words, and the public copies of photos only. What a POST brings besides
the problem (the person, an address id, the key against resends) is in submission.py."""

from __future__ import annotations

import datetime as dt
import math
from functools import wraps

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from guichet.api.services import api_key_check, api_key_within_rate
from guichet.authorities.models import Authority
from guichet.cases.models import Category
from guichet.contacts.phones import display_phone
from guichet.core.enums import Channel
from guichet.core.ratelimit import client_key, counter_hit
from guichet.reports import services as report_services
from guichet.reports.enums import OPEN_REPORT_STATUSES, ReportStatus
from guichet.reports.fields import category_fields, field_values_clean
from guichet.reports.forms import report_categories
from guichet.reports.models import (
    CategoryField,
    Report,
    ReportPhoto,
    ReportStatusChange,
)
from guichet.reports.photos import photo_prepare, photo_read, photos_check_count

from .render import Open311Error, answer, error_answer
from .submission import (
    location_by_address_id,
    person_from,
    reporter_contact,
    submission_find,
    submission_key,
    unrecorded_phone,
)

WINDOW_DAYS = 90
MAX_RESULTS = 1000

# mySociety's values for the status of an update, which FixMyStreet maps onto its own.
UPDATE_STATUS = {
    ReportStatus.OPEN: "OPEN",
    ReportStatus.INVESTIGATING: "INVESTIGATING",
    ReportStatus.ACTION_SCHEDULED: "ACTION_SCHEDULED",
    ReportStatus.IN_PROGRESS: "IN_PROGRESS",
    ReportStatus.FIXED: "FIXED",
    ReportStatus.NOT_OUR_RESPONSIBILITY: "NOT_COUNCILS_RESPONSIBILITY",
    ReportStatus.DUPLICATE: "DUPLICATE",
    ReportStatus.CLOSED: "CLOSED",
}


def open311(view):
    """Turns an Open311Error (and a 404) into the spec's error body, in the asked format."""

    @wraps(view)
    def wrapper(request, *args, fmt="xml", **kwargs):
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            return error_answer(fmt, error)
        except Http404 as error:
            return error_answer(fmt, Open311Error(404, str(error) or _("Introuvable.")))

    return wrapper


# Jurisdictions and keys ------------------------------------------------------------------------


def _jurisdictions():
    return Authority.objects.filter(
        is_active=True, categories__is_public_space=True, categories__is_active=True
    ).distinct()


def _authority(request, params=None) -> Authority:
    """The authority `jurisdiction_id` names (its slug); optional while only one authority
    of the instance takes problem reports."""
    params = params if params is not None else request.GET
    slug = (params.get("jurisdiction_id") or "").strip()
    candidates = _jurisdictions()
    if slug:
        authority = candidates.filter(slug=slug).first()
        if authority is None:
            raise Open311Error(404, _("jurisdiction_id inconnu : %(id)s") % {"id": slug[:50]})
        return authority
    found = list(candidates[:2])
    if len(found) > 1:
        raise Open311Error(400, _("jurisdiction_id est obligatoire sur cette instance."))
    if not found:
        raise Open311Error(404, _("Aucune collectivité ne reçoit de signalements ici."))
    return found[0]


def _key(request, params, authority=None, *, required: bool):
    secret = params.get("api_key", "")
    if not secret:
        if required:
            raise Open311Error(403, _("api_key est obligatoire."))
        # Reading needs no key; a client without one is limited by its address.
        used = counter_hit(
            f"open311-anonymous:{client_key(request)}:{timezone.now():%Y%m%d%H%M}", window=120
        )
        if used > settings.GUICHET_OPEN311_ANONYMOUS_RATE:
            raise Open311Error(
                429, _("Trop de requêtes sans clé d'API : réessayez dans une minute.")
            )
        return None
    key = api_key_check(secret)
    if key is None or (authority is not None and key.authority_id != authority.pk):
        raise Open311Error(403, _("api_key non valide."))
    if not api_key_within_rate(key):
        raise Open311Error(429, _("Trop de requêtes pour cette clé : réessayez dans une minute."))
    return key


# Services --------------------------------------------------------------------------------------


def _categories(authority) -> list[Category]:
    """The authority's street-problem categories offered to API clients."""
    return report_categories(authority, Channel.API)


def _service(category: Category, with_fields: set[int] = frozenset()) -> dict:
    return {
        "service_code": str(category.pk),
        "service_name": category.label,
        "description": category.description,
        # A category with extra fields has a definition that lists them.
        "metadata": category.pk in with_fields,
        "type": "realtime",
        "keywords": "",
        "group": category.parent.label if category.parent_id else "",
    }


@require_GET
@open311
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": "xml"}))
    root = base.rsplit("/", 1)[0] + "/"
    rows = {
        "changeset": "2026-11-29T00:00:00Z",
        "contact": "",
        "key_service": _("Clés délivrées par les administrateurs de la collectivité."),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": root,
                "changeset": "2026-11-29T00:00:00Z",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    if fmt == "json":
        return answer(fmt, "discovery", "", rows)
    return answer(
        fmt, "discovery", "", rows, item_tags={"endpoints": "endpoint", "formats": "format"}
    )


@require_GET
@open311
def services(request, fmt):
    authority = _authority(request)
    _key(request, request.GET, authority, required=False)
    categories = _categories(authority)
    with_fields = set(
        CategoryField.objects.filter(category__in=[c.pk for c in categories]).values_list(
            "category_id", flat=True
        )
    )
    rows = [_service(c, with_fields) for c in categories]
    return answer(fmt, "services", "service", rows)


def _category(authority, code: str) -> Category:
    category = next((c for c in _categories(authority) if str(c.pk) == str(code).strip()), None)
    if category is None:
        raise Open311Error(404, _("service_code inconnu : %(code)s") % {"code": str(code)[:50]})
    return category


@require_GET
@open311
def service_definition(request, code, fmt):
    authority = _authority(request)
    _key(request, request.GET, authority, required=False)
    category = _category(authority, code)
    rows = {
        "service_code": str(category.pk),
        "attributes": [_attribute(f) for f in category_fields(category)],
    }
    return answer(
        fmt,
        "service_definition",
        "",
        rows,
        item_tags={"attributes": "attribute", "values": "value"},
    )


def _attribute(field: CategoryField) -> dict:
    return {
        "variable": True,
        "code": field.code,
        "datatype": field.datatype,
        "required": field.required,
        "datatype_description": field.description,
        "order": field.order,
        "description": field.label,
        "values": [{"key": str(v["key"]), "name": str(v["name"])} for v in field.values or []],
    }


# Requests, read ---------------------------------------------------------------------------------


def _status(report: Report) -> str:
    return "open" if report.is_open else "closed"


def _photo_url(request, report: Report) -> str:
    photos = getattr(report, "public_photos", [])
    if not photos:
        return ""
    path = reverse(
        "portal:report_photo", args=[report.authority.slug, report.public_id, photos[0].pk]
    )
    return request.build_absolute_uri(path)


def _request_row(request, report: Report, extensions: bool) -> dict:
    case = report.case
    expected, notice = report.due_at, ""
    if report.delay_hours:
        notice = ngettext(
            "Intervention promise sous %(n)d heure.",
            "Intervention promise sous %(n)d heures.",
            report.delay_hours,
        ) % {"n": report.delay_hours}
    elif case.due_on:
        expected = timezone.make_aware(dt.datetime.combine(case.due_on, dt.time(18, 0)))
        notice = ngettext(
            "Intervention promise sous %(n)d jour ouvré.",
            "Intervention promise sous %(n)d jours ouvrés.",
            case.delay_days,
        ) % {"n": case.delay_days}
    row = {
        "service_request_id": report.public_id,
        "status": _status(report),
        "status_notes": report.get_status_display(),
        "service_name": report.category.label,
        "service_code": str(report.category_id),
        # The person's own words stay with the agents, as on the public pages.
        "description": "",
        "agency_responsible": case.service.name if case.service_id else "",
        "service_notice": notice,
        "requested_datetime": report.created_at,
        "updated_datetime": report.status_changed_at,
        "expected_datetime": expected,
        "address": report.place_label,
        "address_id": "",
        "zipcode": "",
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": _photo_url(request, report),
    }
    if extensions:
        row["extended_attributes"] = {
            "status_detail": report.status,
            "status_label": report.get_status_display(),
            "commune": report.commune.name if report.commune_id else "",
            "district": report.district.name if report.district_id else "",
        }
    return row


def _reports(authority):
    public_photos = ReportPhoto.objects.filter(is_public=True).order_by("order", "id")
    return (
        Report.objects.of_authority(authority)
        .public()
        .select_related("category", "case", "case__service", "commune", "district", "authority")
        .prefetch_related(Prefetch("photos", queryset=public_photos, to_attr="public_photos"))
    )


def _date(params, name: str) -> dt.datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(400, _("%(name)s doit être une date ISO 8601.") % {"name": name})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _window(params) -> tuple[dt.datetime, dt.datetime]:
    """start_date and end_date, by default the last 90 days; a longer span is refused."""
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - dt.timedelta(days=WINDOW_DAYS)
    if end is None:
        end = start + dt.timedelta(days=WINDOW_DAYS)
    if end < start:
        raise Open311Error(400, _("end_date précède start_date."))
    if end - start > dt.timedelta(days=WINDOW_DAYS):
        raise Open311Error(
            400, _("La période demandée dépasse %(days)s jours.") % {"days": WINDOW_DAYS}
        )
    return start, end


def _int_param(params, name: str, default: int, *, low: int, high: int) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise Open311Error(
            400,
            _("%(name)s doit être un entier entre %(low)s et %(high)s.")
            % {"name": name, "low": low, "high": high},
        )
    return int(raw)


def _page(params) -> tuple[int, int]:
    size = _int_param(params, "page_size", MAX_RESULTS, low=1, high=MAX_RESULTS)
    page = _int_param(params, "page", 1, low=1, high=10**6)
    return (page - 1) * size, size


def _extensions(params) -> bool:
    return (params.get("extensions") or "").strip().lower() in ("true", "1")


def _with_status(reports, status: str):
    if not status:
        return reports
    open_case = Q(status__in=OPEN_REPORT_STATUSES)
    wanted = [s.strip() for s in status.split(",") if s.strip()]
    if not wanted or set(wanted) - {"open", "closed"}:
        raise Open311Error(400, _("status doit valoir open ou closed."))
    if set(wanted) == {"open"}:
        return reports.filter(open_case)
    if set(wanted) == {"closed"}:
        return reports.exclude(open_case)
    return reports


@require_http_methods(["GET", "POST"])
@csrf_exempt
@open311
def requests_view(request, fmt):
    if request.method == "POST":
        return _request_create(request, fmt)
    params = request.GET
    authority = _authority(request)
    _key(request, params, authority, required=False)
    reports = _reports(authority)
    ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
    if ids:
        # The spec: a list of ids overrides every other filter.
        reports = reports.filter(public_id__in=ids[:MAX_RESULTS])
    else:
        start, end = _window(params)
        reports = reports.filter(created_at__gte=start, created_at__lte=end)
        code = (params.get("service_code") or "").strip()
        if code:
            codes = [c.strip() for c in code.split(",") if c.strip()]
            if not all(c.isdigit() for c in codes):
                raise Open311Error(404, _("service_code inconnu : %(code)s") % {"code": code[:50]})
            reports = reports.filter(category_id__in=codes)
        reports = _with_status(reports, (params.get("status") or "").strip())
    offset, size = _page(params)
    extensions = _extensions(params)
    rows = [
        _request_row(request, r, extensions)
        for r in reports.order_by("-created_at", "-id")[offset : offset + size]
    ]
    return answer(fmt, "service_requests", "request", rows)


@require_GET
@open311
def request_detail(request, request_id, fmt):
    authority = _authority(request)
    _key(request, request.GET, authority, required=False)
    report = _reports(authority).filter(public_id=request_id.strip()).first()
    if report is None:
        raise Open311Error(404, _("service_request_id inconnu : %(id)s") % {"id": request_id[:50]})
    rows = [_request_row(request, report, _extensions(request.GET))]
    return answer(fmt, "service_requests", "request", rows)


@require_GET
@open311
def token_detail(request, token, fmt):
    authority = _authority(request)
    report = None
    if len(token) == 32 and all(c in "0123456789abcdef" for c in token):
        report = report_services.report_for_submission(
            authority=authority, submission_key=submission_key(token)
        )
    if report is None:
        raise Open311Error(404, _("Jeton inconnu : %(token)s") % {"token": token[:50]})
    rows = [{"service_request_id": report.public_id, "token": token}]
    return answer(fmt, "service_requests", "request", rows)


@require_GET
@open311
def request_updates(request, fmt):
    """mySociety's extension, as FixMyStreet reads it: each step of the public status
    history in the window, with the field status in mySociety's values and the public note
    of the step only."""
    params = request.GET
    authority = _authority(request)
    _key(request, params, authority, required=False)
    start, end = _window(params)
    offset, size = _page(params)
    changes = (
        ReportStatusChange.objects.filter(
            report__in=Report.objects.of_authority(authority).public(),
            at__gte=start,
            at__lte=end,
        )
        .select_related("report")
        .order_by("at", "id")[offset : offset + size]
    )
    rows = [
        {
            "update_id": str(change.pk),
            "service_request_id": change.report.public_id,
            "status": UPDATE_STATUS[change.status],
            "updated_datetime": change.at,
            "description": change.note,
            "media_url": "",
            "extended_attributes": {"status_detail": change.status},
        }
        for change in changes
    ]
    return answer(fmt, "service_requests_updates", "request_update", rows)


# Requests, write --------------------------------------------------------------------------------


def _float(params, name: str) -> float | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise Open311Error(400, _("%(name)s doit être un nombre.") % {"name": name})
    return value


def _request_create(request, fmt):
    params = request.POST
    if params.get("jurisdiction_id") or not params.get("api_key"):
        authority = _authority(request, params)
        key = _key(request, params, authority, required=True)
    else:
        # Without jurisdiction_id, the key says which authority it writes to.
        key = _key(request, params, required=True)
        authority = key.authority
        if not _jurisdictions().filter(pk=authority.pk).exists():
            raise Open311Error(404, _("Aucune collectivité ne reçoit de signalements ici."))
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code est obligatoire."))
    category = _category(authority, code)
    lat, lon = _float(params, "lat"), _float(params, "long")
    address = (params.get("address_string") or "").strip()
    address_id = (params.get("address_id") or "").strip()
    if (lat is None) != (lon is None):
        raise Open311Error(400, _("lat et long vont ensemble."))
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Open311Error(400, _("lat ou long hors des limites."))
    if lat is None and not address and not address_id:
        raise Open311Error(400, _("Indiquez lat et long, address_string ou address_id."))
    person = person_from(params)
    attributes = {}
    for name in params:
        if name.startswith("attribute[") and name.endswith("]"):
            # A multivaluelist comes as attribute[code][]=a&attribute[code][]=b.
            code = name[len("attribute[") : -1].removesuffix("][")
            values = params.getlist(name)
            attributes[code] = values if name.endswith("[]") or len(values) > 1 else values[0]
    try:
        extra = field_values_clean(category_fields(category), attributes)
    except ValidationError as error:
        raise Open311Error(400, " ".join(error.messages)) from error
    uploads = request.FILES.getlist("media")
    try:
        # Counted before anything is read: a photo past the portal's limit is refused, not
        # dropped without a word.
        photos_check_count(len(uploads))
        # Each photo refused past its size limit before more than the limit is read.
        media = [photo_read(upload, filename=upload.name) for upload in uploads]
    except ValidationError as error:
        raise Open311Error(400, " ".join(error.messages)) from error
    for upload in uploads:
        upload.seek(0)
    already, key_for_new = submission_find(
        authority=authority, key=key, params=params, attributes=attributes, media=media
    )
    if already is None:
        description = (params.get("description") or "").strip()
        media_url = (params.get("media_url") or "").strip()
        if media_url.startswith(("http://", "https://")):
            # Not fetched (the instance does not reach into the network for a client):
            # the agents see the address of the photo.
            description += "\n\n" + _("Photo : %(url)s") % {"url": media_url[:500]}
        # Attributes the category does not define still reach the agents, as words.
        loose = {k: v for k, v in attributes.items() if k not in extra and isinstance(v, str)}
        if loose:
            description += "\n\n" + "\n".join(f"{k} : {v}" for k, v in loose.items())
        phone = unrecorded_phone(authority=authority, person=person)
        if phone:
            # No name, so no record to hold it: the agents still have the number to call.
            description += "\n\n" + _("Téléphone : %(phone)s") % {"phone": display_phone(phone)}
        try:
            photos = [photo_prepare(upload, filename=upload.name) for upload in uploads]
            location = None
            if lat is None and address_id:
                location = location_by_address_id(address_id, fallback=bool(address))
            if location is None:
                location = report_services.report_locate(
                    lat=lat, lon=lon, address=address, authority=authority
                )
            already, _token_unused, _created = report_services.report_submit(
                actor=None,
                authority=authority,
                category=category,
                description=description.strip(),
                submission_key=key_for_new,
                location=location,
                address_text=address,
                photos=photos,
                contact=reporter_contact(authority=authority, person=person),
                email=person.email,
                extra=extra,
                channel=Channel.API,
            )
        except ValidationError as error:
            raise Open311Error(400, " ".join(error.messages)) from error
    rows = [
        {
            "service_request_id": already.public_id,
            # The report exists when this answers: there is nothing to poll for.
            "token": "",
            "service_notice": "",
            "account_id": "",
        }
    ]
    return answer(fmt, "service_requests", "request", rows, status=201)
