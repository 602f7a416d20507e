"""Calls, the switchboard's records and text messages: the calls page with its "to call back"
list, missed calls and callbacks, the switchboard's import and pick-up report, and SMS."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guichet.cases.models import Case
from guichet.cases.services import case_can_act
from guichet.contacts.models import Contact
from guichet.contacts.phones import display_phone, normalise_phone
from guichet.core.enums import Direction
from guichet.interactions.enums import Outcome
from guichet.telephony.gateways import sms_configured
from guichet.telephony.models import SwitchboardCall, SwitchboardImport
from guichet.telephony.querysets import (
    calls_to_call_back,
    can_read_switchboard,
    phone_calls_visible_to,
    sms_visible_to,
)
from guichet.telephony.reports import pickup_report, switchboard_lines
from guichet.telephony.services import (
    call_back_record,
    call_missed_record,
    switchboard_call_back_record,
)
from guichet.telephony.services import switchboard_import as switchboard_import_service
from guichet.telephony.sms import sms_length, sms_number_for, sms_opted_out, sms_queue
from guichet.telephony.switchboard import HEADERS
from guichet.www.backoffice.access import (
    agent_required,
    current_authority,
    get_contact_for_user_or_404,
)

PAGE_SIZE = 50
OUTCOME_FILTERS = {
    "answered": (Outcome.ANSWERED, Outcome.CASE_OPENED, Outcome.REDIRECTED),
    "missed": (Outcome.MISSED,),
    "called_back": (Outcome.CALLED_BACK,),
}


# Forms -------------------------------------------------------------------------------------


class MissedCallForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Numéro de l'appelant"), max_length=40)
    occurred_at = forms.DateTimeField(
        label=gettext_lazy("Date et heure de l'appel"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Par exemple le message laissé sur le répondeur."),
    )

    def clean_number(self):
        number = normalise_phone(self.cleaned_data["number"])
        if not number:
            raise ValidationError(_("Indiquez un numéro de téléphone valide."))
        return number


class CallBackForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=gettext_lazy("Résultat du rappel"),
        choices=(
            ("1", gettext_lazy("Personne jointe")),
            ("0", gettext_lazy("Pas de réponse")),
        ),
        coerce=lambda value: value == "1",
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Durée (minutes)"), required=False, min_value=0, max_value=600
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class SwitchboardImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Export CSV du standard"))
    columns = forms.CharField(
        label=gettext_lazy("Noms des colonnes"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Seulement si les colonnes ne sont pas reconnues, par exemple : "
            "date=Jour,time=Heure,caller=Appelant,line=Ligne,talk=Durée,status=Statut"
        ),
    )

    def clean_columns(self):
        raw = self.cleaned_data["columns"].strip()
        if not raw:
            return None
        mapping = {}
        for part in raw.split(","):
            role, sep, header = part.partition("=")
            if not sep or role.strip() not in HEADERS or not header.strip():
                raise ValidationError(
                    _("« %(part)s » n'est pas compris : écrivez rôle=Nom de colonne.")
                    % {"part": part.strip()}
                )
            mapping[role.strip()] = header.strip()
        return mapping


class SmsForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "160 caractères par SMS sans accent ni « ç » (alphabet GSM), 70 sinon."
        ),
    )
    case = forms.TypedChoiceField(
        label=gettext_lazy("Demande"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [("", _("Aucune"))] + [
            (c.pk, f"{c.reference} — {c.subject}") for c in cases
        ]


def _add_errors(form, error: ValidationError) -> None:
    for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# Calls -------------------------------------------------------------------------------------


@agent_required
def calls(request):
    user = request.user
    authority = current_authority(request)
    params = request.GET
    rows = phone_calls_visible_to(user, authority)
    start, end = _date(params.get("du")), _date(params.get("au"))
    if start:
        rows = rows.filter(occurred_at__date__gte=start)
    if end:
        rows = rows.filter(occurred_at__date__lte=end)
    outcome = params.get("suite") or ""
    if outcome in OUTCOME_FILTERS:
        rows = rows.filter(outcome__in=OUTCOME_FILTERS[outcome])
    direction = params.get("sens") or ""
    if direction in Direction.values:
        rows = rows.filter(direction=direction)
    number = normalise_phone(params["numero"]) if (params.get("numero") or "").strip() else None
    if number:
        # Calls noted at the desk carry no number of their own: their contact's counts.
        rows = rows.filter(
            Q(phone_call__number=number) | Q(contact__phone=number) | Q(contact__mobile=number)
        )
    page_obj = Paginator(rows.order_by("-occurred_at", "-id"), PAGE_SIZE).get_page(
        params.get("page")
    )
    querystring = params.copy()
    querystring.pop("page", None)
    return render(
        request,
        "backoffice/telephony/calls.html",
        {
            "authority": authority,
            "page_obj": page_obj,
            "calls": page_obj.object_list,
            "to_call_back": calls_to_call_back(user, authority),
            "filters": {
                "du": params.get("du", ""),
                "au": params.get("au", ""),
                "suite": outcome,
                "sens": direction,
                "numero": params.get("numero", ""),
            },
            "querystring_base": (querystring.urlencode() + "&") if querystring else "",
            "can_read_switchboard": can_read_switchboard(user, authority),
        },
    )


@agent_required
def call_missed(request):
    authority = current_authority(request)
    initial = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    if request.GET.get("numero"):
        initial["number"] = request.GET["numero"][:40]
    chosen = None
    if (request.GET.get("usager") or "").isdigit():
        # From a contact's page: the call is theirs, whatever number they called from.
        chosen = (
            Contact.objects.visible_to(request.user)
            .filter(authority=authority, pk=int(request.GET["usager"]))
            .first()
        )
        if chosen is not None:
            initial["contact"] = chosen.pk
            initial.setdefault("number", display_phone(chosen.mobile or chosen.phone))
    form = MissedCallForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            contact = None
            if data.get("contact"):
                contact = (
                    Contact.objects.visible_to(request.user)
                    .filter(authority=authority, pk=data["contact"])
                    .first()
                )
                if contact is None:
                    form.add_error(None, _("Cet usager est introuvable."))
            if not form.errors:
                try:
                    interaction = call_missed_record(
                        actor=request.user,
                        authority=authority,
                        number=data["number"],
                        occurred_at=data["occurred_at"],
                        contact=contact,
                        note=data.get("note") or "",
                    )
                except ValidationError as error:
                    _add_errors(form, error)
                else:
                    if interaction.contact_id:
                        messages.success(
                            request,
                            _("Appel manqué de %(who)s enregistré : il attend un rappel.")
                            % {"who": interaction.contact},
                        )
                    else:
                        messages.success(
                            request, _("Appel manqué enregistré : il attend un rappel.")
                        )
                    return redirect("backoffice:calls")
        status = 400
    return render(
        request,
        "backoffice/telephony/missed.html",
        {"authority": authority, "form": form, "chosen": chosen},
        status=status,
    )


def _callback_data(request):
    form = CallBackForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indiquez si la personne a été jointe."))
        return None
    minutes = form.cleaned_data.get("duration_minutes")
    return {
        "reached": form.cleaned_data["reached"],
        "note": form.cleaned_data.get("note") or "",
        "duration_seconds": minutes * 60 if minutes is not None else None,
    }


def _callback_done(request, data) -> None:
    if data["reached"]:
        messages.success(request, _("Rappel enregistré."))
    else:
        messages.info(request, _("Tentative de rappel enregistrée : l'appel reste à rappeler."))


@require_POST
@agent_required
def call_back(request, pk: int):
    missed = (
        phone_calls_visible_to(request.user, current_authority(request))
        .filter(pk=pk, direction=Direction.IN)
        .first()
    )
    if missed is None:
        raise Http404(_("Appel introuvable."))
    data = _callback_data(request)
    if data is not None:
        try:
            call_back_record(actor=request.user, missed=missed, **data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            _callback_done(request, data)
    return redirect("backoffice:calls")


# The switchboard ---------------------------------------------------------------------------


def _switchboard_authority(request):
    authority = current_authority(request)
    if not can_read_switchboard(request.user, authority):
        raise PermissionDenied(_("Réservé à l'accueil, aux responsables et aux administrateurs."))
    return authority


@require_POST
@agent_required
def switchboard_call_back(request, pk: int):
    authority = _switchboard_authority(request)
    call = SwitchboardCall.objects.filter(authority=authority, pk=pk).first()
    if call is None:
        raise Http404(_("Appel introuvable."))
    data = _callback_data(request)
    if data is not None:
        try:
            switchboard_call_back_record(actor=request.user, call=call, **data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            _callback_done(request, data)
    return redirect("backoffice:calls")


@agent_required
def switchboard_report(request):
    authority = _switchboard_authority(request)
    today = timezone.localdate()
    end = _date(request.GET.get("au")) or today
    start = _date(request.GET.get("du")) or end - dt.timedelta(days=27)
    status = 200
    error = ""
    if start > end:
        error = _("La date de début est après la date de fin.")
        start, status = end - dt.timedelta(days=27), 400
    lines = switchboard_lines(authority)
    line = request.GET.get("ligne") or ""
    if line not in lines:
        line = ""
    report = pickup_report(authority, start=start, end=end, line=line)
    busiest = max((r.offered for r in report.by_hour), default=0)
    return render(
        request,
        "backoffice/telephony/switchboard_report.html",
        {
            "authority": authority,
            "report": report,
            "lines": lines,
            "line": line,
            "error": error,
            "busiest": busiest,
            "imports": SwitchboardImport.objects.filter(authority=authority)
            .select_related("imported_by")
            .order_by("-imported_at")[:10],
        },
        status=status,
    )


@agent_required
def switchboard_import(request):
    authority = _switchboard_authority(request)
    form = SwitchboardImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.GUICHET_SWITCHBOARD_MAX_BYTES:
                # Refused before reading it into memory.
                form.add_error("file", _("Le fichier est trop volumineux."))
        if form.is_valid():
            try:
                batch = switchboard_import_service(
                    actor=request.user,
                    authority=authority,
                    content=upload.read(),
                    filename=upload.name,
                    mapping=form.cleaned_data["columns"],
                )
            except ValidationError as error:
                form.add_error("file", " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _(
                        "%(created)d appels ajoutés, %(duplicates)d déjà connus, "
                        "%(errors)d lignes en erreur."
                    )
                    % {
                        "created": batch.rows_created,
                        "duplicates": batch.rows_duplicate,
                        "errors": len(batch.errors),
                    },
                )
                return redirect("backoffice:switchboard_import_detail", pk=batch.pk)
        status = 400
    return render(
        request,
        "backoffice/telephony/switchboard_import.html",
        {"authority": authority, "form": form},
        status=status,
    )


@agent_required
def switchboard_import_detail(request, pk: int):
    authority = _switchboard_authority(request)
    batch = (
        SwitchboardImport.objects.filter(authority=authority, pk=pk)
        .select_related("imported_by")
        .first()
    )
    if batch is None:
        raise Http404(_("Import introuvable."))
    return render(
        request,
        "backoffice/telephony/switchboard_import_detail.html",
        {"authority": authority, "batch": batch},
    )


# Text messages -----------------------------------------------------------------------------


@agent_required
def sms_list(request):
    authority = current_authority(request)
    rows = sms_visible_to(request.user, authority)
    direction = request.GET.get("sens") or ""
    if direction in Direction.values:
        rows = rows.filter(direction=direction)
    if request.GET.get("sans_demande") == "1":
        rows = rows.filter(case__isnull=True)
    page_obj = Paginator(rows.order_by("-occurred_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "backoffice/telephony/sms_list.html",
        {
            "authority": authority,
            "page_obj": page_obj,
            "messages_sms": page_obj.object_list,
            "filters": {"sens": direction, "sans_demande": request.GET.get("sans_demande", "")},
            "querystring_base": (querystring.urlencode() + "&") if querystring else "",
        },
    )


@agent_required
def sms_send(request, pk: int):
    user = request.user
    contact = get_contact_for_user_or_404(user, pk)
    # Only the cases the agent acts on: a text on a case is an answer on it.
    cases = [
        case
        for case in Case.objects.visible_to(user)
        .open()
        .filter(case_contacts__contact=contact)
        .select_related("service")
        .order_by("-received_at")
        .distinct()[:50]
        if case_can_act(user, case)
    ]
    form = SmsForm(request.POST or None, cases=cases, initial={"case": request.GET.get("demande")})
    number = sms_number_for(contact)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            case = next((c for c in cases if c.pk == form.cleaned_data["case"]), None)
            try:
                sms_queue(
                    actor=user,
                    authority=contact.authority,
                    contact=contact,
                    case=case,
                    body=form.cleaned_data["body"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("SMS en cours d'envoi."))
                if case is not None:
                    return redirect("backoffice:case_detail", pk=case.pk)
                return redirect("backoffice:contact_detail", pk=contact.pk)
        status = 400
    body = form.data.get("body", "") if form.is_bound else ""
    return render(
        request,
        "backoffice/telephony/sms_send.html",
        {
            "authority": contact.authority,
            "contact": contact,
            "form": form,
            "number": display_phone(number),
            "opted_out": bool(number) and sms_opted_out(contact.authority, number),
            "configured": sms_configured(),
            "length": sms_length(body) if body else None,
        },
        status=status,
    )
