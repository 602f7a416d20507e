"""Mail that no human wrote: auto-replies, list traffic and bounces. None of it may open a
case or be acknowledged, or two robots would write to each other forever."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from guichet.mailbox.parsing import header_text, message_ids, normalise_message_id

_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_AUTO_SUBJECT = re.compile(
    r"^\s*(réponse automatique|automatic reply|auto[- ]?reply|out of office|absent du bureau|"
    r"absence du bureau|autosvar|abwesenheitsnotiz)\b",
    re.IGNORECASE,
)


def auto_reply_reason(message) -> str:
    """Why this message is automatic (RFC 3834 and the headers vendors use), or ""."""
    auto = header_text(message, "Auto-Submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return _("Message automatique (Auto-Submitted : %(value)s).") % {"value": auto}
    precedence = header_text(message, "Precedence").lower()
    if precedence in _PRECEDENCE:
        return _("Message automatique (Precedence : %(value)s).") % {"value": precedence}
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        if message.get(name) is not None:
            return _("Message automatique (en-tête %(name)s).") % {"name": name}
    for name in ("List-Id", "List-Unsubscribe"):
        if message.get(name) is not None:
            return _("Message d'une liste de diffusion (en-tête %(name)s).") % {"name": name}
    if _AUTO_SUBJECT.match(header_text(message, "Subject")):
        return _("Réponse automatique (d'après son objet).")
    return ""


@dataclass
class FailedRecipient:
    address: str
    action: str
    status: str
    diagnostic: str


@dataclass
class Bounce:
    original_message_ids: list[str] = field(default_factory=list)
    recipients: list[FailedRecipient] = field(default_factory=list)

    @property
    def failed(self) -> list[FailedRecipient]:
        return [r for r in self.recipients if r.action == "failed"]

    def describe(self) -> str:
        failed = self.failed
        if not failed:
            return _("Avis de non-remise sans échec définitif.")
        return "; ".join(
            " ".join(p for p in (r.address, r.status, r.diagnostic) if p)[:300] for r in failed
        )


def _address(value: str) -> str:
    # "rfc822; jeanne@example.org"
    value = value.split(";", 1)[-1].strip().strip("<>").lower()
    return value if "@" in value else ""


def _is_report(message) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and (message.get_param("report-type") or "").lower() == "delivery-status"
    )


def _return_path_is_null(message, envelope_from: str | None) -> bool:
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return True
    return header_text(message, "Return-Path").strip() == "<>"


def is_bounce(message, envelope_from: str | None = None) -> bool:
    if _is_report(message) or message.get("X-Failed-Recipients") is not None:
        return True
    sender = header_text(message, "From").lower()
    if "mailer-daemon@" in sender or sender.startswith("mailer-daemon"):
        return True
    return _return_path_is_null(message, envelope_from) and not auto_reply_reason(message)


def bounce_read(message) -> Bounce:
    """What a delivery status notification (RFC 3464) says: who failed, why, and which of
    our messages it was about."""
    bounce = Bounce()
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            blocks = part.get_payload()
            if not isinstance(blocks, list):
                continue
            for block in blocks[1:] or blocks:
                address = _address(header_text(block, "Final-Recipient")) or _address(
                    header_text(block, "Original-Recipient")
                )
                if not address:
                    continue
                bounce.recipients.append(
                    FailedRecipient(
                        address=address,
                        action=header_text(block, "Action").lower(),
                        status=header_text(block, "Status"),
                        diagnostic=header_text(block, "Diagnostic-Code").split(";", 1)[-1].strip(),
                    )
                )
        elif ctype == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                found = normalise_message_id(header_text(payload[0], "Message-ID"))
                if found:
                    bounce.original_message_ids.append(found)
        elif ctype == "text/rfc822-headers":
            content = part.get_content() if hasattr(part, "get_content") else ""
            match = re.search(r"^message-id:\s*(.+)$", str(content), re.IGNORECASE | re.M)
            if match:
                bounce.original_message_ids += message_ids(match.group(1))
    if not bounce.recipients:
        for value in message.get_all("X-Failed-Recipients") or []:
            for address in str(value).split(","):
                if "@" in address:
                    bounce.recipients.append(
                        FailedRecipient(address.strip().lower(), "failed", "", "")
                    )
    return bounce
