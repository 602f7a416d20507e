"""Sending a case's acknowledgement of receipt before the software does, with the documents
still missing: the page shows what will be sent, to whom and how."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guichet.cases.models import AcknowledgementStatus
from guichet.cases.services import case_can_act
from guichet.letters.acknowledgements import (
    acknowledgement_may_send,
    acknowledgement_preview,
    acknowledgement_send,
)
from guichet.www.backoffice.access import agent_required, get_case_for_user_or_404


class DateInput(forms.DateInput):
    input_type = "date"


class AcknowledgementForm(forms.Form):
    missing_documents = forms.CharField(
        label=gettext_lazy("Pièces manquantes"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Une pièce par ligne. Laissez vide si le dossier est complet."),
    )
    missing_documents_due_on = forms.DateField(
        label=gettext_lazy("À transmettre avant le"),
        required=False,
        widget=DateInput(),
    )


def _case_for_action(request, pk):
    access = get_case_for_user_or_404(request.user, pk)
    if not access.full or not case_can_act(request.user, access.case):
        raise PermissionDenied(_("Vous n'intervenez pas sur cette demande."))
    return access.case


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@agent_required
def acknowledgement_send_page(request, pk: int):
    case = _case_for_action(request, pk)
    sendable = acknowledgement_may_send(case)
    # An empty form is a valid one here: a complete request has no documents to list.
    form = AcknowledgementForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                acknowledgement_send(actor=request.user, case=case, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("L'accusé de réception est envoyé."))
                return redirect("backoffice:case_detail", pk=case.pk)
        status = 400
        case.refresh_from_db()
        sendable = acknowledgement_may_send(case)
    preview = None
    if sendable:
        data = getattr(form, "cleaned_data", {})
        listed = bool(data.get("missing_documents") and data.get("missing_documents_due_on"))
        preview = acknowledgement_preview(
            case=case,
            agent=request.user,
            missing_documents=data["missing_documents"] if listed else "",
            missing_documents_due_on=data["missing_documents_due_on"] if listed else None,
        )
    return render(
        request,
        "letters/acknowledgement_send.html",
        {
            "authority": case.authority,
            "case": case,
            "form": form,
            "preview": preview,
            "sendable": sendable,
            "AcknowledgementStatus": AcknowledgementStatus,
        },
        status=status,
    )
