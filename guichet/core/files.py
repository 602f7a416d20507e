"""Checking uploaded files by their content, not by their name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# What a person may send: documents and photos. The sniffed type decides, the extension
# must agree with it, so that a program renamed to .pdf is refused.
ALLOWED_TYPES: dict[str, set[str]] = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/webp": {".webp"},
    "image/heic": {".heic", ".heif"},
    "image/gif": {".gif"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {".ods"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "text/plain": {".txt"},
}
_ZIP_BASED = {
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    size: int
    sha256: str
    mime_type: str


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def sniff_mime(content: bytes, name: str) -> str | None:
    ext = _extension(name)
    head = content[:8192]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1", b"ftypheif"):
        return "image/heic"
    if head.startswith(b"PK\x03\x04"):
        if ext in _ZIP_BASED:
            if ext in {".odt", ".ods"} and _ZIP_BASED[ext].encode() not in head[:200]:
                return "application/zip"
            if ext in {".docx", ".xlsx"} and b"[Content_Types].xml" not in content[:65536]:
                return "application/zip"
            return _ZIP_BASED[ext]
        return "application/zip"
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type:
            return match.mime_type
    if ext == ".txt":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if b"\x00" not in content:
            return "text/plain"
    return None


def check_upload(uploaded) -> CheckedFile:
    """Read an uploaded file, refuse it with a clear message if it is too big or not what it
    claims to be, and return its content with its fingerprint."""
    name = (uploaded.name or "fichier").rsplit("/", 1)[-1][:200]
    max_bytes = settings.GUICHET_ATTACHMENT_MAX_BYTES
    if uploaded.size is not None and uploaded.size > max_bytes:
        raise ValidationError(
            _("« %(name)s » est trop volumineux (%(size)s) : la limite est de %(max)s.")
            % {
                "name": name,
                "size": filesizeformat(uploaded.size),
                "max": filesizeformat(max_bytes),
            },
            code="too_large",
        )
    content = uploaded.read()
    if len(content) > max_bytes:
        raise ValidationError(
            _("« %(name)s » est trop volumineux.") % {"name": name}, code="too_large"
        )
    if not content:
        raise ValidationError(_("« %(name)s » est vide.") % {"name": name}, code="empty")
    mime = sniff_mime(content, name)
    ext = _extension(name)
    allowed = ALLOWED_TYPES.get(mime or "")
    if allowed is None or ext not in allowed:
        raise ValidationError(
            _(
                "« %(name)s » n'est pas accepté : son contenu ne correspond pas à un document "
                "PDF, une image (JPEG, PNG, WebP, HEIC) ou un fichier bureautique portant la "
                "bonne extension."
            )
            % {"name": name},
            code="bad_type",
        )
    return CheckedFile(
        name=name,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        mime_type=mime or "application/octet-stream",
    )
