"""The mail register: the list of letters received and sent, their registration with the
scans, their return receipts, the exports and the printable daily list."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guichet.authorities.models import Service
from guichet.cases.models import Case, Category
from guichet.contacts.models import Contact
from guichet.core.forms import MultipleFileField, ServiceErrorsMixin
from guichet.core.models import Event
from guichet.interactions.models import Attachment
from guichet.register import services
from guichet.register.enums import MailDirection, ReceiptState, RegisterOutcome
from guichet.register.models import MailItem, parse_chrono
from guichet.www.backoffice.access import agent_required, current_authority
from guichet.www.backoffice.forms import ContactForm

SCAN_TYPES = ("application/pdf", "image/")
ALERTS_SHOWN = 20


def get_mail_item_for_user_or_404(user, pk: int) -> MailItem:
    item = (
        MailItem.objects.visible_to(user)
        .select_related("authority", "service", "contact", "case", "interaction", "created_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("Courrier introuvable.")
    return item


def scans_readable(user, item: MailItem) -> bool:
    """The scans hold the letter itself. On a line tied to a case they follow the case:
    whoever reads it in full, and the agent who registered the line, open them; the mail
    room, which reads only a summary of other services' cases, sees the line but not a
    reply another service wrote or a letter a colleague registered on such a case."""
    if item.case_id is None or item.created_by_id == user.pk:
        return True
    return Case.objects.visible_to(user).filter(pk=item.case_id).exists()


def register_alerts(user, authority):
    """Registered letters of the agent's services that nobody followed up in time."""
    return list(
        MailItem.objects.visible_to(user)
        .filter(authority=authority)
        .addressed_to(user)
        .follow_up_overdue()
        .select_related("service", "case")
        .order_by("date", "id")[:ALERTS_SHOWN]
    )


# Forms -------------------------------------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _scans_only(files):
    for checked in files:
        if not checked.mime_type.startswith(SCAN_TYPES):
            raise ValidationError(
                _("« %(name)s » n'est pas un courrier numérisé : joignez un PDF ou des images.")
                % {"name": checked.name}
            )
    return files


class RegisterForm(ServiceErrorsMixin, forms.Form):
    # A contact id, "new" for a sender to create, or empty for an unidentified sender.
    contact = forms.CharField(required=False, max_length=20)
    subject = forms.CharField(label=gettext_lazy("Objet du courrier"), max_length=255)
    registered_number = forms.CharField(
        label=gettext_lazy("Numéro de recommandé"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Pour un courrier recommandé avec avis de réception."),
    )
    files = MultipleFileField(
        label=gettext_lazy("Courrier numérisé"),
        help_text=gettext_lazy("PDF ou images (JPEG, PNG, WebP, HEIC), vérifiés par leur contenu."),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services

    def clean_files(self):
        return _scans_only(self.cleaned_data.get("files") or [])


class IncomingForm(RegisterForm):
    arrived_on = forms.DateField(label=gettext_lazy("Date d'arrivée"), widget=DateInput())
    postmarked_on = forms.DateField(
        label=gettext_lazy("Date du cachet de la poste"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("Elle fait foi pour les délais de l'usager (CRPA, art. L112-1)."),
    )
    description = forms.CharField(
        label=gettext_lazy("Résumé du courrier"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Suite donnée"),
        choices=RegisterOutcome.choices,
        widget=forms.RadioSelect,
        initial=RegisterOutcome.NEW_CASE,
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Catégorie de la demande"), queryset=None, required=False
    )
    case_reference = forms.CharField(
        label=gettext_lazy("Référence de la demande"), required=False, max_length=20
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service destinataire"),
        queryset=None,
        required=False,
        empty_label="—",
        help_text=gettext_lazy(
            "Pour une nouvelle demande, laissez vide : elle va au service de la catégorie."
        ),
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == RegisterOutcome.NEW_CASE and not data.get("category"):
            self.add_error("category", _("Choisissez la catégorie de la demande."))
        if outcome == RegisterOutcome.JOIN_CASE and not (data.get("case_reference") or "").strip():
            self.add_error("case_reference", _("Indiquez la référence de la demande."))
        if outcome == RegisterOutcome.NONE and not data.get("service"):
            self.add_error("service", _("Choisissez le service destinataire."))
        return data


class OutgoingForm(RegisterForm):
    sent_on = forms.DateField(label=gettext_lazy("Date d'envoi"), widget=DateInput())
    service = forms.ModelChoiceField(label=gettext_lazy("Service expéditeur"), queryset=None)
    case_reference = forms.CharField(
        label=gettext_lazy("Référence de la demande concernée"), required=False, max_length=20
    )
    body = forms.CharField(
        label=gettext_lazy("Résumé du courrier"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReceiptForm(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("Avis de réception"), choices=ReceiptState.choices)
    on = forms.DateField(label=gettext_lazy("Le"), required=False, widget=DateInput())
    registered_number = forms.CharField(
        label=gettext_lazy("Numéro de recommandé"), required=False, max_length=40
    )


class FilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Numéro, expéditeur, objet"), required=False, max_length=200
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Sens"),
        required=False,
        choices=[("", gettext_lazy("Tous")), *MailDirection.choices],
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Tous"),
    )
    date_from = forms.DateField(label=gettext_lazy("Du"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("Au"), required=False, widget=DateInput())
    registered = forms.BooleanField(label=gettext_lazy("Recommandés seulement"), required=False)

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("La date de fin précède la date de début."))
        return data


# Helpers -----------------------------------------------------------------------------------


def _services(authority):
    return Service.objects.filter(authority=authority, is_active=True).order_by("name")


def _categories(authority):
    return (
        Category.objects.filter(authority=authority, is_active=True)
        .select_related("default_service", "parent")
        .order_by("parent__label", "label")
    )


def _filtered(request, authority):
    """The items the agent may see, filtered by the search form (invalid fields are left
    out and reported)."""
    form = FilterForm(request.GET or None, services=_services(authority))
    items = MailItem.objects.visible_to(request.user).filter(authority=authority)
    if not form.is_bound:
        return form, items
    form.is_valid()
    data = {k: v for k, v in form.cleaned_data.items() if k not in form.errors}
    text = (data.get("q") or "").strip()
    if text:
        chrono = parse_chrono(text)
        if chrono is not None:
            direction, year, number = chrono
            items = items.filter(direction=direction, year=year, number=number)
        else:
            condition = Q(correspondent__icontains=text) | Q(subject__icontains=text)
            compact = "".join(text.split()).upper()
            if len(compact) >= 6:
                condition |= Q(registered_number=compact)
            items = items.filter(condition)
    if data.get("direction"):
        items = items.filter(direction=data["direction"])
    if data.get("service"):
        items = items.filter(service=data["service"])
    if data.get("date_from"):
        items = items.filter(date__gte=data["date_from"])
    if data.get("date_to"):
        items = items.filter(date__lte=data["date_to"])
    if data.get("registered"):
        items = items.registered()
    return form, items


def _contact_choice(request, authority, form):
    """The sender chosen in the "who" block: an existing contact the agent may see, a new
    one (its form), or nobody."""
    choice = (request.POST.get("contact") or "").strip()
    new = choice == "new"
    contact_form = ContactForm(request.POST if new else None, prefix="new")
    contact = None
    valid = True
    if choice.isdigit():
        contact = (
            Contact.objects.visible_to(request.user)
            .filter(authority=authority, pk=int(choice))
            .first()
        )
        if contact is None:
            form.add_error(None, _("Cet usager est introuvable."))
            valid = False
    elif choice and not new:
        form.add_error(None, _("Cet usager est introuvable."))
        valid = False
    if new and not contact_form.is_valid():
        valid = False
    return contact, (contact_form.cleaned_data if new and valid else None), contact_form, valid


def _selected(request, authority):
    value = request.POST.get("contact") or request.GET.get("contact") or ""
    if value.isdigit():
        contact = (
            Contact.objects.visible_to(request.user)
            .filter(authority=authority, pk=int(value))
            .first()
        )
        if contact is not None:
            contact.open_cases = []
            return {
                "initial_matches": [contact],
                "initial_query": request.POST.get("who") or contact.display_name,
                "initial_selected": str(contact.pk),
            }
    return {
        "initial_matches": [],
        "initial_query": request.POST.get("who", ""),
        "initial_selected": "new" if value == "new" else "",
    }


def _add_service_error(form, contact_form, error: ValidationError, new_contact: bool) -> None:
    contact_fields = set(contact_form.fields)
    for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
        target = contact_form if new_contact and field in contact_fields else form
        for message in errors:
            target.add_error(field if field in target.fields else None, message)


# Pages -------------------------------------------------------------------------------------


@require_GET
@agent_required
def register_list(request):
    authority = current_authority(request)
    form, items = _filtered(request, authority)
    paginator = Paginator(
        items.for_list().order_by("-date", "-id"), settings.GUICHET_REGISTER_PAGE_SIZE
    )
    page_obj = paginator.get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "backoffice/register/list.html",
        {
            "authority": authority,
            "form": form,
            "page_obj": page_obj,
            "items": page_obj.object_list,
            "querystring_base": (querystring.urlencode() + "&") if querystring else "",
            "export_query": querystring.urlencode(),
            "register_alerts": register_alerts(request.user, authority),
            "register_follow_up_days": settings.GUICHET_REGISTER_FOLLOW_UP_DAYS,
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


def _register_page(request, *, form_class, template, direction):
    authority = current_authority(request)
    categories = _categories(authority)
    extra = {"categories": categories} if form_class is IncomingForm else {}
    service_choices = _services(authority)
    today = timezone.localdate()
    if request.method != "POST":
        initial = {"submission_key": uuid.uuid4().hex}
        initial["arrived_on" if direction == MailDirection.INCOMING else "sent_on"] = today
        if direction == MailDirection.OUTGOING:
            own = sorted(request.user.scope.own_service_ids)
            initial["service"] = service_choices.filter(pk__in=own).first()
        form = form_class(initial=initial, services=service_choices, **extra)
        return render(
            request,
            template,
            {
                "authority": authority,
                "form": form,
                "contact_form": ContactForm(prefix="new"),
                "categories": categories,
                **_selected(request, authority),
            },
        )
    form = form_class(request.POST, request.FILES, services=service_choices, **extra)
    valid = form.is_valid()
    contact, new_contact, contact_form, contact_ok = _contact_choice(request, authority, form)
    if valid and contact_ok:
        data = form.cleaned_data
        try:
            if direction == MailDirection.INCOMING:
                item, _created = services.mail_register(
                    actor=request.user,
                    authority=authority,
                    submission_key=data["submission_key"],
                    subject=data["subject"],
                    arrived_on=data["arrived_on"],
                    postmarked_on=data.get("postmarked_on"),
                    contact=contact,
                    new_contact=new_contact,
                    outcome=data["outcome"],
                    category=data.get("category"),
                    case_reference=data.get("case_reference") or "",
                    service=data.get("service"),
                    description=data.get("description") or "",
                    registered_number=data.get("registered_number") or "",
                    files=data.get("files") or [],
                )
            else:
                item, _created = services.mail_register_outgoing(
                    actor=request.user,
                    authority=authority,
                    submission_key=data["submission_key"],
                    subject=data["subject"],
                    sent_on=data["sent_on"],
                    service=data["service"],
                    contact=contact,
                    new_contact=new_contact,
                    case_reference=data.get("case_reference") or "",
                    body=data.get("body") or "",
                    registered_number=data.get("registered_number") or "",
                    files=data.get("files") or [],
                )
        except ValidationError as error:
            _add_service_error(form, contact_form, error, new_contact is not None)
        else:
            if item.case_id and direction == MailDirection.INCOMING:
                messages.success(
                    request,
                    _(
                        "Courrier n° %(chrono)s enregistré, demande %(ref)s confiée au service "
                        "%(service)s."
                    )
                    % {"chrono": item.chrono, "ref": item.case.reference, "service": item.service},
                )
            else:
                messages.success(
                    request, _("Courrier n° %(chrono)s enregistré.") % {"chrono": item.chrono}
                )
            if not MailItem.objects.visible_to(request.user).filter(pk=item.pk).exists():
                # Sent to a service the agent does not belong to: it is theirs now.
                return redirect("backoffice:register_list")
            return redirect("backoffice:register_detail", pk=item.pk)
    return render(
        request,
        template,
        {
            "authority": authority,
            "form": form,
            "contact_form": contact_form,
            "categories": categories,
            **_selected(request, authority),
        },
        status=400,
    )


@agent_required
def register_create(request):
    return _register_page(
        request,
        form_class=IncomingForm,
        template="backoffice/register/create.html",
        direction=MailDirection.INCOMING,
    )


@agent_required
def register_create_outgoing(request):
    return _register_page(
        request,
        form_class=OutgoingForm,
        template="backoffice/register/create_outgoing.html",
        direction=MailDirection.OUTGOING,
    )


def _render_detail(request, item, *, receipt_form=None, status=200):
    readable = scans_readable(request.user, item)
    attachments = (
        list(item.interaction.attachments.all()) if item.interaction_id and readable else []
    )
    history = (
        Event.objects.filter(target_type="register.mailitem", target_id=str(item.pk))
        .select_related("actor")
        .order_by("at", "id")
    )
    can_edit = services.mail_item_can_edit(request.user, item)
    overdue = (
        MailItem.objects.filter(pk=item.pk).follow_up_overdue().exists()
        if item.registered_number and item.is_incoming
        else False
    )
    return render(
        request,
        "backoffice/register/detail.html",
        {
            "authority": item.authority,
            "item": item,
            "attachments": attachments,
            "scans_hidden": not readable,
            "history": history,
            "can_edit": can_edit,
            "follow_up_overdue": overdue,
            "follow_up_days": settings.GUICHET_REGISTER_FOLLOW_UP_DAYS,
            "receipt_form": receipt_form
            or ReceiptForm(
                initial={
                    "state": item.receipt_state,
                    "on": item.receipt_on,
                    "registered_number": item.registered_number,
                },
                auto_id="receipt-%s",
            ),
        },
        status=status,
    )


@require_GET
@agent_required
def register_detail(request, pk: int):
    return _render_detail(request, get_mail_item_for_user_or_404(request.user, pk))


@require_POST
@agent_required
def register_receipt(request, pk: int):
    item = get_mail_item_for_user_or_404(request.user, pk)
    if not services.mail_item_can_edit(request.user, item):
        raise PermissionDenied(_("Vous ne pouvez pas modifier ce courrier."))
    form = ReceiptForm(request.POST, auto_id="receipt-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.mail_item_receipt_update(
                actor=request.user,
                item=item,
                state=data["state"],
                on=data.get("on"),
                registered_number=data.get("registered_number") or "",
            )
        except ValidationError as error:
            for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Avis de réception mis à jour."))
            return redirect("backoffice:register_detail", pk=item.pk)
    return _render_detail(request, item, receipt_form=form, status=400)


@require_POST
@agent_required
def register_follow_up(request, pk: int):
    item = get_mail_item_for_user_or_404(request.user, pk)
    if not services.mail_item_can_edit(request.user, item):
        raise PermissionDenied(_("Vous ne pouvez pas modifier ce courrier."))
    services.mail_item_mark_followed_up(actor=request.user, item=item)
    messages.success(request, _("Suite donnée notée : l'alerte est levée."))
    return redirect("backoffice:register_detail", pk=item.pk)


@require_GET
@agent_required
def register_scan(request, pk: int, attachment_pk: int):
    """A scan of a letter, for whoever may read the register line."""
    item = get_mail_item_for_user_or_404(request.user, pk)
    if not scans_readable(request.user, item):
        raise Http404
    attachment = Attachment.objects.filter(
        pk=attachment_pk, interaction_id=item.interaction_id, anonymised_at__isnull=True
    ).first()
    if attachment is None or item.interaction_id is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Exports and the daily list ----------------------------------------------------------------


def export_columns():
    return [
        _("Numéro"),
        _("Sens"),
        _("Date"),
        _("Cachet de la poste"),
        _("Expéditeur ou destinataire"),
        _("Objet"),
        _("Service"),
        _("Numéro de recommandé"),
        _("Avis de réception"),
        _("Date de l'avis"),
        _("Demande"),
        _("Enregistré le"),
    ]


def _export_row(item: MailItem) -> list:
    return [
        item.chrono,
        item.get_direction_display(),
        item.date,
        item.postmarked_on,
        item.correspondent,
        item.subject,
        item.service.name if item.service_id else "",
        item.registered_number,
        item.get_receipt_state_display() if item.receipt_state else "",
        item.receipt_on,
        item.case.reference if item.case_id else "",
        timezone.localtime(item.created_at).replace(tzinfo=None, microsecond=0),
    ]


def _spreadsheet_safe(value):
    """A cell that a spreadsheet would run as a formula is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_value(value):
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else _spreadsheet_safe(str(value))


@require_GET
@agent_required
def register_export(request):
    authority = current_authority(request)
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        return HttpResponse(_("Format d'export inconnu."), status=400, content_type="text/plain")
    form, items = _filtered(request, authority)
    if form.errors:
        return HttpResponse(
            " ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    limit = settings.GUICHET_REGISTER_EXPORT_MAX_ROWS
    rows = (
        items.select_related("service", "case")
        .order_by("direction", "year", "number")[:limit]
        .iterator(chunk_size=2000)
    )
    written = 0
    filename = f"registre-courrier-{timezone.localdate():%Y-%m-%d}.{kind}"
    if kind == "csv":
        buffer = io.StringIO()
        # A semicolon and a byte-order mark: what a French spreadsheet opens as columns.
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(export_columns())
        for item in rows:
            writer.writerow([_csv_value(v) for v in _export_row(item)])
            written += 1
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(_("Registre du courrier")[:31])
        sheet.append(export_columns())
        for item in rows:
            sheet.append([_spreadsheet_safe(v) for v in _export_row(item)])
            written += 1
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    services.mail_register_export_record(
        actor=request.user,
        authority=authority,
        kind=kind,
        rows=written,
        filters={k: v for k, v in request.GET.items() if k in form.fields and v},
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@agent_required
def register_daily(request):
    """The day's letters, to print and have signed by the services that take them."""
    authority = current_authority(request)
    raw_day = request.GET.get("jour") or ""
    direction = request.GET.get("sens") or MailDirection.INCOMING
    try:
        day = dt.date.fromisoformat(raw_day) if raw_day else timezone.localdate()
    except ValueError:
        day = None
    if day is None or direction not in MailDirection.values:
        return HttpResponse(
            _("Indiquez un jour AAAA-MM-JJ et un sens (in ou out)."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    items = (
        MailItem.objects.visible_to(request.user)
        .filter(authority=authority, date=day, direction=direction)
        .select_related("service")
        .order_by("year", "number")
    )
    return render(
        request,
        "backoffice/register/daily.html",
        {
            "authority": authority,
            "day": day,
            "direction": direction,
            "direction_label": MailDirection(direction).label,
            "items": items,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
        },
    )
