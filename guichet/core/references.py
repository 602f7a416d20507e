"""Human-readable references that survive a phone call and are never reused."""

from __future__ import annotations

from django.db import IntegrityError, transaction
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


def check_char(body: str, year2: str = "") -> str:
    """A weighted checksum character over the body and the two-digit year, so that one
    mistyped character of a reference read aloud is caught (31 is prime and every weight is
    below it: one changed character always changes the sum modulo 31)."""
    total = sum((i + 1) * ALPHABET.index(c) for i, c in enumerate(body) if c in ALPHABET)
    if year2.isdigit():
        total += int(year2) * (len(body) + 1)
    return ALPHABET[total % len(ALPHABET)]


def next_number(*, authority, kind: str, year: int) -> int:
    with transaction.atomic():
        counters = ReferenceCounter.objects.select_for_update()
        counter = counters.filter(authority=authority, kind=kind, year=year).first()
        if counter is None:
            # The first number of a year: two requests may race to create the row; the
            # loser reads the winner's row, locked, once it is committed.
            try:
                with transaction.atomic():
                    counter = ReferenceCounter.objects.create(
                        authority=authority, kind=kind, year=year
                    )
            except IntegrityError:
                counter = counters.get(authority=authority, kind=kind, year=year)
        ReferenceCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
        counter.refresh_from_db(fields=["last"])
        return counter.last


def case_reference(*, authority, year: int) -> str:
    return format_case_reference(year, next_number(authority=authority, kind="case", year=year))


def format_case_reference(year: int, number: int) -> str:
    """26-2223X6: the year, the number in the spoken-safe alphabet, a check character."""
    body = encode(number)
    prefix = f"{year % 100:02d}"
    return f"{prefix}-{body}{check_char(body, prefix)}"


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
    return all(c in ALPHABET for c in body) and check_char(body, reference[:2]) == check
