"""Addresses for problem reports: finding a typed address and naming the address of a point.

`geocoder()` returns the geocoder the deployment configured (GUICHET_GEOCODER_URL), or a
`NullGeocoder` that finds nothing: a report then keeps the point placed on the map alone.
A geocoder never raises to its caller: a service that is down, slow or answering nonsense
gives no result and a warning in the log, so that a person can always send their report.

The adapter speaks the protocol of the national address base (Base Adresse Nationale):
`GET {base}/search/?q=…&limit=…[&lat=…&lon=…]` and `GET {base}/reverse/?lat=…&lon=…`, both
answering a GeoJSON FeatureCollection whose features carry the address in their properties
(label, housenumber, street, postcode, city, citycode, score) and the point in their
geometry (longitude first).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# The service refuses a query shorter than 3 characters or longer than 200.
QUERY_MIN_LENGTH = 3
QUERY_MAX_LENGTH = 200
MAX_LIMIT = 20
# Larger answers are not read: a search result is a few kilobytes.
MAX_ANSWER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Address:
    """One address found, with its point (WGS 84 degrees)."""

    label: str
    lat: float
    lon: float
    housenumber: str = ""
    street: str = ""
    postcode: str = ""
    city: str = ""
    citycode: str = ""  # the commune's INSEE code
    score: float | None = None  # 0 to 1, how well it matches the text (search only)
    kind: str = ""  # housenumber, street, locality or municipality


def _near_point(near) -> tuple[float, float] | None:
    """(lat, lon) from a pair, an Address or anything with lat and lon."""
    if near is None:
        return None
    if isinstance(near, (tuple, list)) and len(near) == 2:
        lat, lon = near
    else:
        lat, lon = getattr(near, "lat", None), getattr(near, "lon", None)
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        return None
    return (lat, lon) if _valid_point(lat, lon) else None


def _valid_point(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


class Geocoder:
    """What the report pages call. Neither method ever raises."""

    available = True

    def search(self, text: str, *, near=None, limit: int = 5) -> list[Address]:
        """Addresses matching the text, best first; `near` (lat, lon) favours those close
        to a point."""
        raise NotImplementedError

    def reverse(self, lat: float, lon: float) -> Address | None:
        """The address closest to the point, or None."""
        raise NotImplementedError


class NullGeocoder(Geocoder):
    """No geocoder configured: nothing is ever found, the point alone is kept."""

    available = False

    def search(self, text: str, *, near=None, limit: int = 5) -> list[Address]:
        return []

    def reverse(self, lat: float, lon: float) -> Address | None:
        return None


class BanGeocoder(Geocoder):
    """A service speaking the national address base's protocol, with a short timeout and
    its answers kept a while in the cache to spare it."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float | None = None,
        cache_seconds: int | None = None,
    ):
        self.base_url = base_url.strip().rstrip("/")
        self.timeout = timeout if timeout is not None else settings.GUICHET_GEOCODER_TIMEOUT
        self.cache_seconds = (
            cache_seconds if cache_seconds is not None else settings.GUICHET_GEOCODER_CACHE_SECONDS
        )

    def search(self, text: str, *, near=None, limit: int = 5) -> list[Address]:
        query = " ".join(str(text or "").split())[:QUERY_MAX_LENGTH]
        # The service only takes a query starting with a letter or a digit.
        while query and not query[0].isalnum():
            query = query[1:]
        if len(query) < QUERY_MIN_LENGTH:
            return []
        try:
            limit = max(1, min(int(limit), MAX_LIMIT))
        except (TypeError, ValueError):
            limit = 5
        params = {"q": query, "limit": str(limit)}
        point = _near_point(near)
        if point:
            params["lat"], params["lon"] = f"{point[0]:.6f}", f"{point[1]:.6f}"
        return self._features("search", params)[:limit]

    def reverse(self, lat: float, lon: float) -> Address | None:
        point = _near_point((lat, lon))
        if point is None:
            return None
        params = {"lat": f"{point[0]:.6f}", "lon": f"{point[1]:.6f}", "limit": "1"}
        found = self._features("reverse", params)
        return found[0] if found else None

    def _features(self, endpoint: str, params: dict[str, str]) -> list[Address]:
        url = f"{self.base_url}/{endpoint}/?{urllib.parse.urlencode(params)}"
        key = "geocoder:" + hashlib.sha256(url.encode()).hexdigest()
        if self.cache_seconds:
            cached = cache.get(key)
            if cached is not None:
                return [Address(**fields) for fields in cached]
        answer = self._get(url, endpoint)
        if answer is None:
            return []
        addresses = _parse_collection(answer)
        if addresses is None:
            logger.warning("Geocoder %s: unexpected answer (not a FeatureCollection)", endpoint)
            return []
        if self.cache_seconds:
            cache.set(key, [asdict(a) for a in addresses], self.cache_seconds)
        return addresses

    def _get(self, url: str, endpoint: str):
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": "Guichet"}
        )
        # The query is a person's words, perhaps their address: the log names the service
        # and the failure only.
        try:
            with _OPENER.open(request, timeout=self.timeout) as response:
                body = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as error:
            logger.warning("Geocoder %s failed: HTTP %s", endpoint, error.code)
            return None
        except (urllib.error.URLError, OSError, ValueError) as error:
            # URLError wraps refused connections; a timeout is an OSError.
            reason = getattr(error, "reason", error)
            logger.warning("Geocoder %s failed: %s", endpoint, reason)
            return None
        if len(body) > MAX_ANSWER_BYTES:
            logger.warning("Geocoder %s failed: answer too large", endpoint)
            return None
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            logger.warning("Geocoder %s failed: invalid JSON answer", endpoint)
            return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: the person's words go to the configured service only."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _parse_collection(answer) -> list[Address] | None:
    """The addresses of a GeoJSON FeatureCollection; features that are not a point with a
    label are skipped. None when the answer is not a FeatureCollection at all."""
    if not isinstance(answer, dict) or not isinstance(answer.get("features"), list):
        return None
    addresses = []
    for feature in answer["features"]:
        if not isinstance(feature, dict):
            continue
        geometry = feature.get("geometry") or {}
        properties = feature.get("properties") or {}
        if not isinstance(geometry, dict) or not isinstance(properties, dict):
            continue
        coordinates = geometry.get("coordinates")
        if geometry.get("type") != "Point" or not isinstance(coordinates, list):
            continue
        try:
            lon, lat = float(coordinates[0]), float(coordinates[1])
        except (IndexError, TypeError, ValueError):
            continue
        label = _text(properties.get("label"))
        if not label or not _valid_point(lat, lon):
            continue
        try:
            score = float(properties["score"]) if properties.get("score") is not None else None
        except (TypeError, ValueError):
            score = None
        addresses.append(
            Address(
                label=label,
                lat=lat,
                lon=lon,
                housenumber=_text(properties.get("housenumber")),
                street=_text(properties.get("street"))
                or (_text(properties.get("name")) if properties.get("type") == "street" else ""),
                postcode=_text(properties.get("postcode")),
                city=_text(properties.get("city")),
                citycode=_text(properties.get("citycode")),
                score=score,
                kind=_text(properties.get("type")),
            )
        )
    return addresses


def geocoder() -> Geocoder:
    """The configured geocoder (GUICHET_GEOCODER_URL), or one that finds nothing."""
    base_url = (settings.GUICHET_GEOCODER_URL or "").strip()
    if not base_url:
        return NullGeocoder()
    if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
        logger.warning("GUICHET_GEOCODER_URL is not an http(s) address: no geocoder")
        return NullGeocoder()
    return BanGeocoder(base_url=base_url)
