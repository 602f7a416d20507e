from django import forms
from django.utils.translation import gettext_lazy as _

from guichet.authorities.models import Service
from guichet.cases.models import Category
from guichet.contacts.enums import ContactKind
from guichet.core.enums import Channel
from guichet.routing.models import RoutingRule, RoutingSettings
from guichet.territories.models import Territory


class RoutingRuleForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Canaux"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous les canaux."),
    )
    contact_kinds = forms.MultipleChoiceField(
        label=_("Types d'usager"),
        choices=ContactKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous."),
    )

    class Meta:
        model = RoutingRule
        fields = [
            "name",
            "priority",
            "is_active",
            "categories",
            "channels",
            "contact_kinds",
            "territories",
            "service",
        ]
        widgets = {
            "categories": forms.SelectMultiple(attrs={"size": 6}),
            "territories": forms.SelectMultiple(attrs={"size": 4}),
        }
        help_texts = {
            "categories": _("Aucune choisie : toutes les catégories."),
            "territories": _("Aucun choisi : tout le territoire."),
        }

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = Category.objects.filter(
            authority=authority, is_active=True
        ).order_by("label")
        self.fields["territories"].queryset = Territory.objects.filter(authority=authority)
        self.fields["service"].queryset = Service.objects.filter(
            authority=authority, is_active=True
        ).order_by("name")


class RoutingSettingsForm(forms.ModelForm):
    class Meta:
        model = RoutingSettings
        fields = ["suggestions_enabled", "auto_threshold", "qualification_categories"]
        widgets = {"qualification_categories": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualification_categories"].queryset = Category.objects.filter(
            authority=authority, is_active=True
        ).order_by("label")
        self.fields["auto_threshold"].widget.attrs.update(min="0", max="1", step="0.05")

    def clean_auto_threshold(self):
        value = self.cleaned_data["auto_threshold"]
        if value is not None and not 0 <= value <= 1:
            raise forms.ValidationError(_("Le seuil est une confiance entre 0 et 1."))
        return value


class PreviewForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Catégorie"), queryset=Category.objects.none())
    channel = forms.ChoiceField(label=_("Canal"), choices=Channel.choices)
    contact_kind = forms.ChoiceField(
        label=_("Type d'usager"), choices=ContactKind.choices, required=False
    )
    postal_code = forms.CharField(label=_("Code postal"), required=False, max_length=10)
    latitude = forms.DecimalField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    text = forms.CharField(
        label=_("Texte de la demande"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            authority=authority, is_active=True
        ).order_by("label")


class ForwardForm(forms.Form):
    """Forward a case to the competent authority: one on the platform (choose its category)
    or any other administration (its name and email or postal address)."""

    reason = forms.CharField(
        label=_("Pourquoi une autre administration est compétente"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    to_category = forms.ModelChoiceField(
        label=_("Collectivité de la plateforme et catégorie"),
        queryset=Category.objects.none(),
        required=False,
    )
    external_name = forms.CharField(
        label=_("Ou bien : administration hors plateforme"), required=False, max_length=255
    )
    external_email = forms.EmailField(label=_("Son courriel"), required=False)
    external_address = forms.CharField(
        label=_("Son adresse postale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sans courriel, un courrier lui est préparé."),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_category"].queryset = categories.select_related("authority")
        self.fields["to_category"].label_from_instance = lambda c: (
            f"{c.authority.public_name} — {c.label}"
        )

    def clean(self):
        data = super().clean()
        if data.get("to_category") and (data.get("external_name") or "").strip():
            raise forms.ValidationError(
                _(
                    "Choisissez une collectivité de la plateforme ou une autre administration, "
                    "pas les deux."
                )
            )
        return data
