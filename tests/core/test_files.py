"""Uploaded files are judged by their content, not by their name."""

import hashlib
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from guichet.core.files import check_upload


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def tiny_png() -> bytes:
    """A real 1×1 red PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def tiny_jpeg() -> bytes:
    """Start of image, a JFIF header, end of image."""
    return bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\xff\xd9"


def tiny_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def windows_program() -> bytes:
    """The first bytes of a PE executable: the MZ header pointing at the PE signature."""
    dos_header = b"MZ" + b"\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    dos_header += b"\x00" * (0x3C - len(dos_header)) + struct.pack("<I", 0x80)
    return dos_header + b"\x00" * (0x80 - len(dos_header)) + b"PE\x00\x00" + b"\x4c\x01" * 8


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("justificatif.pdf", tiny_pdf(), "application/pdf"),
        ("photo.png", tiny_png(), "image/png"),
        ("photo.jpg", tiny_jpeg(), "image/jpeg"),
        ("PHOTO.JPEG", tiny_jpeg(), "image/jpeg"),
        ("note.txt", "Bonjour, voici ma réponse.".encode(), "text/plain"),
    ],
)
def test_real_documents_and_photos_are_accepted(name, content, mime):
    checked = check_upload(upload(name, content))
    assert checked.mime_type == mime
    assert checked.name == name
    assert checked.content == content
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_the_fingerprint_differs_for_different_content():
    a = check_upload(upload("a.png", tiny_png()))
    b = check_upload(upload("b.pdf", tiny_pdf()))
    assert a.sha256 != b.sha256
    assert len(a.sha256) == 64


def _refusal(name, content) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        check_upload(upload(name, content))
    return info.value


def test_a_windows_program_renamed_pdf_is_refused():
    error = _refusal("facture.pdf", windows_program())
    assert error.code == "bad_type"
    assert "« facture.pdf » n'est pas accepté" in error.messages[0]


def test_a_pdf_renamed_png_is_refused():
    error = _refusal("photo.png", tiny_pdf())
    assert error.code == "bad_type"
    assert "photo.png" in error.messages[0]


def test_a_png_renamed_pdf_is_refused():
    assert _refusal("document.pdf", tiny_png()).code == "bad_type"


def test_a_file_without_extension_is_refused():
    assert _refusal("document", tiny_pdf()).code == "bad_type"


def test_binary_content_named_txt_is_refused():
    assert _refusal("notes.txt", b"\x00\x01\x02\xff\xfe binary").code == "bad_type"


def test_an_empty_file_is_refused():
    error = _refusal("vide.pdf", b"")
    assert error.code == "empty"
    assert error.messages == ["« vide.pdf » est vide."]


def test_a_too_large_file_is_refused(settings):
    settings.GUICHET_ATTACHMENT_MAX_BYTES = 1000
    content = tiny_pdf() + b"%" + b"x" * 1000
    error = _refusal("gros.pdf", content)
    assert error.code == "too_large"
    assert "« gros.pdf » est trop volumineux" in error.messages[0]
    assert "la limite est de" in error.messages[0]


def test_a_file_at_the_limit_is_accepted(settings):
    content = tiny_pdf()
    settings.GUICHET_ATTACHMENT_MAX_BYTES = len(content)
    assert check_upload(upload("juste.pdf", content)).size == len(content)


def test_a_file_whose_announced_size_lies_is_measured(settings):
    settings.GUICHET_ATTACHMENT_MAX_BYTES = 1000
    uploaded = upload("gros.pdf", tiny_pdf() + b"x" * 2000)
    uploaded.size = 10  # a client may announce anything
    with pytest.raises(ValidationError) as info:
        check_upload(uploaded)
    assert info.value.code == "too_large"
