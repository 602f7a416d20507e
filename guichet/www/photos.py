"""Serving a problem report's photo copies (never an original): the portal's, the back
office's and the field agent's pages share the same answer, each with its cache rule."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _


def report_photo_response(photo, *, size: str, cache_control: str) -> FileResponse:
    """The display copy, or the thumbnail, of a ReportPhoto the caller may show."""
    if photo is None:
        raise Http404(_("Photo introuvable."))
    if size == "thumbnail":
        stored, mime = photo.thumbnail, photo.thumbnail_mime_type
    else:
        stored, mime = photo.display, photo.display_mime_type
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("Photo introuvable.")) from error
    response = FileResponse(handle, content_type=mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response
