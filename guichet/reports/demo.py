"""Demo problem reports: about forty reports of the last six weeks in the town's districts,
in every field status, with their followers, a few photos, an urgent category promised in
hours, and the field teams' work orders of today and tomorrow.

Everything goes through the report and work-order services, at the real time, and each
step's rows are then dated back to the moment the story gives it (the services date
everything "now", and the demo needs a past). Running it twice adds nothing: each report
has a fixed form key, the teams and the urgent setting are looked up by name."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from guichet.authorities.enums import Role
from guichet.authorities.models import Membership, Service
from guichet.cases.models import Case, Category
from guichet.core.enums import Channel
from guichet.core.models import Event
from guichet.core.text import fold
from guichet.demo.catalogue import CENTRE, CITIZEN
from guichet.demo.clock import WorkClock
from guichet.interactions.models import Attachment, Interaction
from guichet.reports import following, services
from guichet.reports import workorders as orders
from guichet.reports.demo_stories import (
    CENTRE_VILLE,
    CITIZEN_REPORTER,
    CLEANING_TEAM,
    DANGER_WORDS,
    FAUBOURG,
    FIX_NOTES,
    GARE,
    HAUTS,
    INVESTIGATE_NOTE,
    ORDER_DONE_COMMENT,
    ORDER_TIMES,
    ROAD_TEAM,
    SCHEDULE_NOTE,
    SEED,
    SPECS,
    START_NOTE,
    TOPICS,
    URGENT_HOURS,
    Spec,
)
from guichet.reports.models import (
    FieldTeam,
    Report,
    ReportCategorySettings,
    ReportFollower,
    ReportPhoto,
    ReportStatusChange,
    WorkOrder,
)
from guichet.routing.models import RoutingDecision
from guichet.territories.models import TerritoryKind

# Where ------------------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # west, south, east, north


def _boxes(authority) -> tuple[dict[str, Box], Box]:
    """The districts' boxes by name and the commune's: the territories the demo drew, or
    the same squares around the centre when they are not there."""
    districts: dict[str, Box] = {}
    commune: Box | None = None
    for territory in authority.territories.filter(min_lon__isnull=False).order_by("pk"):
        box = (territory.min_lon, territory.min_lat, territory.max_lon, territory.max_lat)
        if territory.kind == TerritoryKind.DISTRICT:
            districts.setdefault(territory.name, box)
        elif territory.kind == TerritoryKind.COMMUNE and commune is None:
            commune = box
    lat, lon = CENTRE
    d = 0.02
    if not districts:
        districts = {
            CENTRE_VILLE: (lon - d, lat, lon, lat + d),
            HAUTS: (lon, lat, lon + d, lat + d),
            FAUBOURG: (lon - d, lat - d, lon, lat),
            GARE: (lon, lat - d, lon + d, lat),
        }
    if commune is None:
        commune = (lon - 2 * d, lat - 2 * d, lon + 2 * d, lat + 2 * d)
    return districts, commune


def _inside(rng: random.Random, box: Box, margin: float = 0.15) -> tuple[float, float]:
    west, south, east, north = box
    dx, dy = (east - west) * margin, (north - south) * margin
    return (
        round(rng.uniform(south + dy, north - dy), 6),
        round(rng.uniform(west + dx, east - dx), 6),
    )


def _outside_districts(rng: random.Random, districts: Iterable[Box], commune: Box):
    """A point in the commune's band north of every district."""
    top = max(box[3] for box in districts)
    west, south, east, north = commune
    return _inside(rng, (west, max(top, south), east, north), margin=0.2)


# Who --------------------------------------------------------------------------------------


def _agents(service: Service) -> list:
    return [
        m.user
        for m in Membership.objects.filter(service=service, role=Role.AGENT, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _planner(service: Service, fallback):
    """Who plans the service's teams: its manager or the manager of a direction above it,
    else an administrator of the authority."""
    node, above = service, []
    while node is not None:
        above.append(node.pk)
        node = node.parent
    manager = (
        Membership.objects.filter(service_id__in=above, role=Role.MANAGER, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if manager is not None:
        return manager.user
    admin = (
        Membership.objects.filter(
            authority_id=service.authority_id, role=Role.ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return admin.user if admin is not None else fallback


def _citizen(authority):
    """The demo citizen's account and contact, when the demo made them."""
    from guichet.accounts.models import User
    from guichet.contacts.services import contact_for_citizen

    user = User.objects.filter(email=CITIZEN["email"], is_active=True).first()
    if user is None:
        return None, None
    return user, contact_for_citizen(user=user, authority=authority)


# Categories -------------------------------------------------------------------------------


def _leaves(authority) -> list[Category]:
    return [
        c
        for c in Category.objects.filter(
            authority=authority, is_public_space=True, is_active=True, parent__isnull=False
        )
        .select_related("default_service", "authority")
        .order_by("pk")
        if c.offered_on(Channel.PORTAL)
    ]


def _topic_categories(leaves: list[Category]) -> dict[str, Category]:
    by_label = {fold(c.label): c for c in leaves}
    found = {}
    for topic, labels in TOPICS.items():
        match = next((by_label[fold(label)] for label in labels if fold(label) in by_label), None)
        found[topic] = match or leaves[0]
    danger = next(
        (c for word in DANGER_WORDS for c in leaves if word in fold(c.label)),
        leaves[0],
    )
    found["danger"] = danger
    return found


# Photos -----------------------------------------------------------------------------------


def _photo(rng: random.Random, index: int, at: dt.datetime, point):
    """A phone-like JPEG (a street, a hole, a kerb) with the EXIF block a phone writes,
    prepared as the portal form prepares an upload."""
    from PIL import ExifTags, Image, ImageDraw, TiffImagePlugin

    from guichet.reports.photos import photo_prepare

    width, height = 960, 720
    image = Image.new("RGB", (width, height), (150 + rng.randrange(60), 190, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height // 2, width, height), fill=(95, 95, 100))
    draw.polygon(
        [(0, height * 2 // 3), (width, height // 2 + 40), (width, height // 2 + 70), (0, height)],
        fill=(185, 180, 170),
    )
    for _ in range(3):
        x, y = rng.randrange(100, width - 250), rng.randrange(height // 2 + 40, height - 120)
        draw.ellipse(
            (x, y, x + rng.randrange(90, 220), y + rng.randrange(40, 90)), fill=(40, 38, 36)
        )
    draw.rectangle((rng.randrange(40, 200), 120, rng.randrange(260, 400), 330), fill=(120, 80, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Démo"
    exif[ExifTags.Base.Model] = "Téléphone de démonstration"
    exif[ExifTags.Base.DateTime] = timezone.localtime(at).strftime("%Y:%m:%d %H:%M:%S")
    if point is not None:

        def dms(value: float):
            value = abs(value)
            degrees, rest = int(value), (value - int(value)) * 60
            minutes = int(rest)
            seconds = round((rest - minutes) * 60, 2)
            return tuple(TiffImagePlugin.IFDRational(v) for v in (degrees, minutes, seconds))

        lat, lon = point
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N" if lat >= 0 else "S",
            ExifTags.GPS.GPSLatitude: dms(lat),
            ExifTags.GPS.GPSLongitudeRef: "E" if lon >= 0 else "W",
            ExifTags.GPS.GPSLongitude: dms(lon),
        }
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, exif=exif)
    return photo_prepare(buffer.getvalue(), filename=f"IMG_{2000 + index:04d}.jpg")


# Dating back ------------------------------------------------------------------------------

# The rows a report's services write, and their moments: (model, lookup of the case or the
# report, fields). What a step wrote at the real time is moved to the story's time.
_BY_CASE = (
    (Case, "pk__in", ("received_at", "created_at", "updated_at", "resolved_at", "closed_at")),
    (Event, "case_id__in", ("at",)),
    (Interaction, "case_id__in", ("occurred_at", "created_at")),
    (Attachment, "case_id__in", ("created_at",)),
    (RoutingDecision, "case_id__in", ("decided_at",)),
)
_BY_REPORT = (
    (Report, "pk__in", ("created_at", "status_changed_at")),
    (ReportStatusChange, "report_id__in", ("at",)),
    (ReportFollower, "report_id__in", ("created_at",)),
    (ReportPhoto, "report_id__in", ("created_at",)),
    (WorkOrder, "report_id__in", ("created_at", "closed_at")),
)


def _date_back(reports: Iterable[Report], *, since: dt.datetime, at: dt.datetime) -> None:
    reports = list(reports)
    keys = {"case": [r.case_id for r in reports], "report": [r.pk for r in reports]}
    for kind, table in (("case", _BY_CASE), ("report", _BY_REPORT)):
        for model, lookup, fields in table:
            for name in fields:
                model.objects.filter(**{lookup: keys[kind], f"{name}__gte": since}).update(
                    **{name: at}
                )


def _step(at: dt.datetime, reports: Iterable[Report], work: Callable):
    """Run one service call and date what it wrote to `at`."""
    since = timezone.now()
    result = work()
    _date_back(reports, since=since, at=at)
    return result


# The story --------------------------------------------------------------------------------


class _Seeder:
    def __init__(self, *, authority, actor, now: dt.datetime):
        self.authority = authority
        self.actor = actor
        self.now = now
        # Nothing the story dates may reach the moment the seeding started.
        self.latest = now - dt.timedelta(minutes=20)
        self.today = timezone.localdate(now)
        self.tz = timezone.get_current_timezone()
        self.calendar = authority.calendar
        self.clock = WorkClock(self.calendar, self.tz)
        self.districts, self.commune = _boxes(authority)
        self.citizen_user, self.citizen_contact = _citizen(authority)
        self.reports: dict[str, Report] = {}
        self.teams: dict[str, FieldTeam] = {}
        self.order_slots: dict[str, int] = {}
        self.last_order: WorkOrder | None = None

    # Time ----------------------------------------------------------------------------------

    def _local(self, day: dt.date, time: dt.time) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, time), self.tz)

    def _sent_at(self, spec: Spec, rng: random.Random) -> dt.datetime:
        if spec.status == "urgent":
            return self.now - dt.timedelta(hours=spec.age, minutes=rng.randrange(10))
        at = self.now - dt.timedelta(days=spec.age)
        if spec.age >= 1:
            # People report by day and in the evening, rarely at night.
            day = timezone.localtime(at).date()
            at = self._local(day, dt.time(rng.randint(7, 21), rng.randrange(60)))
        return min(at, self.latest - dt.timedelta(hours=1))

    def _moments(
        self, start: dt.datetime, gaps: list[float], end: dt.datetime | None = None
    ) -> list[dt.datetime]:
        """The agents' steps after `start`, `gaps` working hours apart, squeezed before
        `end` (and always before now) when the story would run past it."""
        end = min(end or self.latest, self.latest)
        ts, moments = start.timestamp(), []
        for gap in gaps:
            ts = self.clock.after(ts, gap)
            moments.append(ts)
        if moments and moments[-1] > end.timestamp():
            span = moments[-1] - start.timestamp()
            room = max(end.timestamp() - start.timestamp(), 60.0)
            moments = [start.timestamp() + (m - start.timestamp()) * room / span for m in moments]
        return [dt.datetime.fromtimestamp(m, dt.UTC) for m in moments]

    # Rows ----------------------------------------------------------------------------------

    def _team(self, name: str, service: Service) -> FieldTeam:
        team = FieldTeam.objects.filter(service=service, name=name).first()
        if team is None:
            at = self.now - dt.timedelta(days=60)
            since = timezone.now()
            team = orders.field_team_save(
                actor=_planner(service, self.actor),
                service=service,
                name=name,
                members=_agents(service),
            )
            FieldTeam.objects.filter(pk=team.pk).update(created_at=at)
            Event.objects.filter(
                target_type=FieldTeam._meta.label_lower, target_id=str(team.pk), at__gte=since
            ).update(at=at)
        return team

    def _point(self, spec: Spec, rng: random.Random):
        if spec.where == "address":
            return None
        if spec.where == "near":
            other = self.reports.get(spec.original)
            if other is None or not other.has_point:
                return None
            # A few metres away: the same hole seen from the other side of the street.
            return (
                round(other.latitude + rng.uniform(-1, 1) * 0.00012, 6),
                round(other.longitude + rng.uniform(-1, 1) * 0.00012, 6),
            )
        if spec.where == "commune":
            return _outside_districts(rng, self.districts.values(), self.commune)
        box = self.districts.get(spec.where) or rng.choice(list(self.districts.values()))
        return _inside(rng, box)

    def _submit(self, spec: Spec, category: Category, rng: random.Random, index: int):
        sent_at = self._sent_at(spec, rng)
        point = self._point(spec, rng)
        place = f"{spec.address} {self.authority.postal_code} {self.authority.city}".strip()
        # The demo town is fictional: its addresses are not in the national address base,
        # so the point gets the label a geocoder would have given it, without asking one.
        location = services.Location(
            point[0] if point else None,
            point[1] if point else None,
            place if point and rng.random() < 0.85 else "",
        )
        actor, contact, email = AnonymousUser(), None, ""
        if spec.reporter == CITIZEN_REPORTER and self.citizen_user is not None:
            actor, contact = self.citizen_user, self.citizen_contact
        elif "@" in spec.reporter:
            email = spec.reporter
        photos = [_photo(rng, index, sent_at, point)] if spec.photo else []
        since = timezone.now()
        report, _token, _created = services.report_submit(
            actor=actor,
            authority=self.authority,
            category=category,
            description=spec.text,
            submission_key=self._key(spec),
            location=location,
            address_text=spec.address,
            photos=photos,
            contact=contact,
            email=email,
        )
        _date_back([report], since=since, at=sent_at)
        case = Case.objects.select_related("authority", "category").get(pk=report.case_id)
        # The promise runs from the back-dated receipt, as report_submit and case_create
        # compute it from theirs.
        from guichet.letters.acknowledgements import acknowledgement_prepare

        case.due_on = case.due_explanation(today=self.today).due_on
        acknowledgement_prepare(case)
        Case.objects.filter(pk=case.pk).update(
            due_on=case.due_on,
            acknowledgement_status=case.acknowledgement_status,
            acknowledgement_due_on=case.acknowledgement_due_on,
        )
        hours = report.delay_hours or (
            ReportCategorySettings.objects.filter(category=category)
            .values_list("intervention_hours", flat=True)
            .first()
        )
        if hours:
            Report.objects.filter(pk=report.pk).update(
                delay_hours=hours, due_at=case.received_at + dt.timedelta(hours=hours)
            )
        report.refresh_from_db()
        return report

    def _key(self, spec: Spec) -> str:
        return f"demo-{self.authority.slug}-{spec.key}"

    def _follow(self, report: Report, who: str, at: dt.datetime) -> None:
        if who == CITIZEN_REPORTER:
            if self.citizen_user is None:
                return
            actor, contact, email = self.citizen_user, self.citizen_contact, ""
        else:
            actor, contact, email = AnonymousUser(), None, who
        _step(
            at,
            [report],
            lambda: following.report_follow(
                actor=actor, report=report, contact=contact, email=email
            ),
        )

    def _agent(self, report: Report):
        """An agent of the service the case is with, who acts on it."""
        service = Case.objects.get(pk=report.case_id).service
        agents = _agents(service)
        return agents[0] if agents else _planner(service, self.actor)

    def _order(self, spec: Spec, report: Report, at: dt.datetime, team: FieldTeam):
        slots = ORDER_TIMES[spec.status]
        slot = self.order_slots.get(spec.status, 0)
        self.order_slots[spec.status] = slot + 1
        day = {
            "order_today": self.today,
            "order_tomorrow": self.today + dt.timedelta(days=1),
            "order_later": self.calendar.add_working_days(self.today, 3),
            "order_done": self.today,
        }[spec.status]
        return _step(
            at,
            [report],
            lambda: orders.work_order_create(
                actor=_planner(team.service, self.actor),
                report=report,
                team=team,
                planned_on=day,
                planned_at=slots[slot % len(slots)],
                form_key=f"{self._key(spec)}-order",
            ),
        )

    def _story(self, spec: Spec, report: Report, rng: random.Random) -> None:
        """The agents' steps on a report, from its field status in the spec."""
        agent = self._agent(report)
        topic_note = FIX_NOTES.get(spec.topic, "Intervention réalisée, merci de votre signalement.")
        plans = {
            "open": [],
            "urgent": [],
            "investigating": ["investigate"],
            "scheduled": ["investigate", "schedule"],
            "in_progress": ["investigate", "start"],
            "fixed": ["investigate", "fix"],
            "closed": ["investigate", "fix", "close"],
            "declined": ["decline"],
            "duplicate": ["duplicate"],
            "order_today": ["investigate", "order"],
            "order_tomorrow": ["investigate", "order"],
            "order_later": ["investigate", "order"],
            "order_done": ["investigate", "order", "done"],
        }
        plan = plans[spec.status]
        # The first look within the day or so, the next steps a few working days apart.
        gaps = [rng.uniform(1, 10) if n == 0 else rng.uniform(6, 30) for n in range(len(plan))]
        end = None
        if spec.status == "order_done":
            # Planned for yesterday, closed on site yesterday afternoon.
            yesterday = self.today - dt.timedelta(days=1)
            end = self._local(yesterday, dt.time(7, 30))
            moments = self._moments(report.created_at, gaps[:2], end) + [
                self._local(yesterday, dt.time(15, 10))
            ]
        else:
            moments = self._moments(report.created_at, gaps, end)
        # "Me too" comes while the report is still open, before the agents' first step.
        first = moments[0] if moments else self.latest
        for n, who in enumerate(spec.followers, start=1):
            at = report.created_at + (first - report.created_at) * n / (len(spec.followers) + 1)
            self._follow(report, who, at)
        for action, at in zip(plan, moments, strict=True):
            self._act(spec, report, action, at, agent, topic_note, rng)

    def _act(self, spec, report, action, at, agent, topic_note, rng) -> None:
        if action == "investigate":
            _step(
                at,
                [report],
                lambda: services.report_investigate(
                    actor=agent, report=report, note=INVESTIGATE_NOTE
                ),
            )
        elif action == "schedule":
            planned = self.calendar.add_working_days(self.today, rng.randint(1, 6))
            _step(
                at,
                [report],
                lambda: services.report_schedule(
                    actor=agent, report=report, note=SCHEDULE_NOTE, planned_on=planned
                ),
            )
        elif action == "start":
            _step(
                at,
                [report],
                lambda: services.report_start_work(actor=agent, report=report, note=START_NOTE),
            )
        elif action == "fix":
            _step(
                at,
                [report],
                lambda: services.report_fix(actor=agent, report=report, note=topic_note),
            )
        elif action == "close":
            _step(at, [report], lambda: services.report_close(actor=agent, report=report))
        elif action == "decline":
            _step(
                at,
                [report],
                lambda: services.report_decline(actor=agent, report=report, reason=spec.note),
            )
        elif action == "duplicate":
            original = self.reports[spec.original]
            _step(
                at,
                [report, original],
                lambda: services.report_mark_duplicate(
                    actor=agent, report=report, original=original
                ),
            )
        elif action == "order":
            team = self.teams[CLEANING_TEAM if spec.status == "order_later" else ROAD_TEAM]
            self.last_order = self._order(spec, report, at, team)
        elif action == "done" and self.last_order is not None:
            self._close_order(self.last_order, at)

    def _close_order(self, order: WorkOrder, at: dt.datetime) -> None:
        """Close the order on site; it was planned for the day it was closed."""
        closer = order.team.members.order_by("pk").first() or _planner(
            order.team.service, self.actor
        )
        _step(
            at,
            [order.report],
            lambda: orders.work_order_close(
                actor=closer,
                order=order,
                comment=ORDER_DONE_COMMENT,
                form_key=f"{order.create_key}-close",
            ),
        )
        day = timezone.localtime(at).date()
        WorkOrder.objects.filter(pk=order.pk).update(planned_on=day)
        event = Event.objects.filter(
            verb="work_order.created", target_type=WorkOrder._meta.label_lower,
            target_id=str(order.pk),
        ).first()  # fmt: skip
        if event is not None:
            # Dated back like its neighbours (the log refuses a save, not the demo's update).
            Event.objects.filter(pk=event.pk).update(
                data={**event.data, "planned_on": day.isoformat()}
            )

    # The whole -----------------------------------------------------------------------------

    def run(self) -> int:
        leaves = _leaves(self.authority)
        if not leaves:
            return 0
        categories = _topic_categories(leaves)
        ReportCategorySettings.objects.get_or_create(
            category=categories["danger"], defaults={"intervention_hours": URGENT_HOURS}
        )
        road = categories["pothole"].default_service
        cleaning = categories["graffiti"].default_service
        self.teams[ROAD_TEAM] = self._team(ROAD_TEAM, road)
        self.teams[CLEANING_TEAM] = (
            self._team(CLEANING_TEAM, cleaning) if cleaning != road else self.teams[ROAD_TEAM]
        )
        added = 0
        # Oldest first, so that the public numbers follow the dates.
        ordered = sorted(
            enumerate(SPECS),
            key=lambda pair: -(pair[1].age / 24 if pair[1].status == "urgent" else pair[1].age),
        )
        for index, spec in ordered:
            existing = services.report_for_submission(
                authority=self.authority, submission_key=self._key(spec)
            )
            if existing is not None:
                self.reports[spec.key] = existing
                continue
            rng = random.Random(f"{SEED}-{self.authority.slug}-{spec.key}")
            report = self._submit(spec, categories[spec.topic], rng, index)
            self.reports[spec.key] = report
            self._story(spec, report, rng)
            added += 1
        # The followers of a story weeks old were told at the time: only the last day's
        # changes are left for the worker to send.
        ReportStatusChange.objects.filter(
            report__authority=self.authority,
            notified_at__isnull=True,
            at__lt=self.now - dt.timedelta(days=1),
        ).update(notified_at=self.now)
        return added


def demo_seed(*, authority, actor) -> int:
    """Demo problem reports for the authority, with their followers, teams and work orders.
    `actor` is who plans the teams when the services have no manager. Returns how many
    reports this call added (none the second time)."""
    with transaction.atomic():
        return _Seeder(authority=authority, actor=actor, now=timezone.now()).run()
