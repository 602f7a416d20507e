"""Citizen-facing forms. They check input and files; the services do the rest."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guichet.cases.models import Category
from guichet.contacts.enums import Civility
from guichet.contacts.phones import normalise_phone
from guichet.core.enums import Channel
from guichet.core.forms import MultipleFileField, ServiceErrorsMixin, attachments_help
from guichet.core.text import fold


class PortalForm(ServiceErrorsMixin, forms.Form):
    pass


# Categories ------------------------------------------------------------------------------


@dataclass
class CategoryGroup:
    """Categories shown together: a parent (selectable when offered itself) and its children."""

    label: str
    parent: Category | None = None
    children: list[Category] = field(default_factory=list)

    @property
    def categories(self) -> list[Category]:
        return self.children + ([self.parent] if self.parent else [])

    @property
    def entries(self) -> list[tuple[Category, str]]:
        """Each category with the label to show in the group: the parent comes last, as the
        choice for what no child covers."""
        entries = [(c, c.label) for c in self.children]
        if self.parent and self.children:
            entries.append((self.parent, _("Autre demande (%(theme)s)") % {"theme": self.label}))
        elif self.parent:
            entries.append((self.parent, self.parent.label))
        return entries


def portal_category_groups(authority) -> list[CategoryGroup]:
    """The authority's active categories offered on the portal, children under their parent."""
    offered = [
        category
        for category in Category.objects.filter(authority=authority)
        .active()
        .select_related("parent")
        if category.offered_on(Channel.PORTAL)
    ]
    children: dict[int, list[Category]] = defaultdict(list)
    for category in offered:
        if category.parent_id:
            children[category.parent_id].append(category)
    groups = [
        CategoryGroup(label=c.label, parent=c, children=children.pop(c.pk, []))
        for c in offered
        if c.parent_id is None
    ]
    # Children whose parent is not offered on the portal still appear under its name.
    for kids in children.values():
        groups.append(CategoryGroup(label=kids[0].parent.label, children=kids))
    for group in groups:
        group.children.sort(key=lambda c: fold(c.label))
    groups.sort(key=lambda g: fold(g.label))
    return groups


def _category_choices(groups: list[CategoryGroup]) -> list:
    choices: list = [("", _("— Choisissez —"))]
    for group in groups:
        if group.children:
            choices.append((group.label, [(c.pk, label) for c, label in group.entries]))
        else:
            choices.append((group.parent.pk, group.parent.label))
    return choices


# Forms -----------------------------------------------------------------------------------

IDENTITY_FIELDS = (
    "civility",
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line1",
    "postal_code",
    "city",
    "accepts_email",
)


class CaseSubmitForm(PortalForm):
    category = forms.TypedChoiceField(
        label=_("Type de demande"),
        coerce=int,
        empty_value=None,
        error_messages={
            "required": _("Choisissez le type de demande."),
            "invalid_choice": _("Choisissez le type de demande dans la liste."),
        },
    )
    subject = forms.CharField(
        label=_("Objet"),
        max_length=255,
        help_text=_("En quelques mots, par exemple « Lampadaire éteint rue des Écoles »."),
    )
    description = forms.CharField(
        label=_("Votre demande"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Décrivez votre demande : ce qui se passe, où, depuis quand."),
    )
    attachments = MultipleFileField(label=_("Pièces jointes"))
    # Generated when the form is shown: a second submit of the same form gives the same case.
    submission_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    civility = forms.ChoiceField(
        label=_("Civilité"),
        required=False,
        choices=Civility.choices,
        widget=forms.Select(attrs={"autocomplete": "honorific-prefix"}),
    )
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Adresse électronique"),
        help_text=_("Nous vous y envoyons l'accusé d'enregistrement et le lien de suivi."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Téléphone"),
        required=False,
        max_length=30,
        help_text=_("Par exemple 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    address_line1 = forms.CharField(
        label=_("Adresse postale"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    postal_code = forms.CharField(
        label=_("Code postal"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("Commune"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    accepts_email = forms.BooleanField(
        label=_("J'accepte de recevoir les réponses par courriel"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, groups: list[CategoryGroup], anonymous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices(groups)
        self.fields["attachments"].help_text = attachments_help()
        self._categories = {c.pk: c for g in groups for c in g.categories}
        self.anonymous = anonymous
        if not anonymous:
            for name in IDENTITY_FIELDS:
                del self.fields[name]

    @property
    def identity_fields(self):
        return [self[name] for name in IDENTITY_FIELDS if name in self.fields]

    def clean_category(self) -> Category | None:
        pk = self.cleaned_data.get("category")
        category = self._categories.get(pk)
        if category is None:
            raise ValidationError(_("Choisissez le type de demande."), code="required")
        return category

    def clean_submission_key(self) -> str:
        # A form sent without its key (an old page, a script) is accepted, without
        # protection against double submits.
        key = self.cleaned_data.get("submission_key") or uuid.uuid4()
        return str(key)

    def clean_phone(self) -> str:
        raw = self.cleaned_data.get("phone", "").strip()
        if raw and normalise_phone(raw) is None:
            raise ValidationError(
                _("« %(value)s » n'est pas un numéro de téléphone valide.") % {"value": raw}
            )
        return raw

    def identity(self) -> dict:
        """What contact_for_submission needs about a person without an account."""
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "civility": data.get("civility", ""),
            "phone": data.get("phone", ""),
            "address_line1": data.get("address_line1", ""),
            "postal_code": data.get("postal_code", ""),
            "city": data.get("city", ""),
            "refuses_email": not data.get("accepts_email"),
        }


class CitizenReplyForm(PortalForm):
    body = forms.CharField(
        label=_("Votre message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Votre message est vide.")},
    )
    attachments = MultipleFileField(label=_("Pièces jointes"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_reply_%s")
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()
