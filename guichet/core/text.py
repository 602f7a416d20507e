"""Small text helpers for matching names typed differently."""

import unicodedata


def fold(text: str | None) -> str:
    """Lower case, no accents, single spaces: 'Élodie  LE GOFF' -> 'elodie le goff'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in stripped.lower())
    return " ".join(cleaned.split())
