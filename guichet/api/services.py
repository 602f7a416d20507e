"""Writes on API keys: created and revoked by the authority's administrators, audited; and
the check of a key an outside system sends, with its rate limit."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.api.models import ApiKey
from guichet.core.events import event_record
from guichet.core.ratelimit import counter_hit

PREFIX_LENGTH = 8


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, actor, authority, name: str, rate_per_minute: int = 60) -> tuple[ApiKey, str]:
    """A new key for the authority; returns it with its secret, which is never stored."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Nommez le système qui utilisera cette clé.")})
    if not 1 <= rate_per_minute <= 10_000:
        raise ValidationError(
            {"rate_per_minute": _("Indiquez entre 1 et 10 000 requêtes par minute.")}
        )
    while True:
        secret = secrets.token_urlsafe(32)
        prefix = secret[:PREFIX_LENGTH]
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    key = ApiKey.objects.create(
        authority=authority,
        name=name[:100],
        prefix=prefix,
        secret_hash=_hash(secret),
        rate_per_minute=rate_per_minute,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    event_record(
        actor=actor,
        verb="api_key.created",
        target=key,
        data={"name": key.name, "rate_per_minute": rate_per_minute},
    )
    return key, secret


@transaction.atomic
def api_key_revoke(*, actor, key: ApiKey) -> ApiKey:
    """The key stops working at once; revoking twice changes nothing."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if not key.is_active:
        return key
    key.is_active = False
    key.revoked_at = timezone.now()
    key.save(update_fields=["is_active", "revoked_at"])
    event_record(actor=actor, verb="api_key.revoked", target=key, data={"name": key.name})
    return key


def api_key_check(secret: str) -> ApiKey | None:
    """The active key of this secret, or None."""
    secret = (secret or "").strip()
    if len(secret) < PREFIX_LENGTH:
        return None
    key = (
        ApiKey.objects.filter(prefix=secret[:PREFIX_LENGTH], is_active=True)
        .select_related("authority")
        .first()
    )
    if key is None or not key.authority.is_active:
        return None
    if not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    return key


def api_key_within_rate(key: ApiKey) -> bool:
    """Count one call of this key in the current minute; False past its limit. The cache is
    shared by the web processes (a folder by default)."""
    now = timezone.now()
    used = counter_hit(f"api-rate:{key.pk}:{now:%Y%m%d%H%M}", window=120)
    # Last used: written at most once a minute per key.
    if used == 1:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return used <= key.rate_per_minute
