"""Photos sent with a problem report: checked by their content, turned upright, and copied
for the public without any of their metadata.

`photo_prepare` takes what a person sent (an upload, a file or bytes) and returns three
versions: the original exactly as received, kept for the agents only (it may hold the
place, the time and the phone that took it), a display copy and a thumbnail re-encoded
from the pixels alone, which are the only ones ever shown to the public. The position the
phone wrote in the original, if any, is handed back so that a report form can offer it as
the report's point.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import ExifTags, Image, ImageCms, ImageOps

from guichet.core.files import sniff_mime

logger = logging.getLogger(__name__)

# iPhones save HEIC; Pillow reads it through pillow-heif.
pillow_heif.register_heif_opener()

# What a photo may be, by sniffed type, and the Pillow formats that may decode each. A JPEG
# holding several pictures (phones' depth or preview images) opens as MPO.
PHOTO_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("JPEG", "MPO"),
    "image/png": ("PNG",),
    "image/webp": ("WEBP",),
    "image/heic": ("HEIF",),
}
_DECODERS = ["JPEG", "PNG", "WEBP", "HEIF"]

# Content that makes a file something else as well as a photo (a polyglot): a PDF reader
# or an archive tool would open it, a browser might run it.
# Markers long enough not to turn up by chance in compressed pixels.
_ACTIVE_MARKERS = (b"%PDF-", b"<?php")
_ACTIVE_MARKERS_ANY_CASE = (b"<script", b"<!doctype html")
# An archive is read from its end: its closing record sits in the last 64 KiB.
_ZIP_END = b"PK\x05\x06"

_OUTPUT = {
    "jpeg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}


@dataclass(frozen=True)
class PhotoFile:
    """One version of a photo: its bytes and what a page needs to show it."""

    content: bytes
    mime_type: str
    width: int
    height: int
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return {
            "image/jpeg": ".jpg",
            "image/png": ".png",
            "image/webp": ".webp",
            "image/heic": ".heic",
        }.get(self.mime_type, "")


@dataclass(frozen=True)
class PhotoPosition:
    """Where the phone says the photo was taken (WGS 84 degrees)."""

    lat: float
    lon: float


@dataclass(frozen=True)
class PreparedPhoto:
    name: str
    original: PhotoFile  # as received: private, for agents only
    display: PhotoFile  # upright, resized, no metadata: may be public
    thumbnail: PhotoFile  # upright, small, no metadata: may be public
    position: PhotoPosition | None  # read from the original, never in the public copies


def _file(content: bytes, mime_type: str, width: int, height: int) -> PhotoFile:
    return PhotoFile(
        content=content,
        mime_type=mime_type,
        width=width,
        height=height,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _refuse(message: str, code: str, **params) -> ValidationError:
    return ValidationError(message % params, code=code)


def _read(source, name: str) -> bytes:
    """The bytes of the photo, never reading more than the limit allows."""
    max_bytes = settings.GUICHET_PHOTO_MAX_BYTES
    too_large = _(
        "La photo « %(name)s » est trop volumineuse (%(size)s) : la limite est de %(max)s "
        "par photo."
    )
    if isinstance(source, (bytes, bytearray, memoryview)):
        content = bytes(source)
    else:
        declared = getattr(source, "size", None)
        if declared is not None and declared > max_bytes:
            raise _refuse(
                too_large,
                "too_large",
                name=name,
                size=filesizeformat(declared),
                max=filesizeformat(max_bytes),
            )
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        content = source.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise _refuse(
            too_large,
            "too_large",
            name=name,
            size=filesizeformat(len(content)),
            max=filesizeformat(max_bytes),
        )
    if not content:
        raise _refuse(_("La photo « %(name)s » est vide."), "empty", name=name)
    return content


def _not_a_photo(name: str) -> ValidationError:
    return _refuse(
        _(
            "« %(name)s » n'est pas acceptée : son contenu n'est pas une photo au format "
            "JPEG, PNG, WebP ou HEIC."
        ),
        "not_a_photo",
        name=name,
    )


def _unreadable(name: str) -> ValidationError:
    return _refuse(
        _(
            "La photo « %(name)s » est illisible ou incomplète : essayez de l'envoyer à "
            "nouveau ou d'en prendre une autre."
        ),
        "unreadable",
        name=name,
    )


def _too_many_pixels(name: str, width: int = 0, height: int = 0) -> ValidationError:
    if not width:
        return _refuse(
            _(
                "La photo « %(name)s » est trop grande : la limite est de %(max)s millions "
                "de pixels."
            ),
            "too_many_pixels",
            name=name,
            max=settings.GUICHET_PHOTO_MAX_PIXELS // 1_000_000,
        )
    return _refuse(
        _(
            "La photo « %(name)s » est trop grande (%(width)s × %(height)s pixels) : la "
            "limite est de %(max)s millions de pixels."
        ),
        "too_many_pixels",
        name=name,
        width=width,
        height=height,
        max=settings.GUICHET_PHOTO_MAX_PIXELS // 1_000_000,
    )


def _has_hidden_content(content: bytes, mime_type: str) -> bool:
    """True when the file is also another kind of file, or carries data after the image
    that only a polyglot needs. JPEGs may legitimately carry trailing data (phones append
    depth maps and previews), so only the markers of active content are looked for."""
    if any(marker in content for marker in _ACTIVE_MARKERS):
        return True
    lowered = content.lower()
    if any(marker in lowered for marker in _ACTIVE_MARKERS_ANY_CASE):
        return True
    if _ZIP_END in content[-(65536 + 22) :]:
        return True
    if mime_type == "image/png":
        end = content.rfind(b"IEND")
        # IEND, its empty data and its CRC close the file.
        return end < 0 or len(content) > end + 8
    if mime_type == "image/webp":
        declared = int.from_bytes(content[4:8], "little") + 8
        return len(content) > declared + (declared % 2)
    if mime_type == "image/heic":
        return not _boxes_cover(content)
    return False


def _boxes_cover(content: bytes) -> bool:
    """True when the top-level boxes of an ISO media file (HEIF) end exactly at its end."""
    offset, length = 0, len(content)
    while offset < length:
        if offset + 8 > length:
            return False
        size = int.from_bytes(content[offset : offset + 4], "big")
        if size == 1:
            if offset + 16 > length:
                return False
            size = int.from_bytes(content[offset + 8 : offset + 16], "big")
        elif size == 0:
            return True  # the last box runs to the end of the file
        if size < 8:
            return False
        offset += size
    return offset == length


def _rational(value) -> float:
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError("not a number")
    return number


def _gps_position(image: Image.Image) -> PhotoPosition | None:
    """The position in the photo's EXIF GPS block, if it holds a usable one."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # noqa: BLE001 - a malformed EXIF block only loses the position
        return None
    if not gps:
        return None
    try:
        coordinates = []
        for value_tag, ref_tag, negative in (
            (ExifTags.GPS.GPSLatitude, ExifTags.GPS.GPSLatitudeRef, "S"),
            (ExifTags.GPS.GPSLongitude, ExifTags.GPS.GPSLongitudeRef, "W"),
        ):
            parts = gps[value_tag]
            degrees, minutes, seconds = (list(parts) + [0, 0, 0])[:3]
            value = _rational(degrees) + _rational(minutes) / 60 + _rational(seconds) / 3600
            ref = gps.get(ref_tag, "")
            if isinstance(ref, bytes):
                ref = ref.decode("ascii", "ignore")
            if str(ref).strip().upper().startswith(negative):
                value = -value
            coordinates.append(value)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    lat, lon = coordinates
    # (0, 0) is what some phones write when they have no fix.
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return PhotoPosition(lat=round(lat, 7), lon=round(lon, 7))


def _to_srgb(image: Image.Image) -> Image.Image:
    """The pixels in sRGB, with transparency flattened on white: the colour profile is
    applied here, since the public copies carry none."""
    icc = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        image = image.point(lambda value: value / 256).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image).convert("RGB")
    if icc and image.mode in ("RGB", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            logger.info("Photo colour profile ignored: it could not be applied")
    return image.convert("RGB")


def _encode(image: Image.Image, max_side: int) -> PhotoFile:
    """A copy at most max_side pixels on its longest side, made from the pixels alone: no
    EXIF (so no GPS), no XMP, no IPTC, no colour profile, no comment."""
    copy = image.copy()
    if max(copy.size) > max_side:
        copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image from the raw pixels has an empty info: nothing of the original's
    # metadata can be written back by an encoder that reads it.
    clean = Image.frombytes(copy.mode, copy.size, copy.tobytes())
    pillow_format, mime_type = _OUTPUT.get(
        str(settings.GUICHET_PHOTO_FORMAT).lower(), _OUTPUT["jpeg"]
    )
    out = io.BytesIO()
    quality = settings.GUICHET_PHOTO_QUALITY
    if pillow_format == "JPEG":
        clean.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    else:
        clean.save(out, format="WEBP", quality=quality, method=4)
    return _file(out.getvalue(), mime_type, clean.width, clean.height)


def _name(source, filename: str) -> str:
    name = (filename or getattr(source, "name", "") or "photo").rsplit("/", 1)[-1]
    return name.rsplit("\\", 1)[-1][:200] or "photo"


def photo_read(source, *, filename: str = "") -> bytes:
    """The bytes of a sent photo, refused (French ValidationError) when empty or past
    GUICHET_PHOTO_MAX_BYTES before more than the limit is read."""
    return _read(source, _name(source, filename))


def photo_prepare(source, *, filename: str = "") -> PreparedPhoto:
    """Check a photo sent with a report and make its public copies.

    `source` is an uploaded file, any binary file object or bytes. The photo is judged by
    its content (sniffed type, then decoded by Pillow in the same format), never by its
    name. Refused with a French ValidationError: too large (GUICHET_PHOTO_MAX_BYTES), empty,
    not a JPEG/PNG/WebP/HEIC photo, carrying another file inside, too many pixels
    (GUICHET_PHOTO_MAX_PIXELS, checked before decoding), unreadable or truncated."""
    name = _name(source, filename)
    content = _read(source, name)

    mime_type = sniff_mime(content, name)
    formats = PHOTO_TYPES.get(mime_type or "")
    if formats is None or _has_hidden_content(content, mime_type):
        raise _not_a_photo(name)

    max_pixels = settings.GUICHET_PHOTO_MAX_PIXELS
    with warnings.catch_warnings():
        # Pillow warns above its own limit, then refuses at twice it; ours is checked just
        # below, before any pixel is decoded.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(content), formats=_DECODERS)
        except Image.DecompressionBombError:
            raise _too_many_pixels(name) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise _not_a_photo(name) from None
        if image.format not in formats:
            raise _not_a_photo(name)
        width, height = image.size
        if width * height > max_pixels:
            raise _too_many_pixels(name, width, height)
        if width < 1 or height < 1:
            raise _unreadable(name)

        display_side = settings.GUICHET_PHOTO_DISPLAY_SIZE
        try:
            if image.format in ("JPEG", "MPO"):
                # Decode a JPEG at a fraction of its size when that is all the copies need:
                # a 48-megapixel photo then takes a sixteenth of the memory. Truncation is
                # still detected, the whole stream being read.
                image.draft("RGB", (display_side, display_side))
            image.load()
            position = _gps_position(image)
            upright = ImageOps.exif_transpose(image)
            pixels = _to_srgb(upright)
        except Image.DecompressionBombError:
            raise _too_many_pixels(name, width, height) from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
            raise _unreadable(name) from None

    display = _encode(pixels, display_side)
    thumbnail = _encode(pixels, settings.GUICHET_PHOTO_THUMBNAIL_SIZE)
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return PreparedPhoto(
        name=name,
        original=_file(content, mime_type, width, height),
        display=display,
        thumbnail=thumbnail,
        position=position,
    )


def photos_check_count(photos: int | Iterable) -> None:
    """Refuse, with a French message, more photos than one report may carry
    (GUICHET_PHOTO_MAX_COUNT). Takes a number or the photos themselves."""
    count = photos if isinstance(photos, int) else len(list(photos))
    max_count = settings.GUICHET_PHOTO_MAX_COUNT
    if count > max_count:
        raise ValidationError(
            ngettext(
                "Vous pouvez joindre au plus %(max)s photo (vous en avez choisi %(count)s).",
                "Vous pouvez joindre au plus %(max)s photos (vous en avez choisi %(count)s).",
                max_count,
            )
            % {"max": max_count, "count": count},
            code="too_many_photos",
        )
