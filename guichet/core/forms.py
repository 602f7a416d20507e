"""Form pieces shared by the portal and the back office."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from guichet.core.files import ALLOWED_TYPES, check_upload


class ServiceErrorsMixin:
    def add_service_error(self, error: ValidationError, aliases: dict[str, str] | None = None):
        """Show an error raised by a service: on its field when the form has one, else on
        top of the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            name = (aliases or {}).get(name, name)
            self.add_error(name if name in self.fields else None, errors)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once, each checked by its content (guichet.core.files)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", attachments_help_lazy())
        super().__init__(*args, **kwargs)
        extensions = sorted({ext for exts in ALLOWED_TYPES.values() for ext in exts})
        self.widget.attrs.setdefault("accept", ",".join(extensions))
        self.widget.attrs.setdefault("multiple", True)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            uploads = [d for d in data if d]
        else:
            uploads = [data] if data else []
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        limit = settings.GUICHET_ATTACHMENT_MAX_COUNT
        if len(uploads) > limit:
            raise ValidationError(
                ngettext(
                    "Vous pouvez joindre au plus %(count)d fichier.",
                    "Vous pouvez joindre au plus %(count)d fichiers.",
                    limit,
                )
                % {"count": limit},
                code="too_many",
            )
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(check_upload(upload))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return checked


def attachments_help() -> str:
    return _(
        "Jusqu'à %(count)d fichiers de %(size)s chacun au plus : PDF, images (JPEG, PNG, "
        "WebP, HEIC) ou documents bureautiques (ODT, ODS, DOCX, XLSX, TXT)."
    ) % {
        "count": settings.GUICHET_ATTACHMENT_MAX_COUNT,
        "size": filesizeformat(settings.GUICHET_ATTACHMENT_MAX_BYTES),
    }


def attachments_help_lazy():
    """The limits as they stand when the form is shown (settings may change)."""
    from django.utils.functional import lazy

    return lazy(attachments_help, str)()
