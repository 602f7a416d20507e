"""Work orders in the back office: field teams (planned by the service's manager or an
administrator), the order of a report, a team's day with its map and route, and the phone
page where the field agent sees the report's photos and closes an order with a comment and
a photo."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guichet.accounts.models import User
from guichet.authorities.models import Service
from guichet.core.maps import allow_map_tiles, map_tile_context
from guichet.reports import workorders
from guichet.reports.models import FieldTeam, WorkOrder, WorkOrderStatus
from guichet.reports.photos import photo_prepare
from guichet.www.backoffice.access import agent_required, current_authority
from guichet.www.backoffice.views.reports import get_report_for_user_or_404
from guichet.www.photos import report_photo_response


def get_work_order_for_user_or_404(user, pk: int) -> WorkOrder:
    order = (
        WorkOrder.objects.visible_to(user)
        .select_related("report", "report__case", "report__category", "team", "closed_by")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404(_("Bon d'intervention introuvable."))
    return order


def _team_or_404(user, pk) -> FieldTeam:
    team = FieldTeam.objects.visible_to(user).filter(pk=pk).select_related("service").first()
    if team is None:
        raise Http404(_("Équipe introuvable."))
    return team


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _time(raw: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValidationError({"planned_at": _("Heure illisible.")}) from None


# Teams ------------------------------------------------------------------------------------


def _plannable_services(user, authority):
    scope = user.scope
    services = Service.objects.filter(authority=authority)
    if authority.pk in scope.admin_authority_ids:
        return services.order_by("name")
    return services.filter(pk__in=scope.managed_service_ids).order_by("name")


@agent_required
@require_http_methods(["GET", "POST"])
def teams(request, pk: int | None = None):
    """The teams the agent sees; a planner creates one or changes it here."""
    authority = current_authority(request)
    team = _team_or_404(request.user, pk) if pk is not None else None
    if team is not None and not workorders.team_can_plan(request.user, team):
        raise PermissionDenied(_("Seul le responsable du service planifie ses équipes."))
    services = list(_plannable_services(request.user, authority))
    errors: list[str] = []
    if request.method == "POST":
        if not services:
            raise PermissionDenied(_("Seul le responsable du service planifie ses équipes."))
        service = next((s for s in services if str(s.pk) == request.POST.get("service")), None)
        member_ids = [m for m in request.POST.getlist("members") if m.isdigit()]
        members = list(User.objects.filter(pk__in=member_ids, memberships__authority=authority))
        if service is None:
            errors.append(_("Choisissez un service."))
        elif len(set(member_ids)) != len({m.pk for m in members}):
            errors.append(_("Les membres doivent être agents du service."))
        else:
            try:
                saved = workorders.field_team_save(
                    actor=request.user,
                    service=service,
                    name=request.POST.get("name", ""),
                    members=members,
                    team=team,
                )
            except ValidationError as error:
                errors = _errors(error)
            else:
                messages.success(request, _("Équipe « %(name)s » enregistrée.") % {"name": saved})
                return redirect("backoffice:workorder_teams")
    rows = list(
        FieldTeam.objects.visible_to(request.user)
        .filter(authority=authority)
        .select_related("service")
    )
    # A member moved out of the team's service no longer counts: the planner sees them
    # apart, and saving the team without them tidies it up.
    if team is not None:
        team = next((r for r in rows if r == team), team)
    shown = rows + ([team] if team is not None and team not in rows else [])
    links: dict[int, list] = {}
    for link in FieldTeam.objects.filter(pk__in=[t.pk for t in shown]).member_links():
        links.setdefault(link.fieldteam_id, []).append(link)
    for row in shown:
        row.can_plan = workorders.team_can_plan(request.user, row)
        row.current_members = [k.user for k in links.get(row.pk, []) if k.current]
        row.former_members = [k.user for k in links.get(row.pk, []) if not k.current]
    agents = (
        User.objects.filter(memberships__service__in=services).distinct().order_by("email")
        if services
        else User.objects.none()
    )
    return render(
        request,
        "backoffice/workorders/teams.html",
        {
            "teams": rows,
            "team": team,
            "services": services,
            "agents": agents,
            "errors": errors,
            "chosen_members": {m.pk for m in team.current_members} if team else set(),
            "former_members": team.former_members if team else [],
        },
        status=400 if errors else 200,
    )


# Planning an order ------------------------------------------------------------------------


@agent_required
@require_http_methods(["GET", "POST"])
def work_order_new(request, report_pk: int):
    report = get_report_for_user_or_404(request.user, report_pk)
    # The teams of the service in charge of the report, among those the agent plans.
    teams = [
        t
        for t in FieldTeam.objects.plannable_by(request.user)
        .filter(
            authority_id=report.authority_id,
            service_id=report.case.service_id,
            is_active=True,
        )
        .select_related("service")
    ]
    if not teams:
        raise PermissionDenied(
            _(
                "Seul le responsable du service en charge du signalement planifie ses "
                "équipes, et ce service doit avoir une équipe active."
            )
        )
    errors: list[str] = []
    values = {"form_key": uuid.uuid4().hex, "planned_on": "", "planned_at": "", "team": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        team = next((t for t in teams if str(t.pk) == values["team"]), None)
        planned_on = _day(values["planned_on"])
        try:
            if team is None:
                raise ValidationError({"team": _("Choisissez une équipe.")})
            if planned_on is None:
                raise ValidationError({"planned_on": _("Indiquez une date valide.")})
            order = workorders.work_order_create(
                actor=request.user,
                report=report,
                team=team,
                planned_on=planned_on,
                planned_at=_time(values["planned_at"]),
                form_key=values["form_key"],
            )
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("Bon d'intervention créé."))
            return redirect("backoffice:workorder_detail", order.pk)
    return render(
        request,
        "backoffice/workorders/new.html",
        {"report": report, "teams": teams, "values": values, "errors": errors},
        status=400 if errors else 200,
    )


@agent_required
@require_POST
def work_order_reschedule(request, pk: int):
    order = get_work_order_for_user_or_404(request.user, pk)
    planned_on = _day(request.POST.get("planned_on", ""))
    try:
        if planned_on is None:
            raise ValidationError({"planned_on": _("Indiquez une date valide.")})
        workorders.work_order_reschedule(
            actor=request.user,
            order=order,
            planned_on=planned_on,
            planned_at=_time(request.POST.get("planned_at", "")),
        )
    except ValidationError as error:
        return _back_with_errors(request, order, error)
    messages.success(request, _("Bon d'intervention replanifié."))
    return redirect("backoffice:workorder_detail", order.pk)


@agent_required
@require_POST
def work_order_cancel(request, pk: int):
    order = get_work_order_for_user_or_404(request.user, pk)
    try:
        workorders.work_order_cancel(
            actor=request.user, order=order, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        return _back_with_errors(request, order, error)
    messages.success(request, _("Bon d'intervention annulé."))
    return redirect("backoffice:workorder_detail", order.pk)


def _back_with_errors(request, order, error):
    return _detail(request, order, errors=_errors(error), status=400)


# The team's day and the order on the phone -----------------------------------------------


@agent_required
def work_order_day(request):
    """A team's orders for a day, on a map and as a route (by time or by proximity)."""
    authority = current_authority(request)
    teams = list(
        FieldTeam.objects.visible_to(request.user)
        .filter(authority=authority, is_active=True)
        .select_related("service")
    )
    errors = []
    raw_day = request.GET.get("day", "")
    day = _day(raw_day) if raw_day else timezone.localdate()
    if day is None:
        errors.append(_("Date illisible."))
    team = None
    raw_team = request.GET.get("team", "")
    if raw_team:
        team = next((t for t in teams if str(t.pk) == raw_team), None)
        if team is None:
            raise Http404(_("Équipe introuvable."))
    elif teams:
        member_of = set(FieldTeam.objects.with_member(request.user).values_list("pk", flat=True))
        mine = [t for t in teams if t.pk in member_of]
        team = (mine or teams)[0]
    by = request.GET.get("by", "time")
    if by not in ("time", "proximity"):
        errors.append(_("Ordre inconnu."))
    orders = []
    if team is not None and not errors:
        rows = list(
            WorkOrder.objects.visible_to(request.user)
            .filter(team=team, planned_on=day)
            .exclude(status=WorkOrderStatus.CANCELLED)
            .for_day_list()
        )
        orders = workorders.route_order(rows, by=by)
    response = render(
        request,
        "backoffice/workorders/day.html",
        {
            "teams": teams,
            "team": team,
            "day": day or timezone.localdate(),
            "by": by,
            "orders": orders,
            "errors": errors,
            "points": [
                {
                    "lat": o.report.latitude,
                    "lon": o.report.longitude,
                    "n": i,
                    "label": f"{i}. {o.report.public_id} — {o.report.category.label}",
                    "url": reverse("backoffice:workorder_detail", args=[o.pk]),
                    "done": o.status == WorkOrderStatus.DONE,
                }
                for i, o in enumerate(orders, start=1)
                if o.report.has_point
            ],
            **map_tile_context(),
        },
        status=400 if errors else 200,
    )
    return allow_map_tiles(response)


def _detail(request, order, *, errors=(), field_errors=None, close=None, status=200):
    """The order's page. `close` holds what the agent typed in a close that was refused,
    so that the form comes back as they left it, with each error beside its field."""
    report = order.report
    close = close or {}
    return render(
        request,
        "backoffice/workorders/detail.html",
        {
            "order": order,
            "report": report,
            "description": report.case.description,
            "photos": list(report.photos.all()),
            "can_close": order.is_planned and workorders.work_order_can_close(request.user, order),
            "can_plan": order.is_planned and workorders.team_can_plan(request.user, order.team),
            "form_key": close.get("form_key") or uuid.uuid4().hex,
            "close": {
                "comment": close.get("comment", ""),
                "finished": close.get("finished", "1"),
                "publish": close.get("publish", ""),
                "photo_dropped": close.get("photo_dropped", False),
            },
            "errors": errors,
            "field_errors": field_errors or {},
            "today": timezone.localdate(),
        },
        status=status,
    )


@agent_required
def work_order_detail(request, pk: int):
    return _detail(request, get_work_order_for_user_or_404(request.user, pk))


@agent_required
@require_POST
def work_order_close(request, pk: int):
    order = get_work_order_for_user_or_404(request.user, pk)
    if not workorders.work_order_can_close(request.user, order):
        raise PermissionDenied(_("Vous n'intervenez pas sur ce bon."))
    typed = {
        "comment": request.POST.get("comment", ""),
        "finished": "1" if request.POST.get("finished", "1") == "1" else "0",
        "publish": "1" if request.POST.get("publish") == "1" else "",
        "form_key": request.POST.get("form_key", ""),
    }
    upload = request.FILES.get("photo")
    try:
        try:
            photo = photo_prepare(upload, filename=upload.name) if upload else None
        except ValidationError as error:
            raise ValidationError({"photo": error.messages}) from None
        workorders.work_order_close(
            actor=request.user,
            order=order,
            comment=typed["comment"],
            finished=typed["finished"] == "1",
            photo=photo,
            publish_photo=typed["publish"] == "1",
            form_key=typed["form_key"],
        )
    except ValidationError as error:
        fields = error.message_dict if hasattr(error, "error_dict") else {}
        field_errors = {k: v for k, v in fields.items() if k in ("comment", "photo")}
        others = [m for k, v in fields.items() if k not in field_errors for m in v]
        # A browser never fills a file input again: a good photo sent with a refused close
        # has to be chosen once more, and the agent is told so.
        typed["photo_dropped"] = bool(upload) and "photo" not in field_errors
        return _detail(
            request,
            order,
            errors=others if fields else _errors(error),
            field_errors=field_errors,
            close=typed,
            status=400,
        )
    messages.success(request, _("Bon d'intervention clos."))
    return redirect("backoffice:workorder_detail", order.pk)


@agent_required
@require_GET
def work_order_photo(request, pk: int, photo_pk: int, size: str = "display"):
    """A photo of the order's report, public or not, for the agents who see the order: the
    copy re-encoded without metadata, light enough for a phone on site."""
    order = get_work_order_for_user_or_404(request.user, pk)
    photo = order.report.photos.filter(pk=photo_pk).first()
    # Never kept by a shared cache: only the agents who see the order may see it.
    return report_photo_response(photo, size=size, cache_control="private")
