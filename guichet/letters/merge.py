"""Merge fields of reply templates: a small, explicit vocabulary.

Templates are written in Django's template language, but only a whitelist is accepted:
plain text, the fields of MERGE_FIELDS ({{ demande.reference }}), a few text filters and
`{% if %}`. The context they are rendered with holds nothing but strings built from that
whitelist, so a template can never reach an attribute or a method of a model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, IfNode, TemplateLiteral
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guichet.letters.pdf import french_date


@dataclass(frozen=True)
class MergeField:
    name: str
    label: Promise
    sample: Promise | str


MERGE_FIELDS: tuple[MergeField, ...] = (
    MergeField(
        "usager.civilite_nom",
        gettext_lazy("Civilité et nom de l'usager"),
        gettext_lazy("Madame Roux"),
    ),
    MergeField("usager.nom_complet", gettext_lazy("Prénom et nom de l'usager"), "Hélène ROUX"),
    MergeField("usager.prenom", gettext_lazy("Prénom de l'usager"), "Hélène"),
    MergeField("usager.nom", gettext_lazy("Nom de l'usager"), "ROUX"),
    MergeField(
        "usager.adresse",
        gettext_lazy("Adresse postale de l'usager"),
        "3 rue des Lilas\n31000 Toulouse",
    ),
    MergeField("demande.reference", gettext_lazy("Référence de la demande"), "26-ABCD2"),
    MergeField(
        "demande.objet", gettext_lazy("Objet de la demande"), gettext_lazy("Trottoir abîmé")
    ),
    MergeField(
        "demande.categorie",
        gettext_lazy("Catégorie de la demande"),
        gettext_lazy("Voirie — trottoirs"),
    ),
    MergeField("demande.date_reception", gettext_lazy("Date de réception"), "3 novembre 2026"),
    MergeField("demande.echeance", gettext_lazy("Échéance promise"), "17 novembre 2026"),
    MergeField("agent.nom_complet", gettext_lazy("Prénom et nom de l'agent"), "Camille MARTIN"),
    MergeField("agent.prenom", gettext_lazy("Prénom de l'agent"), "Camille"),
    MergeField("agent.nom", gettext_lazy("Nom de l'agent"), "MARTIN"),
    MergeField(
        "agent.fonction", gettext_lazy("Fonction de l'agent"), gettext_lazy("Chargée de relation")
    ),
    MergeField("service.nom", gettext_lazy("Service en charge"), gettext_lazy("Voirie")),
    MergeField(
        "service.adresse",
        gettext_lazy("Adresse du service"),
        "1 place de la Mairie, 31000 Toulouse",
    ),
    MergeField("service.telephone", gettext_lazy("Téléphone du service"), "05 61 00 00 00"),
    MergeField("service.courriel", gettext_lazy("Courriel du service"), "voirie@example.fr"),
    MergeField("collectivite.nom", gettext_lazy("Nom de la collectivité"), "Ville de Toulouse"),
    MergeField("date_du_jour", gettext_lazy("Date du jour"), "1er décembre 2026"),
)
FIELD_NAMES = frozenset(f.name for f in MERGE_FIELDS)
# Filters that only change the case of a text, or give a fallback.
ALLOWED_FILTERS = frozenset({"upper", "lower", "capfirst", "title", "default"})

_ENGINE = Engine(autoescape=False, string_if_invalid="", dirs=[], app_dirs=False, loaders=[])


def _compile(text: str):
    try:
        return _ENGINE.from_string(text or "")
    except TemplateSyntaxError:
        return None


def _variable_errors(var, errors: list[str]) -> None:
    # Quoted strings and numbers are fine; a lookup must name a field of the vocabulary.
    if isinstance(var, Variable) and var.lookups is not None and var.var not in FIELD_NAMES:
        errors.append(_("Champ de fusion inconnu : {{ %(name)s }}.") % {"name": var.var})


def _expression_errors(expression: FilterExpression, errors: list[str]) -> None:
    _variable_errors(expression.var, errors)
    for func, args in expression.filters:
        filter_name = getattr(func, "_filter_name", None) or func.__name__
        if filter_name not in ALLOWED_FILTERS:
            errors.append(_("Filtre non autorisé : « %(name)s ».") % {"name": filter_name})
        for _is_lookup, arg in args:
            _variable_errors(arg, errors)


def _condition_errors(condition, errors: list[str]) -> None:
    if isinstance(condition, TemplateLiteral):
        _expression_errors(condition.value, errors)
        return
    for part in (getattr(condition, "first", None), getattr(condition, "second", None)):
        if part is not None:
            _condition_errors(part, errors)


def _nodelist_errors(nodelist, errors: list[str]) -> None:
    for node in nodelist:
        if isinstance(node, TextNode | CommentNode):
            continue
        if isinstance(node, VariableNode):
            _expression_errors(node.filter_expression, errors)
        elif isinstance(node, IfNode):
            for condition, branch in node.conditions_nodelists:
                if condition is not None:
                    _condition_errors(condition, errors)
                _nodelist_errors(branch, errors)
        else:
            token = getattr(node, "token", None)
            tag = token.contents.split()[0] if token is not None and token.contents else "?"
            errors.append(
                _("Balise non autorisée : « %(tag)s ». Seule la balise « if » est permise.")
                % {"tag": tag}
            )


def merge_errors(text: str) -> list[str]:
    """What is wrong with a template's text, in French; an empty list when it may be saved."""
    template = _compile(text)
    if template is None or any(
        marker in node.s
        for node in template.nodelist.get_nodes_by_type(TextNode)
        for marker in ("{{", "}}", "{%", "%}")
    ):
        # An unclosed field would otherwise be sent as typed.
        return [
            _(
                "Le modèle est mal écrit : vérifiez que chaque champ s'écrit entre doubles "
                "accolades, comme {{ demande.reference }}, et que chaque balise if est fermée "
                "par endif."
            )
        ]
    errors: list[str] = []
    _nodelist_errors(template.nodelist, errors)
    # One message per unknown field, in the order they first appear.
    return list(dict.fromkeys(errors))


def merge_render(text: str, context: dict) -> str:
    """Fill a template with a context from `merge_context` or `merge_sample_context`. A
    template that does not pass `merge_errors` is refused rather than half rendered."""
    from django.core.exceptions import ValidationError

    errors = merge_errors(text)
    if errors:
        raise ValidationError(errors)
    return _ENGINE.from_string(text or "").render(Context(context, autoescape=False))


def _date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return french_date(value)


def _nest(flat: dict[str, str]) -> dict:
    nested: dict = {}
    for name, value in flat.items():
        head, _sep, tail = name.partition(".")
        if tail:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[head] = value
    return nested


def merge_context(
    *, case=None, contact=None, agent=None, service=None, authority=None, today=None
) -> dict:
    """The values of the merge fields for a real case, its person and the agent writing:
    strings only, built field by field from the whitelist."""
    service = service or (case.service if case is not None else None)
    authority = authority or (case.authority if case is not None else None)
    if authority is None and service is not None:
        authority = service.authority
    flat = {name: "" for name in FIELD_NAMES}
    if contact is not None:
        family = (contact.family_name or "").upper()
        flat.update(
            {
                "usager.civilite_nom": contact.salutation,
                "usager.nom_complet": contact.display_name,
                "usager.prenom": contact.first_name,
                "usager.nom": family if contact.kind != "organisation" else contact.display_name,
                "usager.adresse": contact.postal_address,
            }
        )
    if case is not None:
        flat.update(
            {
                "demande.reference": case.reference,
                "demande.objet": case.subject,
                "demande.categorie": case.category.label,
                "demande.date_reception": _date(case.received_at),
                "demande.echeance": _date(case.due_on),
            }
        )
    if agent is not None:
        first = agent.first_name or ""
        last = (agent.last_name or "").upper()
        flat.update(
            {
                "agent.nom_complet": " ".join(p for p in (first, last) if p),
                "agent.prenom": first,
                "agent.nom": last,
                "agent.fonction": agent.job_title,
            }
        )
    if service is not None:
        flat.update(
            {
                "service.nom": service.name,
                "service.adresse": service.postal_address,
                "service.telephone": service.phone,
                "service.courriel": service.email,
            }
        )
    if authority is not None:
        flat["collectivite.nom"] = authority.public_name
    flat["date_du_jour"] = _date(today or timezone.localdate())
    return _nest(flat)


def merge_sample_context() -> dict:
    """Sample values, for a preview without a real case."""
    return _nest({f.name: str(f.sample) for f in MERGE_FIELDS})
