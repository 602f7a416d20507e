"""Writing the knowledge base: every change is a new version with its author, audited."""

from __future__ import annotations

import datetime as dt
import difflib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.core.events import event_record
from guichet.knowledge.enums import VERSIONED_FIELDS
from guichet.knowledge.models import Article, ArticleRead, ArticleVersion
from guichet.knowledge.search import index_article

EDITABLE_FIELDS = tuple(f for f in VERSIONED_FIELDS if f != "categories")


def can_edit_articles(user, authority) -> bool:
    """Administrators and managers of the authority write the knowledge base; the front
    desk and agents read it (an article's owner may also edit it)."""
    scope = user.scope
    return authority.pk in scope.admin_authority_ids or bool(
        scope.managed_service_ids and authority.pk in scope.authority_ids
    )


def _ensure_can_edit(actor, authority, article: Article | None = None) -> None:
    if can_edit_articles(actor, authority):
        return
    if article is not None and article.owner_id == actor.pk:
        return
    raise PermissionDenied(_("Vous ne pouvez pas modifier la base de connaissances."))


def _snapshot(article: Article, categories) -> dict:
    content = {}
    for name in EDITABLE_FIELDS:
        value = getattr(article, f"{name}_id" if name == "service" else name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        content[name] = value
    content["categories"] = sorted(c.pk for c in categories)
    return content


def _clean(article: Article, categories) -> None:
    article.title = " ".join((article.title or "").split())
    if not article.title:
        raise ValidationError({"title": _("Donnez un titre à la fiche.")})
    if article.service_id and article.service.authority_id != article.authority_id:
        raise ValidationError({"service": _("Ce service appartient à une autre collectivité.")})
    if any(c.authority_id != article.authority_id for c in categories):
        raise ValidationError(
            {"categories": _("Une catégorie appartient à une autre collectivité.")}
        )


@transaction.atomic
def article_create(*, actor, authority, categories=(), note: str = "", **fields) -> Article:
    _ensure_can_edit(actor, authority)
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"owner"}
    if unknown:
        raise ValueError(f"Unknown article fields: {sorted(unknown)}")
    now = timezone.now()
    article = Article(authority=authority, updated_at=now, updated_by=actor, **fields)
    if article.owner_id is None:
        article.owner = actor
    categories = list(categories)
    _clean(article, categories)
    article.save()
    article.categories.set(categories)
    ArticleVersion.objects.create(
        article=article,
        number=1,
        content=_snapshot(article, categories),
        author=actor,
        note=note or _("Création"),
        created_at=now,
    )
    index_article(article)
    event_record(actor=actor, verb="article.created", target=article, authority=authority, data={})
    return article


@transaction.atomic
def article_update(
    *, actor, article: Article, categories=None, note: str = "", **fields
) -> Article:
    """Change an article. Nothing changed, no new version; otherwise the version number
    goes up and the previous content stays readable in the history."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    _ensure_can_edit(actor, article.authority, article)
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"owner"}
    if unknown:
        raise ValueError(f"Unknown article fields: {sorted(unknown)}")
    current_categories = list(article.categories.all())
    before = _snapshot(article, current_categories)
    for name, value in fields.items():
        setattr(article, name, value)
    new_categories = current_categories if categories is None else list(categories)
    _clean(article, new_categories)
    after = _snapshot(article, new_categories)
    if after == before and "owner" not in fields:
        return article
    changed = sorted(k for k in after if after[k] != before[k])
    now = timezone.now()
    if changed:
        article.version += 1
        ArticleVersion.objects.create(
            article=article,
            number=article.version,
            content=after,
            author=actor,
            note=note[:255],
            created_at=now,
        )
    article.updated_at = now
    article.updated_by = actor
    article.save()
    if categories is not None:
        article.categories.set(new_categories)
    index_article(article)
    event_record(
        actor=actor,
        verb="article.updated",
        target=article,
        authority=article.authority,
        data={"version": article.version, "fields": changed},
    )
    return article


@transaction.atomic
def article_archive(*, actor, article: Article) -> Article:
    _ensure_can_edit(actor, article.authority, article)
    Article.objects.filter(pk=article.pk).update(is_archived=True, updated_at=timezone.now())
    article.is_archived = True
    event_record(actor=actor, verb="article.archived", target=article, authority=article.authority)
    return article


def article_mark_read(*, actor, article: Article) -> ArticleRead:
    """The agent has read the current version (the digest stops showing it)."""
    read, _created = ArticleRead.objects.update_or_create(
        user=actor,
        article=article,
        defaults={"version": article.version, "read_at": timezone.now()},
    )
    return read


def version_diff(
    older: ArticleVersion | None, newer: ArticleVersion, *, names: dict | None = None
) -> list[dict]:
    """Field by field, what changed between two versions, as lines added and removed, for
    a readable diff (words of prose are compared line by line; a service or categories by
    their names, a kind or a yes/no in words). `names`, from `version_names`, saves a query
    per version when a whole history is shown."""
    from guichet.knowledge.models import Article as ArticleModel

    if names is None:
        names = version_names([v for v in (older, newer) if v is not None])
    before = older.content if older else {}
    changes = []
    for name in VERSIONED_FIELDS:
        old, new = before.get(name), newer.content.get(name)
        if old == new:
            continue
        label = ArticleModel._meta.get_field(name).verbose_name
        old_lines = _readable(name, old, names).splitlines()
        new_lines = _readable(name, new, names).splitlines()
        lines = [
            (line[0], line[2:])
            for line in difflib.ndiff(old_lines, new_lines)
            if line[:1] in ("+", "-", " ")
        ]
        changes.append({"field": name, "label": label, "lines": lines})
    return changes


def version_names(versions) -> dict:
    """{("service" | "category", id): name} for the services and categories the versions
    point to (deleted ones keep their number)."""
    from guichet.authorities.models import Service
    from guichet.cases.models import Category

    service_ids, category_ids = set(), set()
    for version in versions:
        if version.content.get("service"):
            service_ids.add(version.content["service"])
        category_ids.update(version.content.get("categories") or [])
    names = {}
    if service_ids:
        for pk, service_name in Service.objects.filter(pk__in=service_ids).values_list(
            "pk", "name"
        ):
            names["service", pk] = service_name
    if category_ids:
        for pk, category_label in Category.objects.filter(pk__in=category_ids).values_list(
            "pk", "label"
        ):
            names["category", pk] = category_label
    return names


def _readable(name: str, value, names: dict) -> str:
    from guichet.knowledge.enums import ArticleKind

    if value in (None, "", []):
        return ""
    if name == "service":
        return names.get(("service", value), str(value))
    if name == "categories":
        return "\n".join(sorted(names.get(("category", pk), str(pk)) for pk in value))
    if name == "kind":
        return str(ArticleKind(value).label) if value in ArticleKind.values else str(value)
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return str(value)
