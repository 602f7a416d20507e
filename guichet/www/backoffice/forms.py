from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from guichet.cases.enums import Priority, WaitingFor
from guichet.contacts.enums import Civility, ContactKind, OrganisationType
from guichet.core.enums import Channel
from guichet.core.forms import MultipleFileField


class CasePageForm(forms.Form):
    """The case page holds several forms at once: each gets ids of its own, so that every
    label points to its field (RGAA)."""

    id_prefix = "case"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class NoteForm(CasePageForm):
    id_prefix = "note"

    body = forms.CharField(
        label=_("Note interne"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Jamais visible par l'usager. Restez factuel : l'usager "
            "peut en demander communication (RGPD)."
        ),
    )


class ReplyForm(CasePageForm):
    id_prefix = "reply"

    subject = forms.CharField(label=_("Objet"), required=False, max_length=255)
    body = forms.CharField(label=_("Réponse à l'usager"), widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=_("Pièces jointes"))


class TransferForm(CasePageForm):
    id_prefix = "transfer"

    service = forms.ModelChoiceField(label=_("Service destinataire"), queryset=None)
    reason = forms.CharField(
        label=_("Motif du transfert"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class AssignForm(CasePageForm):
    id_prefix = "assign"

    assignee = forms.ModelChoiceField(
        label=_("Attribuer à"),
        queryset=None,
        required=False,
        empty_label=_("Personne (remettre dans la file)"),
    )

    def __init__(self, *args, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents


class StatusForm(CasePageForm):
    id_prefix = "status"

    ACTIONS = (
        ("start", _("Prendre en charge")),
        ("wait", _("Mettre en attente")),
        ("resume", _("Reprendre")),
        ("resolve", _("Marquer traitée")),
        ("close", _("Clôturer")),
        ("reject", _("Rejeter")),
        ("reopen", _("Rouvrir")),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    waiting_for = forms.ChoiceField(
        label=_("En attente de"),
        choices=[(w.value, w.label) for w in (WaitingFor.PERSON, WaitingFor.THIRD_PARTY)],
        required=False,
    )
    reason = forms.CharField(
        label=_("Motif ou commentaire"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PriorityForm(CasePageForm):
    id_prefix = "priority"

    priority = forms.ChoiceField(label=_("Priorité"), choices=Priority.choices)


class MemberForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.CharField(label=_("Qualité (président, gérant…)"), required=False, max_length=120)


class DuplicateForm(CasePageForm):
    id_prefix = "duplicate"

    original = forms.CharField(label=_("Référence de la demande d'origine"), max_length=20)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        initial=ContactKind.PERSON,
    )
    civility = forms.ChoiceField(label=_("Civilité"), choices=Civility.choices, required=False)
    first_name = forms.CharField(label=_("Prénom"), required=False, max_length=150)
    birth_name = forms.CharField(label=_("Nom de naissance"), required=False, max_length=150)
    usage_name = forms.CharField(label=_("Nom d'usage"), required=False, max_length=150)
    organisation_type = forms.ChoiceField(
        label=_("Type d'organisation"),
        required=False,
        choices=[("", "—"), *OrganisationType.choices],
    )
    organisation_name = forms.CharField(label=_("Raison sociale"), required=False, max_length=255)
    siret = forms.CharField(label=_("SIRET"), required=False, max_length=14)
    rna = forms.CharField(label=_("Numéro RNA"), required=False, max_length=10)
    email = forms.EmailField(label=_("Courriel"), required=False)
    phone = forms.CharField(label=_("Téléphone"), required=False, max_length=30)
    mobile = forms.CharField(label=_("Mobile"), required=False, max_length=30)
    address_line1 = forms.CharField(label=_("Adresse"), required=False, max_length=255)
    address_line2 = forms.CharField(label=_("Complément d'adresse"), required=False, max_length=255)
    postal_code = forms.CharField(label=_("Code postal"), required=False, max_length=10)
    city = forms.CharField(label=_("Commune"), required=False, max_length=120)
    preferred_channel = forms.ChoiceField(
        label=_("Canal préféré"), required=False, choices=[("", "—"), *Channel.choices]
    )
    refuses_email = forms.BooleanField(label=_("Refuse les réponses par courriel"), required=False)
    notes = forms.CharField(
        label=_("Observations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Factuelles uniquement : jamais de donnée sensible."),
    )


class DeskForm(forms.Form):
    """The one-stop desk: who, how, what they asked, and what was done."""

    OUTCOMES = (("answered", _("Réponse donnée sur place")), ("case", _("Ouvrir une demande")))
    # A contact id, "new" for a person to create, or empty for an anonymous exchange.
    contact = forms.CharField(required=False, max_length=20)
    channel = forms.ChoiceField(
        label=_("Canal"),
        choices=[
            (Channel.COUNTER, Channel.COUNTER.label),
            (Channel.PHONE, Channel.PHONE.label),
            (Channel.POST, Channel.POST.label),
            (Channel.EMAIL, Channel.EMAIL.label),
        ],
        widget=forms.RadioSelect,
        initial=Channel.COUNTER,
    )
    body = forms.CharField(
        label=_("Ce que la personne demande"),
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                # The knowledge base answers while the agent types the person's words.
                "hx-get": reverse_lazy("backoffice:knowledge_suggestions"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#kb-suggestions",
                "aria-describedby": "kb-suggestions",
            }
        ),
    )
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"), required=False, min_value=0, max_value=600
    )
    outcome = forms.ChoiceField(
        label=_("Suite donnée"), choices=OUTCOMES, widget=forms.RadioSelect, initial="answered"
    )
    category = forms.ModelChoiceField(
        label=_("Catégorie de la demande"), queryset=None, required=False
    )
    subject = forms.CharField(label=_("Objet de la demande"), required=False, max_length=255)
    files = MultipleFileField(label=_("Documents remis"))
    submission_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "case":
            if not data.get("category"):
                self.add_error("category", _("Choisissez la catégorie de la demande."))
            if not (data.get("subject") or "").strip():
                self.add_error("subject", _("Indiquez l'objet de la demande."))
        return data
