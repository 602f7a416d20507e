"""Work orders for field teams: the teams of a service, the orders planned for a day, and
the closing of an order on site. Planning schedules the report (the public status and the
followers' notifications follow); closing fixes it, or leaves it in progress."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from guichet.authorities.models import Membership
from guichet.cases.services import case_can_act
from guichet.core.events import event_record
from guichet.reports import services as report_services
from guichet.reports.enums import OPEN_REPORT_STATUSES, ReportStatus
from guichet.reports.models import FieldTeam, Report, WorkOrder, WorkOrderStatus
from guichet.reports.photos import PreparedPhoto

# Who may do what --------------------------------------------------------------------------


def team_can_plan(user, team: FieldTeam) -> bool:
    """The manager of the team's service (or of a service above it) and administrators."""
    scope = user.scope
    return (
        team.service_id in scope.managed_service_ids
        or team.authority_id in scope.admin_authority_ids
    )


def work_order_can_close(user, order: WorkOrder) -> bool:
    """Members of the team (still agents of its service), agents acting on the report's
    case, and planners."""
    return (
        case_can_act(user, order.report.case)
        or team_can_plan(user, order.team)
        or FieldTeam.objects.with_member(user).filter(pk=order.team_id).exists()
    )


# Teams ------------------------------------------------------------------------------------


@transaction.atomic
def field_team_save(
    *, actor, service, name: str, members=(), team: FieldTeam | None = None
) -> FieldTeam:
    """Create or change a team. Its members must be agents of its service."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Donnez un nom à l'équipe.")})
    probe = team or FieldTeam(authority_id=service.authority_id, service=service)
    probe.service = service
    if not team_can_plan(actor, probe):
        raise PermissionDenied(_("Seul le responsable du service planifie ses équipes."))
    members = list(members)
    allowed = set(
        Membership.objects.filter(service=service, user__in=[m.pk for m in members]).values_list(
            "user_id", flat=True
        )
    )
    if any(m.pk not in allowed for m in members):
        raise ValidationError({"members": _("Les membres doivent être agents du service.")})
    if (
        FieldTeam.objects.filter(service=service, name=name)
        .exclude(pk=getattr(team, "pk", None))
        .exists()
    ):
        raise ValidationError({"name": _("Une équipe de ce service porte déjà ce nom.")})
    created = team is None
    if created:
        team = FieldTeam.objects.create(
            authority_id=service.authority_id, service=service, name=name
        )
    else:
        team.name = name
        team.service = service
        team.save(update_fields=["name", "service"])
    team.members.set(members)
    event_record(
        actor=actor,
        verb="field_team.created" if created else "field_team.changed",
        target=team,
        data={"members": sorted(m.pk for m in members), "service": service.pk},
    )
    return team


# Orders -----------------------------------------------------------------------------------


def _lock(order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update()
        .select_related("report", "report__case", "team")
        .get(pk=order.pk)
    )


def _check_day(planned_on: dt.date | None) -> None:
    if planned_on is None:
        raise ValidationError({"planned_on": _("Indiquez la date prévue.")})
    if planned_on < timezone.localdate():
        raise ValidationError({"planned_on": _("La date prévue ne peut pas être passée.")})


@transaction.atomic
def work_order_create(
    *,
    actor,
    report: Report,
    team: FieldTeam,
    planned_on: dt.date,
    planned_at: dt.time | None = None,
    form_key: str = "",
) -> WorkOrder:
    """Plan an intervention on a report for a team and a day. The report is scheduled for
    that day (its followers are told once). The same form key gives the same order."""
    form_key = (form_key or "")[:64]
    if team.authority_id != report.authority_id:
        raise ValidationError(_("L'équipe appartient à une autre collectivité."))
    if not team_can_plan(actor, team):
        raise PermissionDenied(_("Seul le responsable du service planifie ses équipes."))
    # Locked first, so that the same form sent twice at once waits here and finds the order.
    report = (
        Report.objects.select_for_update().select_related("case", "case__service").get(pk=report.pk)
    )
    if form_key:
        existing = WorkOrder.objects.filter(
            authority_id=report.authority_id, create_key=form_key
        ).first()
        if existing is not None:
            return existing
    # The team's members act on the case when they close the order on site: a team of the
    # service in charge, then.
    if team.service_id != report.case.service_id:
        raise ValidationError(
            {
                "team": _(
                    "Choisissez une équipe du service en charge du signalement (%(service)s)."
                )
                % {"service": report.case.service.name}
            }
        )
    if not team.is_active:
        raise ValidationError({"team": _("Cette équipe n'est plus active.")})
    _check_day(planned_on)
    if report.status not in OPEN_REPORT_STATUSES:
        raise ValidationError(_("Ce signalement n'est plus ouvert."))
    if report.work_orders.filter(status=WorkOrderStatus.PLANNED).exists():
        raise ValidationError(_("Un bon d'intervention est déjà prévu pour ce signalement."))
    if report.status == ReportStatus.ACTION_SCHEDULED:
        report.planned_on = planned_on
        report.save(update_fields=["planned_on"])
    else:
        report = report_services.report_schedule(actor=actor, report=report, planned_on=planned_on)
    order = WorkOrder.objects.create(
        authority_id=report.authority_id,
        report=report,
        team=team,
        planned_on=planned_on,
        planned_at=planned_at,
        create_key=form_key,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event_record(
        actor=actor,
        verb="work_order.created",
        target=order,
        case=report.case,
        data={"report": report.pk, "team": team.pk, "planned_on": planned_on.isoformat()},
    )
    return order


@transaction.atomic
def work_order_reschedule(
    *, actor, order: WorkOrder, planned_on: dt.date, planned_at: dt.time | None = None
) -> WorkOrder:
    """Move a planned order to another day (the report's planned day follows)."""
    order = _lock(order)
    if not team_can_plan(actor, order.team):
        raise PermissionDenied(_("Seul le responsable du service planifie ses équipes."))
    if order.status != WorkOrderStatus.PLANNED:
        raise ValidationError(_("Ce bon d'intervention n'est plus prévu."))
    _check_day(planned_on)
    before = order.planned_on
    order.planned_on, order.planned_at = planned_on, planned_at
    order.save(update_fields=["planned_on", "planned_at"])
    report = order.report
    if report.status == ReportStatus.ACTION_SCHEDULED:
        report.planned_on = planned_on
        report.save(update_fields=["planned_on"])
    event_record(
        actor=actor,
        verb="work_order.rescheduled",
        target=order,
        case=report.case,
        data={"from": before.isoformat(), "to": planned_on.isoformat()},
    )
    return order


@transaction.atomic
def work_order_cancel(*, actor, order: WorkOrder, reason: str = "") -> WorkOrder:
    """Cancel a planned order. The report keeps its status; its planned day is cleared when
    no other order is planned on it."""
    order = _lock(order)
    if not team_can_plan(actor, order.team):
        raise PermissionDenied(_("Seul le responsable du service planifie ses équipes."))
    if order.status != WorkOrderStatus.PLANNED:
        raise ValidationError(_("Ce bon d'intervention n'est plus prévu."))
    _cancel(actor=actor, orders=[order], report=order.report, reason=reason, automatic=False)
    return order


def work_orders_cancel_planned(
    *, actor, report: Report, reason: str, exclude_service_id: int | None = None
) -> int:
    """Cancel the orders still planned on a report (inside the caller's transaction): when
    the report is over, or, with `exclude_service_id`, those of teams of other services
    once its case has moved. Returns how many were cancelled."""
    orders = WorkOrder.objects.select_for_update().filter(
        report=report, status=WorkOrderStatus.PLANNED
    )
    if exclude_service_id is not None:
        orders = orders.exclude(team__service_id=exclude_service_id)
    return _cancel(actor=actor, orders=list(orders), report=report, reason=reason, automatic=True)


def _cancel(*, actor, orders: list[WorkOrder], report: Report, reason: str, automatic: bool):
    """Cancel locked, planned orders of a report, each with its event; the report's planned
    day is cleared when no order is left planned on it."""
    now = timezone.now()
    reason = " ".join((reason or "").split())[:500]
    for order in orders:
        order.status = WorkOrderStatus.CANCELLED
        order.cancel_reason = reason
        order.closed_at = now
        order.save(update_fields=["status", "cancel_reason", "closed_at"])
        event_record(
            actor=actor,
            verb="work_order.cancelled",
            target=order,
            case=report.case,
            data={"reason": reason, "automatic": automatic},
        )
    if orders and not report.work_orders.filter(status=WorkOrderStatus.PLANNED).exists():
        Report.objects.filter(pk=report.pk).update(planned_on=None)
        report.planned_on = None
    return len(orders)


def work_orders_follow_transfer(*, case, previous, actor, reason: str) -> None:
    """A case moved to another service: the orders its former service's teams had planned
    on its report are cancelled (the new service plans its own). Called by the transfer,
    inside its transaction."""
    report = Report.objects.filter(case_id=case.pk).first()
    if report is None:
        return
    # Stored, so in the site's language, not the acting agent's.
    with override(settings.LANGUAGE_CODE):
        reason = _("Demande transférée au service %(service)s.") % {"service": case.service.name}
    work_orders_cancel_planned(
        actor=actor, report=report, reason=reason, exclude_service_id=case.service_id
    )


@transaction.atomic
def work_order_close(
    *,
    actor,
    order: WorkOrder,
    comment: str,
    finished: bool = True,
    photo: PreparedPhoto | None = None,
    publish_photo: bool = False,
    form_key: str = "",
) -> WorkOrder:
    """Close an order on site: a comment (required), a photo (optional, stored as the
    agents' photo of the report; its clean copy public only when asked). The report is
    fixed, or put in progress when the work is not finished. The same form sent twice
    closes once."""
    form_key = (form_key or "")[:64]
    order = _lock(order)
    if order.status == WorkOrderStatus.DONE and form_key and order.close_key == form_key:
        return order
    if not work_order_can_close(actor, order):
        raise PermissionDenied(_("Vous n'intervenez pas sur ce bon."))
    if order.status == WorkOrderStatus.CANCELLED:
        raise ValidationError(
            _("Ce bon d'intervention a été annulé : %(reason)s")
            % {"reason": order.cancel_reason or _("sans motif indiqué.")}
        )
    if order.status != WorkOrderStatus.PLANNED:
        raise ValidationError(_("Ce bon d'intervention est déjà clos."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Décrivez ce qui a été fait.")})
    report = order.report
    # Done before the report moves, so that fixing the report does not cancel this order
    # with the other planned ones.
    order.status = WorkOrderStatus.DONE
    order.save(update_fields=["status"])
    if photo is not None:
        stored = report_services.report_photo_add(actor=actor, report=report, photo=photo)
        stored.is_public = bool(publish_photo)
        stored.save(update_fields=["is_public"])
        order.closing_photos.add(stored)
    if report.status in OPEN_REPORT_STATUSES:
        if finished:
            report_services.report_fix(actor=actor, report=report)
        elif report.status != ReportStatus.IN_PROGRESS:
            report_services.report_start_work(actor=actor, report=report)
    order.closed_by = actor
    order.closed_at = timezone.now()
    order.closing_comment = comment
    order.work_finished = bool(finished)
    order.close_key = form_key
    order.save(
        update_fields=[
            "status",
            "closed_by",
            "closed_at",
            "closing_comment",
            "work_finished",
            "close_key",
        ]
    )
    event_record(
        actor=actor,
        verb="work_order.closed",
        target=order,
        case=report.case,
        data={"finished": bool(finished), "photo": photo is not None},
    )
    return order


# The day's route ---------------------------------------------------------------------------


def route_order(orders: list[WorkOrder], *, by: str = "time") -> list[WorkOrder]:
    """The day's orders by planned time, or as a route from the first one: each next stop
    is the nearest point not yet visited (orders without a point come last)."""
    by_time = sorted(orders, key=lambda o: (o.planned_at is None, o.planned_at or dt.time(), o.pk))
    if by != "proximity":
        return by_time
    placed = [o for o in by_time if o.report.has_point]
    rest = [o for o in by_time if not o.report.has_point]
    route: list[WorkOrder] = []
    while placed:
        if not route:
            route.append(placed.pop(0))
            continue
        last = route[-1].report
        nearest = min(
            range(len(placed)),
            key=lambda i: _distance(last, placed[i].report),
        )
        route.append(placed.pop(nearest))
    return route + rest


def _distance(a: Report, b: Report) -> float:
    x = math.radians(b.longitude - a.longitude) * math.cos(
        math.radians((a.latitude + b.latitude) / 2)
    )
    return math.hypot(x, math.radians(b.latitude - a.latitude))
