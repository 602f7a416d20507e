from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.contacts.enums import ContactKind
from guichet.core.enums import Channel
from guichet.routing.enums import ModelTarget, RoutingMethod, RoutingOutcome


class RoutingRule(models.Model):
    """Where demands go, written by an administrator: every criterion given must match
    (an empty one matches anything); the rule with the smallest priority number wins."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.CASCADE, related_name="routing_rules"
    )
    name = models.CharField(_("nom"), max_length=200)
    priority = models.PositiveIntegerField(
        _("priorité"), default=100, help_text=_("La plus petite passe en premier.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    categories = models.ManyToManyField(
        "cases.Category", verbose_name=_("catégories"), blank=True, related_name="+"
    )
    channels = models.JSONField(_("canaux"), default=list, blank=True)
    contact_kinds = models.JSONField(_("types d'usager"), default=list, blank=True)
    territories = models.ManyToManyField(
        "territories.Territory", verbose_name=_("territoires"), blank=True, related_name="+"
    )
    service = models.ForeignKey(
        "authorities.Service",
        verbose_name=_("service destinataire"),
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("règle d'orientation")
        verbose_name_plural = _("règles d'orientation")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def channel_label(value: str) -> str:
        return str(Channel(value).label) if value in Channel.values else value

    @staticmethod
    def contact_kind_label(value: str) -> str:
        return str(ContactKind(value).label) if value in ContactKind.values else value

    @property
    def channel_labels(self) -> list[str]:
        return [self.channel_label(value) for value in self.channels]

    @property
    def contact_kind_labels(self) -> list[str]:
        return [self.contact_kind_label(value) for value in self.contact_kinds]


class RoutingSettings(models.Model):
    """The administrator's choices for the learned suggestion of an authority."""

    authority = models.OneToOneField(
        "authorities.Authority", on_delete=models.CASCADE, related_name="routing_settings"
    )
    suggestions_enabled = models.BooleanField(_("suggestions activées"), default=True)
    auto_threshold = models.FloatField(
        _("seuil d'orientation automatique"),
        null=True,
        blank=True,
        help_text=_(
            "Confiance (entre 0 et 1) au-dessus de laquelle une demande à qualifier part "
            "seule vers le service suggéré. Vide : jamais automatiquement."
        ),
    )
    qualification_categories = models.ManyToManyField(
        "cases.Category",
        verbose_name=_("catégories à qualifier"),
        blank=True,
        related_name="+",
        help_text=_("« Autre demande », courriels reçus… : leur service est suggéré."),
    )

    class Meta:
        verbose_name = _("réglages d'orientation")


class RoutingModel(models.Model):
    """A trained classifier of an authority, with what it was trained on and its measured
    accuracy, published in the register of algorithms."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.CASCADE, related_name="routing_models"
    )
    target = models.CharField(max_length=16, choices=ModelTarget.choices)
    data = models.BinaryField()
    trained_at = models.DateTimeField()
    examples = models.PositiveIntegerField(default=0)
    case_examples = models.PositiveIntegerField(default=0)
    labels = models.PositiveIntegerField(default=0)
    # Measured on the most recent closed cases held out of training (None: too few).
    accuracy = models.FloatField(null=True, blank=True)
    macro_f1 = models.FloatField(null=True, blank=True)
    baseline_accuracy = models.FloatField(null=True, blank=True)
    tested_on = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-trained_at"]
        indexes = [models.Index(fields=["authority", "target", "-trained_at"], name="rm_latest")]


class RoutingDecision(models.Model):
    """How a case reached its first service, and what the classifier suggested: the
    explanation an agent or the person may ask for (CRPA L311-3-1)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="routing_decision"
    )
    method = models.CharField(max_length=16, choices=RoutingMethod.choices)
    rule = models.ForeignKey(RoutingRule, on_delete=models.SET_NULL, null=True, blank=True)
    rule_name = models.CharField(max_length=200, blank=True)
    service = models.ForeignKey(
        "authorities.Service", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    suggested_service = models.ForeignKey(
        "authorities.Service", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    service_confidence = models.FloatField(null=True, blank=True)
    suggested_category = models.ForeignKey(
        "cases.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category_confidence = models.FloatField(null=True, blank=True)
    # [(word or phrase, weight)] for the suggested service, strongest first.
    reasons = models.JSONField(default=list, blank=True)
    model = models.ForeignKey(RoutingModel, on_delete=models.SET_NULL, null=True, blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=16, choices=RoutingOutcome.choices, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["method", "outcome"], name="routing_pending_idx")]


class Forwarding(models.Model):
    """A demand sent on to the authority that is competent for it (CRPA L114-2): on the
    platform, the case that continues there; outside it, the body it went to. Either way the
    person was told, and the deadlines follow the law's rule on which receipt counts."""

    from_case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="forwardings"
    )
    to_authority = models.ForeignKey(
        "authorities.Authority",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to_case = models.OneToOneField(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forwarded_from",
    )
    external_name = models.CharField(_("organisme destinataire"), max_length=255, blank=True)
    external_email = models.EmailField(_("courriel de l'organisme"), blank=True)
    external_address = models.TextField(_("adresse de l'organisme"), blank=True)
    reason = models.TextField(_("motif"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    transmission = models.ForeignKey(
        "interactions.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    notice = models.ForeignKey(
        "interactions.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("transmission à l'autorité compétente")
        ordering = ["-at"]

    @property
    def destination(self) -> str:
        return self.to_authority.public_name if self.to_authority_id else self.external_name
