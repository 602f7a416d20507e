"""Full-text search, behind one function that checks the database vendor.

PostgreSQL: French text search with stemming over an expression index (see the migration
`cases.0002_case_french_search`). Elsewhere: a portable word-by-word containment.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from guichet.core.text import fold


def text_search(queryset, text: str, *, fields: tuple[str, ...]):
    words = fold(text).split()
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(*fields, config="french")
        query = SearchQuery(text, config="french", search_type="plain")
        return queryset.annotate(_search=vector).filter(_search=query)
    # SQLite's LIKE folds case for ASCII only and never accents: search the words as typed
    # (lower-cased), so that "éclairage" finds "Éclairage public" and "eclairage" what was
    # typed without accents. French stemming and accent folding come with the full-text
    # index of each database.
    words = text.lower().split()
    condition = Q()
    for word in words:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": word})
        condition &= any_field
    return queryset.filter(condition)
