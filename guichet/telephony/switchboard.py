"""Reading the switchboard's CSV export: columns found by their usual French or English
headers (or named by a setting), separators ; and ,, UTF-8 or Latin-1. Each line gives a
call or a French error; a bad line never stops the good ones."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.contacts.phones import normalise_phone
from guichet.core.text import fold

# Each role of a column and the headers (folded: lower case, no accents) that name it.
HEADERS: dict[str, tuple[str, ...]] = {
    "datetime": (
        "date et heure",
        "date heure",
        "date/heure",
        "horodatage",
        "debut",
        "date de debut",
        "start",
        "start time",
        "datetime",
        "timestamp",
        "call date",
    ),
    "date": ("date", "jour", "date appel", "date de l'appel", "day"),
    "time": ("heure", "heure appel", "heure de l'appel", "heure debut", "time", "hour"),
    "caller": (
        "appelant",
        "numero appelant",
        "numero de l'appelant",
        "n° appelant",
        "no appelant",
        "caller",
        "caller id",
        "calling number",
        "from",
        "source",
    ),
    "line": (
        "numero appele",
        "n° appele",
        "no appele",
        "appele",
        "ligne",
        "ligne appelee",
        "called number",
        "called",
        "line",
        "to",
        "destination",
        "sda",
    ),
    "talk": (
        "duree",
        "duree conversation",
        "duree de conversation",
        "duree communication",
        "temps de conversation",
        "duration",
        "talk time",
        "talk duration",
        "billsec",
    ),
    "ring": (
        "sonnerie",
        "duree sonnerie",
        "attente",
        "temps d'attente",
        "duree d'attente",
        "ring",
        "ring time",
        "ring duration",
        "wait time",
    ),
    "status": (
        "statut",
        "etat",
        "resultat",
        "issue",
        "status",
        "state",
        "result",
        "disposition",
    ),
}
ANSWERED = {
    "repondu",
    "decroche",
    "abouti",
    "pris",
    "traite",
    "answered",
    "answer",
    "connected",
    "completed",
    "ok",
    "oui",
    "yes",
}
MISSED = {
    "manque",
    "non repondu",
    "non decroche",
    "perdu",
    "abandonne",
    "abandon",
    "occupe",
    "sans reponse",
    "non abouti",
    "rejete",
    "missed",
    "no answer",
    "noanswer",
    "unanswered",
    "abandoned",
    "busy",
    "failed",
    "lost",
    "non",
    "no",
}
HIDDEN_NUMBERS = {"", "anonyme", "masque", "prive", "inconnu", "anonymous", "private", "unknown"}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%Hh%M", "%Hh%Mm%Ss", "%H.%M")


class SwitchboardFileError(ValueError):
    """The file as a whole cannot be read (French message)."""


@dataclass(frozen=True)
class ParsedCall:
    line_number: int
    line: str
    caller: str
    started_at: dt.datetime
    ring_seconds: int | None
    talk_seconds: int | None
    answered: bool

    @property
    def key(self) -> tuple[str, str, dt.datetime]:
        return (self.line, self.caller, self.started_at)


@dataclass
class ParsedFile:
    calls: list[ParsedCall]
    errors: list[dict]
    columns: dict[str, str]
    rows_read: int


def decode(content: bytes) -> str:
    """UTF-8 (with or without its byte-order mark), else Latin-1 as Windows writes it."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _delimiter(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def parse_mapping(raw: str) -> dict[str, str]:
    """ "date=Jour,caller=Appelant" -> {"date": "Jour", "caller": "Appelant"}."""
    mapping = {}
    for part in (raw or "").split(","):
        if "=" in part:
            role, header = part.split("=", 1)
            if role.strip() in HEADERS and header.strip():
                mapping[role.strip()] = header.strip()
    return mapping


def detect_columns(headers: list[str], mapping: dict[str, str] | None = None) -> dict[str, int]:
    """Which column holds each role. A mapping (role -> header as written) wins over the
    usual names."""
    folded = [fold(h).strip() for h in headers]
    found: dict[str, int] = {}
    for role, header in (mapping or {}).items():
        wanted = fold(header).strip()
        if wanted not in folded:
            raise SwitchboardFileError(
                _("La colonne « %(header)s » est introuvable dans le fichier.") % {"header": header}
            )
        found[role] = folded.index(wanted)
    for role, names in HEADERS.items():
        if role in found:
            continue
        for index, header in enumerate(folded):
            if index not in found.values() and header in {fold(n) for n in names}:
                found[role] = index
                break
    if "datetime" not in found and "date" not in found:
        raise SwitchboardFileError(
            _("Aucune colonne de date n'a été reconnue (attendu : « Date », « Date et heure »…).")
        )
    if "datetime" not in found and "time" not in found:
        # A "date" column may hold the time too.
        found["datetime"] = found.pop("date")
    if "status" not in found and "talk" not in found:
        raise SwitchboardFileError(
            _(
                "Ni colonne d'état (« Statut », « État ») ni colonne de durée n'a été reconnue : "
                "impossible de savoir quels appels ont été répondus."
            )
        )
    return found


def parse_duration(raw: str) -> int | None:
    """Seconds from "125", "02:05", "00:02:05", "2 min 5 s" or "2m05s"; None when empty."""
    value = (raw or "").strip().lower()
    if not value or value in {"-", "—"}:
        return None
    if re.fullmatch(r"\d+", value):
        return int(value)
    if re.fullmatch(r"\d+([.,]\d+)?", value):
        return round(float(value.replace(",", ".")))
    if re.fullmatch(r"\d+(:\d{1,2}){1,2}", value):
        seconds = 0
        for part in value.split(":"):
            seconds = seconds * 60 + int(part)
        return seconds
    match = re.fullmatch(
        r"(?:(\d+)\s*h)?\s*(?:(\d+)\s*(?:min|mn|m))?\s*(?:(\d+)\s*(?:s|sec))?", value
    )
    if match and any(match.groups()):
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    raise ValueError(_("durée illisible « %(value)s »") % {"value": raw})


def _parse_date(raw: str) -> dt.date:
    value = raw.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("date illisible « %(value)s »") % {"value": raw})


def _parse_time(raw: str) -> dt.time:
    value = raw.strip().lower()
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).time()
        except ValueError:
            continue
    raise ValueError(_("heure illisible « %(value)s »") % {"value": raw})


def _parse_datetime(raw: str) -> dt.datetime:
    value = raw.strip().replace("T", " ")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed
    date_part, _sep, time_part = value.partition(" ")
    day = _parse_date(date_part)
    moment = _parse_time(time_part) if time_part.strip() else dt.time(0, 0)
    return dt.datetime.combine(day, moment)


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_aware(value):
        return value
    return timezone.make_aware(value)


def _answered(status: str | None, talk: int | None) -> bool:
    if status is not None:
        value = fold(status).strip()
        if value in {fold(word) for word in ANSWERED}:
            return True
        if value in {fold(word) for word in MISSED}:
            return False
        if value:
            raise ValueError(_("état inconnu « %(value)s »") % {"value": status})
    if talk is None:
        raise ValueError(_("ni état ni durée : impossible de savoir si l'appel a été répondu"))
    return talk > 0


def _number(raw: str, what: str) -> str:
    value = (raw or "").strip()
    if fold(value) in HIDDEN_NUMBERS:
        return ""
    number = normalise_phone(value)
    if number is None:
        raise ValueError(_("%(what)s illisible « %(value)s »") % {"what": what, "value": raw})
    return number


def _line(raw: str) -> str:
    value = " ".join((raw or "").split())
    if not value:
        return ""
    return normalise_phone(value) or value[:64]


def parse(content: bytes, mapping: dict[str, str] | None = None) -> ParsedFile:
    text = decode(content)
    if not text.strip():
        raise SwitchboardFileError(_("Le fichier est vide."))
    # Lines skipped before the headers, so that errors give the line of the file.
    offset = _leading_lines(text)
    text = text.lstrip()
    first_line = text.splitlines()[0]
    delimiter = _delimiter(first_line)
    if first_line.lower().startswith("sep=") and len(first_line.strip()) == 5:
        # Excel's hint line ("sep=;") before the headers.
        delimiter = first_line.strip()[4]
        text = text[len(first_line) :]
        offset += _leading_lines(text)
        text = text.lstrip()
        if not text:
            raise SwitchboardFileError(_("Le fichier est vide."))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    headers = next(reader)
    columns = detect_columns(headers, mapping)
    calls: list[ParsedCall] = []
    errors: list[dict] = []
    rows_read = 0
    for row in reader:
        line_number = reader.line_num + offset
        if not any(cell.strip() for cell in row):
            continue
        rows_read += 1

        def cell(role, row=row):
            index = columns.get(role)
            if index is None:
                return None
            return row[index] if index < len(row) else ""

        try:
            if "datetime" in columns:
                started = _parse_datetime(cell("datetime"))
            else:
                started = dt.datetime.combine(_parse_date(cell("date")), _parse_time(cell("time")))
            talk = parse_duration(cell("talk")) if "talk" in columns else None
            ring = parse_duration(cell("ring")) if "ring" in columns else None
            calls.append(
                ParsedCall(
                    line_number=line_number,
                    line=_line(cell("line")) if "line" in columns else "",
                    caller=_number(cell("caller"), _("numéro de l'appelant"))
                    if "caller" in columns
                    else "",
                    started_at=_aware(started),
                    ring_seconds=ring,
                    talk_seconds=talk,
                    answered=_answered(cell("status"), talk),
                )
            )
        except ValueError as error:
            errors.append({"line": line_number, "message": _capitalise(str(error))})
    return ParsedFile(
        calls=calls,
        errors=errors,
        columns={role: headers[index] for role, index in columns.items()},
        rows_read=rows_read,
    )


def _leading_lines(text: str) -> int:
    return text[: len(text) - len(text.lstrip())].count("\n")


def _capitalise(message: str) -> str:
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
