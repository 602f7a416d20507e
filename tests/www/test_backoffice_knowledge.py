"""The knowledge base pages: who may read and write, search while typing, versions, the
digest, and the one-stop desk's suggestions."""

import pytest

from guichet.knowledge.models import Article
from guichet.knowledge.services import article_create, article_update
from tests.www.backoffice_helpers import (
    assert_anonymous_sent_to_login,
    assert_refused,
    assert_urls_covered,
    text,
    url,
)


@pytest.fixture
def article(authority, admin_user, accueil, category):
    return article_create(
        actor=admin_user,
        authority=authority,
        title="Location de la salle des fêtes",
        summary="Réservation à l'accueil, trois mois à l'avance.",
        keywords="salle polyvalente, mariage",
        fees="150 € le week-end.",
        service=accueil,
        categories=[category],
    )


@pytest.fixture
def every_url(article):
    pk = article.pk
    return [
        ("GET", url("knowledge_list"), {}),
        ("GET", url("knowledge_list") + "?q=salle", {}),
        ("GET", url("knowledge_create"), {}),
        ("GET", url("knowledge_digest"), {}),
        ("GET", url("knowledge_suggestions") + "?body=salle", {}),
        ("GET", url("knowledge_detail", pk), {}),
        ("GET", url("knowledge_edit", pk), {}),
        ("GET", url("knowledge_history", pk), {}),
        ("POST", url("knowledge_read", pk), {}),
    ]


def test_every_url_is_covered(every_url):
    from guichet.www.backoffice.knowledge_urls import urlpatterns

    assert_urls_covered(urlpatterns, every_url)


def test_anonymous_and_citizens_are_kept_out(every_url, client_for, citizen):
    assert_anonymous_sent_to_login(every_url)
    assert_refused(client_for(citizen), every_url)


def test_another_authoritys_agent_finds_nothing(article, client_for, foreign_agent):
    client = client_for(foreign_agent)
    for name in ("knowledge_detail", "knowledge_edit", "knowledge_history"):
        assert client.get(url(name, article.pk)).status_code == 404
    assert client.post(url("knowledge_read", article.pk)).status_code == 404
    assert "salle des fêtes" not in text(client.get(url("knowledge_list") + "?q=salle"))


def test_unknown_article_is_not_found(article, client_for, front_desk):
    assert client_for(front_desk).get(url("knowledge_detail", 999999)).status_code == 404


def test_every_agent_reads_and_searches(article, client_for, front_desk, other_agent):
    for user in (front_desk, other_agent):
        client = client_for(user)
        page = text(client.get(url("knowledge_list") + "?q=salles"))
        assert "Location de la salle des fêtes" in page
        detail = text(client.get(url("knowledge_detail", article.pk)))
        assert "150 € le week-end." in detail and "Accueil" in detail


def test_search_while_typing_answers_a_fragment(article, client_for, front_desk):
    response = client_for(front_desk).get(
        url("knowledge_list") + "?q=sall", headers={"HX-Request": "true"}
    )
    assert "Location de la salle des fêtes" in text(response)
    assert "<h1>" not in text(response)  # only the results


def test_search_while_typing_treats_the_last_word_as_unfinished(article, client_for, front_desk):
    response = client_for(front_desk).get(
        url("knowledge_list") + "?q=salle des fe", headers={"HX-Request": "true"}
    )
    assert "Location de la salle des fêtes" in text(response)


def test_a_typo_is_corrected_and_said(article, client_for, front_desk):
    page = text(client_for(front_desk).get(url("knowledge_list") + "?q=mariagge"))
    assert "Location de la salle des fêtes" in page
    assert "Résultats pour" in page


def test_only_managers_and_administrators_write(
    authority, article, client_for, agent, front_desk, dpo, manager, admin_user
):
    for user in (agent, front_desk, dpo):
        client = client_for(user)
        assert client.get(url("knowledge_create")).status_code == 403
        assert client.get(url("knowledge_edit", article.pk)).status_code == 403
        assert (
            client.post(url("knowledge_create"), {"title": "X", "kind": "procedure"}).status_code
            == 403
        )
    response = client_for(manager).post(
        url("knowledge_create"),
        {"title": "Recensement citoyen", "kind": "procedure", "summary": "À 16 ans, en mairie."},
    )
    created = Article.objects.get(title="Recensement citoyen")
    assert response.status_code == 302
    assert response["Location"] == url("knowledge_detail", created.pk)
    assert created.versions.get().author == manager


def test_an_edit_without_title_is_refused_in_french(article, client_for, admin_user):
    response = client_for(admin_user).post(
        url("knowledge_edit", article.pk), {"title": "", "kind": "procedure"}
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text(response)
    article.refresh_from_db()
    assert article.version == 1


def test_history_shows_the_diff_and_the_author(article, client_for, admin_user, manager):
    article_update(actor=manager, article=article, fees="180 € le week-end.", note="Tarif 2027")
    page = text(client_for(admin_user).get(url("knowledge_history", article.pk)))
    assert "− 150 € le week-end." in page and "+ 180 € le week-end." in page
    assert "Tarif 2027" in page and "Marc Directeur" in page


def test_the_digest_and_marking_as_read(article, client_for, front_desk):
    client = client_for(front_desk)
    assert "Location de la salle des fêtes" in text(client.get(url("knowledge_digest")))
    response = client.post(url("knowledge_read", article.pk), {"next": "digest"})
    assert response["Location"] == url("knowledge_digest")
    assert "Vous êtes à jour" in text(client.get(url("knowledge_digest")))
    assert client.get(url("knowledge_read", article.pk)).status_code == 405


def test_managers_see_who_has_not_read_an_important_change(
    article, client_for, admin_user, front_desk
):
    article_update(actor=admin_user, article=article, is_important=True)
    page = text(client_for(admin_user).get(url("knowledge_detail", article.pk)))
    assert "Pas encore lue par" in page and "Awa Accueil" in page
    # Agents do not see the list.
    assert "Pas encore lue par" not in text(
        client_for(front_desk).get(url("knowledge_detail", article.pk))
    )


def test_the_desk_suggests_articles_and_their_category(article, client_for, front_desk, category):
    response = client_for(front_desk).get(
        url("knowledge_suggestions"),
        {"body": "La dame voudrait louer la salle pour un mariage en juin"},
    )
    page = text(response)
    assert "Location de la salle des fêtes" in page
    assert f'data-choose-category="{category.pk}"' in page
    empty = text(client_for(front_desk).get(url("knowledge_suggestions"), {"body": "zz"}))
    assert "Fiches suggérées" not in empty


def test_the_articles_category_preselects_the_desk(article, client_for, front_desk, category):
    page = text(client_for(front_desk).get(url("desk") + f"?category={category.pk}"))
    assert f'<option value="{category.pk}" selected>' in page
    assert 'value="case" id="id_outcome_1" required checked' in page


def test_the_directory_answers_who_does_what(authority, client_for, front_desk):
    from tests import factories as f

    f.ServiceFactory(
        authority=authority,
        name="Vie associative",
        keywords="location de salles, salle des fêtes, associations, matériel",
        phone="02 54 00 00 07",
        opening_hours="Lundi au vendredi, 9 h – 12 h",
    )
    page = text(client_for(front_desk).get(url("knowledge_list") + "?q=salles des fetes"))
    assert "Qui fait quoi" in page and "Vie associative" in page and "02 54 00 00 07" in page


def test_the_desk_suggests_the_learned_category_without_any_article(
    authority, client_for, front_desk, category, category_etat_civil
):
    from guichet.routing.enums import ModelTarget
    from guichet.routing.models import RoutingSettings
    from guichet.routing.services import routing_train

    category.description = "Trou dans la chaussée, trottoir abîmé, nid de poule"
    category.save()
    category_etat_civil.description = "Copie d'acte de naissance, mariage, livret de famille"
    category_etat_civil.save()
    routing_train(authority=authority, target=ModelTarget.CATEGORY)
    client = client_for(front_desk)
    body = {"body": "Il y a un gros nid de poule devant chez moi"}
    page = text(client.get(url("knowledge_suggestions"), body))
    assert f'data-choose-category="{category.pk}"' in page
    assert "Fiches suggérées" not in page  # no article shares those words
    RoutingSettings.objects.create(authority=authority, suggestions_enabled=False)
    page = text(client.get(url("knowledge_suggestions"), body))
    assert "data-choose-category" not in page
