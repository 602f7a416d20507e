"""Slowing down password guessing: after too many failures on an account (or from one
address), sign-in is refused for a while, with a clear message. The counters live in the
cache (a folder shared by the web processes by default)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from guichet.core.ratelimit import counter_hit


def _keys(email: str, ip: str) -> list[str]:
    # Hashed: a key holds no personal data and no character a cache backend refuses.
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    keys = [f"login-fail:account:{account}"]
    if ip:
        keys.append(f"login-fail:ip:{ip}")
    return keys


def is_blocked(email: str, ip: str) -> bool:
    limits = (settings.GUICHET_LOGIN_MAX_FAILURES, settings.GUICHET_LOGIN_MAX_FAILURES * 5)
    counts = cache.get_many(_keys(email, ip))
    pairs = zip(_keys(email, ip), limits, strict=False)
    return any(counts.get(key, 0) >= limit for key, limit in pairs)


def record_failure(email: str, ip: str) -> None:
    for key in _keys(email, ip):
        counter_hit(key, window=settings.GUICHET_LOGIN_BLOCK_SECONDS)


def record_success(email: str) -> None:
    cache.delete(_keys(email, "")[0])
