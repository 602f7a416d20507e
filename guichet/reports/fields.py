"""The extra fields of a report category: their definition checked, and the values a
person or an Open311 client gives for them checked and put in a storable shape."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from guichet.reports.models import CategoryField, FieldDatatype

MAX_TEXT = 2000
MAX_STRING = 255


def category_fields(category) -> list[CategoryField]:
    """The category's extra fields, in their order."""
    if category is None:
        return []
    return list(CategoryField.objects.filter(category=category).order_by("order", "id"))


def field_values_check(field: CategoryField) -> None:
    """A list needs its choices, each with a key and a name, keys unique; others none."""
    values = field.values or []
    if not field.is_list:
        if values:
            raise ValidationError({"values": _("Seules les listes ont des choix.")})
        return
    if not isinstance(values, list) or not values:
        raise ValidationError({"values": _("Une liste a au moins un choix.")})
    keys = []
    for value in values:
        if not (
            isinstance(value, dict)
            and str(value.get("key", "")).strip()
            and str(value.get("name", "")).strip()
        ):
            raise ValidationError({"values": _('Chaque choix s\'écrit {"key": "…", "name": "…"}.')})
        keys.append(str(value["key"]).strip())
    if len(set(keys)) != len(keys):
        raise ValidationError({"values": _("Deux choix ont la même clé.")})


def _keys(field: CategoryField) -> dict[str, str]:
    return {str(v["key"]).strip(): str(v["name"]) for v in field.values or []}


def _one(field: CategoryField, raw) -> str | float | list[str] | None:
    """One field's value checked, or None when empty; a ValidationError in French."""
    if field.datatype == FieldDatatype.MULTIVALUELIST:
        items = raw if isinstance(raw, list | tuple) else [raw]
        chosen = [str(i).strip() for i in items if i is not None and str(i).strip()]
        if not chosen:
            return None
        keys = _keys(field)
        unknown = [c for c in chosen if c not in keys]
        if unknown:
            raise ValidationError(_("Choisissez parmi les valeurs proposées."))
        return list(dict.fromkeys(chosen))
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if field.datatype == FieldDatatype.NUMBER:
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            number = float("nan")
        if number != number or number in (float("inf"), float("-inf")):
            raise ValidationError(_("Indiquez un nombre."))
        return int(number) if number.is_integer() else number
    if field.datatype == FieldDatatype.DATETIME:
        try:
            moment = parse_datetime(text.replace(" ", "T", 1)) or parse_date(text)
        except ValueError:
            moment = None
        if moment is None:
            raise ValidationError(_("Indiquez une date (AAAA-MM-JJ, avec l'heure si besoin)."))
        return moment.isoformat()
    if field.datatype == FieldDatatype.SINGLEVALUELIST:
        if text not in _keys(field):
            raise ValidationError(_("Choisissez parmi les valeurs proposées."))
        return text
    limit = MAX_TEXT if field.datatype == FieldDatatype.TEXT else MAX_STRING
    if len(text) > limit:
        raise ValidationError(
            _("%(limit)s caractères au plus, s'il vous plaît.") % {"limit": limit}
        )
    return text


def field_values_clean(fields: Iterable[CategoryField], raw: Mapping, *, prefix: str = "") -> dict:
    """The values given for `fields` (by code in `raw`), checked: a required field left
    empty or a wrong value raises one ValidationError naming each field as `prefix+code`;
    codes that are no field of the category are left out."""
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    for field in fields:
        try:
            value = _one(field, raw.get(field.code))
        except ValidationError as error:
            errors[prefix + field.code] = [
                _("%(label)s : %(message)s") % {"label": field.label, "message": m}
                for m in error.messages
            ]
            continue
        if value is None:
            if field.required:
                errors[prefix + field.code] = [
                    _("%(label)s : ce champ est obligatoire.") % {"label": field.label}
                ]
            continue
        cleaned[field.code] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def field_values_display(category, extra: Mapping) -> list[tuple[str, str]]:
    """(label, value) lines of a report's extra values, for the agents."""
    if not extra:
        return []
    lines = []
    known = set()
    for field in category_fields(category):
        if field.code not in extra:
            continue
        known.add(field.code)
        value = extra[field.code]
        names = _keys(field)
        if isinstance(value, list):
            shown = ", ".join(names.get(str(v), str(v)) for v in value)
        else:
            shown = names.get(str(value), str(value))
        lines.append((field.label, shown))
    lines.extend((code, str(v)) for code, v in extra.items() if code not in known)
    return lines
