"""A problem report in public space: the report's own data beside its case."""

from __future__ import annotations

from functools import cached_property

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guichet.reports.enums import (
    OPEN_REPORT_STATUSES,
    REPORT_ACTIONS,
    REPORT_TRANSITIONS,
    FollowerRole,
    ReportStatus,
)
from guichet.reports.querysets import ReportQuerySet


class ReportCategorySettings(models.Model):
    """What makes two reports of a category the same problem (how close and how recent;
    empty values take the instance's defaults, GUICHET_REPORT_NEARBY_*), and the promised
    intervention delay when it is counted in hours rather than in the category's working
    days."""

    category = models.OneToOneField(
        "cases.Category", on_delete=models.CASCADE, related_name="report_settings"
    )
    nearby_radius_meters = models.PositiveIntegerField(
        _("rayon des signalements proches (mètres)"), null=True, blank=True
    )
    nearby_days = models.PositiveIntegerField(
        _("ancienneté des signalements proches (jours)"), null=True, blank=True
    )
    # An urgent problem (a danger, a fallen tree) is promised in hours, counted round the
    # clock (the on-call team works nights and holidays); empty, the category's delay in
    # working days applies.
    intervention_hours = models.PositiveIntegerField(
        _("délai d'intervention promis (heures)"),
        null=True,
        blank=True,
        help_text=_(
            "Heures comptées jour et nuit, week-ends et jours fériés compris. Laissez vide "
            "pour appliquer le délai de la catégorie en jours ouvrés."
        ),
    )

    class Meta:
        verbose_name = _("réglage de signalement")
        verbose_name_plural = _("réglages de signalement")

    def __str__(self) -> str:
        return str(self.category)


class Report(models.Model):
    """The field side of a case opened in a public-space category: where, what state the
    work is in, and who wants to know when it is fixed. Nothing here names a person."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="reports"
    )
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="report")
    # The case's category, kept here so that the nearby check reads one indexed table.
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("catégorie"), on_delete=models.PROTECT, related_name="+"
    )
    # Numbered per authority (each has its own counter): unique within the authority.
    public_id = models.CharField(_("numéro public"), max_length=20)
    status = models.CharField(
        _("état"), max_length=24, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(_("signalé le"), default=timezone.now)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # The geocoder's label of the point (an address of the national base, never the
    # person's own words, which stay on the case).
    address_label = models.CharField(_("adresse"), max_length=255, blank=True)
    commune = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("commune"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    district = models.ForeignKey(
        "territories.Territory",
        verbose_name=_("quartier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    is_public = models.BooleanField(_("visible sur le portail"), default=True)
    # The day the intervention is planned for, when one is scheduled.
    planned_on = models.DateField(_("intervention prévue le"), null=True, blank=True)
    # A promise in hours (the category's at the time of the report) and the moment it
    # falls due; both empty when the promise is the case's own, in working days.
    delay_hours = models.PositiveIntegerField(_("délai promis (heures)"), null=True, blank=True)
    due_at = models.DateTimeField(_("intervention promise avant"), null=True, blank=True)
    # The answers to the category's extra fields (CategoryField), by code: they may name
    # a person, so only the agents read them.
    extra = models.JSONField(_("champs complémentaires"), default=dict, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "public_id"], name="unique_report_public_id"
            )
        ]
        indexes = [
            # The nearby check: a category, a box of latitudes and longitudes.
            models.Index(fields=["category", "latitude", "longitude"], name="report_nearby_idx"),
            # The public map of a visible area.
            models.Index(fields=["authority", "latitude", "longitude"], name="report_map_idx"),
            models.Index(fields=["authority", "status", "created_at"], name="report_list_idx"),
            # Open311 and the public list read the newest first within a date window.
            models.Index(fields=["authority", "-created_at", "-id"], name="report_recent_idx"),
            models.Index(fields=["authority", "status", "due_at"], name="report_due_at_idx"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REPORT_STATUSES

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def next_actions(self) -> list[str]:
        """The panel's actions open from the current field status (duplicate apart)."""
        allowed = REPORT_TRANSITIONS.get(self.status, frozenset())
        return [action for action, target in REPORT_ACTIONS.items() if target in allowed]

    @property
    def can_be_duplicate(self) -> bool:
        return ReportStatus.DUPLICATE in REPORT_TRANSITIONS.get(self.status, frozenset())

    @cached_property
    def due_state(self) -> str:
        """ "past", "near" (a working day or two hours left) or "" (the list pages set it
        for many reports at once)."""
        from guichet.reports.promises import report_due_clock

        return report_due_clock(self.authority).state(self)

    @cached_property
    def extra_lines(self) -> list[tuple[str, str]]:
        """The answers to the category's extra fields, as (label, value), for the agents."""
        from guichet.reports.fields import field_values_display

        return field_values_display(self.category, self.extra)

    @property
    def place_label(self) -> str:
        """Where, for the public: the address found, else the district or commune."""
        if self.address_label:
            return self.address_label
        names = [t.name for t in (self.district, self.commune) if t is not None]
        return ", ".join(names)


class ReportStatusChange(models.Model):
    """One step of the public history of a report (the audit log keeps who did it)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=24, choices=ReportStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    # A short public note ("intervention prévue la semaine prochaine"); no personal data.
    note = models.CharField(_("précision publique"), max_length=500, blank=True)
    # Set when the followers were told of this step (claimed once, so told once).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["report", "at"], name="report_history_idx")]


class ReportFollower(models.Model):
    """Someone to tell when the problem is fixed: the reporter, or a person who said "me
    too"; a contact, or only an email address for a person without an account."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followed_reports",
    )
    email = models.EmailField(_("courriel"), blank=True)
    role = models.CharField(max_length=16, choices=FollowerRole.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # When the person confirmed, from a link sent to the address, that they want to be told
    # (an address typed by anyone for a "me too" is told nothing before). A contact, a
    # signed-in person, is confirmed at once.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "contact"],
                condition=Q(contact__isnull=False),
                name="unique_report_follower_contact",
            ),
            models.UniqueConstraint(
                fields=["report", "email"],
                condition=Q(contact__isnull=True) & ~Q(email=""),
                name="unique_report_follower_email",
            ),
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | ~Q(email="") | Q(anonymised_at__isnull=False),
                name="report_follower_reachable",
            ),
        ]


def _public_path(instance, filename):
    return f"reports/public/{instance.report.authority_id}/{filename}"


class ReportNotice(models.Model):
    """One follower told of one public status change: written in the same transaction as
    the message queued for them, so that a worker stopped halfway through the followers
    tells the others when the change is run again, and nobody twice."""

    change = models.ForeignKey(ReportStatusChange, on_delete=models.CASCADE, related_name="notices")
    follower = models.ForeignKey(ReportFollower, on_delete=models.CASCADE, related_name="notices")
    # The message queued (an email or an SMS exchange of the case), when one was.
    interaction = models.ForeignKey(
        "interactions.Interaction", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["change", "follower"], name="unique_report_notice")
        ]


class ReportPhoto(models.Model):
    """A photo of a report. The original, with its metadata, is an attachment of the case's
    first exchange (agents only); the display copy and the thumbnail, re-encoded from the
    pixels alone, are the only versions ever served to the public."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    original = models.ForeignKey(
        "interactions.Attachment", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(default=0)
    display = models.FileField(upload_to=_public_path, max_length=255)
    display_mime_type = models.CharField(max_length=40)
    display_width = models.PositiveIntegerField()
    display_height = models.PositiveIntegerField()
    thumbnail = models.FileField(upload_to=_public_path, max_length=255)
    thumbnail_mime_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)  # of the original
    # Where the phone said it was taken (from the original's EXIF): for agents only.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    is_public = models.BooleanField(_("visible sur le portail"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["order", "id"]


# Work orders for field teams --------------------------------------------------------------


class FieldTeamQuerySet(models.QuerySet):
    @staticmethod
    def still_in_service(user_field: str, service_field: str) -> models.Exists:
        """Whether a team member is still an agent of the team's service (the rule a member
        is chosen by): an agent moved to another service stays listed in the team until a
        planner tidies it up, and meanwhile counts for nothing."""
        from guichet.authorities.models import Membership

        return models.Exists(
            Membership.objects.filter(
                user_id=models.OuterRef(user_field), service_id=models.OuterRef(service_field)
            )
        )

    def with_member(self, user):
        """The teams the agent belongs to as a current agent of the team's service."""
        links = FieldTeam.members.through.objects.filter(user_id=user.pk).filter(
            self.still_in_service("user_id", "fieldteam__service_id")
        )
        return self.filter(pk__in=links.values("fieldteam_id"))

    def member_links(self):
        """The members of these teams, each link with its `user` and `current` (still an
        agent of the team's service), in one query."""
        return (
            FieldTeam.members.through.objects.filter(fieldteam__in=self.values("pk"))
            .annotate(current=self.still_in_service("user_id", "fieldteam__service_id"))
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__email")
        )

    def visible_to(self, user):
        """Teams of the agent's services (and those under the services they manage), every
        team of an authority they administer, and the teams they belong to."""
        scope = user.scope
        if not scope.is_agent:
            return self.none()
        return self.filter(
            Q(service_id__in=scope.service_ids)
            | Q(authority_id__in=scope.admin_authority_ids)
            | Q(pk__in=FieldTeam.objects.with_member(user).values("pk"))
        )

    def plannable_by(self, user):
        """Teams whose orders the agent plans: their service's manager, administrators."""
        scope = user.scope
        return self.filter(
            Q(service_id__in=scope.managed_service_ids)
            | Q(authority_id__in=scope.admin_authority_ids)
        )


class WorkOrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Orders of the teams the agent belongs to, and of the reports whose case the agent
        acts on (its service, managers above it, administrators)."""
        scope = user.scope
        if not scope.is_agent:
            return self.none()
        return self.filter(
            Q(team_id__in=FieldTeam.objects.with_member(user).values("pk"))
            | Q(report__case__service_id__in=scope.service_ids)
            | Q(authority_id__in=scope.admin_authority_ids)
        )

    def planned(self):
        return self.filter(status=WorkOrderStatus.PLANNED)

    def on_day(self, day):
        return self.filter(planned_on=day)

    def for_day_list(self):
        # The place of each stop names the report's district and commune.
        return self.select_related(
            "report",
            "report__category",
            "report__case",
            "report__commune",
            "report__district",
            "team",
            "closed_by",
        )


class FieldTeam(models.Model):
    """A field team of a service: the agents who go out and do the work."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="field_teams"
    )
    service = models.ForeignKey(
        "authorities.Service",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="field_teams",
    )
    name = models.CharField(_("nom"), max_length=120)
    members = models.ManyToManyField(
        "accounts.User", verbose_name=_("membres"), blank=True, related_name="field_teams"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = FieldTeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("équipe de terrain")
        verbose_name_plural = _("équipes de terrain")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="unique_field_team_name")
        ]

    def __str__(self) -> str:
        return self.name


class WorkOrderStatus(models.TextChoices):
    PLANNED = "planned", _("Prévu")
    DONE = "done", _("Terminé")
    CANCELLED = "cancelled", _("Annulé")


class WorkOrder(models.Model):
    """A work order: one report, one team, one planned day, closed on site by an agent."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="work_orders"
    )
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="work_orders")
    team = models.ForeignKey(
        FieldTeam, verbose_name=_("équipe"), on_delete=models.PROTECT, related_name="orders"
    )
    planned_on = models.DateField(_("prévu le"))
    planned_at = models.TimeField(_("heure prévue"), null=True, blank=True)
    status = models.CharField(
        _("état"), max_length=16, choices=WorkOrderStatus.choices, default=WorkOrderStatus.PLANNED
    )
    # The form key of the page that created it: the same form sent twice makes one order.
    create_key = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("clos par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    closing_comment = models.TextField(_("commentaire de clôture"), blank=True)
    # False when the agent said the work is not finished (the report stays in progress).
    work_finished = models.BooleanField(default=False)
    closing_photos = models.ManyToManyField(ReportPhoto, blank=True, related_name="+")
    close_key = models.CharField(max_length=64, blank=True)
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=500, blank=True)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("bon d'intervention")
        verbose_name_plural = _("bons d'intervention")
        ordering = ["planned_on", "planned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "create_key"],
                condition=~Q(create_key=""),
                name="unique_work_order_create_key",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "planned_on", "status"], name="work_order_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.report.public_id} — {self.planned_on:%d/%m/%Y}"

    @property
    def is_planned(self) -> bool:
        return self.status == WorkOrderStatus.PLANNED


class FieldDatatype(models.TextChoices):
    """GeoReport v2's datatypes of a service attribute."""

    STRING = "string", _("texte court")
    NUMBER = "number", _("nombre")
    DATETIME = "datetime", _("date et heure")
    TEXT = "text", _("texte long")
    SINGLEVALUELIST = "singlevaluelist", _("liste, un seul choix")
    MULTIVALUELIST = "multivaluelist", _("liste, plusieurs choix")


class CategoryField(models.Model):
    """An extra question of a public-space category, asked on the portal form and offered
    as an Open311 attribute. `values` holds the choices of a list: [{"key", "name"}]."""

    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("catégorie"),
        on_delete=models.CASCADE,
        related_name="report_fields",
    )
    code = models.SlugField(_("code"), max_length=50)
    label = models.CharField(_("libellé"), max_length=200)
    datatype = models.CharField(_("type de valeur"), max_length=20, choices=FieldDatatype.choices)
    required = models.BooleanField(_("obligatoire"), default=False)
    order = models.PositiveIntegerField(_("ordre"), default=0)
    description = models.CharField(_("aide"), max_length=255, blank=True)
    values = models.JSONField(_("choix"), default=list, blank=True)

    class Meta:
        verbose_name = _("champ de signalement")
        verbose_name_plural = _("champs de signalement")
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="unique_category_field_code")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_list(self) -> bool:
        return self.datatype in (FieldDatatype.SINGLEVALUELIST, FieldDatatype.MULTIVALUELIST)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from guichet.reports.fields import field_values_check

        field_values_check(self)
        if self.category_id and not self.category.is_public_space:
            raise ValidationError(
                {"category": _("Seule une catégorie d'espace public a des champs de signalement.")}
            )
