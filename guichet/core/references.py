"""Human-readable references that survive a phone call and are never reused."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from guichet.core.models import ReferenceCounter

# No 0/O, 1/I/L: letters and digits that are not mistaken for each other when spoken or read.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def encode(number: int, width: int = 4) -> str:
    base = len(ALPHABET)
    chars = []
    while number:
        number, rem = divmod(number, base)
        chars.append(ALPHABET[rem])
    return "".join(reversed(chars)).rjust(width, ALPHABET[0])


def check_char(body: str) -> str:
    """A weighted checksum character, so that a typo in a reference read aloud is caught."""
    total = sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body) if c in ALPHABET)
    return ALPHABET[total % len(ALPHABET)]


def next_number(*, authority, kind: str, year: int) -> int:
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
            authority=authority, kind=kind, year=year
        )
        ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db(fields=["last"])
        return counter.last


def case_reference(*, authority, year: int) -> str:
    number = next_number(authority=authority, kind="case", year=year)
    body = encode(number)
    return f"{year % 100:02d}-{body}{check_char(body)}"


def normalise_reference(text: str) -> str:
    """Accept what a person reads over the phone: lower case, spaces, O for 0 and so on."""
    cleaned = "".join(text.split()).upper().replace(".", "-")
    if len(cleaned) >= 3 and cleaned[2] != "-" and cleaned[:2].isdigit():
        cleaned = f"{cleaned[:2]}-{cleaned[2:]}"
    return cleaned


def is_well_formed(reference: str) -> bool:
    if len(reference) < 8 or reference[2] != "-" or not reference[:2].isdigit():
        return False
    body, check = reference[3:-1], reference[-1]
    return all(c in ALPHABET for c in body) and check_char(body) == check
