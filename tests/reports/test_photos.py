"""Photos of a problem report: accepted by their content, turned upright, and copied for the
public without their metadata (location first), while the original keeps them for agents."""

import hashlib
import io
import struct
import zipfile
import zlib

import pillow_heif
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms, TiffImagePlugin
from PIL.PngImagePlugin import PngInfo

from guichet.reports.photos import PhotoPosition, photo_prepare, photos_check_count

R = TiffImagePlugin.IFDRational
# 48°51'24.48" N, 2°21'0" E; and a southern, western point.
PARIS = PhotoPosition(lat=48.8568, lon=2.35)
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="48,51.408N"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def exif_with(*, orientation=1, lat=(48, 51, 24.48), lat_ref="N", lon=(2, 21, 0), lon_ref="E"):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TéléphoneDeTest"
    exif[ExifTags.Base.Model] = "Modèle 12"
    exif[ExifTags.Base.DateTime] = "2026:11:02 08:15:00"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: lat_ref,
        ExifTags.GPS.GPSLatitude: tuple(R(v) for v in lat),
        ExifTags.GPS.GPSLongitudeRef: lon_ref,
        ExifTags.GPS.GPSLongitude: tuple(R(v) for v in lon),
    }
    return exif


def halves(width=120, height=80, left=(220, 20, 20), right=(20, 20, 220)):
    """An image red on its left half, blue on its right half."""
    image = Image.new("RGB", (width, height), right)
    image.paste(left, (0, 0, width // 2, height))
    return image


def encode(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def noisy(width, height):
    return Image.merge("RGB", [Image.effect_noise((width, height), 64) for _ in range(3)])


def phone_jpeg(**exif_options):
    return encode(
        halves(),
        "JPEG",
        quality=95,
        exif=exif_with(**exif_options),
        xmp=XMP,
        comment=b"Prise rue de la Mairie par Mme Martin",
        icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes(),
    )


def assert_clean(photo_file, *, fmt="JPEG"):
    """A public copy holds pixels and nothing else."""
    content = photo_file.content
    image = Image.open(io.BytesIO(content))
    assert image.format == fmt
    assert (image.width, image.height) == (photo_file.width, photo_file.height)
    assert photo_file.sha256 == hashlib.sha256(content).hexdigest()
    assert len(image.getexif()) == 0
    assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop"):
        assert key not in image.info, key
    for marker in (b"Exif\x00\x00", b"http://ns.adobe.com", b"adobe:ns:meta", b"Photoshop 3.0"):
        assert marker not in content, marker
    for secret in ("TéléphoneDeTest".encode(), b"Mme Martin", b"2026:11:02", b"48,51"):
        assert secret not in content, secret


def colour_at(photo_file, x, y):
    return Image.open(io.BytesIO(photo_file.content)).convert("RGB").getpixel((x, y))


def is_red(rgb):
    return rgb[0] > 150 and rgb[2] < 100


def is_blue(rgb):
    return rgb[2] > 150 and rgb[0] < 100


# --- What is accepted -------------------------------------------------------------------


def test_phone_jpeg_public_copies_lose_every_metadata_and_the_original_keeps_them():
    content = phone_jpeg()

    photo = photo_prepare(content, filename="IMG_0042.JPG")

    assert photo.name == "IMG_0042.JPG"
    # The original, for agents, is exactly what was sent, location included.
    assert photo.original.content == content
    assert photo.original.mime_type == "image/jpeg"
    assert photo.original.sha256 == hashlib.sha256(content).hexdigest()
    original = Image.open(io.BytesIO(photo.original.content))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "xmp" in original.info
    assert photo.position == PARIS
    # The public copies, not.
    assert_clean(photo.display)
    assert_clean(photo.thumbnail)
    assert photo.display.mime_type == "image/jpeg"


def test_metadata_is_dropped_whatever_the_colour_handling():
    # Without a colour profile the pixels are not converted: the copies must still be
    # made from them alone.
    content = encode(halves(), "JPEG", exif=exif_with(), xmp=XMP, comment=b"Prise par Mme Martin")
    photo = photo_prepare(content, filename="a.jpg")
    assert photo.position == PARIS
    assert_clean(photo.display)
    assert_clean(photo.thumbnail)


def test_southern_and_western_positions_are_negative():
    content = phone_jpeg(lat=(33, 52, 4), lat_ref="S", lon=(151, 12, 36), lon_ref="W")
    photo = photo_prepare(content, filename="sydney.jpg")
    assert photo.position == PhotoPosition(lat=-33.8677778, lon=-151.21)


def test_a_photo_without_position_has_none():
    photo = photo_prepare(encode(halves(), "JPEG"), filename="a.jpg")
    assert photo.position is None


def test_a_zero_position_written_without_a_fix_is_ignored():
    content = phone_jpeg(lat=(0, 0, 0), lon=(0, 0, 0))
    assert photo_prepare(content, filename="a.jpg").position is None


def test_exif_orientation_is_applied_to_the_copies():
    # Stored landscape, red on the left; orientation 6 means "turn 90° clockwise to view":
    # the viewer sees a portrait photo, red at the top.
    content = phone_jpeg(orientation=6)

    photo = photo_prepare(content, filename="debout.jpg")

    assert (photo.display.width, photo.display.height) == (80, 120)
    assert (photo.original.width, photo.original.height) == (80, 120)
    assert is_red(colour_at(photo.display, 40, 10))
    assert is_blue(colour_at(photo.display, 40, 110))
    assert photo.thumbnail.height == 120  # smaller than the thumbnail size: not enlarged
    assert_clean(photo.display)


def test_large_photo_is_resized_for_display_and_thumbnail(settings):
    settings.GUICHET_PHOTO_DISPLAY_SIZE = 1600
    settings.GUICHET_PHOTO_THUMBNAIL_SIZE = 400
    content = encode(noisy(3200, 2400), "JPEG", quality=90, exif=exif_with())

    photo = photo_prepare(content, filename="grande.jpg")

    assert (photo.original.width, photo.original.height) == (3200, 2400)
    assert (photo.display.width, photo.display.height) == (1600, 1200)
    assert (photo.thumbnail.width, photo.thumbnail.height) == (400, 300)
    assert photo.display.size < len(content)
    assert photo.position == PARIS
    assert_clean(photo.display)


def test_png_with_transparency_and_text_chunks():
    image = halves().convert("RGBA")
    image.putpixel((0, 0), (0, 0, 0, 0))
    info = PngInfo()
    info.add_text("Author", "Mme Martin")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    content = encode(image, "PNG", pnginfo=info, exif=exif_with())

    photo = photo_prepare(content, filename="capture.png")

    assert photo.original.mime_type == "image/png"
    assert photo.position == PARIS
    assert_clean(photo.display)
    assert_clean(photo.thumbnail)
    # The transparent corner is flattened on white, not black.
    assert colour_at(photo.display, 0, 0) > (200, 200, 200)
    assert is_red(colour_at(photo.display, 20, 40))


def test_sixteen_bit_greyscale_png():
    image = Image.linear_gradient("L").resize((64, 64)).convert("I;16")
    photo = photo_prepare(encode(image, "PNG"), filename="gris.png")
    assert (photo.display.width, photo.display.height) == (64, 64)
    assert_clean(photo.display)


def test_webp_with_exif_and_xmp():
    content = encode(halves(), "WEBP", quality=90, exif=exif_with(), xmp=XMP)

    photo = photo_prepare(content, filename="photo.webp")

    assert photo.original.mime_type == "image/webp"
    assert photo.position == PARIS
    assert_clean(photo.display)
    assert is_red(colour_at(photo.display, 10, 40))
    assert is_blue(colour_at(photo.display, 110, 40))


def test_iphone_heic():
    pillow_heif.register_heif_opener()
    content = encode(halves(), "HEIF", quality=90, exif=exif_with(), xmp=XMP)
    assert content[4:12] == b"ftypheic"

    photo = photo_prepare(content, filename="IMG_1234.HEIC")

    assert photo.original.mime_type == "image/heic"
    assert photo.original.content == content
    assert photo.position == PARIS
    assert (photo.display.width, photo.display.height) == (120, 80)
    assert photo.display.mime_type == "image/jpeg"
    assert_clean(photo.display)
    assert_clean(photo.thumbnail)
    assert is_red(colour_at(photo.display, 10, 40))


def test_public_copies_in_webp_when_configured(settings):
    settings.GUICHET_PHOTO_FORMAT = "webp"
    photo = photo_prepare(phone_jpeg(), filename="a.jpg")
    assert photo.display.mime_type == "image/webp"
    assert photo.display.extension == ".webp"
    assert_clean(photo.display, fmt="WEBP")
    assert_clean(photo.thumbnail, fmt="WEBP")


def test_the_name_does_not_matter_only_the_content():
    jpeg = phone_jpeg()
    for name in ("photo.png", "photo", "scan.pdf"):
        assert photo_prepare(jpeg, filename=name).original.mime_type == "image/jpeg"


def test_an_upload_is_read_from_its_start():
    upload = SimpleUploadedFile("chaussée.jpg", phone_jpeg(), content_type="image/png")
    upload.read(10)
    photo = photo_prepare(upload)
    assert photo.name == "chaussée.jpg"
    assert photo.position == PARIS


def test_the_name_keeps_no_folder():
    photo = photo_prepare(phone_jpeg(), filename="C:\\Users\\martin\\Photos\\banc.jpg")
    assert photo.name == "banc.jpg"


# --- What is refused --------------------------------------------------------------------


def refused(content, filename="photo.jpg"):
    with pytest.raises(ValidationError) as caught:
        photo_prepare(content, filename=filename)
    return caught.value


def test_pdf_renamed_jpg_is_refused():
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    error = refused(pdf, "nid-de-poule.jpg")
    assert error.code == "not_a_photo"
    assert "nid-de-poule.jpg" in error.messages[0]
    assert "JPEG, PNG, WebP ou HEIC" in error.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00",
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120,
        b"#!/bin/sh\nrm -rf /\n",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"<!DOCTYPE html><html><body>photo</body></html>",
    ],
    ids=["windows-program", "linux-program", "script", "svg", "svg-xml", "html"],
)
def test_programs_and_documents_named_jpg_are_refused(content):
    assert refused(content).code == "not_a_photo"


def test_other_image_formats_are_refused():
    for fmt, name in (("GIF", "a.gif"), ("BMP", "a.bmp"), ("TIFF", "a.tif")):
        assert refused(encode(halves(), fmt), name).code == "not_a_photo"


def test_jpeg_carrying_a_pdf_is_refused():
    polyglot = phone_jpeg() + b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
    # Pillow alone would happily decode it.
    Image.open(io.BytesIO(polyglot)).load()
    assert refused(polyglot).code == "not_a_photo"


def test_jpeg_carrying_an_archive_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("payload.js", "alert(1)")
    polyglot = phone_jpeg() + archive.getvalue()
    assert zipfile.is_zipfile(io.BytesIO(polyglot))
    assert refused(polyglot).code == "not_a_photo"


def test_jpeg_carrying_a_script_in_its_comment_is_refused():
    content = encode(halves(), "JPEG", comment=b"<SCRIPT>document.location='x'</SCRIPT>")
    assert refused(content).code == "not_a_photo"


def test_png_followed_by_other_data_is_refused():
    content = encode(halves(), "PNG") + b"GIF89a hidden payload"
    assert refused(content, "a.png").code == "not_a_photo"


def test_webp_followed_by_other_data_is_refused():
    content = encode(halves(), "WEBP") + b"\x00hidden payload"
    assert refused(content, "a.webp").code == "not_a_photo"


def test_heic_followed_by_other_data_is_refused():
    pillow_heif.register_heif_opener()
    content = encode(halves(), "HEIF") + b"hidden payload"
    assert refused(content, "a.heic").code == "not_a_photo"


@pytest.mark.parametrize("fmt,name", [("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp")])
def test_truncated_photo_is_refused(fmt, name):
    content = encode(noisy(400, 300), fmt)
    error = refused(content[: len(content) * 2 // 3], name)
    assert error.code in {"unreadable", "not_a_photo"}
    assert name in error.messages[0]


def test_png_with_its_pixels_cut_off_is_refused():
    content = encode(noisy(400, 300), "PNG", exif=exif_with())
    start = content.index(b"IDAT") - 4
    length = int.from_bytes(content[start : start + 4], "big")
    # The pixel data stops halfway, but the file still ends as a PNG should.
    cut = content[: start + 8 + length // 2] + content[content.rindex(b"IEND") - 4 :]
    error = refused(cut, "a.png")
    assert error.code == "unreadable"


def test_damaged_heic_is_refused():
    pillow_heif.register_heif_opener()
    content = bytearray(encode(noisy(256, 256), "HEIF"))
    pixels = content.index(b"mdat") + 4
    content[pixels:] = bytes(len(content) - pixels)
    assert refused(bytes(content), "a.heic").code == "unreadable"


def test_truncated_large_jpeg_is_refused_even_when_decoded_at_reduced_size():
    content = encode(noisy(3200, 2400), "JPEG", quality=85)
    error = refused(content[: len(content) - 4096])
    assert error.code == "unreadable"
    assert "illisible ou incomplète" in error.messages[0]


def test_empty_file_is_refused():
    error = refused(b"", "vide.jpg")
    assert error.code == "empty"
    assert "vide.jpg" in error.messages[0]


def test_oversized_photo_is_refused(settings):
    settings.GUICHET_PHOTO_MAX_BYTES = 100_000
    content = encode(noisy(800, 600), "JPEG", quality=95)
    assert len(content) > 100_000

    error = refused(content, "lourde.jpg")

    assert error.code == "too_large"
    assert "lourde.jpg" in error.messages[0]
    assert "97,7\xa0Kio" in error.messages[0]


def test_oversized_upload_is_refused_before_being_read(settings):
    settings.GUICHET_PHOTO_MAX_BYTES = 15 * 1024 * 1024

    class Huge:
        name = "énorme.jpg"
        size = 40 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("a file too large must not be read")

    with pytest.raises(ValidationError) as caught:
        photo_prepare(Huge())
    assert caught.value.code == "too_large"
    assert "énorme.jpg" in caught.value.messages[0]


def test_upload_larger_than_it_says_is_refused(settings):
    settings.GUICHET_PHOTO_MAX_BYTES = 1000
    upload = SimpleUploadedFile("a.jpg", phone_jpeg())
    upload.size = 10
    assert refused(upload).code == "too_large"


def test_too_many_pixels_is_refused(settings):
    settings.GUICHET_PHOTO_MAX_PIXELS = 1_000_000
    content = encode(Image.new("RGB", (1200, 1000), "white"), "JPEG")

    error = refused(content, "panorama.jpg")

    assert error.code == "too_many_pixels"
    assert "1200 × 1000" in error.messages[0]


def _png(width, height, rows_of_zeros=True):
    """A 1-bit PNG written row by row: a few kilobytes that decode to width × height."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    data = b"".join(compressor.compress(row) for _ in range(height)) if rows_of_zeros else b""
    data += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_before_decoding():
    # 12,000 × 12,000 = 144 megapixels (432 MB once in colour) in a few kilobytes.
    bomb = _png(12_000, 12_000)
    assert len(bomb) < 100_000

    error = refused(bomb, "bombe.png")

    assert error.code == "too_many_pixels"
    assert "12000 × 12000" in error.messages[0]


def test_gigapixel_header_is_refused():
    # 100,000 × 100,000: Pillow itself refuses to open it; the person gets the same answer.
    error = refused(_png(100_000, 100_000, rows_of_zeros=False), "bombe.png")
    assert error.code == "too_many_pixels"


def test_a_bomb_within_pillow_limits_but_over_ours_is_not_decoded(settings):
    settings.GUICHET_PHOTO_MAX_PIXELS = 4_000_000
    assert refused(_png(3000, 3000), "a.png").code == "too_many_pixels"
    settings.GUICHET_PHOTO_MAX_PIXELS = 10_000_000
    photo = photo_prepare(_png(3000, 3000), filename="a.png")
    assert (photo.display.width, photo.display.height) == (1600, 1600)


# --- How many -----------------------------------------------------------------------------


def test_photo_count_limit(settings):
    settings.GUICHET_PHOTO_MAX_COUNT = 5
    photos_check_count(0)
    photos_check_count(5)
    photos_check_count(["a.jpg"] * 5)
    with pytest.raises(ValidationError) as caught:
        photos_check_count(["a.jpg"] * 6)
    assert caught.value.code == "too_many_photos"
    assert caught.value.messages == [
        "Vous pouvez joindre au plus 5 photos (vous en avez choisi 6)."
    ]
    settings.GUICHET_PHOTO_MAX_COUNT = 1
    with pytest.raises(ValidationError) as caught:
        photos_check_count(2)
    assert caught.value.messages == ["Vous pouvez joindre au plus 1 photo (vous en avez choisi 2)."]
