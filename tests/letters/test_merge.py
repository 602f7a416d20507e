"""Merge fields: each one filled from the case, its person and the agent; anything outside
the vocabulary refused with a French message."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from guichet.cases.models import Case
from guichet.letters.merge import (
    MERGE_FIELDS,
    merge_context,
    merge_errors,
    merge_render,
    merge_sample_context,
)


@pytest.fixture
def filled(postal_case, postal_contact, agent, voirie):
    voirie.address = "12 chemin des Ateliers, 31000 Toulouse"
    voirie.save()
    Case.objects.filter(pk=postal_case.pk).update(
        received_at=dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC), due_on=dt.date(2026, 11, 16)
    )
    case = Case.objects.select_related("service", "authority", "category").get(pk=postal_case.pk)
    context = merge_context(
        case=case, contact=postal_contact, agent=agent, today=dt.date(2026, 12, 1)
    )
    return case, context


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("usager.civilite_nom", "Madame Roux"),
        ("usager.nom_complet", "Hélène ROUX"),
        ("usager.prenom", "Hélène"),
        ("usager.nom", "ROUX"),
        ("usager.adresse", "3 rue des Lilas\nBâtiment B\n31000 Toulouse"),
        ("demande.objet", "Trottoir abîmé avenue Foch"),
        ("demande.categorie", "Voirie — nid de poule"),
        ("demande.date_reception", "2 novembre 2026"),
        ("demande.echeance", "16 novembre 2026"),
        ("agent.nom_complet", "Paul VOIRIE"),
        ("agent.prenom", "Paul"),
        ("agent.nom", "VOIRIE"),
        ("agent.fonction", "Technicien"),
        ("service.nom", "Voirie"),
        ("service.adresse", "12 chemin des Ateliers, 31000 Toulouse"),
        ("service.telephone", "05 61 00 00 01"),
        ("collectivite.nom", "Ville de Testville"),
        ("date_du_jour", "1er décembre 2026"),
    ],
)
def test_each_merge_field(filled, field, expected):
    _case, context = filled
    assert merge_render("«{{ " + field + " }}»", context) == f"«{expected}»"


def test_the_reference_and_the_service_email(filled):
    case, context = filled
    assert merge_render("{{ demande.reference }}", context) == case.reference
    assert merge_render("{{ service.courriel }}", context) == case.service.email


def test_every_field_of_the_vocabulary_has_a_sample():
    context = merge_sample_context()
    for field in MERGE_FIELDS:
        assert merge_render("{{ " + field.name + " }}", context), field.name


def test_text_is_not_escaped(filled):
    _case, context = filled
    body = merge_render("L'échéance <b> & {{ usager.civilite_nom }}", context)
    assert body == "L'échéance <b> & Madame Roux"


def test_conditions_and_case_filters_are_allowed(filled):
    _case, context = filled
    text = (
        "{% if demande.echeance %}avant le {{ demande.echeance }}{% endif %}"
        " {{ service.nom|upper }}"
    )
    assert merge_errors(text) == []
    assert merge_render(text, context) == "avant le 16 novembre 2026 VOIRIE"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("{{ usager.email }}", "Champ de fusion inconnu : {{ usager.email }}."),
        ("{{ usager }}", "Champ de fusion inconnu : {{ usager }}."),
        ("{{ case.contacts.all }}", "Champ de fusion inconnu : {{ case.contacts.all }}."),
        (
            "{{ usager.nom|default:agent.password }}",
            "Champ de fusion inconnu : {{ agent.password }}.",
        ),
        (
            "{% if settings.SECRET_KEY %}x{% endif %}",
            "Champ de fusion inconnu : {{ settings.SECRET_KEY }}.",
        ),
        ("{{ usager.nom|safe }}", "Filtre non autorisé : « safe »."),
        ("{% debug %}", "Balise non autorisée : « debug ». Seule la balise « if » est permise."),
        (
            "{% include 'base.html' %}",
            "Balise non autorisée : « include ». Seule la balise « if » est permise.",
        ),
    ],
)
def test_anything_outside_the_vocabulary_is_refused(text, error):
    assert merge_errors(text) == [error]
    with pytest.raises(ValidationError):
        merge_render(text, merge_sample_context())


@pytest.mark.parametrize(
    "text", ["Bonjour {{ usager.nom", "{% if usager.nom %}oui", "{% load static %}"]
)
def test_a_badly_written_template_is_refused(text):
    [error] = merge_errors(text)
    assert error.startswith("Le modèle est mal écrit")


def test_each_unknown_field_is_named_once():
    assert merge_errors("{{ a.b }} {{ c }} {{ a.b }}") == [
        "Champ de fusion inconnu : {{ a.b }}.",
        "Champ de fusion inconnu : {{ c }}.",
    ]
