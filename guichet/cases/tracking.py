"""The private tracking link of a person who wrote without an account.

The token is derived (HMAC with the secret key) from the case and a random nonce kept on
the case, so that nothing secret is stored: the link is rebuilt by the mail task when the
registration email is sent, while the stored copy of that email shows a placeholder. A new
nonce revokes the link.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "guichet.cases.tracking"
# What the stored copy of an email holds instead of the link.
LINK_PLACEHOLDER = "[lien de suivi privé]"


def new_nonce() -> str:
    return secrets.token_hex(16)


def _signature(case_pk: int, nonce: str) -> str:
    return salted_hmac(SALT, f"{case_pk}:{nonce}", algorithm="sha256").hexdigest()[:40]


def tracking_token(case) -> str:
    if not case.tracking_nonce:
        return ""
    return f"{case.pk}-{_signature(case.pk, case.tracking_nonce)}"


def tracking_url(case) -> str:
    token = tracking_token(case)
    if not token:
        return ""
    path = reverse("portal:track", kwargs={"authority_slug": case.authority.slug, "token": token})
    return settings.SITE_URL + path


def case_for_token(token: str):
    from guichet.cases.models import Case

    pk, _, signature = (token or "").partition("-")
    if not pk.isdigit() or len(signature) != 40:
        return None
    case = Case.objects.filter(pk=int(pk)).select_related("authority").first()
    if case is None or not case.tracking_nonce:
        return None
    if not constant_time_compare(signature, _signature(case.pk, case.tracking_nonce)):
        return None
    return case
