"""Administrators' pages for incoming email: the mailboxes, and the quarantine.

A quarantined message is shown as text only: its headers, its size, why it was held, and a
preview of its text part (an HTML-only message is turned into text). Its HTML is never
rendered, its attachments are listed but not opened; the original .eml can be downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guichet.core.events import event_record
from guichet.mailbox import parsing
from guichet.mailbox.forms import DiscardForm, MailboxForm, QuarantineFilterForm
from guichet.mailbox.imap import mailbox_connection_test, mailbox_create, mailbox_update
from guichet.mailbox.models import InboundMessage, InboundStatus, Mailbox
from guichet.mailbox.services import inbound_message_discard, inbound_message_release
from guichet.www.backoffice.access import authority_admin_required

PREVIEW_CHARS = 20_000
SHOWN_HEADERS = (
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Delivered-To",
    "Date",
    "Subject",
    "Message-ID",
    "In-Reply-To",
    "Return-Path",
    "Auto-Submitted",
    "Authentication-Results",
)


# Mailboxes ----------------------------------------------------------------------------------


def _mailbox_or_404(request, pk: int) -> Mailbox:
    mailbox = (
        Mailbox.objects.for_authority(request.authority)
        .select_related("default_category")
        .filter(pk=pk)
        .first()
    )
    if mailbox is None:
        raise Http404(_("Boîte aux lettres introuvable."))
    return mailbox


@authority_admin_required
def mailboxes(request):
    rows = Mailbox.objects.for_authority(request.authority).select_related("default_category")
    quarantined = InboundMessage.objects.for_authority(request.authority).quarantined().count()
    return render(
        request,
        "backoffice/mailbox/list.html",
        {"authority": request.authority, "mailboxes": rows, "quarantined": quarantined},
    )


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            for text in texts:
                form.add_error(name if name in form.fields else None, text)
    else:
        for text in error.messages:
            form.add_error(None, text)


def _save_form(request, form, save):
    """Run the service for a valid form; a refusal from the service lands on the form."""
    try:
        return save()
    except ValidationError as error:
        _errors_to_form(form, error)
    return None


@authority_admin_required
def mailbox_create_view(request):
    form = MailboxForm(request.POST or None, authority=request.authority)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            mailbox = _save_form(
                request,
                form,
                lambda: mailbox_create(
                    actor=request.user,
                    authority=request.authority,
                    password=form.cleaned_data["password"],
                    **form.settings_values(),
                ),
            )
            if mailbox is not None:
                messages.success(request, _("Boîte aux lettres ajoutée."))
                return redirect("backoffice:mailbox_edit", pk=mailbox.pk)
        status = 400
    return render(
        request,
        "backoffice/mailbox/form.html",
        {"authority": request.authority, "form": form, "mailbox": None},
        status=status,
    )


@authority_admin_required
def mailbox_edit(request, pk: int):
    mailbox = _mailbox_or_404(request, pk)
    form = MailboxForm(request.POST or None, instance=mailbox, authority=request.authority)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = _save_form(
                request,
                form,
                lambda: mailbox_update(
                    actor=request.user,
                    mailbox=mailbox,
                    password=form.cleaned_data["password"],
                    **form.settings_values(),
                ),
            )
            if saved is not None:
                messages.success(request, _("Boîte aux lettres enregistrée."))
                return redirect("backoffice:mailbox_edit", pk=mailbox.pk)
        status = 400
    mailbox.refresh_from_db()
    return render(
        request,
        "backoffice/mailbox/form.html",
        {"authority": request.authority, "form": form, "mailbox": mailbox},
        status=status,
    )


@require_POST
@authority_admin_required
def mailbox_test(request, pk: int):
    mailbox = _mailbox_or_404(request, pk)
    if not mailbox.imap_host:
        messages.error(request, _("Cette boîte n'a pas de serveur IMAP à tester."))
        return redirect("backoffice:mailbox_edit", pk=mailbox.pk)
    worked, message = mailbox_connection_test(mailbox)
    (messages.success if worked else messages.error)(request, message)
    return redirect("backoffice:mailbox_edit", pk=mailbox.pk)


# Quarantine ---------------------------------------------------------------------------------


def _message_or_404(request, pk: int) -> InboundMessage:
    message = (
        InboundMessage.objects.visible_to(request.user)
        .for_authority(request.authority)
        .select_related("mailbox", "case", "authority")
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise Http404(_("Message introuvable."))
    return message


@authority_admin_required
def mail_quarantine(request):
    filters = QuarantineFilterForm(request.GET or None)
    wanted = InboundStatus.QUARANTINED
    if filters.is_valid() and filters.cleaned_data["status"]:
        wanted = filters.cleaned_data["status"]
    rows = (
        InboundMessage.objects.visible_to(request.user)
        .for_authority(request.authority)
        .filter(status=wanted)
        .select_related("mailbox")
        .order_by("-received_at", "-pk")
    )
    page_obj = Paginator(rows, settings.GUICHET_QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/mailbox/quarantine.html",
        {
            "authority": request.authority,
            "page_obj": page_obj,
            "status": wanted,
            "status_choices": InboundStatus.choices,
            "querystring_base": f"status={wanted}&",
        },
    )


@dataclass
class Preview:
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    was_html: bool = False
    truncated: bool = False
    parts: list[tuple[str, str, int]] = field(default_factory=list)
    unreadable: bool = False


def message_preview(raw: bytes) -> Preview:
    """What an administrator may safely read of a message: text, never markup."""
    preview = Preview()
    try:
        message = parsing.message_from_bytes(raw)
        preview.headers = [
            (name, parsing.header_text(message, name))
            for name in SHOWN_HEADERS
            if message.get(name) is not None
        ]
        plain, html = None, None
        for part in message.walk():
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            filename = part.get_filename()
            disposition = part.get_content_disposition()
            if filename or disposition == "attachment" or not ctype.startswith("text/"):
                payload = part.get_payload(decode=True) or b""
                preview.parts.append((filename or "", ctype, len(payload)))
            elif ctype == "text/plain" and plain is None:
                plain = parsing.decode_text(part)
            elif ctype == "text/html" and html is None:
                html = parsing.decode_text(part)
        if plain is not None:
            text = plain
        elif html is not None:
            text, preview.was_html = parsing.html_to_text(html), True
        else:
            text = ""
    except Exception:  # noqa: BLE001 - a message that cannot be read is shown as raw text
        preview.unreadable = True
        text = raw.decode("utf-8", errors="replace")
    preview.truncated = len(text) > PREVIEW_CHARS
    preview.text = text[:PREVIEW_CHARS]
    return preview


def _read_raw(message: InboundMessage) -> bytes | None:
    try:
        with message.raw.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None


def _detail(request, message, *, discard_form=None, status=200):
    raw = _read_raw(message)
    return render(
        request,
        "backoffice/mailbox/quarantine_detail.html",
        {
            "authority": request.authority,
            "message": message,
            "preview": message_preview(raw) if raw is not None else None,
            "discard_form": discard_form or DiscardForm(),
            "can_decide": message.status == InboundStatus.QUARANTINED,
        },
        status=status,
    )


@authority_admin_required
def mail_quarantine_detail(request, pk: int):
    return _detail(request, _message_or_404(request, pk))


@require_POST
@authority_admin_required
def mail_quarantine_release(request, pk: int):
    message = _message_or_404(request, pk)
    try:
        message = inbound_message_release(actor=request.user, message=message)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return _detail(request, message, status=400)
    if message.status == InboundStatus.QUARANTINED:
        messages.warning(
            request,
            _("Le message reste en quarantaine : %(reason)s") % {"reason": message.reason},
        )
        return redirect("backoffice:mail_quarantine_detail", pk=message.pk)
    messages.success(request, _("Message libéré et intégré."))
    if message.case_id:
        return redirect("backoffice:case_detail", pk=message.case_id)
    return redirect("backoffice:mail_quarantine")


@require_POST
@authority_admin_required
def mail_quarantine_discard(request, pk: int):
    message = _message_or_404(request, pk)
    form = DiscardForm(request.POST)
    if form.is_valid():
        try:
            inbound_message_discard(
                actor=request.user, message=message, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Message écarté."))
            return redirect("backoffice:mail_quarantine")
    message.refresh_from_db()
    return _detail(request, message, discard_form=form, status=400)


@authority_admin_required
def mail_quarantine_raw(request, pk: int):
    """The message exactly as received. Downloaded, never displayed by the browser; each
    download is written to the audit log (the message holds personal data)."""
    message = _message_or_404(request, pk)
    try:
        handle = message.raw.open("rb")
    except (OSError, ValueError) as exc:
        raise Http404(_("Le fichier du message est introuvable.")) from exc
    with transaction.atomic():
        event_record(
            actor=request.user,
            verb="inbound_message.downloaded",
            target=message,
            authority=message.authority,
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"message-{message.pk}.eml",
        content_type="message/rfc822",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
