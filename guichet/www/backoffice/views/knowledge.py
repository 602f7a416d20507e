"""The knowledge base in the back office: search while typing, read, write with versions,
the digest of what changed, and who has not read an important change."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guichet.knowledge.enums import ArticleKind
from guichet.knowledge.forms import ArticleForm
from guichet.knowledge.models import Article
from guichet.knowledge.querysets import articles_changed_for, readers_behind
from guichet.knowledge.search import article_search, services_matching
from guichet.knowledge.services import (
    EDITABLE_FIELDS,
    article_create,
    article_mark_read,
    article_update,
    can_edit_articles,
    version_diff,
    version_names,
)
from guichet.www.backoffice.access import agent_required, current_authority

LIST_LIMIT = 200

logger = logging.getLogger(__name__)


def get_article_for_user_or_404(user, authority, pk: int) -> Article:
    article = (
        Article.objects.readable_by(user)
        .filter(authority=authority, pk=pk)
        .select_related("service", "owner", "updated_by")
        .first()
    )
    if article is None:
        raise Http404(_("Fiche introuvable."))
    return article


def _results(request, authority, query: str, *, every: bool = True, limit: int = 10):
    articles = Article.objects.readable_by(request.user).filter(authority=authority)
    found, corrected = article_search(
        articles.select_related("service"),
        query,
        authority_id=authority.pk,
        limit=limit,
        every=every,
    )
    return found, corrected


@agent_required
def knowledge_list(request):
    authority = current_authority(request)
    query = (request.GET.get("q") or "").strip()[:200]
    kind = request.GET.get("type") or ""
    corrected = None
    services = []
    if query:
        # While typing (htmx), the last word is still unfinished: search it as a prefix.
        typed = query if request.htmx else query + " "
        articles, corrected = _results(request, authority, typed, limit=50)
        services = services_matching(authority.pk, query)
    else:
        queryset = Article.objects.readable_by(request.user).filter(authority=authority)
        if kind in ArticleKind.values:
            queryset = queryset.filter(kind=kind)
        articles = list(queryset.select_related("service")[:LIST_LIMIT])
    context = {
        "authority": authority,
        "articles": articles,
        "services": services,
        "q": query,
        "corrected": " ".join(corrected) if corrected else "",
        "kind": kind,
        "kinds": ArticleKind.choices,
    }
    if request.htmx:
        # While the agent types: the results alone, nothing else recomputed.
        return render(request, "backoffice/knowledge/results.html", context)
    context.update(
        can_edit=can_edit_articles(request.user, authority),
        changed_count=articles_changed_for(request.user, authority).count(),
        due_count=Article.objects.readable_by(request.user)
        .filter(authority=authority)
        .due_for_review(timezone.localdate())
        .count(),
    )
    return render(request, "backoffice/knowledge/list.html", context)


@agent_required
def knowledge_detail(request, pk: int):
    authority = current_authority(request)
    article = get_article_for_user_or_404(request.user, authority, pk)
    read = article.reads.filter(user=request.user).first()
    context = {
        "authority": authority,
        "article": article,
        "categories": article.categories.filter(is_active=True),
        "is_read": read is not None and read.version >= article.version,
        "can_edit": can_edit_articles(request.user, authority)
        or article.owner_id == request.user.pk,
        "is_manager": can_edit_articles(request.user, authority),
    }
    if context["is_manager"] and article.is_important:
        context["behind"] = list(readers_behind(article)[:200])
    return render(request, "backoffice/knowledge/detail.html", context)


@agent_required
@require_POST
def knowledge_read(request, pk: int):
    authority = current_authority(request)
    article = get_article_for_user_or_404(request.user, authority, pk)
    article_mark_read(actor=request.user, article=article)
    if request.POST.get("next") == "digest":
        return redirect("backoffice:knowledge_digest")
    return redirect("backoffice:knowledge_detail", pk=article.pk)


def _save(request, authority, article: Article | None):
    form = ArticleForm(request.POST or None, instance=article, authority=authority)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in (*EDITABLE_FIELDS, "owner")}
        try:
            if article is None:
                article = article_create(
                    actor=request.user,
                    authority=authority,
                    categories=form.cleaned_data["categories"],
                    note=form.cleaned_data["note"],
                    **data,
                )
            else:
                article = article_update(
                    actor=request.user,
                    article=article,
                    categories=form.cleaned_data["categories"],
                    note=form.cleaned_data["note"],
                    **data,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Fiche enregistrée."))
            return redirect("backoffice:knowledge_detail", pk=article.pk)
    return render(
        request,
        "backoffice/knowledge/edit.html",
        {"authority": authority, "form": form, "article": article},
    )


@agent_required
def knowledge_create(request):
    authority = current_authority(request)
    if not can_edit_articles(request.user, authority):
        raise PermissionDenied(_("Vous ne pouvez pas modifier la base de connaissances."))
    return _save(request, authority, None)


@agent_required
def knowledge_edit(request, pk: int):
    authority = current_authority(request)
    article = get_article_for_user_or_404(request.user, authority, pk)
    if not (can_edit_articles(request.user, authority) or article.owner_id == request.user.pk):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette fiche."))
    return _save(request, authority, article)


@agent_required
def knowledge_history(request, pk: int):
    authority = current_authority(request)
    article = get_article_for_user_or_404(request.user, authority, pk)
    versions = list(article.versions.select_related("author"))
    names = version_names(versions)
    history = [
        {
            "version": version,
            "changes": version_diff(
                versions[i + 1] if i + 1 < len(versions) else None, version, names=names
            ),
        }
        for i, version in enumerate(versions)
    ]
    return render(
        request,
        "backoffice/knowledge/history.html",
        {"authority": authority, "article": article, "history": history},
    )


@agent_required
def knowledge_digest(request):
    authority = current_authority(request)
    changed = list(articles_changed_for(request.user, authority).select_related("updated_by"))
    context = {"authority": authority, "changed": changed}
    if can_edit_articles(request.user, authority):
        important = (
            Article.objects.readable_by(request.user)
            .filter(authority=authority, is_important=True)
            .order_by("-updated_at")[:20]
        )
        context["important"] = [
            {"article": a, "behind": list(readers_behind(a)[:50])} for a in important
        ]
    return render(request, "backoffice/knowledge/digest.html", context)


def _learned_category(authority, text: str):
    """The category the routing suggestion guesses for the person's words, if the
    administrator has not turned suggestions off and a model has been trained."""
    from guichet.routing.models import RoutingSettings
    from guichet.routing.services import suggest

    settings_ = RoutingSettings.objects.filter(authority=authority).first()
    if settings_ is not None and not settings_.suggestions_enabled:
        return None
    try:
        guess = suggest(authority, text).get("category")
    except Exception:  # noqa: BLE001 - a broken model must not break the desk
        logger.exception("Desk suggestion failed for authority %s", authority.pk)
        return None
    return guess["object"] if guess else None


@agent_required
def knowledge_suggestions(request):
    """htmx partial for the one-stop desk: the articles sharing the most words with what
    the person said, the categories they lead to, and the category the learned routing
    suggestion guesses (which answers even when no article shares a word)."""
    authority = current_authority(request)
    text = (request.GET.get("body") or "").strip()[:500]
    articles = []
    if len(text) >= 3:
        articles, _corrected = _results(request, authority, text, every=False, limit=5)
    categories = []
    seen = set()
    for article in articles:
        for category in article.categories.filter(is_active=True).select_related("default_service"):
            if category.pk not in seen:
                seen.add(category.pk)
                categories.append(category)
    learned = _learned_category(authority, text) if len(text) >= 3 else None
    if learned is not None and learned.pk not in seen:
        categories.append(learned)
    return render(
        request,
        "backoffice/knowledge/suggestions.html",
        {"articles": articles, "categories": categories[:5], "text": text},
    )
