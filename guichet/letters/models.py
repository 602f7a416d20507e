from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReplyTemplateQuerySet(models.QuerySet):
    def for_authority(self, authority):
        return self.filter(authority=authority)

    def active(self):
        return self.filter(is_active=True)

    def for_case(self, case):
        """The active templates an agent may use on this case: those of its authority meant
        for all categories, for its category or for the category above it."""
        categories = [case.category_id]
        if case.category.parent_id:
            categories.append(case.category.parent_id)
        return (
            self.active()
            .filter(authority_id=case.authority_id)
            .filter(Q(category__isnull=True) | Q(category_id__in=categories))
            .order_by(models.F("category_id").desc(nulls_last=True), "name")
        )


class ReplyTemplate(models.Model):
    """A ready-made answer with merge fields ({{ usager.civilite_nom }}…), for one authority,
    for every category or for one."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.CASCADE, related_name="reply_templates"
    )
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("catégorie"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reply_templates",
        help_text=_("Laissez vide pour proposer ce modèle dans toutes les catégories."),
    )
    name = models.CharField(_("nom du modèle"), max_length=120)
    subject = models.CharField(_("objet"), max_length=255, blank=True)
    body = models.TextField(_("texte"))
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReplyTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("modèle de réponse")
        verbose_name_plural = _("modèles de réponse")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="unique_reply_template_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.category_id and self.category.authority_id != self.authority_id:
            raise ValidationError(
                {"category": _("Cette catégorie appartient à une autre collectivité.")}
            )
