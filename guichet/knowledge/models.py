from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.knowledge.enums import ArticleKind


class ArticleQuerySet(models.QuerySet):
    def of_authority(self, authority):
        return self.filter(authority=authority)

    def readable_by(self, user):
        """Every agent of an authority reads its whole knowledge base (internal articles
        included); citizens and visitors see only public ones, through `public()`."""
        scope = user.scope
        if not scope.is_agent:
            return self.none()
        return self.filter(authority_id__in=scope.authority_ids, is_archived=False)

    def public(self):
        return self.filter(is_public=True, is_archived=False)

    def due_for_review(self, today):
        return self.filter(is_archived=False, review_on__lte=today)


class Article(models.Model):
    """A knowledge article ("fiche"): a procedure, a piece of information, or who does what,
    written so that the front desk can answer during a phone call."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.CASCADE, related_name="articles"
    )
    kind = models.CharField(
        _("type"), max_length=16, choices=ArticleKind.choices, default=ArticleKind.PROCEDURE
    )
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("en bref"), blank=True)
    competent = models.TextField(_("qui est compétent"), blank=True)
    documents = models.TextField(_("pièces à fournir"), blank=True)
    delays = models.TextField(_("délais"), blank=True)
    fees = models.TextField(_("coût"), blank=True)
    where_when = models.TextField(_("où et quand"), blank=True)
    body = models.TextField(_("détails"), blank=True)
    keywords = models.CharField(
        _("mots-clés"),
        max_length=500,
        blank=True,
        help_text=_("Les mots des usagers : « salle des fêtes », « mariage », « PACS »…"),
    )
    service = models.ForeignKey(
        "authorities.Service",
        verbose_name=_("service compétent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    categories = models.ManyToManyField(
        "cases.Category", verbose_name=_("catégories"), blank=True, related_name="articles"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_articles",
    )
    review_on = models.DateField(_("à relire le"), null=True, blank=True)
    is_public = models.BooleanField(_("publique (catalogue des démarches)"), default=False)
    is_important = models.BooleanField(
        _("changement important"),
        default=False,
        help_text=_("Les responsables voient qui n'a pas encore lu la dernière version."),
    )
    is_archived = models.BooleanField(_("archivée"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("modifiée le"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Folded French stems of everything searchable, kept by the services (see search.py).
    search_document = models.TextField(blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("fiche")
        verbose_name_plural = _("fiches")
        ordering = ["title"]
        indexes = [models.Index(fields=["authority", "updated_at"], name="article_updated_idx")]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """What an article said at each version, and who wrote it: the base of the diff."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("nature de la modification"), max_length=255, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_article_version")
        ]


class ArticleRead(models.Model):
    """The version of an article an agent last marked as read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_reads"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reads")
    version = models.PositiveIntegerField()
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="unique_article_read")
        ]
