"""Maps on Guichet's pages: the vendored Leaflet draws outlines and points by itself; base
tiles come only from the server an administrator configured (GUICHET_MAP_TILE_URL), which
the page's Content-Security-Policy then allows for images, and nothing else."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from guichet.core.middleware import CSP


def map_tile_context() -> dict:
    return {
        "tile_url": settings.GUICHET_MAP_TILE_URL,
        "tile_attribution": settings.GUICHET_MAP_TILE_ATTRIBUTION,
    }


def allow_map_tiles(response):
    """Let the page's map load its tiles from the configured server."""
    parts = urlsplit(settings.GUICHET_MAP_TILE_URL or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        # "{s}.tile.example.org" names a few subdomains: allow them all.
        host = parts.netloc.replace("{s}", "*")
        response.headers["Content-Security-Policy"] = CSP.replace(
            "img-src 'self' data: blob:", f"img-src 'self' data: blob: {parts.scheme}://{host}"
        )
    return response


def parse_bbox(raw: str) -> tuple[float, float, float, float] | None:
    """A map's visible area as `west,south,east,north` (Leaflet's `toBBoxString()` order),
    or None when it is unreadable or does not fit on the globe (NaN falls out too: it
    compares false with everything)."""
    try:
        west, south, east, north = (float(part) for part in raw.split(","))
    except ValueError:
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return west, south, east, north
