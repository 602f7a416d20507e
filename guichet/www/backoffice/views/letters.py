"""Reply templates (administrators of the authority), their live preview, and filling one
for a case from the reply form of the case page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guichet.cases.models import Case, Category
from guichet.cases.services import case_requester
from guichet.core.enums import Channel
from guichet.core.references import normalise_reference
from guichet.letters import services as letter_services
from guichet.letters.channels import REPLY_CHANNELS, reply_channel_choices, reply_default_channel
from guichet.letters.merge import (
    MERGE_FIELDS,
    merge_context,
    merge_errors,
    merge_render,
    merge_sample_context,
)
from guichet.letters.models import ReplyTemplate
from guichet.www.backoffice.access import (
    agent_required,
    authority_admin_required,
    get_case_for_user_or_404,
)
from guichet.www.backoffice.forms import ReplyForm

# Forms ------------------------------------------------------------------------------------


class ReplyChannelForm(ReplyForm):
    """The case page's reply form, with the channel the reply takes."""

    channel = forms.ChoiceField(
        label=gettext_lazy("Envoyer par"),
        choices=[(c.value, c.label) for c in REPLY_CHANNELS],
        required=False,
    )


class ReplyTemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom du modèle"), max_length=120)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Catégorie"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=gettext_lazy("Toutes les catégories"),
    )
    subject = forms.CharField(label=gettext_lazy("Objet"), max_length=255, required=False)
    body = forms.CharField(
        label=gettext_lazy("Texte"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=gettext_lazy(
            "Les champs de fusion s'écrivent entre doubles accolades, par exemple "
            "{{ usager.civilite_nom }}. La signature de l'agent est ajoutée à l'envoi."
        ),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Proposé aux agents"), required=False)

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            authority=authority, is_active=True
        ).order_by("label")


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "message_dict"):
        for field, messages_ in error.message_dict.items():
            for message in messages_:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# The case page ----------------------------------------------------------------------------


def reply_form_context(case, form=None) -> dict:
    """What the case page's reply form needs: the form, the templates offered on this case,
    each channel with the reason it cannot reach the person, and the channel preset."""
    contact = case_requester(case)
    channels = reply_channel_choices(contact) if contact is not None else []
    default = reply_default_channel(contact) if contact is not None else Channel.EMAIL
    if form is None:
        form = ReplyChannelForm(initial={"channel": default})
    chosen = (form["channel"].value() or default) if form.is_bound else default
    return {
        "reply_form": form,
        "reply_templates": list(ReplyTemplate.objects.for_case(case).only("id", "name")),
        "reply_channels": channels,
        "reply_channel": chosen,
    }


@require_GET
@agent_required
def reply_template_render(request, pk: int):
    """htmx partial: the subject and text of the reply form, filled from a template for a
    case the agent may see in full."""
    access = get_case_for_user_or_404(request.user, pk)
    if not access.full:
        raise PermissionDenied(_("Vous ne voyez de cette demande que son résumé."))
    case = access.case
    template_id = request.GET.get("modele", "")
    if not template_id.isdigit():
        return HttpResponseBadRequest(_("Choisissez un modèle de réponse."))
    template = ReplyTemplate.objects.for_case(case).filter(pk=int(template_id)).first()
    if template is None:
        raise Http404(_("Modèle introuvable pour cette demande."))
    subject, body = letter_services.reply_template_fill(
        template=template, case=case, contact=case_requester(case), agent=request.user
    )
    form = ReplyChannelForm(initial={"subject": subject, "body": body})
    return render(request, "backoffice/letters/reply_text.html", {"form": form})


# Administration of the templates ----------------------------------------------------------


@authority_admin_required
def reply_templates(request):
    templates = ReplyTemplate.objects.for_authority(request.authority).select_related("category")
    return render(
        request,
        "backoffice/letters/list.html",
        {"authority": request.authority, "templates": templates},
    )


def _template_page(request, form, template=None, status=200):
    return render(
        request,
        "backoffice/letters/edit.html",
        {
            "authority": request.authority,
            "form": form,
            "template": template,
            "fields": MERGE_FIELDS,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@authority_admin_required
def reply_template_create(request):
    authority = request.authority
    if request.method != "POST":
        form = ReplyTemplateForm(authority=authority, initial={"is_active": True})
        return _template_page(request, form)
    form = ReplyTemplateForm(request.POST, authority=authority)
    if form.is_valid():
        try:
            letter_services.reply_template_create(
                actor=request.user, authority=authority, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Modèle de réponse créé."))
            return redirect("backoffice:reply_templates")
    return _template_page(request, form, status=400)


@require_http_methods(["GET", "POST"])
@authority_admin_required
def reply_template_edit(request, pk: int):
    authority = request.authority
    template = ReplyTemplate.objects.for_authority(authority).filter(pk=pk).first()
    if template is None:
        raise Http404(_("Modèle introuvable."))
    if request.method != "POST":
        initial = {
            "name": template.name,
            "category": template.category_id,
            "subject": template.subject,
            "body": template.body,
            "is_active": template.is_active,
        }
        return _template_page(
            request, ReplyTemplateForm(authority=authority, initial=initial), template
        )
    form = ReplyTemplateForm(request.POST, authority=authority)
    if form.is_valid():
        try:
            letter_services.reply_template_update(
                actor=request.user, template=template, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Modèle de réponse enregistré."))
            return redirect("backoffice:reply_templates")
    return _template_page(request, form, template, status=400)


@require_POST
@authority_admin_required
def reply_template_preview(request):
    """htmx partial: the template being written, filled with sample data or with a case of
    the authority. Errors are part of the preview (answered 200, so that htmx shows them)."""
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    reference = (request.POST.get("demande") or "").strip()
    errors = [*merge_errors(subject), *merge_errors(body)]
    case = None
    if reference:
        case = (
            Case.objects.visible_to(request.user)
            .filter(authority=request.authority, reference=normalise_reference(reference))
            .select_related("authority", "category", "service")
            .first()
        )
        if case is None:
            errors.append(
                _("Aucune demande %(ref)s dans votre collectivité.")
                % {"ref": normalise_reference(reference)}
            )
    preview = None
    if not errors:
        if case is not None:
            context = merge_context(case=case, contact=case_requester(case), agent=request.user)
        else:
            context = merge_sample_context()
        preview = {"subject": merge_render(subject, context), "body": merge_render(body, context)}
    return render(
        request,
        "backoffice/letters/preview.html",
        {"errors": list(dict.fromkeys(errors)), "preview": preview, "case": case},
    )
