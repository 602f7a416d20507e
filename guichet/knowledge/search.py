"""Searching the knowledge base in French, fast enough to type into.

Each article keeps a `search_document`: the folded French stems of its title (counted three
times, so that a title match ranks first), keywords (twice), competent service and text.
The same document is indexed by each database's own full-text engine:
- PostgreSQL: a stored `search_vector` column (generated from `search_document`, outside
  the Django model) with a GIN index; the stemming and accent folding are already done,
  identically on both databases;
- SQLite: an FTS5 table `knowledge_article_fts` (rowid = article id), kept by `index_article`.
A query is folded and stemmed the same way; its last word is a prefix (the agent is still
typing it). When nothing matches, each word unknown to the base is replaced by its closest
known stem, so that one typo does not leave the agent empty-handed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection
from django.db.models import BooleanField, FloatField, Max
from django.db.models.expressions import RawSQL

from guichet.core.text import french_stems

FTS_TABLE = "knowledge_article_fts"


def document_for(article, *, category_labels: Iterable[str] = ()) -> str:
    parts = [
        (article.title, 3),
        (article.keywords, 2),
        (" ".join(category_labels), 1),
        (article.service.name if article.service_id else "", 1),
        (article.summary, 1),
        (article.competent, 1),
        (article.documents, 1),
        (article.delays, 1),
        (article.fees, 1),
        (article.where_when, 1),
        (article.body, 1),
    ]
    stems: list[str] = []
    for text, weight in parts:
        stems.extend(french_stems(text) * weight)
    return " ".join(stems)


def index_article(article) -> None:
    """Store the article's search document and, on SQLite, its row in the FTS5 table."""
    labels = list(article.categories.values_list("label", flat=True)) if article.pk else []
    document = document_for(article, category_labels=labels)
    type(article).objects.filter(pk=article.pk).update(search_document=document)
    article.search_document = document
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [article.pk])
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, document) VALUES (%s, %s)",
                [article.pk, document],
            )


def query_terms(text: str) -> tuple[list[str], bool]:
    """The stems to look for, and whether the last one is a prefix (text still typed)."""
    terms = french_stems(text)
    if not terms:
        # Only stop words ("le", "la"): look for them as typed rather than for nothing.
        terms = french_stems(text, keep_stop_words=True)
    prefix = bool(text) and not text[-1].isspace()
    return terms, prefix


# FTS5 candidates kept, best first, before the queryset's own filters apply.
FTS_CANDIDATES = 500


def _match(
    queryset,
    terms: list[str],
    prefix: bool,
    *,
    every: bool = True,
    authority_id: int | None = None,
    public: bool = False,
):
    """`every`: all the words (a search typed by the agent); otherwise any of them, the
    articles sharing the most words first (a person's sentence at the desk)."""
    if not terms:
        return queryset.none()
    terms = list(dict.fromkeys(terms))
    if connection.vendor == "postgresql":
        joiner = " & " if every else " | "
        tsquery = joiner.join(terms[:-1] + [terms[-1] + (":*" if prefix else "")])
        return (
            queryset.annotate(
                _hit=RawSQL(
                    "knowledge_article.search_vector @@ to_tsquery('simple', %s)",
                    [tsquery],
                    output_field=BooleanField(),
                ),
                _rank=RawSQL(
                    "ts_rank(knowledge_article.search_vector, to_tsquery('simple', %s))",
                    [tsquery],
                    output_field=FloatField(),
                ),
            )
            .filter(_hit=True)
            .order_by("-_rank", "title")
        )
    if connection.vendor == "sqlite":
        match = (" AND " if every else " OR ").join(
            [f'"{t}"' for t in terms[:-1]] + [f'"{terms[-1]}"' + ("*" if prefix else "")]
        )
        # The FTS table holds every authority's articles: keep the candidates to the
        # authority (and to public articles for the portal) before the limit, or another
        # authority's better matches would crowd this one's out.
        where, params = "", [match]
        if authority_id is not None:
            where += " AND a.authority_id = %s AND NOT a.is_archived"
            params.append(authority_id)
        if public:
            where += " AND a.is_public"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f.rowid FROM {FTS_TABLE} f JOIN knowledge_article a ON a.id = f.rowid "
                f"WHERE {FTS_TABLE} MATCH %s{where} ORDER BY bm25({FTS_TABLE}) "
                f"LIMIT {FTS_CANDIDATES}",
                params,
            )
            ranked = [row[0] for row in cursor.fetchall()]
        position = {pk: i for i, pk in enumerate(ranked)}
        return _Ranked(queryset.filter(pk__in=ranked), position)
    # Any other database: containment of the stems.
    from django.db.models import Q

    condition = Q()
    for term in terms:
        if every:
            condition &= Q(search_document__contains=term)
        else:
            condition |= Q(search_document__contains=term)
    return queryset.filter(condition)


class _Ranked:
    """A queryset's rows in the order the FTS5 ranking gave."""

    def __init__(self, queryset, position):
        self.queryset = queryset
        self.position = position

    def __getitem__(self, item):
        rows = sorted(self.queryset, key=lambda a: self.position.get(a.pk, 1_000_000))
        return rows[item]

    def __iter__(self):
        return iter(self[:])

    def exists(self):
        return self.queryset.exists()


def vocabulary(authority_id: int, *, public: bool = False) -> set[str]:
    """Every stem of the authority's current articles (only the public ones for the
    portal, whose corrections must not reveal internal words), cached until one of them
    changes."""
    from guichet.knowledge.models import Article

    articles = Article.objects.filter(authority_id=authority_id, is_archived=False)
    if public:
        articles = articles.filter(is_public=True)
    # Archiving moves updated_at too, so the latest change of any article is the stamp.
    stamp = Article.objects.filter(authority_id=authority_id).aggregate(last=Max("updated_at"))[
        "last"
    ]
    key = (
        f"knowledge-vocabulary:{authority_id}:{'public' if public else 'all'}:"
        f"{stamp.timestamp() if stamp else 0}"
    )
    words = cache.get(key)
    if words is None:
        words = set()
        for document in articles.values_list("search_document", flat=True).iterator():
            words.update(document.split())
        cache.set(key, words, 3600)
    return words


def corrected(terms: list[str], authority_id: int, *, public: bool = False) -> list[str]:
    known = vocabulary(authority_id, public=public)
    fixed = []
    for term in terms:
        if term in known or len(term) < 4:
            fixed.append(term)
            continue
        close = difflib.get_close_matches(term, known, n=1, cutoff=0.75)
        fixed.append(close[0] if close else term)
    return fixed


def article_search(
    queryset,
    text: str,
    *,
    authority_id: int,
    limit: int = 10,
    every: bool = True,
    public: bool = False,
) -> tuple[list, list[str] | None]:
    """Articles of `queryset` matching `text`, best first, and the words actually searched
    when a typo was corrected (else None). `every=False` for a whole sentence: articles
    sharing any of its words, the most relevant first. `public`: typos are corrected
    towards the words of public articles only."""
    terms, prefix = query_terms((text or "")[: 500 if not every else 200])
    scope = {"every": every, "authority_id": authority_id, "public": public}
    found = list(_match(queryset, terms, prefix, **scope)[:limit])
    if found or not terms:
        return found, None
    fixed = corrected(terms, authority_id, public=public)
    if fixed == terms:
        return [], None
    return list(_match(queryset, fixed, False, **scope)[:limit]), fixed


def services_matching(authority_id: int, text: str, *, limit: int = 5) -> list:
    """The directory: services whose name or keywords share the words of `text` ("who
    handles wedding-hall rentals?"), the most words in common first. An authority has
    dozens of services, not thousands: they are compared in memory."""
    from guichet.authorities.models import Service

    terms, prefix = query_terms((text or "")[:200])
    if not terms:
        return []
    wanted = set(terms)
    scored = []
    for service in Service.objects.filter(authority_id=authority_id, is_active=True):
        stems = set(french_stems(f"{service.name} {service.keywords}"))
        shared = wanted & stems
        if prefix and any(stem.startswith(terms[-1]) for stem in stems):
            shared.add(terms[-1])  # the word being typed
        if shared:
            scored.append((len(shared), service.name, service))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [service for _, _, service in scored[:limit]]
