import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.cases.enums import (
    OPEN_STATUSES,
    CaseContactRole,
    Priority,
    SilenceRule,
    Status,
    WaitingFor,
)
from guichet.cases.querysets import CaseQuerySet, CategoryQuerySet
from guichet.core.enums import Channel

# Fields of a case that may hold personal data: emptied by anonymisation. Everything else
# (dates, category, service, channel, status, territory) is kept for the statistics.
CASE_PERSONAL_FIELDS = ("subject", "description", "location_label", "latitude", "longitude")


def _default_channels():
    return [c.value for c in Channel]


class Category(models.Model):
    """A type of demand: where it goes, how fast it must be answered, what silence means."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.CASCADE, related_name="categories"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    label = models.CharField(_("libellé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    default_service = models.ForeignKey(
        "authorities.Service",
        verbose_name=_("service par défaut"),
        on_delete=models.PROTECT,
        related_name="default_categories",
    )
    channels = models.JSONField(_("canaux proposés"), default=_default_channels)
    delay_days = models.PositiveIntegerField(_("délai promis (jours ouvrés)"), default=10)
    silence_rule = models.CharField(
        _("valeur du silence"),
        max_length=16,
        choices=SilenceRule.choices,
        default=SilenceRule.NOT_APPLICABLE,
    )
    silence_delay_days = models.PositiveIntegerField(
        _("délai de décision implicite (jours)"), default=60
    )
    # Two months in general (CRPA L231-1): counted in months from the date of receipt, the
    # days above being used only when this is left empty.
    silence_delay_months = models.PositiveSmallIntegerField(
        _("délai de décision implicite (mois)"),
        null=True,
        blank=True,
        default=2,
        help_text=_("Deux mois en règle générale. Laissez vide pour compter le délai en jours."),
    )
    acknowledgement_exempt = models.BooleanField(
        _("dispensée d'accusé de réception"),
        default=False,
        help_text=_(
            "Aucun accusé de réception n'est envoyé pour les demandes de cette catégorie "
            "(CRPA L112-3 : demandes abusives, ou réglées sous quinze jours au profit du "
            "demandeur)."
        ),
    )
    retention_days = models.PositiveIntegerField(
        _("durée de conservation après clôture (jours)"), default=3 * 365
    )
    is_public_space = models.BooleanField(_("signalement sur l'espace public"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    external_ref = models.CharField(max_length=64, blank=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "parent", "label"], name="unique_category_label"
            )
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.default_service_id and self.default_service.authority_id != self.authority_id:
            raise ValidationError(
                {"default_service": _("Ce service appartient à une autre collectivité.")}
            )
        if self.parent_id and self.parent.authority_id != self.authority_id:
            raise ValidationError(
                {"parent": _("Cette catégorie appartient à une autre collectivité.")}
            )

    def offered_on(self, channel: str) -> bool:
        return channel in (self.channels or [])


class AcknowledgementStatus(models.TextChoices):
    """Where a case stands with its acknowledgement of receipt (CRPA L112-3, R112-5)."""

    NONE = "", _("Non prévu")
    DUE = "due", _("À envoyer")
    SENT = "sent", _("Envoyé")
    EXEMPT = "exempt", _("Dispensé")
    BLOCKED = "blocked", _("Impossible : ni courriel ni adresse postale")


class Case(models.Model):
    """A demand ("demande") that one service owns until it is answered."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="cases"
    )
    reference = models.CharField(_("référence"), max_length=20)
    category = models.ForeignKey(
        Category, verbose_name=_("catégorie"), on_delete=models.PROTECT, related_name="cases"
    )
    service = models.ForeignKey(
        "authorities.Service",
        verbose_name=_("service en charge"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent en charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    contacts = models.ManyToManyField(
        "contacts.Contact", through="CaseContact", related_name="cases"
    )
    subject = models.CharField(_("objet"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    channel = models.CharField(_("canal d'origine"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("date de réception"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    priority = models.CharField(
        _("priorité"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    waiting_for = models.CharField(
        _("en attente de"), max_length=16, choices=WaitingFor.choices, blank=True
    )
    delay_days = models.PositiveIntegerField(_("délai promis (jours ouvrés)"))
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    location_label = models.CharField(_("lieu"), max_length=255, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Everyone who once worked on the case keeps read access to it.
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="handled_cases", blank=True
    )
    past_services = models.ManyToManyField(
        "authorities.Service", related_name="past_cases", blank=True
    )
    # Secret behind the private tracking link of a person who wrote without an account
    # (see guichet.cases.tracking): the link itself is never stored.
    tracking_nonce = models.CharField(max_length=32, blank=True)
    # The acknowledgement of receipt owed to the person (see guichet.letters.acknowledgements):
    # when it is due, and the exchange that proves it was sent.
    acknowledgement_status = models.CharField(
        _("accusé de réception"),
        max_length=8,
        choices=AcknowledgementStatus.choices,
        blank=True,
        default=AcknowledgementStatus.NONE,
    )
    acknowledgement_due_on = models.DateField(_("accusé de réception dû le"), null=True, blank=True)
    acknowledgement = models.ForeignKey(
        "interactions.Interaction",
        verbose_name=_("accusé de réception envoyé"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Documents the person still has to send, and by when (CRPA L114-5).
    missing_documents = models.TextField(_("pièces manquantes"), blank=True)
    missing_documents_due_on = models.DateField(
        _("pièces à transmettre avant le"), null=True, blank=True
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "reference"], name="unique_case_ref")
        ]
        indexes = [
            models.Index(fields=["service", "status", "due_on"], name="case_queue_idx"),
            models.Index(fields=["service", "received_at"], name="case_service_recv_idx"),
            models.Index(fields=["assignee", "status"], name="case_assignee_idx"),
            models.Index(fields=["authority", "received_at"], name="case_authority_recv_idx"),
            models.Index(fields=["reference"], name="case_reference_idx"),
            models.Index(
                fields=["acknowledgement_status", "acknowledgement_due_on"], name="case_ack_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_open
            and self.status != Status.WAITING
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )

    @property
    def has_unanswered_message(self) -> bool:
        """The person wrote again after the demand itself and nobody has answered since
        (needs the `for_queue` annotations)."""
        last_in = getattr(self, "last_in_at", None)
        last_out = getattr(self, "last_out_at", None)
        if last_in is None or last_in <= self.received_at + dt.timedelta(minutes=1):
            return False
        return last_out is None or last_in > last_out

    def due_explanation(self, today: dt.date | None = None):
        from guichet.core.calendar import compute_due_date

        return compute_due_date(
            received_on=timezone.localtime(self.received_at).date(),
            delay_days=self.delay_days,
            calendar=self.authority.calendar,
            pauses=[(p.started_on, p.ended_on) for p in self.pauses.all()],
            today=today or timezone.localdate(),
        )


class CaseContact(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_contacts")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.PROTECT, related_name="case_links"
    )
    role = models.CharField(
        _("rôle"), max_length=16, choices=CaseContactRole.choices, default=CaseContactRole.REQUESTER
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "contact", "role"], name="unique_case_contact")
        ]
        indexes = [models.Index(fields=["contact", "case"], name="casecontact_contact_idx")]


class CasePause(models.Model):
    """A period during which the promised-delay clock stood still (waiting for someone)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    waiting_for = models.CharField(max_length=16, choices=WaitingFor.choices)

    class Meta:
        ordering = ["started_on", "id"]


class Note(models.Model):
    """An internal note: never shown to the person, but part of a right-of-access export."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
