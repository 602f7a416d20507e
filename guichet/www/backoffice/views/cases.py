"""The case page and its actions. Each action is a POST that calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guichet.accounts.models import User
from guichet.authorities.enums import Role
from guichet.authorities.models import Service
from guichet.cases import services
from guichet.cases.enums import Status
from guichet.cases.models import Case, CaseContact
from guichet.cases.timeline import case_timeline
from guichet.core.maps import allow_map_tiles, map_tile_context
from guichet.core.references import normalise_reference
from guichet.interactions.models import Attachment
from guichet.reports.models import Report
from guichet.reports.moderation import report_can_moderate
from guichet.www.backoffice.access import agent_required, get_case_for_user_or_404
from guichet.www.backoffice.forms import (
    AssignForm,
    DuplicateForm,
    NoteForm,
    PriorityForm,
    StatusForm,
    TransferForm,
)
from guichet.www.backoffice.views.letters import ReplyChannelForm, reply_form_context


def _service_agents(case):
    return (
        User.objects.filter(
            memberships__service_id=case.service_id,
            memberships__role__in=(Role.AGENT, Role.MANAGER),
            is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def _transfer_services(case):
    return (
        Service.objects.filter(authority_id=case.authority_id, is_active=True)
        .exclude(pk=case.service_id)
        .order_by("name")
    )


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [m for msgs in error.message_dict.values() for m in msgs]
    return error.messages


def _render_case(request, case, *, forms=None, status=200):
    can_act = services.case_can_act(request.user, case)
    forms = forms or {}
    context = {
        "authority": case.authority,
        "case": case,
        "full": True,
        "can_act": can_act,
        "timeline": case_timeline(case),
        "contacts": CaseContact.objects.filter(case=case).select_related("contact"),
        "due": case.due_explanation(),
        "note_form": forms.get("note") or NoteForm(),
        "status_form": forms.get("status") or StatusForm(),
        "status_actions": [
            (action, label)
            for action, label in StatusForm.ACTIONS
            if action in services.case_status_actions(case)
        ],
        "duplicate_form": forms.get("duplicate") or DuplicateForm(),
        "Status": Status,
    }
    if can_act:
        context.update(reply_form_context(case, forms.get("reply")))
        context["assign_form"] = forms.get("assign") or AssignForm(agents=_service_agents(case))
        context["priority_form"] = forms.get("priority") or PriorityForm(
            initial={"priority": case.priority}
        )
        context["transfer_form"] = forms.get("transfer") or TransferForm(
            services=_transfer_services(case)
        )
    # A problem report's panel shows its point on a map, with tiles when configured.
    context.update(map_tile_context())
    try:
        report = case.report  # read once: the panel's template reads the same one
    except Report.DoesNotExist:
        report = None
    context["can_moderate"] = report is not None and report_can_moderate(request.user, report)
    return allow_map_tiles(render(request, "backoffice/cases/detail.html", context, status=status))


@agent_required
def case_detail(request, pk: int):
    access = get_case_for_user_or_404(request.user, pk)
    if not access.full:
        return render(
            request,
            "backoffice/cases/summary.html",
            {"authority": access.case.authority, "case": access.case},
        )
    return _render_case(request, access.case)


def _case_for_action(request, pk):
    access = get_case_for_user_or_404(request.user, pk)
    if not access.full or not services.case_can_act(request.user, access.case):
        raise PermissionDenied(_("Vous n'intervenez pas sur cette demande."))
    return access.case


def _done(request, case, message):
    messages.success(request, message)
    return redirect("backoffice:case_detail", pk=case.pk)


def _failed(request, case, form_name, form, error: ValidationError | None = None):
    if error is not None:
        for message in _error_messages(error):
            form.add_error(None, message)
    return _render_case(request, case, forms={form_name: form}, status=400)


@require_POST
@agent_required
def case_take(request, pk: int):
    case = _case_for_action(request, pk)
    try:
        services.case_take(actor=request.user, case=case)
    except ValidationError as error:
        messages.error(request, " ".join(_error_messages(error)))
        return redirect("backoffice:case_detail", pk=case.pk)
    return _done(request, case, _("Vous avez pris la demande en charge."))


@require_POST
@agent_required
def case_assign(request, pk: int):
    case = _case_for_action(request, pk)
    form = AssignForm(request.POST, agents=_service_agents(case))
    if not form.is_valid():
        return _failed(request, case, "assign", form)
    try:
        services.case_assign(actor=request.user, case=case, assignee=form.cleaned_data["assignee"])
    except ValidationError as error:
        return _failed(request, case, "assign", form, error)
    return _done(request, case, _("Attribution enregistrée."))


@require_POST
@agent_required
def case_status(request, pk: int):
    case = _case_for_action(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, "status", form)
    action = form.cleaned_data["action"]
    reason = form.cleaned_data.get("reason") or ""
    actor = request.user
    calls = {
        "start": lambda: services.case_start(actor=actor, case=case),
        "wait": lambda: services.case_wait(
            actor=actor,
            case=case,
            waiting_for=form.cleaned_data.get("waiting_for") or "",
            reason=reason,
        ),
        "resume": lambda: services.case_resume(actor=actor, case=case),
        "resolve": lambda: services.case_resolve(actor=actor, case=case, resolution=reason),
        "close": lambda: services.case_close(actor=actor, case=case),
        "reject": lambda: services.case_reject(actor=actor, case=case, reason=reason),
        "reopen": lambda: services.case_reopen(actor=actor, case=case, reason=reason),
    }
    try:
        updated = calls[action]()
    except ValidationError as error:
        return _failed(request, case, "status", form, error)
    return _done(
        request, case, _("Statut : %(status)s.") % {"status": updated.get_status_display()}
    )


@require_POST
@agent_required
def case_priority(request, pk: int):
    case = _case_for_action(request, pk)
    form = PriorityForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, "priority", form)
    updated = services.case_set_priority(
        actor=request.user, case=case, priority=form.cleaned_data["priority"]
    )
    return _done(
        request, case, _("Priorité : %(priority)s.") % {"priority": updated.get_priority_display()}
    )


@require_POST
@agent_required
def case_note(request, pk: int):
    case = _case_for_action(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, "note", form)
    try:
        services.case_add_note(actor=request.user, case=case, body=form.cleaned_data["body"])
    except ValidationError as error:
        return _failed(request, case, "note", form, error)
    return _done(request, case, _("Note ajoutée."))


@require_POST
@agent_required
def case_reply(request, pk: int):
    case = _case_for_action(request, pk)
    form = ReplyChannelForm(request.POST, request.FILES)
    if not form.is_valid():
        return _failed(request, case, "reply", form)
    try:
        interaction = services.case_reply(
            actor=request.user,
            case=case,
            body=form.cleaned_data["body"],
            subject=form.cleaned_data.get("subject") or "",
            files=form.cleaned_data["files"],
            channel=form.cleaned_data.get("channel") or "",
        )
    except ValidationError as error:
        return _failed(request, case, "reply", form, error)
    if interaction.channel == "email":
        message = _("Réponse envoyée par courriel à %(email)s.") % {"email": interaction.recipient}
    elif interaction.channel == "sms":
        message = _("Réponse envoyée par SMS au %(number)s.") % {"number": interaction.recipient}
    else:
        message = _(
            "La réponse est enregistrée comme courrier à imprimer et à envoyer : son PDF est "
            "dans l'historique."
        )
    return _done(request, case, message)


@require_POST
@agent_required
def case_transfer(request, pk: int):
    case = _case_for_action(request, pk)
    form = TransferForm(request.POST, services=_transfer_services(case))
    if not form.is_valid():
        return _failed(request, case, "transfer", form)
    try:
        services.case_transfer(
            actor=request.user,
            case=case,
            service=form.cleaned_data["service"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        return _failed(request, case, "transfer", form, error)
    messages.success(
        request,
        _("Demande transférée au service %(service)s.") % {"service": form.cleaned_data["service"]},
    )
    # The agent may no longer see the case in full; the page says what they still may.
    return redirect("backoffice:case_detail", pk=case.pk)


@require_POST
@agent_required
def case_duplicate(request, pk: int):
    case = _case_for_action(request, pk)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        return _failed(request, case, "duplicate", form)
    reference = normalise_reference(form.cleaned_data["original"])
    original = (
        Case.objects.visible_to(request.user)
        .filter(authority_id=case.authority_id, reference=reference)
        .first()
    )
    if original is None:
        form.add_error(
            "original",
            _("Aucune demande %(ref)s parmi celles que vous voyez.") % {"ref": reference},
        )
        return _failed(request, case, "duplicate", form)
    try:
        services.case_mark_duplicate(actor=request.user, case=case, original=original)
    except ValidationError as error:
        return _failed(request, case, "duplicate", form, error)
    return _done(request, case, _("Demande liée à %(ref)s comme doublon.") % {"ref": reference})


@agent_required
def attachment_download(request, pk: int):
    attachment = Attachment.objects.select_related("interaction").filter(pk=pk).first()
    if attachment is None or attachment.anonymised_at:
        raise Http404
    interaction = attachment.interaction
    from guichet.interactions.models import Interaction

    if not Interaction.objects.visible_to(request.user).filter(pk=interaction.pk).exists():
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
