"""The portal's report form: it checks what was typed and the photos; the services do the
rest."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from guichet.cases.models import Category
from guichet.core.enums import Channel
from guichet.core.forms import MultipleFileInput, ServiceErrorsMixin
from guichet.core.text import fold
from guichet.reports.enums import ReportStatus
from guichet.reports.fields import field_values_clean
from guichet.reports.models import CategoryField, FieldDatatype, ReportCategorySettings
from guichet.reports.photos import photo_prepare, photos_check_count


@dataclass
class ReportCategoryGroup:
    """A theme of the street-problem tree and the categories a person may choose in it."""

    label: str
    categories: list[Category] = field(default_factory=list)


def report_categories(authority, channel: str = Channel.PORTAL) -> list[Category]:
    """The authority's street-problem categories a person may report by this channel (the
    portal, or the API: a category may be offered on one and not the other), each with its
    promised delay in hours when it has one (`intervention_hours`)."""
    hours = ReportCategorySettings.objects.filter(category=OuterRef("pk")).values(
        "intervention_hours"
    )[:1]
    return [
        c
        for c in Category.objects.filter(authority=authority, is_public_space=True)
        .active()
        .select_related("parent", "authority")
        .annotate(intervention_hours=Subquery(hours))
        if c.offered_on(channel)
    ]


def report_category_groups(authority) -> list[ReportCategoryGroup]:
    """The tree: each parent with its children; a parent with children is offered last in
    its group, as "other"; categories without a parent together."""
    categories = report_categories(authority)
    children: dict[int, list[Category]] = defaultdict(list)
    for category in categories:
        if category.parent_id:
            children[category.parent_id].append(category)
    groups: dict[str, ReportCategoryGroup] = {}
    loose = ReportCategoryGroup(label=str(_("Autres problèmes")))
    for category in categories:
        if category.parent_id:
            parent = category.parent
            group = groups.setdefault(parent.label, ReportCategoryGroup(label=parent.label))
            group.categories.append(category)
        elif category.pk in children:
            group = groups.setdefault(category.label, ReportCategoryGroup(label=category.label))
        else:
            loose.categories.append(category)
    for group in groups.values():
        group.categories.sort(key=lambda c: fold(c.label))
    for category in categories:
        if category.pk in children:
            category.other_label = _("Autre problème (%(theme)s)") % {"theme": category.label}
            groups[category.label].categories.append(category)
    result = sorted(groups.values(), key=lambda g: fold(g.label))
    if loose.categories:
        loose.categories.sort(key=lambda c: fold(c.label))
        result.append(loose)
    return [g for g in result if g.categories]


class PhotosField(forms.FileField):
    """Up to GUICHET_PHOTO_MAX_COUNT photos, each checked by its content and copied without
    metadata (guichet.reports.photos)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(
            {"accept": "image/jpeg,image/png,image/webp,image/heic,.heic,.heif", "multiple": True}
        )

    def clean(self, data, initial=None):
        uploads = [d for d in data if d] if isinstance(data, (list, tuple)) else [data] * bool(data)
        if not uploads:
            return []
        photos_check_count(len(uploads))
        prepared, errors = [], []
        for upload in uploads:
            try:
                prepared.append(photo_prepare(upload))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return prepared


def photos_help() -> str:
    return _(
        "Jusqu'à %(count)d photos de %(size)s chacune au plus (JPEG, PNG, WebP ou HEIC). "
        "Elles sont publiées sans leurs données de localisation ni aucune autre métadonnée."
    ) % {
        "count": settings.GUICHET_PHOTO_MAX_COUNT,
        "size": filesizeformat(settings.GUICHET_PHOTO_MAX_BYTES),
    }


EXTRA_PREFIX = "extra_"


def extra_form_field(field: CategoryField) -> forms.Field:
    """The form field of a category's extra field; its value is checked by
    guichet.reports.fields, so that the portal and Open311 check alike."""
    options = {
        "label": field.label,
        "required": field.required,
        "help_text": field.description,
        "error_messages": {
            "required": _("%(label)s : ce champ est obligatoire.") % {"label": field.label},
            "invalid_choice": _("%(label)s : choisissez parmi les valeurs proposées.")
            % {"label": field.label},
        },
    }
    choices = [(str(v["key"]), str(v["name"])) for v in field.values or []]
    if field.datatype == FieldDatatype.MULTIVALUELIST:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **options
        )
    if field.datatype == FieldDatatype.SINGLEVALUELIST:
        return forms.ChoiceField(choices=[("", _("— Choisissez —")), *choices], **options)
    if field.datatype == FieldDatatype.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **options)
    if field.datatype == FieldDatatype.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **options)
    if field.datatype == FieldDatatype.DATETIME:
        return forms.CharField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **options
        )
    return forms.CharField(**options)


class ReportForm(ServiceErrorsMixin, forms.Form):
    category = forms.TypedChoiceField(
        label=_("Type de problème"),
        coerce=int,
        empty_value=None,
        error_messages={
            "required": _("Choisissez le type de problème."),
            "invalid_choice": _("Choisissez le type de problème dans la liste."),
        },
    )
    address = forms.CharField(
        label=_("Adresse ou lieu"),
        required=False,
        max_length=255,
        help_text=_("Par exemple « 8 rue de la Mairie » ou « parking du stade »."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("En degrés décimaux, par exemple 48.8566."),
        error_messages={"invalid": _("Saisissez un nombre, par exemple 48.8566.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("En degrés décimaux, par exemple 2.3522."),
        error_messages={"invalid": _("Saisissez un nombre, par exemple 2.3522.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    photos = PhotosField(label=_("Photos"))
    description = forms.CharField(
        label=_("Description du problème"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce que vous voyez, et ce qui aide à le trouver. N'y mettez pas de nom."),
        error_messages={"required": _("Décrivez le problème en quelques mots.")},
    )
    email = forms.EmailField(
        label=_("Votre adresse électronique"),
        required=False,
        help_text=_("Facultative : pour être prévenu(e) quand le problème est résolu."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Saisissez une adresse électronique valide.")},
    )
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Set when the person saw the open reports nearby and still sends a new one.
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        groups: list[ReportCategoryGroup],
        anonymous: bool,
        extra_fields: list[CategoryField] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        # The extra fields of the category chosen (read from the address or the form sent).
        self.extra_fields = list(extra_fields)
        for extra in self.extra_fields:
            self.fields[EXTRA_PREFIX + extra.code] = extra_form_field(extra)
        self._categories = {c.pk: c for g in groups for c in g.categories}
        self.fields["category"].choices = [("", _("— Choisissez —"))] + [
            (g.label, [(c.pk, getattr(c, "other_label", c.label)) for c in g.categories])
            for g in groups
        ]
        self.fields["photos"].help_text = photos_help()
        if not anonymous:
            del self.fields["email"]

    def clean_category(self) -> Category:
        category = self._categories.get(self.cleaned_data.get("category"))
        if category is None:
            raise ValidationError(_("Choisissez le type de problème."), code="required")
        return category

    def clean_submission_key(self) -> str:
        return str(self.cleaned_data.get("submission_key") or uuid.uuid4())

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and not self.has_error("latitude"):
            name = "longitude" if lon is None else "latitude"
            self.add_error(name, _("Indiquez la latitude et la longitude, ou aucune des deux."))
        category = data.get("category")
        shown = [e for e in self.extra_fields if category and e.category_id == category.pk]
        raw = {e.code: data.get(EXTRA_PREFIX + e.code) for e in shown}
        checked = [e for e in shown if not self.has_error(EXTRA_PREFIX + e.code)]
        try:
            data["extra"] = field_values_clean(checked, raw, prefix=EXTRA_PREFIX)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name, messages)
        return data

    def extra_bound_fields(self) -> list:
        return [self[EXTRA_PREFIX + e.code] for e in self.extra_fields]


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Votre adresse électronique"),
        required=False,
        help_text=_("Facultative : pour être prévenu(e) quand le problème est résolu."),
        error_messages={"invalid": _("Saisissez une adresse électronique valide.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ReportFilterForm(forms.Form):
    categorie = forms.TypedChoiceField(label=_("Type de problème"), coerce=int, required=False)
    etat = forms.ChoiceField(label=_("État"), required=False)

    def __init__(self, *args, categories: list[Category], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categorie"].choices = [("", _("Tous"))] + [(c.pk, c.label) for c in categories]
        self.fields["etat"].choices = [("", _("Tous"))] + list(ReportStatus.choices)
