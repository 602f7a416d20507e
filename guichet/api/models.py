"""Keys of the systems that send problem reports through the Open311 interface."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiKey(models.Model):
    """A key given to one outside system (a city app, a FixMyStreet instance). Only a hash
    of the secret is stored: the secret is shown once, when the key is created."""

    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("nom"), max_length=100)
    # The first characters of the secret, to find the row; the rest is only hashed.
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    rate_per_minute = models.PositiveIntegerField(_("requêtes par minute"), default=60)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("clé d'API")
        verbose_name_plural = _("clés d'API")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name
