from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.contacts.enums import Civility, ContactKind, OrganisationType
from guichet.contacts.querysets import ContactQuerySet
from guichet.core.enums import Channel

siret_validator = RegexValidator(r"^\d{14}$", _("Le SIRET compte 14 chiffres."))
rna_validator = RegexValidator(r"^W\d{9}$", _("Le numéro RNA commence par W suivi de 9 chiffres."))

# Fields that hold personal data: emptied by anonymisation, never used for statistics.
PERSONAL_FIELDS = (
    "first_name",
    "birth_name",
    "usage_name",
    "email",
    "phone",
    "mobile",
    "address_line1",
    "address_line2",
    "notes",
    "name_key",
)


class Contact(models.Model):
    """A person or an organisation, one record across every channel. No email is required."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="contacts"
    )
    kind = models.CharField(
        _("type"), max_length=16, choices=ContactKind.choices, default=ContactKind.PERSON
    )
    # Person
    civility = models.CharField(_("civilité"), max_length=4, choices=Civility.choices, blank=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    birth_name = models.CharField(_("nom de naissance"), max_length=150, blank=True)
    usage_name = models.CharField(_("nom d'usage"), max_length=150, blank=True)
    # Organisation
    organisation_type = models.CharField(
        _("type d'organisation"), max_length=16, choices=OrganisationType.choices, blank=True
    )
    organisation_name = models.CharField(_("raison sociale"), max_length=255, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[siret_validator])
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True, validators=[rna_validator])
    # Reaching them
    email = models.EmailField(_("courriel"), blank=True, db_index=True)
    email_failing = models.BooleanField(_("adresse en échec"), default=False)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True, db_index=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, db_index=True)
    address_line1 = models.CharField(_("adresse"), max_length=255, blank=True)
    address_line2 = models.CharField(_("complément d'adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("commune"), max_length=120, blank=True)
    country = models.CharField(_("pays"), max_length=60, blank=True, default="France")
    preferred_channel = models.CharField(
        _("canal préféré"), max_length=16, blank=True, choices=Channel.choices
    )
    refuses_email = models.BooleanField(
        _("refuse les réponses par courriel"),
        default=False,
        help_text=_("Les réponses par courriel sont permises sauf refus (CRPA L112-14)."),
    )
    notes = models.TextField(
        _("observations"),
        blank=True,
        help_text=_("Factuelles uniquement : jamais de donnée sensible (RGPD)."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
    )
    # Matching key: folded names, so that "Élodie Le Goff" is found as "le goff elodie".
    name_key = models.CharField(max_length=400, blank=True, db_index=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Version of the duplicate-detection keys last computed for this row (0: never), so
    # that rows written in bulk, or before a change of the rules, are keyed by the worker.
    match_keys_version = models.PositiveSmallIntegerField(default=0, db_index=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("usager")
        verbose_name_plural = _("usagers")
        ordering = ["name_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "user"],
                condition=models.Q(user__isnull=False),
                name="unique_contact_user_per_authority",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def family_name(self) -> str:
        return self.usage_name or self.birth_name

    @property
    def display_name(self) -> str:
        if self.anonymised_at:
            return str(_("Usager anonymisé"))
        if self.kind == ContactKind.ORGANISATION:
            return self.organisation_name or str(_("Organisation sans nom"))
        name = " ".join(p for p in (self.first_name, self.family_name.upper()) if p)
        if self.usage_name and self.birth_name and self.usage_name != self.birth_name:
            name += (
                f" (née {self.birth_name.upper()})"
                if self.civility == Civility.MADAME
                else (f" (naissance {self.birth_name.upper()})")
            )
        return name or str(_("Usager sans nom"))

    @property
    def salutation(self) -> str:
        """How a letter or an email addresses them: "Madame Roux", "Monsieur Martin"."""
        if self.kind == ContactKind.ORGANISATION or self.anonymised_at:
            return str(_("Madame, Monsieur"))
        family = self.family_name.title()
        if self.civility == Civility.MADAME and family:
            return f"{_('Madame')} {family}"
        if self.civility == Civility.MONSIEUR and family:
            return f"{_('Monsieur')} {family}"
        return " ".join(p for p in (self.first_name, family) if p) or str(_("Madame, Monsieur"))

    @property
    def postal_address(self) -> str:
        lines = [self.address_line1, self.address_line2, f"{self.postal_code} {self.city}".strip()]
        return "\n".join(line for line in lines if line)

    @property
    def can_receive_email(self) -> bool:
        return bool(self.email) and not self.refuses_email and not self.email_failing

    def compute_name_key(self) -> str:
        from guichet.core.text import fold

        parts = (
            [self.organisation_name]
            if self.kind == ContactKind.ORGANISATION
            else [self.usage_name, self.birth_name, self.first_name]
        )
        return fold(" ".join(p for p in parts if p))


class OrganisationMember(models.Model):
    organisation = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="organisations")
    role = models.CharField(_("qualité"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="unique_org_member")
        ]


class ContactMatchKey(models.Model):
    """One blocking key of a contact (same email, same number, same address, names written
    alike…): two contacts that share a key are compared for likely duplicates, so that the
    search never compares every pair of a large directory. Derived from personal data: the
    keys of an anonymised or merged contact are deleted (guichet.contacts.duplicates)."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="match_keys")
    key = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "key"], name="unique_contact_match_key")
        ]
        indexes = [models.Index(fields=["authority", "key"], name="contact_match_key_idx")]


class DuplicateDismissal(models.Model):
    """An agent said that two contacts are different people: the pair is not proposed again.
    `first` is always the contact with the smaller id."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.CASCADE, related_name="+"
    )
    first = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("faux doublon")
        verbose_name_plural = _("faux doublons")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_duplicate_dismissal"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="dismissal_ordered_pair"
            ),
        ]


class ContactMerge(models.Model):
    """The record of one merge, so that it can be reviewed (and undone while nothing has
    happened since): who, when, the merged record's values before the merge, the survivor's
    fields the merge changed, and the ids of everything that moved. `merged_values` and
    `survivor_changes` hold personal data: anonymising either contact empties them."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    survivor = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="merges_absorbed")
    merged_values = models.JSONField(default=dict)
    survivor_changes = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fusion d'usagers")
        verbose_name_plural = _("fusions d'usagers")
        ordering = ["-at", "-id"]
