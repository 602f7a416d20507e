"""Public pages of an authority beyond the demands: the catalogue of procedures (its public
knowledge articles) and the register of the algorithms that route demands (CRPA L312-1-3)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guichet.knowledge.models import Article
from guichet.knowledge.search import article_search
from guichet.routing.classifier import TextClassifier
from guichet.routing.enums import ModelTarget
from guichet.routing.models import RoutingRule, RoutingSettings
from guichet.routing.services import latest_model
from guichet.www.portal.views import _authority_or_404


@require_GET
def procedures(request, authority_slug):
    authority = _authority_or_404(authority_slug)
    query = (request.GET.get("q") or "").strip()[:200]
    public = Article.objects.public().filter(authority=authority).select_related("service")
    corrected = None
    if query:
        articles, corrected = article_search(
            public, query + " ", authority_id=authority.pk, limit=50, public=True
        )
    else:
        articles = list(public.order_by("title")[:500])
    return render(
        request,
        "portal/procedures.html",
        {
            "authority": authority,
            "articles": articles,
            "q": query,
            "corrected": " ".join(corrected) if corrected else "",
            "nav": "procedures",
        },
    )


@require_GET
def procedure(request, authority_slug, pk: int):
    authority = _authority_or_404(authority_slug)
    article = (
        Article.objects.public()
        .filter(authority=authority, pk=pk)
        .select_related("service")
        .first()
    )
    if article is None:
        raise Http404(_("Cette fiche n'existe pas ou n'est pas publique."))
    categories = [c for c in article.categories.filter(is_active=True) if c.offered_on("portal")]
    return render(
        request,
        "portal/procedure.html",
        {"authority": authority, "article": article, "categories": categories},
    )


@require_GET
def algorithms(request, authority_slug):
    """What routes demands, in words a person can follow: the rules, and the learned
    suggestion with its inputs, parameters, training and measured accuracy."""
    authority = _authority_or_404(authority_slug)
    rules = (
        RoutingRule.objects.filter(authority=authority, is_active=True)
        .select_related("service")
        .prefetch_related("categories", "territories")
    )
    settings_ = RoutingSettings.objects.filter(authority=authority).first()
    model_params = TextClassifier()
    return render(
        request,
        "portal/algorithms.html",
        {
            "authority": authority,
            "rules": rules,
            "settings": settings_,
            "service_model": latest_model(authority.pk, ModelTarget.SERVICE),
            "category_model": latest_model(authority.pk, ModelTarget.CATEGORY),
            "c": model_params.c,
            "char_weight": model_params.char_weight,
        },
    )
