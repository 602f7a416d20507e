"""Writes on problem reports. A report is a case in a public-space category with its own
field data; every write goes through here, moves the case through the case services when
the field status asks for it, and records its event in the same transaction."""

from __future__ import annotations

import contextvars
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from guichet.cases import services as case_services
from guichet.cases.enums import Status
from guichet.cases.models import Case, Category
from guichet.core.enums import Channel, Direction
from guichet.core.events import event_record
from guichet.core.files import CheckedFile
from guichet.core.references import check_char, encode, next_number
from guichet.interactions.services import interaction_claim
from guichet.letters import acknowledgements
from guichet.reports.enums import (
    CASE_STATUS,
    FROM_CASE_STATUS,
    OPEN_REPORT_STATUSES,
    REPORT_TRANSITIONS,
    FollowerRole,
    ReportStatus,
)
from guichet.reports.following import follower_url
from guichet.reports.geocoding import geocoder
from guichet.reports.models import (
    Report,
    ReportFollower,
    ReportPhoto,
    ReportStatusChange,
)
from guichet.reports.photos import PreparedPhoto, photos_check_count
from guichet.reports.promises import category_settings, intervention_hours
from guichet.territories.models import Territory, TerritoryKind
from guichet.territories.services import territories_at

EARTH_RADIUS_METERS = 6_371_008.8
METERS_PER_DEGREE_LAT = 111_320.0


# Reading helpers -----------------------------------------------------------------------------


def distance_meters(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(h)))


def nearby_rule(category: Category) -> tuple[int, int]:
    """(radius in metres, window in days) for the category."""
    radius, days = settings.GUICHET_REPORT_NEARBY_RADIUS_METERS, settings.GUICHET_REPORT_NEARBY_DAYS
    own = category_settings(category)
    if own is not None:
        radius = own.nearby_radius_meters or radius
        days = own.nearby_days or days
    return radius, days


@dataclass(frozen=True)
class NearbyReport:
    report: Report
    distance: float  # metres


def reports_nearby(
    *, authority, category: Category, lat: float, lon: float, now: dt.datetime | None = None
) -> list[NearbyReport]:
    """Open public reports of the same category within the category's radius and time
    window, closest first. A box of latitudes and longitudes in SQL (indexed), then the
    exact distance in Python over the few rows left."""
    radius, days = nearby_rule(category)
    since = (now or timezone.now()) - dt.timedelta(days=days)
    dlat = radius / METERS_PER_DEGREE_LAT
    dlon = radius / (METERS_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    candidates = (
        Report.objects.filter(
            authority=authority,
            category=category,
            status__in=OPEN_REPORT_STATUSES,
            created_at__gte=since,
        )
        .public()
        .in_box(south=lat - dlat, west=lon - dlon, north=lat + dlat, east=lon + dlon)
        .select_related("category", "commune", "district", "case")
    )
    found = []
    for report in candidates:
        distance = distance_meters(lat, lon, report.latitude, report.longitude)
        if distance <= radius:
            found.append(NearbyReport(report=report, distance=distance))
    found.sort(key=lambda n: (n.distance, -n.report.pk))
    return found


# Locating ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    lat: float | None
    lon: float | None
    address_label: str  # the geocoder's label, empty without one
    # True when the point is a guess (the geocoder's reading of typed words, the position a
    # photo recorded), not one the person placed: outside the authority's territory, it is
    # dropped rather than refused.
    guessed: bool = False


def authority_area(authority) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) around the authority's communes with an outline, or None
    when none is loaded (nothing then says where the authority ends)."""
    box = Territory.objects.filter(
        authority=authority, kind=TerritoryKind.COMMUNE, geometry__isnull=False
    ).aggregate(
        south=Min("min_lat"), west=Min("min_lon"), north=Max("max_lat"), east=Max("max_lon")
    )
    if box["south"] is None:
        return None
    return box["south"], box["west"], box["north"], box["east"]


def _in_area(authority, lat: float, lon: float) -> bool:
    return any(t.kind == TerritoryKind.COMMUNE for t in territories_at(authority.pk, lon, lat))


def report_locate(
    *, lat=None, lon=None, address: str = "", authority=None, guessed: bool = False
) -> Location:
    """Where the report is: the point given (named by reverse geocoding), else the typed
    address looked up, near the authority and within its communes when their outlines are
    loaded (a "rue de la Mairie" exists in thousands of towns: one elsewhere is no answer).
    A point read from a photo is passed with `guessed`. Never raises for a geocoder down:
    the point or the words alone are kept. Called before the submission's transaction (it
    may wait on the network)."""
    finder = geocoder()
    if lat is not None and lon is not None:
        found = finder.reverse(lat, lon) if finder.available else None
        return Location(lat, lon, found.label[:255] if found else "", guessed=guessed)
    address = " ".join((address or "").split())
    if not (address and finder.available):
        return Location(None, None, "")
    area = authority_area(authority) if authority is not None else None
    near = None
    if area is not None:
        near = ((area[0] + area[2]) / 2, (area[1] + area[3]) / 2)
    for found in finder.search(address, near=near, limit=5):
        if area is None or _in_area(authority, found.lat, found.lon):
            return Location(found.lat, found.lon, found.label[:255], guessed=True)
    return Location(None, None, "")


def _check_point(lat, lon) -> None:
    if lat is None and lon is None:
        return
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValidationError({"latitude": _("Cette position n'est pas valide.")})


# Submission ----------------------------------------------------------------------------------


def report_public_id(*, authority, year: int) -> str:
    """S26-2223X6: the year, a counter of the authority's reports, a check character."""
    body = encode(next_number(authority=authority, kind="report", year=year))
    prefix = f"{year % 100:02d}"
    return f"S{prefix}-{body}{check_char(body, 'S' + prefix)}"


def _checked(photo: PreparedPhoto) -> CheckedFile:
    original = photo.original
    name = photo.name
    if not name.lower().endswith(original.extension) and original.extension:
        name = f"{name.rsplit('.', 1)[0]}{original.extension}"
    return CheckedFile(
        name=name,
        content=original.content,
        size=original.size,
        sha256=original.sha256,
        mime_type=original.mime_type,
    )


def _subject(category: Category, place: str) -> str:
    subject = _("Signalement : %(category)s") % {"category": category.label}
    if place:
        subject += f" — {place}"
    return subject[:255]


def _submission_key(submission_key: str) -> str:
    return f"report:{submission_key}"[:255]


def report_for_submission(*, authority, submission_key: str) -> Report | None:
    """The report a form already created, if it was sent before (a double click)."""
    from guichet.interactions.models import Interaction

    case_id = (
        Interaction.objects.filter(
            authority=authority, idempotency_key=_submission_key(submission_key)
        )
        .values_list("case_id", flat=True)
        .first()
    )
    return Report.objects.filter(case_id=case_id).first() if case_id else None


@transaction.atomic
def report_submit(
    *,
    actor,
    authority,
    category: Category,
    description: str,
    submission_key: str,
    location: Location,
    address_text: str = "",
    photos: Sequence[PreparedPhoto] = (),
    contact=None,
    email: str = "",
    extra: dict | None = None,
    channel: str = Channel.PORTAL,
) -> tuple[Report, str | None, bool]:
    """A problem report sent from the portal, exactly once per form: a resent form (a
    double click) gives back the first report. Opens the case in the public-space category
    with the point, so that routing by territory applies, then the report, its photos and
    its reporter as the first follower (a contact, an email alone, or nobody: a report
    needs no identification). `contact` may be a callable, called only for a new
    submission. `extra` holds the answers to the category's extra fields, by code: when
    given, they are checked (a required one missing is refused). `channel` is the door it
    came by: the portal's form, or the API (Open311), where a description is optional as
    the GeoReport specification has it. Returns the report, the private tracking token for
    a person without an account, and whether this call created it."""
    if category.authority_id != authority.pk:
        raise ValidationError({"category": _("Cette catégorie n'appartient pas à la commune.")})
    if not (category.is_public_space and category.is_active):
        raise ValidationError({"category": _("Choisissez un type de problème dans la liste.")})
    if channel not in (Channel.PORTAL, Channel.API):
        raise ValueError(f"report_submit takes the portal or the API, not {channel!r}")
    if not category.offered_on(channel):
        raise ValidationError({"category": _("Ce signalement ne peut pas être fait en ligne.")})
    _check_point(location.lat, location.lon)
    places = []
    if location.lat is not None:
        places = territories_at(authority.pk, location.lon, location.lat)
        outside = not any(t.kind == TerritoryKind.COMMUNE for t in places)
        if outside and authority_area(authority) is not None:
            if not location.guessed:
                raise ValidationError(
                    {
                        "latitude": _(
                            "Ce point est en dehors du territoire de %(name)s : placez-le "
                            "sur la carte, dans la commune."
                        )
                        % {"name": authority.city or authority.name}
                    }
                )
            # A guess in another town (an address found there, a photo taken there): the
            # person's own words are kept.
            location, places = Location(None, None, ""), []
    address_text = " ".join((address_text or "").split())[:255]
    if location.lat is None and not address_text:
        raise ValidationError(
            {
                "address": _(
                    "Indiquez où se trouve le problème : un point sur la carte, une adresse "
                    "ou des coordonnées."
                )
            }
        )
    description = (description or "").strip()
    if not description and channel == Channel.PORTAL:
        raise ValidationError({"description": _("Décrivez le problème en quelques mots.")})
    photos_check_count(len(photos))
    email = (email or "").strip().lower()
    if extra is not None:
        from guichet.reports.fields import category_fields, field_values_clean

        extra = field_values_clean(category_fields(category), extra)

    interaction, created = interaction_claim(
        actor=actor,
        authority=authority,
        channel=channel,
        direction=Direction.IN,
        subject=_subject(category, location.address_label or address_text),
        body=description,
        files=[_checked(p) for p in photos],
        idempotency_key=_submission_key(submission_key),
    )
    if not created:
        report = Report.objects.filter(case_id=interaction.case_id).first()
        if report is None:
            raise ValidationError(_("Ce signalement est déjà en cours d'enregistrement."))
        return report, None, False
    if callable(contact):
        contact = contact()
    if contact is not None:
        interaction.contact = contact
        interaction.save(update_fields=["contact"])
    anonymous = not getattr(actor, "is_authenticated", False)
    place = location.address_label or address_text
    case, token = case_services.case_create(
        actor=actor,
        authority=authority,
        category=category,
        contact=contact,
        subject=_subject(category, place),
        description=description,
        channel=channel,
        interaction=interaction,
        location_label=place,
        latitude=None if location.lat is None else Decimal(f"{location.lat:.6f}"),
        longitude=None if location.lon is None else Decimal(f"{location.lon:.6f}"),
        with_tracking_link=anonymous,
        # The report's own receipt (below) replaces the case's: it speaks of the public
        # number and of the intervention promised.
        notify=False,
    )
    acknowledgements.acknowledgement_schedule(case=case)
    commune = district = None
    if location.lat is not None:
        for territory in places:
            if territory.kind == TerritoryKind.DISTRICT and district is None:
                district = territory
            elif territory.kind == TerritoryKind.COMMUNE and commune is None:
                commune = territory
    now = timezone.now()
    hours = intervention_hours(category)
    report = Report.objects.create(
        authority=authority,
        case=case,
        delay_hours=hours,
        due_at=case.received_at + dt.timedelta(hours=hours) if hours else None,
        category=case.category,
        public_id=report_public_id(authority=authority, year=timezone.localtime(now).year),
        created_at=case.received_at,
        status_changed_at=case.received_at,
        latitude=None if location.lat is None else round(location.lat, 6),
        longitude=None if location.lon is None else round(location.lon, 6),
        address_label=location.address_label,
        commune=commune,
        district=district,
        extra=extra or {},
    )
    ReportStatusChange.objects.create(report=report, status=ReportStatus.OPEN, at=report.created_at)
    originals = list(interaction.attachments.order_by("id"))
    for order, (photo, original) in enumerate(zip(photos, originals, strict=True)):
        _photo_store(report=report, photo=photo, original=original, order=order)
    # The reporter follows their own report at once: the receipt goes to the address they
    # typed, with the link to stop.
    follower = None
    if contact is not None:
        follower = ReportFollower.objects.create(
            report=report, contact=contact, role=FollowerRole.REPORTER, confirmed_at=now
        )
    elif email:
        follower = ReportFollower.objects.create(
            report=report, email=email, role=FollowerRole.REPORTER, confirmed_at=now
        )
    _receipt_send(report=report, contact=contact, email=email, follower=follower, actor=actor)
    event_record(
        actor=actor,
        verb="report.submitted",
        target=report,
        case=case,
        contact=contact,
        data={
            "public_id": report.public_id,
            "category": category.pk,
            "photos": len(photos),
            "point": location.lat is not None,
            "commune": commune.pk if commune else None,
            "district": district.pk if district else None,
        },
    )
    return report, token, True


def _receipt_send(*, report: Report, contact, email: str, follower, actor) -> None:
    """The receipt of a report, to the address the person gave (their contact's, or the one
    typed without an account), through the outbox: its number, the promise, its public page
    and, without an account, the private tracking link (put in by the mail task)."""
    from django.template.loader import render_to_string

    from guichet.cases import tracking
    from guichet.interactions.enums import Purpose
    from guichet.interactions.services import email_queue
    from guichet.reports.tasks import report_public_url

    if contact is not None and not (contact.email and not contact.email_failing):
        return
    if contact is None and not email:
        return
    case = report.case
    body = render_to_string(
        "emails/report_registered.txt",
        {
            "report": report,
            "case": case,
            "url": report_public_url(report),
            "tracking_url": tracking.LINK_PLACEHOLDER if case.tracking_nonce else "",
            "stop_url": follower_url(follower, "stop") if follower else "",
        },
    )
    email_queue(
        actor=actor,
        authority=report.authority,
        contact=contact,
        recipient="" if contact is not None else email,
        case=case,
        subject=_("Votre signalement %(id)s a bien été enregistré") % {"id": report.public_id},
        body=body,
        visible_to_contact=contact is not None,
        purpose=Purpose.RECEIPT,
    )


def _photo_store(*, report: Report, photo: PreparedPhoto, original, order: int) -> ReportPhoto:
    stored = ReportPhoto(
        report=report,
        original=original,
        order=order,
        display_mime_type=photo.display.mime_type,
        display_width=photo.display.width,
        display_height=photo.display.height,
        thumbnail_mime_type=photo.thumbnail.mime_type,
        sha256=photo.original.sha256,
        latitude=photo.position.lat if photo.position else None,
        longitude=photo.position.lon if photo.position else None,
    )
    # Named by the public copy's own fingerprint: nothing of the original shows in the path.
    stored.display.save(
        f"{photo.display.sha256}{photo.display.extension}",
        ContentFile(photo.display.content),
        save=False,
    )
    stored.thumbnail.save(
        f"{photo.thumbnail.sha256}{photo.thumbnail.extension}",
        ContentFile(photo.thumbnail.content),
        save=False,
    )
    stored.save()
    return stored


@transaction.atomic
def report_photo_add(*, actor, report: Report, photo: PreparedPhoto) -> ReportPhoto:
    """Add a photo to an existing report (its original stored on the case). An agent must
    be one who acts on the case; a person's door (account, private link) is checked by the
    caller."""
    from guichet.interactions.services import attachments_store

    if getattr(actor, "is_agent", False) and not case_services.case_can_act(actor, report.case):
        raise PermissionDenied(_("Vous n'intervenez pas sur ce signalement."))
    photos_check_count(report.photos.count() + 1)
    first = report.case.interactions.filter(direction=Direction.IN).order_by("occurred_at", "id")
    interaction = first.first()
    if interaction is None:
        raise ValidationError(_("Ce signalement n'a pas d'échange où ranger la photo."))
    original = attachments_store(interaction=interaction, files=[_checked(photo)])[0]
    stored = _photo_store(
        report=report, photo=photo, original=original, order=report.photos.count()
    )
    event_record(
        actor=actor,
        verb="report.photo_added",
        target=report,
        case=report.case,
        data={"photo": stored.pk},
    )
    return stored


# Field status transitions --------------------------------------------------------------------


# The case a report service is moving itself: the case lifecycle's hook then leaves the
# report alone, since the report service records the finer field status.
_DRIVING: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "report_driving_case", default=None
)


def _move_case(*, actor, case: Case, target: str, reason: str, original: Report | None):
    """Take the case to the status the field status maps onto, through the case service
    that owns that arrow."""
    if case.status == target:
        return
    token = _DRIVING.set(case.pk)
    try:
        _move_case_through_services(
            actor=actor, case=case, target=target, reason=reason, original=original
        )
    finally:
        _DRIVING.reset(token)


def _move_case_through_services(*, actor, case, target, reason, original):
    current = case.status
    if target == Status.IN_PROGRESS:
        if current == Status.NEW:
            case_services.case_start(actor=actor, case=case)
        elif current == Status.WAITING:
            case_services.case_resume(actor=actor, case=case)
        else:
            case_services.case_reopen(actor=actor, case=case, reason=reason)
    elif target == Status.RESOLVED:
        case_services.case_resolve(actor=actor, case=case, resolution=reason)
    elif target == Status.REJECTED:
        case_services.case_reject(actor=actor, case=case, reason=reason)
    elif target == Status.DUPLICATE:
        case_services.case_mark_duplicate(actor=actor, case=case, original=original.case)
    elif target == Status.CLOSED:
        case_services.case_close(actor=actor, case=case)
    else:  # pragma: no cover - CASE_STATUS holds no other target
        raise ValidationError(_("Transition impossible."))


def _lock(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("case").get(pk=report.pk)


@transaction.atomic
def _report_transition(
    *,
    actor,
    report: Report,
    target: str,
    note: str = "",
    reason: str = "",
    original: Report | None = None,
) -> Report:
    report = _lock(report)
    current = report.status
    if target not in REPORT_TRANSITIONS.get(current, ()):
        raise case_services.TransitionError(
            _("Impossible de passer un signalement « %(from)s » à l'état « %(to)s ».")
            % {"from": ReportStatus(current).label, "to": ReportStatus(target).label},
            code="invalid_transition",
        )
    _move_case(
        actor=actor, case=report.case, target=CASE_STATUS[target], reason=reason, original=original
    )
    # The case services worked on their own locked copy of the case.
    report.case.refresh_from_db()
    _status_record(
        actor=actor, report=report, target=target, note=note, original=original, by="report"
    )
    return report


def _status_record(
    *, actor, report: Report, target: str, note: str, original: Report | None, by: str
) -> ReportStatusChange:
    """Store a new field status on a locked report: its public history entry, its event, and
    the followers told once the transaction commits."""
    from guichet.reports.tasks import report_status_notify

    current = report.status
    now = timezone.now()
    report.status = target
    report.status_changed_at = now
    if target == ReportStatus.DUPLICATE:
        report.duplicate_of = original
    elif current == ReportStatus.DUPLICATE:
        report.duplicate_of = None
    if target not in OPEN_REPORT_STATUSES or target == ReportStatus.INVESTIGATING:
        report.planned_on = None
    report.save(update_fields=["status", "status_changed_at", "duplicate_of", "planned_on"])
    if target not in OPEN_REPORT_STATUSES:
        from guichet.reports.workorders import work_orders_cancel_planned

        # Nobody goes out for a report that is over: its planned orders leave the day lists.
        # The reason is stored, so in the site's language, not the acting agent's.
        with override(settings.LANGUAGE_CODE):
            reason = _("Signalement passé à l'état « %(status)s ».") % {
                "status": ReportStatus(target).label
            }
        work_orders_cancel_planned(actor=actor, report=report, reason=reason)
    note = " ".join((note or "").split())[:500]
    change = ReportStatusChange.objects.create(report=report, status=target, at=now, note=note)
    event_record(
        actor=actor,
        verb="report.status_changed",
        target=report,
        case=report.case,
        data={"from": current, "to": target, "note": note, "by": by},
    )
    transaction.on_commit(lambda: report_status_notify.enqueue(change.pk))
    return change


def report_follow_case(*, case: Case, previous: str, actor, data: dict | None = None) -> None:
    """Keep the field status in step with the case when an agent moves the case from the
    case pages (resolved → fixed, rejected → not our responsibility, duplicate, closed,
    reopened → investigating…). Called by every case transition, inside its transaction,
    once the case holds its new status; a report service moving its own case is left to
    record the finer status itself."""
    if _DRIVING.get() == case.pk:
        return
    report = Report.objects.select_for_update().filter(case_id=case.pk).first()
    if report is None:
        return
    report.case = case
    target = FROM_CASE_STATUS.get(case.status)
    if target is None or target == report.status or CASE_STATUS.get(report.status) == case.status:
        return
    if target == ReportStatus.INVESTIGATING and report.status in (
        ReportStatus.ACTION_SCHEDULED,
        ReportStatus.IN_PROGRESS,
    ):
        # A wait or a resume keeps a scheduled or started intervention as it stands.
        return
    original = None
    note = ""
    data = data or {}
    if target == ReportStatus.DUPLICATE:
        original = Report.objects.filter(case_id=data.get("original")).first()
    elif target == ReportStatus.NOT_OUR_RESPONSIBILITY:
        note = data.get("reason", "")
    _status_record(
        actor=actor, report=report, target=target, note=note, original=original, by="case"
    )
    if original is not None:
        _followers_copy(report=report, original=original)


def _followers_copy(*, report: Report, original: Report) -> None:
    """The duplicate's followers follow the original, confirmed as they were."""
    for follower in report.followers.filter(anonymised_at__isnull=True):
        if follower.contact_id:
            match = {"contact_id": follower.contact_id}
        elif follower.email:
            match = {"contact": None, "email": follower.email}
        else:
            continue
        copy, created = ReportFollower.objects.get_or_create(
            report=original,
            **match,
            defaults={"role": follower.role, "confirmed_at": follower.confirmed_at},
        )
        if not created and copy.confirmed_at is None and follower.confirmed_at is not None:
            copy.confirmed_at = follower.confirmed_at
            copy.save(update_fields=["confirmed_at"])


def report_investigate(*, actor, report: Report, note: str = "") -> Report:
    """Someone looks at it (also the way back from a finished report: it is reopened)."""
    return _report_transition(
        actor=actor, report=report, target=ReportStatus.INVESTIGATING, note=note, reason=note
    )


@transaction.atomic
def report_schedule(
    *, actor, report: Report, note: str = "", planned_on: dt.date | None = None
) -> Report:
    """An intervention is planned, for a given day when known (the public sees it)."""
    if planned_on is not None and planned_on < timezone.localdate():
        raise ValidationError({"planned_on": _("La date prévue ne peut pas être passée.")})
    report = _report_transition(
        actor=actor, report=report, target=ReportStatus.ACTION_SCHEDULED, note=note
    )
    if planned_on is not None:
        report.planned_on = planned_on
        report.save(update_fields=["planned_on"])
    return report


def report_start_work(*, actor, report: Report, note: str = "") -> Report:
    return _report_transition(
        actor=actor, report=report, target=ReportStatus.IN_PROGRESS, note=note
    )


def report_fix(*, actor, report: Report, note: str = "") -> Report:
    """The problem is fixed: the case is resolved (its followers are told in a later step)."""
    return _report_transition(
        actor=actor, report=report, target=ReportStatus.FIXED, note=note, reason=note
    )


def report_decline(*, actor, report: Report, reason: str) -> Report:
    """Not the authority's to deal with: the case is rejected with the reason, which the
    public sees too."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi ce n'est pas de notre ressort.")})
    return _report_transition(
        actor=actor,
        report=report,
        target=ReportStatus.NOT_OUR_RESPONSIBILITY,
        note=reason,
        reason=reason,
    )


def report_close(*, actor, report: Report) -> Report:
    return _report_transition(actor=actor, report=report, target=ReportStatus.CLOSED)


@transaction.atomic
def report_mark_duplicate(*, actor, report: Report, original: Report) -> Report:
    """The same problem as another report: its case becomes the other's duplicate and its
    followers follow the original, so that all are told when it is fixed."""
    if original.pk == report.pk:
        raise ValidationError(_("Un signalement ne peut pas être le doublon de lui-même."))
    if original.authority_id != report.authority_id:
        raise ValidationError(_("Le signalement d'origine appartient à une autre collectivité."))
    if original.status == ReportStatus.DUPLICATE:
        raise ValidationError(
            _("Le signalement %(id)s est lui-même un doublon : liez à l'original.")
            % {"id": original.public_id}
        )
    report = _report_transition(
        actor=actor, report=report, target=ReportStatus.DUPLICATE, original=original
    )
    _followers_copy(report=report, original=original)
    return report


TRANSITION_SERVICES: dict[str, Callable] = {
    ReportStatus.INVESTIGATING: report_investigate,
    ReportStatus.ACTION_SCHEDULED: report_schedule,
    ReportStatus.IN_PROGRESS: report_start_work,
    ReportStatus.FIXED: report_fix,
    ReportStatus.CLOSED: report_close,
}
