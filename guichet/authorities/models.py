from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from guichet.authorities.enums import AuthorityKind, Role, ServiceKind


def validate_closing_days(value):
    """A list of ISO dates (AAAA-MM-JJ): one bad entry would break every due date."""
    import datetime as dt

    if not isinstance(value, list):
        raise ValidationError(_("Indiquez une liste de dates AAAA-MM-JJ."))
    for item in value:
        try:
            dt.date.fromisoformat(str(item))
        except ValueError:
            raise ValidationError(
                _("« %(value)s » n'est pas une date AAAA-MM-JJ.") % {"value": item}
            ) from None


siren_validator = RegexValidator(r"^\d{9}$", _("Le SIREN compte 9 chiffres."))
color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Une couleur s'écrit #RRVVBB."))


class Authority(models.Model):
    """A collectivité: a commune, an intercommunality… Every domain row belongs to one."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d'adresse"), unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=AuthorityKind.choices)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[siren_validator])
    intercommunality = models.ForeignKey(
        "self",
        verbose_name=_("intercommunalité"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("commune"), max_length=120, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=32, blank=True)
    website = models.URLField(_("site internet"), blank=True)
    dpo_name = models.CharField(
        _("délégué à la protection des données"), max_length=200, blank=True
    )
    dpo_email = models.EmailField(_("courriel du délégué à la protection des données"), blank=True)
    # Branding used on its pages and documents.
    display_name = models.CharField(_("nom affiché"), max_length=200, blank=True)
    logo = models.FileField(_("logo"), upload_to="branding/", blank=True)
    primary_color = models.CharField(
        _("couleur principale"), max_length=7, default="#1f4e79", validators=[color_validator]
    )
    accent_color = models.CharField(
        _("couleur d'accent"), max_length=7, default="#c0392b", validators=[color_validator]
    )
    # Calendar and lifecycle settings.
    alsace_moselle = models.BooleanField(
        _("jours fériés d'Alsace-Moselle"),
        default=False,
        help_text=_("Ajoute le Vendredi saint et la Saint-Étienne aux jours fériés."),
    )
    closing_days = models.JSONField(
        _("jours de fermeture"),
        default=list,
        blank=True,
        help_text=_("Dates AAAA-MM-JJ."),
        validators=[validate_closing_days],
    )
    reopen_window_days = models.PositiveIntegerField(_("délai de réouverture (jours)"), default=30)
    # Acknowledgements of receipt (see guichet.letters.acknowledgements).
    acknowledgement_delay_days = models.PositiveSmallIntegerField(
        _("délai d'accusé de réception des demandes électroniques (jours ouvrés)"),
        null=True,
        blank=True,
        help_text=_("Vide : la valeur par défaut de l'instance (10 jours ouvrés, CRPA R112-11-1)."),
    )
    administrative_court = models.CharField(
        _("tribunal administratif compétent"),
        max_length=200,
        blank=True,
        help_text=_(
            "Par exemple : tribunal administratif de Toulouse. Cité dans les voies de recours."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("collectivité")
        verbose_name_plural = _("collectivités")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name or self.name

    @property
    def public_name(self) -> str:
        return self.display_name or self.name

    @property
    def calendar(self):
        from guichet.core.calendar import BusinessCalendar

        return BusinessCalendar.for_authority(self)


class ServiceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_authority(self, authority):
        return self.filter(authority=authority)


class Service(models.Model):
    """A node of the authority's organisation: direction › service › unit."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="services")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("rattaché à"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(
        _("niveau"), max_length=16, choices=ServiceKind.choices, default=ServiceKind.SERVICE
    )
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=32, blank=True)
    address = models.CharField(_("adresse postale"), max_length=255, blank=True)
    opening_hours = models.TextField(_("horaires d'ouverture"), blank=True)
    keywords = models.CharField(_("mots-clés"), max_length=500, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="unique_service_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.parent_id and self.parent.authority_id != self.authority_id:
            raise ValidationError({"parent": _("Ce service appartient à une autre collectivité.")})

    @property
    def postal_address(self) -> str:
        return self.address or ", ".join(
            p
            for p in (
                self.authority.address,
                f"{self.authority.postal_code} {self.authority.city}".strip(),
            )
            if p
        )


class Membership(models.Model):
    """An agent's place: a role, in a service or across an authority."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="memberships")
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "authority", "service", "role"], name="unique_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.service or self.authority}"

    def clean(self):
        if self.service_id and self.service.authority_id != self.authority_id:
            raise ValidationError({"service": _("Ce service appartient à une autre collectivité.")})
        if self.role in (Role.AGENT, Role.MANAGER) and not self.service_id:
            raise ValidationError({"service": _("Un agent ou un responsable a un service.")})
