"""Administrators' forms: a mailbox's settings, and the decisions on quarantined messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guichet.cases.models import Category
from guichet.mailbox.imap import SETTING_FIELDS
from guichet.mailbox.models import InboundStatus, Mailbox


class MailboxForm(forms.ModelForm):
    """The password is never sent back to the browser: left empty, the current one stays."""

    password = forms.CharField(
        label=_("Mot de passe IMAP"),
        required=False,
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Mailbox
        fields = SETTING_FIELDS
        help_texts = {
            "imap_host": _(
                "Vide : la boîte n'est pas relevée, son courrier arrive par le récepteur SMTP."
            ),
            "imap_user": _("Vide : l'adresse de la boîte."),
            "imap_security": _(
                "Le certificat du serveur est toujours vérifié. « Aucune » envoie le mot de "
                "passe en clair : seulement sur un réseau local de confiance."
            ),
        }

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.authority = authority
        self.fields["default_category"].queryset = (
            Category.objects.filter(authority=authority).active().order_by("label")
        )
        self.has_password = bool(self.instance.pk and self.instance.imap_password)
        self.fields["password"].help_text = (
            _("Un mot de passe est enregistré : laissez vide pour le conserver.")
            if self.has_password
            else _("Conservé chiffré ; il n'est jamais réaffiché.")
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("imap_host") and not cleaned.get("password") and not self.has_password:
            self.add_error("password", _("Indiquez le mot de passe du compte IMAP."))
        return cleaned

    def settings_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in SETTING_FIELDS}


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Pourquoi ce message est écarté (il reste conservé tel que reçu)."),
    )


class QuarantineFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("État"),
        choices=InboundStatus.choices,
        required=False,
        initial=InboundStatus.QUARANTINED,
    )
