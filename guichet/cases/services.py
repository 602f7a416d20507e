"""Writes on cases. One service per lifecycle transition; each validates, writes and records
its event in one transaction, and sends mail only once that transaction has committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.authorities.enums import Role
from guichet.authorities.models import Membership, Service
from guichet.cases import tracking
from guichet.cases.enums import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    CaseContactRole,
    Priority,
    Status,
    WaitingFor,
)
from guichet.cases.models import Case, CaseContact, CasePause, Category
from guichet.core.calendar import compute_due_date
from guichet.core.enums import Channel, Direction
from guichet.core.events import event_record
from guichet.core.files import CheckedFile
from guichet.core.references import case_reference
from guichet.interactions.enums import Purpose
from guichet.interactions.models import Interaction
from guichet.interactions.services import email_queue, interaction_record
from guichet.letters import acknowledgements


class TransitionError(ValidationError):
    pass


# Reading helpers used by the services ------------------------------------------------------


def case_can_act(user, case: Case) -> bool:
    """Acting on a case belongs to its service (and the managers above it), its assignee and
    the authority's administrators. Services that once held it keep reading, not acting."""
    scope = user.scope
    return (
        case.service_id in scope.service_ids
        or case.assignee_id == user.pk
        or case.authority_id in scope.admin_authority_ids
    )


# The status actions an agent chooses from, each taken by one service: its target status
# and the statuses it leaves from (several arrows of TRANSITIONS lead to "in progress", each
# through its own door).
STATUS_ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "start": (Status.IN_PROGRESS, frozenset({Status.NEW})),
    "wait": (Status.WAITING, frozenset({Status.NEW, Status.IN_PROGRESS})),
    "resume": (Status.IN_PROGRESS, frozenset({Status.WAITING})),
    "resolve": (Status.RESOLVED, frozenset(OPEN_STATUSES)),
    "reject": (Status.REJECTED, frozenset(OPEN_STATUSES)),
    "close": (Status.CLOSED, frozenset({Status.RESOLVED})),
    "reopen": (Status.IN_PROGRESS, frozenset(FINAL_STATUSES)),
}


def case_status_actions(case: Case) -> list[str]:
    """The status actions that make sense for the case as it stands, in a stable order."""
    allowed = TRANSITIONS.get(case.status, frozenset())
    return [
        action
        for action, (target, sources) in STATUS_ACTIONS.items()
        if case.status in sources and target in allowed
    ]


def _ensure_can_act(actor, case: Case) -> None:
    if not case_can_act(actor, case):
        raise PermissionDenied(_("Vous n'intervenez pas sur cette demande."))


def _refresh_due(case: Case, today: dt.date | None = None) -> None:
    case.due_on = case.due_explanation(today=today).due_on


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock so that two agents acting at once stay consistent."""
    locked = Case.objects.select_for_update().select_related("authority").get(pk=case.pk)
    return locked


# Other apps follow the lifecycle here (registered in their AppConfig.ready()): each is
# called inside the transition's transaction with the case at its new status.
TRANSITION_OBSERVERS: list = []
# Likewise for a transfer to another service, called with the case in its new service.
TRANSFER_OBSERVERS: list = []


def _transition(case: Case, target: str, *, actor, verb: str, data: dict | None = None) -> str:
    current = case.status
    if target not in TRANSITIONS.get(current, ()):
        raise TransitionError(
            _("Impossible de passer une demande « %(from)s » à l'état « %(to)s ».")
            % {"from": Status(current).label, "to": Status(target).label},
            code="invalid_transition",
        )
    case.status = target
    if current == Status.WAITING:
        # Leaving a wait, whatever the way out: the clock starts again and the due date
        # moves by the working days waited.
        _end_pause(case, timezone.localdate())
        case.waiting_for = ""
        _refresh_due(case)
    event_record(
        actor=actor,
        verb=verb,
        target=case,
        case=case,
        data={"from": current, "to": target, **(data or {})},
    )
    for observer in TRANSITION_OBSERVERS:
        observer(case=case, previous=current, actor=actor, data=data or {})
    return current


def _require_status(case: Case, action: str) -> None:
    """Several arrows lead to the same status; each is taken by its own service only."""
    target, sources = STATUS_ACTIONS[action]
    if case.status not in sources:
        raise TransitionError(
            _("Impossible de passer une demande « %(from)s » à l'état « %(to)s ».")
            % {"from": Status(case.status).label, "to": Status(target).label},
            code="invalid_transition",
        )


def _remember_handler(case: Case, actor) -> None:
    if getattr(actor, "is_agent", False):
        case.handlers.add(actor)


def _end_pause(case: Case, today: dt.date) -> None:
    CasePause.objects.filter(case=case, ended_on__isnull=True).update(ended_on=today)


# Creation ---------------------------------------------------------------------------------


def case_find_by_tracking_token(token: str) -> Case | None:
    return tracking.case_for_token(token)


@transaction.atomic
def case_create(
    *,
    actor,
    authority,
    category: Category,
    contact,
    subject: str,
    description: str = "",
    channel: str,
    received_at: dt.datetime | None = None,
    priority: str = Priority.NORMAL,
    service: Service | None = None,
    files: Sequence[CheckedFile] = (),
    interaction: Interaction | None = None,
    location_label: str = "",
    latitude=None,
    longitude=None,
    with_tracking_link: bool = False,
    notify: bool = True,
) -> tuple[Case, str | None]:
    """Open a case in a category, routed to the category's service, with the demand itself
    stored as the first inbound exchange. Returns the case and, when asked, the private
    tracking token to give to a person who has no account."""
    if category.authority_id != authority.pk or (contact and contact.authority_id != authority.pk):
        raise ValidationError(_("La catégorie ou l'usager n'appartient pas à cette collectivité."))
    if not category.is_active:
        raise ValidationError(_("Cette catégorie n'est plus proposée."))
    subject = " ".join((subject or "").split())
    if not subject:
        raise ValidationError({"subject": _("Indiquez l'objet de la demande.")})
    if channel not in Channel.values:
        raise ValidationError(_("Canal inconnu."))
    received_at = received_at or timezone.now()
    route = None
    if service is None:
        # Rules, then the learned suggestion for a demand to qualify, then the category.
        from guichet.routing.services import route_new_case

        route = route_new_case(
            authority=authority,
            category=category,
            channel=channel,
            contact=contact,
            latitude=latitude,
            longitude=longitude,
            text=f"{subject}\n{description}",
        )
        service = route.service
        category = route.category or category
    if service.authority_id != authority.pk:
        raise ValidationError(
            _(
                "Le service %(service)s appartient à une autre collectivité : vérifiez la "
                "catégorie « %(category)s »."
            )
            % {"service": service, "category": category}
        )
    case = Case(
        authority=authority,
        reference=case_reference(authority=authority, year=timezone.localtime(received_at).year),
        category=category,
        service=service,
        subject=subject[:255],
        description=description.strip(),
        channel=channel,
        received_at=received_at,
        priority=priority,
        delay_days=category.delay_days,
        location_label=location_label,
        latitude=latitude,
        longitude=longitude,
    )
    if with_tracking_link:
        case.tracking_nonce = tracking.new_nonce()
    case.due_on = compute_due_date(
        received_on=timezone.localtime(received_at).date(),
        delay_days=case.delay_days,
        calendar=authority.calendar,
    ).due_on
    acknowledgements.acknowledgement_prepare(case)
    case.save()
    if contact:
        CaseContact.objects.create(case=case, contact=contact, role=CaseContactRole.REQUESTER)
    from guichet.routing.services import decision_record

    decision_record(case=case, route=route, actor=actor)
    event_record(
        actor=actor,
        verb="case.created",
        target=case,
        case=case,
        contact=contact,
        data={"channel": channel, "category": category.pk, "service": service.pk},
    )
    if interaction is not None:
        Interaction.objects.filter(pk=interaction.pk).update(case=case, service=service)
        interaction.attachments.update(case=case)
    else:
        interaction_record(
            actor=actor,
            authority=authority,
            channel=channel,
            direction=Direction.IN,
            contact=contact,
            case=case,
            service=service,
            subject=subject,
            body=description,
            occurred_at=received_at,
            files=files,
        )
    # The registration receipt goes to the address the person wrote from, even when they
    # refuse replies by email (L112-14 is about replies; L112-8 wants the receipt).
    electronic = channel in (Channel.PORTAL, Channel.EMAIL, Channel.API)
    if notify and contact and contact.email and not contact.email_failing:
        if electronic or contact.can_receive_email:
            _send_registration(case=case, contact=contact, actor=actor)
    if notify:
        # The acknowledgement of receipt (CRPA L112-3): at once for a request by post, at the
        # counter or by phone; electronic ones, and any not sent here, by the recurring job.
        acknowledgements.acknowledgement_schedule(case=case)
    return case, tracking.tracking_token(case) or None


def _send_registration(*, case: Case, contact, actor) -> None:
    body = render_to_string(
        "emails/case_registered.txt",
        {
            "case": case,
            "contact": contact,
            "service": case.service,
            # The stored copy shows a placeholder; the mail task puts the link in.
            "tracking_url": tracking.LINK_PLACEHOLDER if case.tracking_nonce else "",
        },
    )
    email_queue(
        actor=actor,
        authority=case.authority,
        contact=contact,
        case=case,
        subject=_("Votre demande %(ref)s a bien été enregistrée") % {"ref": case.reference},
        body=body,
        purpose=Purpose.RECEIPT,
    )


# Assignment and transfer ------------------------------------------------------------------


def _members_of(service: Service):
    return Membership.objects.filter(
        service=service, role__in=(Role.AGENT, Role.MANAGER), user__is_active=True
    ).values_list("user_id", flat=True)


@transaction.atomic
def case_assign(*, actor, case: Case, assignee) -> Case:
    """Give the case to an agent of its service (or take it, when assignee is the actor)."""
    case = _lock(case)
    _ensure_can_act(actor, case)
    if assignee is not None and assignee.pk not in set(_members_of(case.service)):
        raise ValidationError(
            _("%(agent)s n'est pas membre du service %(service)s.")
            % {"agent": assignee, "service": case.service}
        )
    if not case.is_open:
        raise TransitionError(_("Une demande close ne peut pas être attribuée."))
    previous = case.assignee_id
    case.assignee = assignee
    event_record(
        actor=actor,
        verb="case.assigned",
        target=case,
        case=case,
        data={
            "from": previous,
            "to": assignee.pk if assignee else None,
            "to_name": (assignee.get_full_name() or assignee.email) if assignee else "",
        },
    )
    if case.status == Status.NEW and assignee is not None:
        _transition(case, Status.IN_PROGRESS, actor=actor, verb="case.started")
    case.save()
    _remember_handler(case, actor)
    if assignee is not None:
        case.handlers.add(assignee)
    return case


def case_take(*, actor, case: Case) -> Case:
    return case_assign(actor=actor, case=case, assignee=actor)


@transaction.atomic
def case_transfer(*, actor, case: Case, service: Service, reason: str) -> Case:
    """Send the case to another service of the same authority. The reason is mandatory and
    the first service keeps read access to what it did."""
    case = _lock(case)
    _ensure_can_act(actor, case)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du transfert.")})
    if service.authority_id != case.authority_id:
        raise ValidationError(_("Ce service n'appartient pas à la collectivité de la demande."))
    if service.pk == case.service_id:
        raise ValidationError(_("La demande est déjà dans ce service."))
    if not case.is_open:
        raise TransitionError(_("Une demande close ne peut pas être transférée."))
    previous = case.service
    case.past_services.add(previous)
    case.service = service
    case.assignee = None
    case.save()
    _remember_handler(case, actor)
    event_record(
        actor=actor,
        verb="case.transferred",
        target=case,
        case=case,
        data={
            "from": previous.pk,
            "from_name": previous.name,
            "to": service.pk,
            "to_name": service.name,
            "reason": reason,
        },
    )
    from guichet.cases.tasks import case_transfer_notify
    from guichet.routing.services import decision_note_transfer

    decision_note_transfer(case=case, service=service, actor=actor)
    for observer in TRANSFER_OBSERVERS:
        observer(case=case, previous=previous, actor=actor, reason=reason)
    by = actor.get_full_name() or actor.email if getattr(actor, "is_authenticated", False) else ""
    transaction.on_commit(lambda: case_transfer_notify.enqueue(case.pk, service.pk, by, reason))
    return case


@transaction.atomic
def case_set_category(*, actor, case: Case, category: Category) -> Case:
    """Put the case in its right category (a demand qualified after arrival). The promised
    delay stays the one announced at receipt; the service is not changed here."""
    case = _lock(case)
    _ensure_can_act(actor, case)
    if category.authority_id != case.authority_id or not category.is_active:
        raise ValidationError(_("Cette catégorie n'est pas proposée par la collectivité."))
    if category.pk == case.category_id:
        return case
    previous = case.category
    case.category = category
    case.save(update_fields=["category", "updated_at"])
    event_record(
        actor=actor,
        verb="case.recategorised",
        target=case,
        case=case,
        data={
            "from": previous.pk,
            "from_name": previous.label,
            "to": category.pk,
            "to_name": category.label,
        },
    )
    return case


@transaction.atomic
def case_set_priority(*, actor, case: Case, priority: str) -> Case:
    case = _lock(case)
    _ensure_can_act(actor, case)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Priorité inconnue.")})
    if priority == case.priority:
        return case
    event_record(
        actor=actor,
        verb="case.priority_changed",
        target=case,
        case=case,
        data={"from": case.priority, "to": priority},
    )
    case.priority = priority
    case.save(update_fields=["priority", "updated_at"])
    _remember_handler(case, actor)
    return case


# Status transitions -----------------------------------------------------------------------


@transaction.atomic
def case_start(*, actor, case: Case) -> Case:
    case = _lock(case)
    _ensure_can_act(actor, case)
    _require_status(case, "start")
    _transition(case, Status.IN_PROGRESS, actor=actor, verb="case.started")
    case.save()
    _remember_handler(case, actor)
    return case


@transaction.atomic
def case_wait(*, actor, case: Case, waiting_for: str, reason: str = "") -> Case:
    """Stop the clock while waiting for the person or a third party."""
    case = _lock(case)
    _ensure_can_act(actor, case)
    if waiting_for not in (WaitingFor.PERSON, WaitingFor.THIRD_PARTY):
        raise ValidationError({"waiting_for": _("Précisez qui est attendu.")})
    _transition(
        case,
        Status.WAITING,
        actor=actor,
        verb="case.waiting",
        data={"waiting_for": waiting_for, "reason": reason.strip()},
    )
    case.waiting_for = waiting_for
    CasePause.objects.create(case=case, started_on=timezone.localdate(), waiting_for=waiting_for)
    case.save()
    _remember_handler(case, actor)
    return case


@transaction.atomic
def case_resume(*, actor, case: Case) -> Case:
    """Restart the clock; the due date moves by the working days spent waiting."""
    case = _lock(case)
    if getattr(actor, "is_agent", False):
        _ensure_can_act(actor, case)
    _require_status(case, "resume")
    _transition(case, Status.IN_PROGRESS, actor=actor, verb="case.resumed")
    case.save()
    _remember_handler(case, actor)
    return case


@transaction.atomic
def case_resolve(*, actor, case: Case, resolution: str = "") -> Case:
    case = _lock(case)
    _ensure_can_act(actor, case)
    _transition(
        case,
        Status.RESOLVED,
        actor=actor,
        verb="case.resolved",
        data={"resolution": resolution.strip()},
    )
    case.resolved_at = timezone.now()
    case.save()
    _remember_handler(case, actor)
    return case


@transaction.atomic
def case_close(*, actor, case: Case) -> Case:
    case = _lock(case)
    _ensure_can_act(actor, case)
    _transition(case, Status.CLOSED, actor=actor, verb="case.closed")
    case.closed_at = timezone.now()
    case.save()
    _remember_handler(case, actor)
    return case


@transaction.atomic
def case_reject(*, actor, case: Case, reason: str) -> Case:
    case = _lock(case)
    _ensure_can_act(actor, case)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du rejet.")})
    _transition(case, Status.REJECTED, actor=actor, verb="case.rejected", data={"reason": reason})
    case.closed_at = timezone.now()
    case.save()
    _remember_handler(case, actor)
    return case


@transaction.atomic
def case_mark_duplicate(*, actor, case: Case, original: Case) -> Case:
    """Link a case to the one it repeats; the person's exchanges stay where they were."""
    case = _lock(case)
    _ensure_can_act(actor, case)
    if original.pk == case.pk:
        raise ValidationError(_("Une demande ne peut pas être le doublon d'elle-même."))
    if original.authority_id != case.authority_id:
        raise ValidationError(_("La demande d'origine appartient à une autre collectivité."))
    if original.status == Status.DUPLICATE:
        raise ValidationError(
            _("La demande %(ref)s est elle-même un doublon : liez à l'originale.")
            % {"ref": original.reference}
        )
    _transition(
        case,
        Status.DUPLICATE,
        actor=actor,
        verb="case.marked_duplicate",
        data={"original": original.pk, "original_reference": original.reference},
    )
    case.duplicate_of = original
    case.closed_at = timezone.now()
    case.save()
    _remember_handler(case, actor)
    return case


def _reopen(case: Case, *, actor, reason: str, by_person: bool = False) -> None:
    """Bring a finished case back within the authority's window. The time it stood finished
    counts as a pause, so the due date moves on by as many working days."""
    if case.status in OPEN_STATUSES:
        raise TransitionError(_("Cette demande est déjà ouverte."))
    finished_at = max((t for t in (case.resolved_at, case.closed_at) if t), default=case.updated_at)
    window = case.authority.reopen_window_days
    if timezone.now() - finished_at > dt.timedelta(days=window):
        raise TransitionError(
            _("Le délai de réouverture (%(days)d jours) est dépassé : ouvrez une nouvelle demande.")
            % {"days": window}
        )
    data = {"reason": reason.strip()}
    if by_person:
        data["by"] = "person"
    _transition(case, Status.IN_PROGRESS, actor=actor, verb="case.reopened", data=data)
    CasePause.objects.create(
        case=case,
        started_on=timezone.localtime(finished_at).date(),
        ended_on=timezone.localdate(),
        waiting_for=WaitingFor.FINISHED,
    )
    _refresh_due(case)
    case.resolved_at = None
    case.closed_at = None
    case.duplicate_of = None


@transaction.atomic
def case_reopen(*, actor, case: Case, reason: str = "") -> Case:
    """Reopen a finished case within the authority's reopening window."""
    case = _lock(case)
    _ensure_can_act(actor, case)
    _reopen(case, actor=actor, reason=reason)
    case.save()
    _remember_handler(case, actor)
    return case


# The exchanges live in their own module; these names stay importable from here.
from guichet.cases.exchanges import (  # noqa: E402, F401
    case_add_note,
    case_citizen_reply,
    case_reply,
    case_requester,
    case_submit_online,
    desk_exchange_record,
)
