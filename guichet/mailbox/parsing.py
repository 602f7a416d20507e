"""Reading an email as received: headers in any charset, text or HTML bodies, attachments,
forwarded messages, and the quoted thread folded under the new text.

Only the standard library's `email` package (policy.default) reads MIME; nh3 sanitises HTML
and html2text turns it into text a person reads in the case timeline.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import email.utils
import mimetypes
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesHeaderParser

import html2text
import nh3
from django.utils.translation import gettext as _


class MalformedEmail(ValueError):
    """The message cannot be read well enough to be trusted to a case. Its text is French
    and shown to administrators in the quarantine."""


# The line put between the new text of a reply and the thread it quotes: the timeline shows
# what comes before it and folds the rest. Language-neutral so that it reads in any locale.
QUOTE_SEPARATOR = "―" * 24


@dataclass
class MailPart:
    filename: str
    content: bytes
    content_type: str
    inline: bool = False


@dataclass
class Forwarded:
    sender: str
    date: str
    subject: str
    text: str
    raw: bytes


@dataclass
class ParsedEmail:
    message: EmailMessage
    message_id: str
    sender_name: str
    sender_email: str
    to: list[str]
    subject: str
    date: str
    in_reply_to: list[str]
    references: list[str]
    text: str  # the new text, the quoted thread folded under QUOTE_SEPARATOR
    was_html: bool
    parts: list[MailPart] = field(default_factory=list)
    forwarded: list[Forwarded] = field(default_factory=list)


# Headers ----------------------------------------------------------------------------------


def _split_head(raw: bytes) -> tuple[bytes, bytes]:
    for sep in (b"\r\n\r\n", b"\n\n"):
        at = raw.find(sep)
        if at >= 0:
            return raw[:at], raw[at:]
    return raw, b""


def repair_headers(raw: bytes) -> bytes:
    """Undeclared 8-bit headers are meant to be UTF-8, but many older clients send Latin-1
    (Windows-1252) bytes: those lines are transcoded to UTF-8 before parsing, so that
    « Réclamation » does not become « R�clamation »."""
    head, rest = _split_head(raw)
    if head.isascii():
        return raw
    lines = []
    for line in head.split(b"\n"):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                line = line.decode("cp1252", errors="replace").encode("utf-8")
        lines.append(line)
    return b"\n".join(lines) + rest


def message_from_bytes(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(repair_headers(raw), policy=email.policy.default)


def header_text(message, name: str) -> str:
    """A header as text, whatever its encoding, or "" when it is missing or unreadable."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001 - a broken header is read as absent
        return ""
    if value is None:
        return ""
    text = _desurrogate(str(value)).replace("\x00", "")
    return " ".join(text.replace("\ufffd", "?").split())


_MSGID = re.compile(r"<[^<>\s]+>")


def normalise_message_id(value: str) -> str:
    value = (value or "").strip()
    found = _MSGID.search(value)
    if found:
        value = found.group(0)
    elif value and " " not in value:
        value = f"<{value}>"
    else:
        return ""
    return value[:255]


def message_ids(value: str) -> list[str]:
    return [m[:255] for m in _MSGID.findall(value or "")]


def peek_message_id(raw: bytes) -> str:
    """The Message-ID, read from the headers alone (cheap, and safe on a broken body)."""
    try:
        head = BytesHeaderParser(policy=email.policy.default).parsebytes(
            repair_headers(_split_head(raw)[0] + b"\r\n\r\n")
        )
    except Exception:  # noqa: BLE001
        return ""
    return normalise_message_id(header_text(head, "Message-ID"))


def addresses(message, *names: str) -> list[str]:
    """Every address in the named headers, lower-cased."""
    found = []
    for name in names:
        try:
            values = message.get_all(name) or []
        except Exception:  # noqa: BLE001
            continue
        for value in values:
            for _display, addr in email.utils.getaddresses([str(value)]):
                if "@" in addr:
                    found.append(addr.strip().lower())
    return found


def _desurrogate(text: str) -> str:
    """Undeclared 8-bit UTF-8 comes out of the parser as surrogate escapes: put it back."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", errors="replace")
    except UnicodeError:
        return text.encode("utf-8", errors="replace").decode("utf-8")


def _sender(message) -> tuple[str, str]:
    try:
        header = message.get("From")
        items = getattr(header, "addresses", ()) if header is not None else ()
    except Exception:  # noqa: BLE001
        items = ()
    for item in items:
        if item.addr_spec and "@" in item.addr_spec and item.domain:
            name = _desurrogate(item.display_name or "")
            return " ".join(name.split()), item.addr_spec.strip().lower()
    name, addr = email.utils.parseaddr(header_text(message, "From"))
    if "@" in addr and not addr.startswith("@") and not addr.endswith("@"):
        return " ".join(name.split()), addr.strip().lower()
    return "", ""


# Bodies -----------------------------------------------------------------------------------


def decode_text(part) -> str:
    """A text part's content in the declared charset, or UTF-8, or Windows-1252."""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset()
    candidates = []
    if charset:
        try:
            candidates.append(codecs.lookup(charset).name)
        except LookupError:
            pass
    candidates += ["utf-8", "cp1252"]
    # NUL characters mean nothing in a message and no database text column takes them.
    for candidate in candidates:
        try:
            return payload.decode(candidate).replace("\x00", "")
        except UnicodeDecodeError:
            continue
    return payload.decode("utf-8", errors="replace").replace("\x00", "")


def html_to_text(html: str) -> str:
    """Sanitise first (no script, style or remote content survives), then render as text."""
    clean = nh3.clean(html)
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.protect_links = True
    converter.unicode_snob = True
    text = converter.handle(clean)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_ATTRIBUTION = re.compile(
    r"^\s*\**\s*(le|on)\b.{0,250}\b(a\s+écrit|wrote)\s*:?\s*\**\s*$", re.IGNORECASE
)
_ATTRIBUTION_TAIL = re.compile(r"^\s*(écrit|wrote)\s*:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|message d'origine|message original|"
    r"message d’origine)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\s*\**\s*(de|from)\s*:\**\s+\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\**\s*(envoyé|sent|date|à|to|objet|subject)\s*:", re.IGNORECASE)
_RULE = re.compile(r"^\s*_{10,}\s*$")


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        if _ATTRIBUTION.match(line) or _ORIGINAL.match(line) or _RULE.match(line):
            return i
        if (
            _ATTRIBUTION_TAIL.match(line)
            and i > 0
            and re.match(r"^\s*(le|on)\b", lines[i - 1], re.I)
        ):
            return i - 1
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(n) for n in lines[i + 1 : i + 4]):
            return i
        if line.lstrip().startswith(">"):
            # A block of quoted lines folds only when nothing new is written after it; a
            # reply written between quotes stays in full.
            rest = [x for x in lines[i:] if x.strip()]
            if all(x.lstrip().startswith(">") for x in rest):
                return i
            return None
    return None


def split_quote(text: str) -> tuple[str, str]:
    """The new text of a reply and the thread it quotes (empty when there is none)."""
    lines = text.splitlines()
    start = _quote_start(lines)
    if start is None:
        return text.strip(), ""
    new = "\n".join(lines[:start]).strip()
    if not new:
        return text.strip(), ""
    return new, "\n".join(lines[start:]).strip()


def fold_quote(text: str) -> str:
    new, quoted = split_quote(text)
    return f"{new}\n\n{QUOTE_SEPARATOR}\n{quoted}" if quoted else new


def unfold(body: str) -> tuple[str, str]:
    """For display: the text before the separator, and the folded thread after it."""
    new, sep, quoted = body.partition(f"\n{QUOTE_SEPARATOR}\n")
    return (new.strip(), quoted.strip()) if sep else (body.strip(), "")


# Walking the MIME tree ---------------------------------------------------------------------

_SKIPPED_TYPES = {
    "message/delivery-status",
    "text/rfc822-headers",
    "message/disposition-notification",
}


def _filename(part, ctype: str, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    if name:
        name = " ".join(str(name).replace("\ufffd", "_").split())
        name = name.replace("/", "_").replace("\\", "_").strip(". ") or ""
    if not name:
        extension = mimetypes.guess_extension(ctype) or ".bin"
        stem = _("image") if ctype.startswith("image/") else _("piece-jointe")
        name = f"{stem}-{index}{extension}"
    return name[:200]


class _Walker:
    def __init__(self):
        self.texts: list[tuple[str, str]] = []
        self.parts: list[MailPart] = []
        self.forwarded: list[EmailMessage] = []

    def walk(self, part, text_allowed: bool = True) -> None:
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if inner is not None:
                self.forwarded.append(inner)
            return
        if ctype == "multipart/alternative":
            children = list(part.iter_parts())
            best = None
            for wanted in ("text/plain", "text/html"):
                best = next((c for c in children if _holds(c, wanted)), None)
                if best is not None:
                    break
            best = best or (children[0] if children else None)
            for child in children:
                self.walk(child, text_allowed=text_allowed and child is best)
            return
        if part.is_multipart():
            for child in part.iter_parts():
                self.walk(child, text_allowed)
            return
        if ctype in _SKIPPED_TYPES:
            return
        disposition = part.get_content_disposition()
        try:
            has_name = bool(part.get_filename())
        except Exception:  # noqa: BLE001
            has_name = True
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not has_name:
            if text_allowed:
                self.texts.append((ctype, decode_text(part)))
            return
        content = part.get_payload(decode=True) or b""
        if not content:
            return
        self.parts.append(
            MailPart(
                filename=_filename(part, ctype, len(self.parts) + 1),
                content=content,
                content_type=ctype,
                inline=disposition == "inline" or bool(part.get("Content-ID")),
            )
        )


def _holds(part, ctype: str) -> bool:
    if part.get_content_type() == ctype:
        return True
    if part.is_multipart():
        return any(_holds(child, ctype) for child in part.iter_parts())
    return False


def _text_of(texts: list[tuple[str, str]]) -> tuple[str, bool]:
    pieces = []
    was_html = False
    for ctype, content in texts:
        if ctype == "text/html":
            was_html = True
            pieces.append(html_to_text(content))
        else:
            pieces.append(content.replace("\r\n", "\n").strip())
    return "\n\n".join(p for p in pieces if p), was_html


def parse(raw: bytes) -> ParsedEmail:
    """Read a raw message. Raises MalformedEmail when it has no usable sender or cannot be
    read at all."""
    if not raw or not raw.strip():
        raise MalformedEmail(_("Le message est vide."))
    try:
        message = message_from_bytes(raw)
        walker = _Walker()
        walker.walk(message)
    except MalformedEmail:
        raise
    except Exception as exc:  # noqa: BLE001 - anything the parser chokes on is quarantined
        raise MalformedEmail(
            _("Le message est illisible (%(error)s).") % {"error": exc.__class__.__name__}
        ) from exc
    if not any(k.lower() in ("from", "sender", "subject", "to") for k in message.keys()):
        raise MalformedEmail(_("Le message n'a pas d'en-têtes de courriel."))
    sender_name, sender_email = _sender(message)
    if not sender_email:
        raise MalformedEmail(_("L'expéditeur du message est absent ou illisible."))
    text, was_html = _text_of(walker.texts)
    forwarded = [_forwarded(inner) for inner in walker.forwarded]
    return ParsedEmail(
        message=message,
        message_id=normalise_message_id(header_text(message, "Message-ID")),
        sender_name=sender_name,
        sender_email=sender_email,
        to=addresses(message, "To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"),
        subject=header_text(message, "Subject")[:255],
        date=header_text(message, "Date"),
        in_reply_to=message_ids(header_text(message, "In-Reply-To")),
        references=message_ids(header_text(message, "References")),
        text=fold_quote(text) if text else "",
        was_html=was_html,
        parts=walker.parts,
        forwarded=forwarded,
    )


def _forwarded(inner: EmailMessage) -> Forwarded:
    walker = _Walker()
    try:
        walker.walk(inner)
        raw = inner.as_bytes(policy=email.policy.SMTP)
    except Exception:  # noqa: BLE001
        raw = str(inner).encode("utf-8", errors="replace")
    text, _html = _text_of(walker.texts)
    return Forwarded(
        sender=header_text(inner, "From"),
        date=header_text(inner, "Date"),
        subject=header_text(inner, "Subject"),
        text=text,
        raw=raw,
    )
