"""Plane geometry on GeoJSON, in pure Python, so that territories work on SQLite and on
PostgreSQL without a spatial extension. Longitude is x, latitude is y (GeoJSON order).

At the scale of a commune, treating degrees as plane coordinates decides "is this point
inside" exactly as a spatial database would: the polygon's edges are the same straight
lines between the same vertices.
"""

from __future__ import annotations

from collections.abc import Iterable

# A point closer than this to an edge counts as on it (about 1 cm at French latitudes):
# the shared border of two districts belongs to both, and the caller chooses.
EDGE_TOLERANCE = 1e-7


class GeometryError(ValueError):
    pass


def polygons_of(geometry: dict) -> list[list[list[tuple[float, float]]]]:
    """The polygons (each a list of rings, the first one the outline, then the holes) of
    a GeoJSON Polygon, MultiPolygon or Feature/GeometryCollection holding them."""
    if not isinstance(geometry, dict):
        raise GeometryError("A GeoJSON object is expected.")
    kind = geometry.get("type")
    if kind == "Feature":
        return polygons_of(geometry.get("geometry") or {})
    if kind == "GeometryCollection":
        return [p for g in geometry.get("geometries", []) for p in polygons_of(g)]
    coordinates = geometry.get("coordinates")
    try:
        if kind == "Polygon":
            return [_rings(coordinates)]
        if kind == "MultiPolygon":
            return [_rings(polygon) for polygon in coordinates]
    except (TypeError, ValueError, IndexError) as exc:
        raise GeometryError(f"Invalid coordinates: {exc}") from exc
    raise GeometryError(f"Only polygons describe a territory, not {kind!r}.")


def _rings(coordinates) -> list[list[tuple[float, float]]]:
    rings = []
    for ring in coordinates:
        points = [(float(p[0]), float(p[1])) for p in ring]
        if len(points) < 4 or points[0] != points[-1]:
            raise ValueError("a ring has at least four positions and is closed")
        for x, y in points:
            if not (-180 <= x <= 180 and -90 <= y <= 90):
                raise ValueError("a position is outside longitude/latitude bounds")
        rings.append(points)
    if not rings:
        raise ValueError("a polygon has at least one ring")
    return rings


def bounding_box(geometry: dict) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for polygon in polygons_of(geometry):
        for x, y in polygon[0]:
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def _on_segment(px, py, ax, ay, bx, by) -> bool:
    cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
    length = max(abs(bx - ax), abs(by - ay), 1e-12)
    if abs(cross) / length > EDGE_TOLERANCE:
        return False
    return (
        min(ax, bx) - EDGE_TOLERANCE <= px <= max(ax, bx) + EDGE_TOLERANCE
        and min(ay, by) - EDGE_TOLERANCE <= py <= max(ay, by) + EDGE_TOLERANCE
    )


def _ring_position(x: float, y: float, ring: list[tuple[float, float]]) -> int:
    """1 inside, 0 on the edge, -1 outside (even-odd ray casting)."""
    inside = False
    for (ax, ay), (bx, by) in zip(ring, ring[1:], strict=False):
        if _on_segment(x, y, ax, ay, bx, by):
            return 0
        if (ay > y) != (by > y):
            crossing = ax + (y - ay) * (bx - ax) / (by - ay)
            if x < crossing:
                inside = not inside
    return 1 if inside else -1


def contains(geometry: dict | Iterable, longitude: float, latitude: float) -> bool:
    """Whether the point is inside the territory or on its border (holes excluded, their
    border included)."""
    polygons = geometry if isinstance(geometry, list) else polygons_of(geometry)
    for rings in polygons:
        outer = _ring_position(longitude, latitude, rings[0])
        if outer < 0:
            continue
        if outer == 0:
            return True
        if all(_ring_position(longitude, latitude, hole) != 1 for hole in rings[1:]):
            return True
    return False


def area(geometry: dict) -> float:
    """Plane area in square degrees (only to prefer the smaller of two nested territories)."""
    total = 0.0
    for rings in polygons_of(geometry):
        for index, ring in enumerate(rings):
            twice = sum(
                ax * by - bx * ay for (ax, ay), (bx, by) in zip(ring, ring[1:], strict=False)
            )
            total += abs(twice) / 2 * (1 if index == 0 else -1)
    return total
