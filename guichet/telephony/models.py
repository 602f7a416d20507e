"""Phone calls, the switchboard's call records and text messages.

A call an agent records is an `Interaction` (channel PHONE); `PhoneCall` adds the number
and the link between a missed call and the call that answered it. The switchboard's own
records (`SwitchboardCall`, imported from its CSV export) are statistics about every call
offered, answered or not, kept apart from the exchanges of the people."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guichet.core.enums import Direction


class PhoneCall(models.Model):
    """The telephone side of a recorded call: who called (or was called) and, for a
    callback, the missed call it answers."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="+"
    )
    interaction = models.OneToOneField(
        "interactions.Interaction", on_delete=models.CASCADE, related_name="phone_call"
    )
    # E.164, or empty for a hidden number.
    number = models.CharField(_("numéro"), max_length=20, blank=True, db_index=True)
    callback_of = models.ForeignKey(
        "interactions.Interaction",
        verbose_name=_("rappel de"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    switchboard_call = models.ForeignKey(
        "telephony.SwitchboardCall",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appel")
        verbose_name_plural = _("appels")

    def __str__(self) -> str:
        return self.number or str(_("numéro masqué"))


class SwitchboardImport(models.Model):
    """One CSV export of the switchboard, as imported: what was created, what was already
    there, and each line that could not be read."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("fichier"), max_length=255)
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("importé le"), auto_now_add=True)
    rows_read = models.PositiveIntegerField(_("lignes lues"), default=0)
    rows_created = models.PositiveIntegerField(_("appels ajoutés"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("appels déjà connus"), default=0)
    # [{"line": 12, "message": "…"}], in French, for the agent who imported the file.
    errors = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("import du standard")
        verbose_name_plural = _("imports du standard")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class SwitchboardCallQuerySet(models.QuerySet):
    def missed(self):
        return self.filter(answered=False)


class SwitchboardCall(models.Model):
    """A call offered to the switchboard, answered or not."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey(
        SwitchboardImport, on_delete=models.CASCADE, related_name="calls", null=True
    )
    line = models.CharField(_("ligne"), max_length=64, blank=True)
    # E.164, or empty for a hidden number.
    caller = models.CharField(_("appelant"), max_length=20, blank=True, db_index=True)
    started_at = models.DateTimeField(_("début"), db_index=True)
    ring_seconds = models.PositiveIntegerField(_("sonnerie (secondes)"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("conversation (secondes)"), null=True, blank=True)
    answered = models.BooleanField(_("répondu"))
    anonymised_at = models.DateTimeField(null=True, blank=True)

    objects = SwitchboardCallQuerySet.as_manager()

    class Meta:
        verbose_name = _("appel du standard")
        verbose_name_plural = _("appels du standard")
        ordering = ["started_at", "id"]
        constraints = [
            # Overlapping exports describe the same call twice: it is stored once.
            models.UniqueConstraint(
                fields=["authority", "line", "caller", "started_at"],
                name="unique_switchboard_call",
            )
        ]
        indexes = [models.Index(fields=["authority", "started_at"], name="switchboard_auth_idx")]

    def __str__(self) -> str:
        return f"{self.started_at:%d/%m/%Y %H:%M} {self.caller or '—'}"


class SmsMessage(models.Model):
    """The gateway side of a text message: its provider id (for receipts and to store an
    incoming message once), the number and its length in segments."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="+"
    )
    interaction = models.OneToOneField(
        "interactions.Interaction", on_delete=models.CASCADE, related_name="sms"
    )
    direction = models.CharField(max_length=4, choices=Direction.choices)
    number = models.CharField(_("numéro"), max_length=20, db_index=True)
    provider_id = models.CharField(max_length=128, null=True, blank=True)
    encoding = models.CharField(max_length=8, blank=True)
    segments = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "direction", "provider_id"],
                condition=Q(provider_id__isnull=False),
                name="unique_sms_provider_id",
            )
        ]

    def __str__(self) -> str:
        return f"SMS {self.get_direction_display()} {self.provider_id or self.pk}"


class SmsOptOut(models.Model):
    """A number that answered STOP: no text message is sent to it any more."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("numéro"), max_length=20)
    created_at = models.DateTimeField(_("depuis le"), auto_now_add=True)

    class Meta:
        verbose_name = _("refus des SMS")
        verbose_name_plural = _("refus des SMS")
        constraints = [
            models.UniqueConstraint(fields=["authority", "number"], name="unique_sms_opt_out")
        ]

    def __str__(self) -> str:
        return self.number
