"""Who may open which back-office page. Every lookup goes through a scoped queryset."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from guichet.authorities.models import Authority
from guichet.cases.models import Case
from guichet.contacts.models import Contact


def agent_required(view):
    """Signed in and an agent of at least one active authority; a citizen gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_agent:
            raise PermissionDenied("Réservé aux agents.")
        return view(request, *args, **kwargs)

    return wrapper


def authority_admin_required(view):
    """An administrator of the authority the agent is working for (see `current_authority`);
    other agents get 403. The view receives that authority as `request.authority`."""

    @agent_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        authority = current_authority(request)
        if authority.pk not in request.user.scope.admin_authority_ids:
            raise PermissionDenied("Réservé aux administrateurs de la collectivité.")
        request.authority = authority
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class CaseAccess:
    case: Case
    full: bool  # False: the front-desk summary only (reference, category, status, service)


def get_case_for_user_or_404(user, pk: int) -> CaseAccess:
    case = (
        Case.objects.visible_to(user)
        .select_related("authority", "category", "service", "assignee", "duplicate_of")
        .filter(pk=pk)
        .first()
    )
    if case is not None:
        return CaseAccess(case, True)
    summary = (
        Case.objects.orientable_by(user)
        .select_related("authority", "category", "service")
        .only(
            "id",
            "reference",
            "status",
            "received_at",
            "due_on",
            "authority",
            "category",
            "service",
            "channel",
            *[
                f"authority__{f}"
                for f in ("name", "slug", "display_name", "primary_color", "accent_color", "logo")
            ],
            "category__label",
            "service__name",
            "service__phone",
            "service__email",
        )
        .filter(pk=pk)
        .first()
    )
    if summary is None:
        raise Http404("Demande introuvable.")
    return CaseAccess(summary, False)


def get_contact_for_user_or_404(user, pk: int) -> Contact:
    contact = Contact.objects.visible_to(user).select_related("authority").filter(pk=pk).first()
    if contact is None:
        raise Http404("Usager introuvable.")
    return contact


def current_authority(request) -> Authority:
    """The authority the agent is working for: chosen in the session, else their first."""
    ids = sorted(request.user.scope.authority_ids)
    if not ids:
        raise PermissionDenied
    chosen = request.session.get("authority_id")
    if chosen not in ids:
        chosen = ids[0]
    return Authority.objects.get(pk=chosen)
