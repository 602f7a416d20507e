"""The append-only audit log that every service writes to."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventQuerySet(models.QuerySet):
    def for_case(self, case):
        return self.filter(case=case)

    def for_contact(self, contact):
        return self.filter(contact=contact)


class Event(models.Model):
    """One thing that happened, written in the same transaction as the change it describes.

    `case` and `contact` are denormalised pointers so that a timeline reads in one query;
    `target_type`/`target_id` name the object the verb applies to.
    """

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target_type}#{self.target_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Events are append-only.")
        super().save(*args, **kwargs)


class ReferenceCounter(models.Model):
    """Per authority, per year, per kind: the last number handed out. Locked for update."""

    authority = models.ForeignKey("authorities.Authority", on_delete=models.CASCADE)
    kind = models.CharField(max_length=32)
    year = models.PositiveIntegerField()
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "kind", "year"], name="unique_reference_counter"
            )
        ]
