"""Password rules of the CNIL (deliberation 2022-100) for password-only login."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _classes(password: str) -> int:
    return sum(
        bool(re.search(pattern, password))
        for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]")
    )


class CnilPasswordValidator:
    """At least 12 characters of 4 kinds, or 14 of 3 kinds, or a passphrase of 7 words."""

    def validate(self, password, user=None):
        if len(password.split()) >= 7 and len(password) >= 20:
            return
        kinds = _classes(password)
        if len(password) >= 14 and kinds >= 3:
            return
        if len(password) >= 12 and kinds >= 4:
            return
        raise ValidationError(self.get_help_text(), code="password_too_weak")

    def get_help_text(self):
        return _(
            "Votre mot de passe doit compter au moins 12 caractères mêlant minuscules, "
            "majuscules, chiffres et caractères spéciaux, ou au moins 14 caractères de trois "
            "de ces types, ou être une phrase d'au moins 7 mots."
        )
