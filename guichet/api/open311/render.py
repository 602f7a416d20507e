"""Open311 answers in XML (required by GeoReport v2) and JSON, and its error bodies."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json"}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _append(parent: ET.Element, tag: str, value, item_tags: dict[str, str]) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner, item_tags)
    elif isinstance(value, list):
        child = item_tags.get(tag, "item")
        for inner in value:
            _append(element, child, inner, item_tags)
    else:
        element.text = _text(value)


def to_xml(root: str, item: str, rows, item_tags: dict[str, str] | None = None) -> bytes:
    """`rows` as <root><item>…</item>…</root>, or one dict as <root>…</root> when `item`
    is empty. `item_tags` names the elements of nested lists (attributes → attribute)."""
    tags = item_tags or {}
    element = ET.Element(root)
    if item:
        for row in rows:
            _append(element, item, row, tags)
    else:
        for key, value in rows.items():
            _append(element, key, value, tags)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")


def _json_ready(value):
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def answer(fmt: str, root: str, item: str, rows, *, status=200, item_tags=None):
    if fmt == "xml":
        return HttpResponse(
            to_xml(root, item, rows, item_tags), status=status, content_type=CONTENT_TYPES["xml"]
        )
    return JsonResponse(_json_ready(rows), status=status, safe=False)


class Open311Error(Exception):
    """An error the client caused (or a missing page): answered in the spec's shape."""

    def __init__(self, status: int, description: str, code: int | None = None):
        super().__init__(description)
        self.status = status
        self.code = code or status
        self.description = str(description)


def error_answer(fmt: str, error: Open311Error):
    rows = [{"code": error.code, "description": error.description}]
    return answer(fmt or "xml", "errors", "error", rows, status=error.status)
