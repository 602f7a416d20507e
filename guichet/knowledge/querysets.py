"""Reads about what agents have read."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from guichet.knowledge.models import Article, ArticleRead


def articles_changed_for(user, authority):
    """The articles of the authority changed since this agent last read them (or never
    read), newest change first: the 'what changed' digest."""
    read_current = ArticleRead.objects.filter(
        user=user, article=OuterRef("pk"), version__gte=OuterRef("version")
    )
    return (
        Article.objects.readable_by(user)
        .filter(authority=authority)
        .filter(~Exists(read_current))
        .order_by("-updated_at")
    )


def readers_behind(article: Article):
    """Front-desk and other agents of the authority who have not read the current version
    of an important article."""
    from guichet.accounts.models import User

    # One subquery on the same read row: `exclude()` across the relation would test the
    # article and the version on different rows (a newer read of another article).
    read_current = ArticleRead.objects.filter(
        user=OuterRef("pk"), article=article, version__gte=article.version
    )
    return (
        User.objects.filter(memberships__authority_id=article.authority_id, is_active=True)
        .filter(~Exists(read_current))
        .distinct()
        .order_by("last_name", "first_name", "email")
    )
