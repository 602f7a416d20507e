"""The portal's guide to procedures (public knowledge articles) and its register of the
algorithms that route demands."""

import pytest
from django.urls import reverse

from guichet.knowledge.services import article_create
from guichet.routing.enums import ModelTarget
from guichet.routing.models import RoutingRule, RoutingSettings
from guichet.routing.services import routing_train


@pytest.fixture
def articles(authority, admin_user, etat_civil, category_etat_civil):
    public = article_create(
        actor=admin_user,
        authority=authority,
        title="Acte de naissance",
        summary="Copie intégrale ou extrait, gratuit.",
        documents="Pièce d'identité.",
        service=etat_civil,
        is_public=True,
        categories=[category_etat_civil],
    )
    internal = article_create(
        actor=admin_user,
        authority=authority,
        title="Procédure interne de réservation",
        summary="Ne pas diffuser.",
        is_public=False,
    )
    return public, internal


def page(client, name, authority, *args, **params):
    response = client.get(reverse(f"portal:{name}", args=[authority.slug, *args]), params)
    return response.status_code, response.content.decode()


def test_the_guide_lists_public_articles_only(client, authority, articles):
    status, html = page(client, "procedures", authority)
    assert status == 200
    assert "Acte de naissance" in html and "Procédure interne" not in html


def test_the_guide_searches_in_french(client, authority, articles):
    _, html = page(client, "procedures", authority, q="naissances")
    assert "Acte de naissance" in html
    _, html = page(client, "procedures", authority, q="réservation")
    assert "Procédure interne" not in html and "Aucune démarche" in html


def test_typo_correction_draws_only_on_public_words(client, authority, articles):
    _, html = page(client, "procedures", authority, q="naissence")
    assert "Acte de naissance" in html and "Résultats pour" in html
    # "interne" is only in the internal article: it is neither suggested nor hinted at.
    _, html = page(client, "procedures", authority, q="interrne")
    assert "Résultats pour" not in html and "Aucune démarche" in html


def test_a_public_article_leads_to_its_demand(client, authority, articles, category_etat_civil):
    public, internal = articles
    status, html = page(client, "procedure", authority, public.pk)
    assert status == 200 and "Pièce d&#x27;identité." in html
    assert f"?categorie={category_etat_civil.pk}" in html
    assert page(client, "procedure", authority, internal.pk)[0] == 404
    assert page(client, "procedure", authority, 999999)[0] == 404


def test_another_authoritys_guide_does_not_show_them(client, other_authority, articles):
    public, _ = articles
    assert "Acte de naissance" not in page(client, "procedures", other_authority)[1]
    assert page(client, "procedure", other_authority, public.pk)[0] == 404


def test_the_register_of_algorithms(client, authority, category, voirie, accueil):
    rule = RoutingRule.objects.create(
        authority=authority, service=voirie, name="Signalements de la voirie", priority=1
    )
    rule.categories.set([category])
    settings = RoutingSettings.objects.create(authority=authority, auto_threshold=0.8)
    settings.qualification_categories.set([category])
    _, html = page(client, "algorithms", authority)
    assert "Signalements de la voirie" in html and "Voirie" in html
    assert "Aucune suggestion automatique" in html  # no model trained yet
    routing_train(authority=authority, target=ModelTarget.SERVICE)
    _, html = page(client, "algorithms", authority)
    assert "régression logistique" in html and "0,80" in html
    assert "Pas encore assez de demandes closes" in html
    # Linked from every page of the authority.
    _, home = page(client, "home", authority)
    assert reverse("portal:algorithms", args=[authority.slug]) in home


def test_the_register_names_channels_and_kinds_of_contact_in_words(client, authority, voirie):
    RoutingRule.objects.create(
        authority=authority,
        service=voirie,
        name="Associations au guichet",
        channels=["counter"],
        contact_kinds=["organisation"],
    )
    _, html = page(client, "algorithms", authority)
    assert "canaux : Accueil physique" in html and "usagers : Organisation" in html
    assert "counter" not in html


def test_the_person_sees_how_their_demand_was_routed(
    client_for, authority, category, voirie, citizen, citizen_contact
):
    from guichet.cases.services import case_create

    rule = RoutingRule.objects.create(
        authority=authority, service=voirie, name="Voirie d'abord", priority=1
    )
    rule.categories.set([category])
    case, _ = case_create(
        actor=citizen,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Trou",
        channel="portal",
        notify=False,
    )
    html = (
        client_for(citizen)
        .get(reverse("portal:case_detail", args=[authority.slug, case.reference]))
        .content.decode()
    )
    assert "Comment votre demande a été orientée" in html
    assert "« Voirie d&#x27;abord »" in html
