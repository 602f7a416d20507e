"""Routing in the back office: rules with a preview (administrators), the learned
suggestion's settings and training, the queue of demands to qualify, accepting a suggestion
in one click, and the routing quality measured for managers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guichet.core.events import event_record
from guichet.routing.enums import ModelTarget, RoutingMethod
from guichet.routing.forms import PreviewForm, RoutingRuleForm, RoutingSettingsForm
from guichet.routing.models import RoutingDecision, RoutingRule, RoutingSettings
from guichet.routing.services import latest_model, route_preview, routing_settle
from guichet.routing.stats import routing_quality_for
from guichet.www.backoffice.access import (
    agent_required,
    authority_admin_required,
    current_authority,
    get_case_for_user_or_404,
)
from guichet.www.backoffice.views.cases import _case_for_action


@authority_admin_required
def routing_rules(request):
    authority = request.authority
    rules = (
        RoutingRule.objects.filter(authority=authority)
        .select_related("service")
        .prefetch_related("categories", "territories")
    )
    settings_ = RoutingSettings.objects.filter(authority=authority).first()
    return render(
        request,
        "backoffice/routing/rules.html",
        {
            "authority": authority,
            "rules": rules,
            "settings": settings_,
            "models": [latest_model(authority.pk, t) for t in ModelTarget.values],
            "preview_form": PreviewForm(authority=authority),
        },
    )


def _form_save(request, form, *, verb: str, data):
    """Save an administrator's routing form in the authority, with its audit event, in one
    transaction."""
    with transaction.atomic():
        saved = form.save(commit=False)
        saved.authority = request.authority
        saved.save()
        form.save_m2m()
        event_record(
            actor=request.user,
            verb=verb,
            target=saved,
            authority=request.authority,
            data=data(saved),
        )
    return saved


def _rule_save(request, rule: RoutingRule | None):
    authority = request.authority
    form = RoutingRuleForm(request.POST or None, instance=rule, authority=authority)
    trying = request.method == "POST" and "essayer" in request.POST
    trial = PreviewForm(
        request.POST if trying else None,
        authority=authority,
        prefix="essai",
        use_required_attribute=False,
    )
    route = None
    if trying:
        # Try the rule as written, in its place among the others, without saving it.
        if form.is_valid() and trial.is_valid():
            draft = form.save(commit=False)
            draft.authority = authority
            draft.draft_categories = list(form.cleaned_data["categories"])
            draft.draft_territories = list(form.cleaned_data["territories"])
            data = trial.cleaned_data
            route = route_preview(
                authority=authority,
                category=data["category"],
                channel=data["channel"],
                contact_kind=data["contact_kind"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                postal_code=data["postal_code"],
                text=data["text"],
                draft_rule=draft,
            )
    elif request.method == "POST" and form.is_valid():
        _form_save(
            request,
            form,
            verb="routing.rule_saved",
            data=lambda saved: {
                "name": saved.name,
                "service": saved.service_id,
                "new": rule is None,
            },
        )
        messages.success(request, _("Règle enregistrée."))
        return redirect("backoffice:routing_rules")
    return render(
        request,
        "backoffice/routing/rule_edit.html",
        {"authority": authority, "form": form, "rule": rule, "trial": trial, "route": route},
    )


@authority_admin_required
def routing_rule_create(request):
    return _rule_save(request, None)


@authority_admin_required
def routing_rule_edit(request, pk: int):
    rule = RoutingRule.objects.filter(authority=request.authority, pk=pk).first()
    if rule is None:
        raise Http404(_("Règle introuvable."))
    return _rule_save(request, rule)


@authority_admin_required
def routing_preview(request):
    """htmx: "this demand would go to…", with the reason."""
    authority = request.authority
    form = PreviewForm(request.GET or None, authority=authority)
    route = None
    if form.is_valid():
        data = form.cleaned_data
        route = route_preview(
            authority=authority,
            category=data["category"],
            channel=data["channel"],
            contact_kind=data["contact_kind"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            postal_code=data["postal_code"],
            text=data["text"],
        )
    return render(request, "backoffice/routing/preview.html", {"form": form, "route": route})


@authority_admin_required
def routing_settings(request):
    authority = request.authority
    instance = RoutingSettings.objects.filter(authority=authority).first()
    form = RoutingSettingsForm(request.POST or None, instance=instance, authority=authority)
    if request.method == "POST" and form.is_valid():
        _form_save(
            request,
            form,
            verb="routing.settings_saved",
            data=lambda saved: {
                "threshold": saved.auto_threshold,
                "enabled": saved.suggestions_enabled,
            },
        )
        messages.success(request, _("Réglages enregistrés."))
        return redirect("backoffice:routing_rules")
    return render(
        request, "backoffice/routing/settings.html", {"authority": authority, "form": form}
    )


@authority_admin_required
@require_POST
def routing_train_now(request):
    """Training runs in the worker; the page says when the new model is in place."""
    from guichet.routing.tasks import routing_models_train_for

    routing_models_train_for.enqueue(request.authority.pk)
    messages.success(
        request,
        _("Apprentissage lancé : la nouvelle suggestion sera en place dans quelques minutes."),
    )
    return redirect("backoffice:routing_rules")


@agent_required
def routing_qualify(request):
    """The demands waiting to be qualified, with their suggestion."""
    authority = current_authority(request)
    from guichet.cases.models import Case

    cases = (
        Case.objects.visible_to(request.user)
        .open()
        .filter(
            authority=authority,
            routing_decision__method=RoutingMethod.PENDING,
            routing_decision__outcome="",
        )
        .select_related(
            "category",
            "service",
            "routing_decision__suggested_service",
            "routing_decision__suggested_category",
        )
        .order_by("received_at")[:200]
    )
    return render(
        request, "backoffice/routing/qualify.html", {"authority": authority, "cases": cases}
    )


@agent_required
@require_POST
def routing_accept(request, pk: int):
    """Accept the suggestion of a case to qualify, in one click."""
    case = _case_for_action(request, pk)
    decision = (
        RoutingDecision.objects.filter(case=case)
        .select_related("suggested_service", "suggested_category")
        .first()
    )
    if decision is None or decision.suggested_service is None:
        messages.error(request, _("Aucune suggestion pour cette demande."))
        return redirect("backoffice:case_detail", pk=case.pk)
    try:
        routing_settle(
            actor=request.user,
            case=case,
            service=decision.suggested_service,
            category=decision.suggested_category,
            reason=_("Suggestion d'orientation acceptée"),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("backoffice:case_detail", pk=case.pk)
    messages.success(
        request,
        _("Demande orientée vers %(service)s.") % {"service": decision.suggested_service.name},
    )
    if request.POST.get("next") == "qualify":
        return redirect("backoffice:routing_qualify")
    if get_case_for_user_or_404(request.user, case.pk).full:
        return redirect("backoffice:case_detail", pk=case.pk)
    return redirect("backoffice:routing_qualify")


@agent_required
def routing_quality(request):
    """Managers, administrators and the DPO: transfers and wrong routes, per category."""
    scope = request.user.scope
    authority = current_authority(request)
    if not (scope.managed_service_ids or authority.pk in scope.full_authority_ids):
        raise PermissionDenied(_("Réservé aux responsables de service."))
    try:
        days = max(7, min(int(request.GET.get("jours", 90)), 730))
    except ValueError:
        days = 90
    return render(
        request,
        "backoffice/routing/quality.html",
        {
            "authority": authority,
            "days": days,
            "stats": routing_quality_for(request.user, authority, days=days),
        },
    )


@agent_required
def case_forward(request, pk: int):
    """Forward a case to the competent authority (CRPA L114-2)."""
    from guichet.routing.forms import ForwardForm
    from guichet.routing.forwarding import case_forward as forward
    from guichet.routing.forwarding import forwarding_targets

    case = _case_for_action(request, pk)
    _others, categories = forwarding_targets(case.authority)
    form = ForwardForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            forwarding = forward(
                actor=request.user,
                case=case,
                reason=data["reason"],
                to_authority=data["to_category"].authority if data["to_category"] else None,
                to_category=data["to_category"],
                external_name=data["external_name"],
                external_email=data["external_email"],
                external_address=data["external_address"],
            )
        except ValidationError as error:
            for field, messages_ in getattr(error, "message_dict", {None: error.messages}).items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                _("Demande transmise à %(to)s ; l'usager en est informé.")
                % {"to": forwarding.destination},
            )
            return redirect("backoffice:case_detail", pk=case.pk)
    return render(
        request,
        "backoffice/routing/forward.html",
        {"authority": case.authority, "case": case, "form": form},
        status=400 if form.errors else 200,
    )
