"""Counting events per key over a window, in the cache shared by the web processes (a
folder by default): sign-in failures, API calls, public forms sent from one address."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def counter_hit(key: str, *, window: int) -> int:
    """Count one more event under `key`, kept `window` seconds from the first one; returns
    the count so far (an approximation under heavy concurrency on the file cache, which is
    all a limit needs)."""
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=window)
        return 1


def client_address(request) -> str:
    """The sender's address: the connection's, or behind GUICHET_TRUSTED_PROXIES proxies the
    one the outermost of them saw, read from the right of X-Forwarded-For (what lies further
    left was written by the sender and proves nothing)."""
    if request is None:
        return ""
    address = request.META.get("REMOTE_ADDR", "")
    trusted = settings.GUICHET_TRUSTED_PROXIES
    if trusted > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= trusted:
            address = forwarded[-trusted]
    return address


def client_key(request) -> str:
    """The sending address, hashed: a counter's key holds no personal data and no character
    a cache backend refuses."""
    return hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
