"""The home of the back office: the queues of my services, with counters and filters."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.accounts.models import User
from guichet.authorities.enums import Role
from guichet.authorities.models import Service
from guichet.cases.enums import OPEN_STATUSES, Status
from guichet.cases.models import Case, Category
from guichet.cases.querysets import overdue_condition
from guichet.core.enums import Channel
from guichet.www.backoffice.access import agent_required, current_authority
from guichet.www.backoffice.views.register import register_alerts

SORTS = {
    "due": ("due_on", "priority_rank", "received_at"),
    "-due": ("-due_on", "-received_at"),
    "received": ("received_at", "id"),
    "-received": ("-received_at", "-id"),
    "priority": ("priority_rank", "due_on", "received_at"),
}
STATUS_FILTERS = {
    "open": OPEN_STATUSES,
    "finished": (Status.RESOLVED, Status.CLOSED, Status.REJECTED, Status.DUPLICATE),
    **{s.value: (s.value,) for s in Status},
}


def queue_base(user):
    """The cases of the agent's services (a manager's whole direction); for administrators
    and the DPO, their whole authority."""
    scope = user.scope
    visible = Case.objects.visible_to(user)
    if scope.service_ids:
        services = Q(service_id__in=scope.service_ids)
        if scope.full_authority_ids:
            services |= Q(authority_id__in=scope.full_authority_ids)
        return visible.filter(services)
    return visible


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@agent_required
def queue(request):
    user = request.user
    scope = user.scope
    authority = current_authority(request)
    base = queue_base(user).filter(authority=authority)
    today = timezone.localdate()

    counters = base.filter(status__in=OPEN_STATUSES).aggregate(
        new=Count("id", filter=Q(status=Status.NEW)),
        mine=Count("id", filter=Q(assignee=user)),
        overdue=Count("id", filter=overdue_condition(today)),
        waiting=Count("id", filter=Q(status=Status.WAITING)),
        # Waiting for an agent to settle their routing (see the routing app).
        to_qualify=Count(
            "id",
            filter=Q(routing_decision__method="pending", routing_decision__outcome=""),
        ),
    )

    params = request.GET
    status = params.get("status") or "open"
    cases = base.filter(status__in=STATUS_FILTERS.get(status, OPEN_STATUSES))
    service_id = _int(params.get("service"))
    if service_id:
        cases = cases.filter(service_id=service_id)
    category_id = _int(params.get("category"))
    if category_id:
        cases = cases.filter(category_id=category_id)
    channel = params.get("channel")
    if channel in Channel.values:
        cases = cases.filter(channel=channel)
    assignee = params.get("assignee")
    if assignee == "me":
        cases = cases.assigned_to(user)
    elif assignee == "none":
        cases = cases.filter(assignee__isnull=True)
    elif _int(assignee):
        cases = cases.filter(assignee_id=_int(assignee))
    if params.get("overdue") == "1":
        cases = cases.overdue(today)
    sort = params.get("sort") if params.get("sort") in SORTS else "due"
    cases = cases.for_queue().order_by(*SORTS[sort])

    paginator = Paginator(cases, settings.GUICHET_QUEUE_PAGE_SIZE)
    page_obj = paginator.get_page(params.get("page"))
    querystring = params.copy()
    querystring.pop("page", None)

    services = Service.objects.filter(
        Q(pk__in=scope.service_ids) | Q(authority_id__in=scope.full_authority_ids),
        authority=authority,
    ).order_by("name")
    categories = (
        Category.objects.filter(authority=authority, is_active=True)
        .order_by("label")
        .only("id", "label")
    )
    assignees = (
        User.objects.filter(
            memberships__service_id__in=scope.service_ids,
            memberships__role__in=(Role.AGENT, Role.MANAGER),
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
    return render(
        request,
        "backoffice/queue.html",
        {
            "authority": authority,
            "counters": counters,
            "page_obj": page_obj,
            "cases": page_obj.object_list,
            "querystring_base": (querystring.urlencode() + "&") if querystring else "",
            "filters": {
                "status": status,
                "service": service_id,
                "category": category_id,
                "channel": channel or "",
                "assignee": assignee or "",
                "overdue": params.get("overdue") == "1",
                "sort": sort,
            },
            "status_choices": [("open", _("Ouvertes")), ("finished", _("Terminées"))]
            + [(s.value, s.label) for s in Status],
            "services": services,
            "categories": categories,
            "channels": Channel.choices,
            "assignees": assignees,
            "today": today,
            "register_alerts": register_alerts(user, authority),
            "register_follow_up_days": settings.GUICHET_REGISTER_FOLLOW_UP_DAYS,
        },
    )
