"""Routing: rules by each criterion and their priorities, the preview, the learned
suggestion with its threshold and explanation, and corrections that teach the next model."""

import pytest
from django.core.exceptions import ValidationError

from guichet.cases import services as case_services
from guichet.cases.enums import Status
from guichet.contacts.services import contact_create
from guichet.core.models import Event
from guichet.routing.enums import ModelTarget, RoutingMethod, RoutingOutcome
from guichet.routing.models import RoutingDecision, RoutingRule, RoutingSettings
from guichet.routing.services import route_preview, routing_settle, routing_train, suggest
from guichet.territories.services import territory_save
from tests import factories as f


@pytest.fixture
def espaces_verts(authority):
    return f.ServiceFactory(authority=authority, name="Espaces verts", keywords="arbre élagage")


@pytest.fixture
def proprete(authority):
    return f.ServiceFactory(authority=authority, name="Propreté", keywords="déchets encombrants")


@pytest.fixture
def nord(authority):
    square = [[1.0, 43.0], [2.0, 43.0], [2.0, 44.0], [1.0, 44.0], [1.0, 43.0]]
    return territory_save(
        actor=None,
        authority=authority,
        name="Quartier Nord",
        kind="district",
        geometry={"type": "Polygon", "coordinates": [square]},
        postal_codes="31200",
    )


def rule(authority, service, name, priority=100, categories=(), territories=(), **fields):
    created = RoutingRule.objects.create(
        authority=authority, service=service, name=name, priority=priority, **fields
    )
    created.categories.set(categories)
    created.territories.set(territories)
    return created


def preview(authority, category, **kwargs):
    kwargs.setdefault("channel", "portal")
    return route_preview(authority=authority, category=category, **kwargs)


def test_without_rules_the_category_decides(authority, category, voirie):
    route = preview(authority, category)
    assert route.service == voirie and route.method == RoutingMethod.CATEGORY


def test_a_rule_by_category(authority, category, category_etat_civil, espaces_verts):
    rule(authority, espaces_verts, "Voirie → espaces verts", categories=[category])
    assert preview(authority, category).service == espaces_verts
    assert preview(authority, category_etat_civil).method == RoutingMethod.CATEGORY


def test_a_rule_by_channel(authority, category, espaces_verts, voirie):
    rule(authority, espaces_verts, "Par courriel", channels=["email"])
    assert preview(authority, category, channel="email").service == espaces_verts
    assert preview(authority, category, channel="phone").service == voirie


def test_a_rule_by_kind_of_contact(authority, category, espaces_verts, voirie):
    rule(authority, espaces_verts, "Entreprises", contact_kinds=["organisation"])
    assert preview(authority, category, contact_kind="organisation").service == espaces_verts
    assert preview(authority, category, contact_kind="person").service == voirie


def test_a_rule_by_territory_by_point_or_address(authority, category, espaces_verts, voirie, nord):
    rule(authority, espaces_verts, "Nord", territories=[nord])
    assert preview(authority, category, latitude=43.5, longitude=1.5).service == espaces_verts
    assert preview(authority, category, latitude=45.0, longitude=1.5).service == voirie
    assert preview(authority, category, postal_code="31200").service == espaces_verts
    assert preview(authority, category, postal_code="31000").service == voirie


def test_the_smallest_priority_wins_and_inactive_rules_are_skipped(
    authority, category, espaces_verts, proprete
):
    rule(authority, proprete, "Large", priority=50)
    rule(authority, espaces_verts, "Précise", priority=10, categories=[category])
    route = preview(authority, category)
    assert route.service == espaces_verts
    assert "Précise" in route.explanation[0] and "Voirie — nid de poule" in route.explanation[0]
    RoutingRule.objects.filter(name="Précise").update(is_active=False)
    assert preview(authority, category).service == proprete


def test_a_real_case_records_the_rule_that_routed_it(
    authority, category, espaces_verts, citizen_contact, agent
):
    made = rule(authority, espaces_verts, "Tout vers les espaces verts", categories=[category])
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Branche tombée",
        channel="portal",
        notify=False,
    )
    assert case.service == espaces_verts
    decision = case.routing_decision
    assert (decision.method, decision.rule, decision.rule_name) == (
        RoutingMethod.RULE,
        made,
        "Tout vers les espaces verts",
    )
    assert Event.objects.filter(verb="case.routed", case=case, data__rule=made.pk).exists()
    # An agent's explicit choice is recorded as such.
    chosen, _ = case_services.case_create(
        actor=agent,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Autre",
        channel="counter",
        service=agent.memberships.get().service,
        notify=False,
    )
    assert chosen.routing_decision.method == RoutingMethod.MANUAL


# The learned suggestion -------------------------------------------------------------------


@pytest.fixture
def other(authority, accueil):
    return f.CategoryFactory(authority=authority, default_service=accueil, label="Autre demande")


@pytest.fixture
def taught(authority, category, category_etat_civil, espaces_verts, proprete, other):
    """Categories and services described well enough to learn from on day one."""
    f.CategoryFactory(
        authority=authority,
        default_service=espaces_verts,
        label="Arbres et espaces verts",
        description="Élagage, arbre dangereux, branche tombée, pelouse, jardin public",
    )
    f.CategoryFactory(
        authority=authority,
        default_service=proprete,
        label="Dépôts sauvages",
        description="Encombrants, déchets abandonnés, poubelle qui déborde, tags",
    )
    category.description = "Trou dans la chaussée, trottoir abîmé, nid de poule, route"
    category.save()
    category_etat_civil.description = "Copie d'acte, naissance, mariage, décès, livret de famille"
    category_etat_civil.save()
    settings = RoutingSettings.objects.create(authority=authority, auto_threshold=None)
    settings.qualification_categories.set([other])
    for target in (ModelTarget.SERVICE, ModelTarget.CATEGORY):
        routing_train(authority=authority, target=target)
    return settings


def test_a_new_instance_suggests_from_its_categories_on_day_one(authority, taught, proprete):
    guess = suggest(authority, "Des encombrants abandonnés devant chez moi")
    assert guess["service"]["object"] == proprete
    assert guess["category"]["object"].label == "Dépôts sauvages"
    assert 0 < guess["service"]["confidence"] <= 1


def test_the_explanation_names_the_words_of_the_demand(authority, taught):
    guess = suggest(authority, "Un arbre menace de tomber sur l'école")
    words = [w for w, _ in guess["service"]["reasons"]]
    assert "arbre" in words
    assert set(words) <= {"arbre", "menace", "tomber", "école"}


def test_below_the_threshold_the_case_waits_for_qualification(
    authority, taught, other, accueil, citizen_contact, espaces_verts
):
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=other,
        contact=citizen_contact,
        subject="Élagage",
        description="L'arbre devant le 3 rue Haute touche les fils.",
        channel="email",
        notify=False,
    )
    assert case.service == accueil  # no threshold: never automatic
    decision = case.routing_decision
    assert decision.method == RoutingMethod.PENDING
    assert decision.suggested_service == espaces_verts
    assert "arbre" in [w for w, _ in decision.reasons]


def test_above_the_threshold_the_case_goes_to_the_suggested_service(
    authority, taught, other, citizen_contact, espaces_verts
):
    taught.auto_threshold = 0.2
    taught.save()
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=other,
        contact=citizen_contact,
        subject="Élagage urgent",
        description="Un arbre dangereux, une branche tombée.",
        channel="email",
        notify=False,
    )
    assert case.service == espaces_verts
    assert case.category.label == "Arbres et espaces verts"
    assert case.routing_decision.method == RoutingMethod.SUGGESTION
    taught.auto_threshold = 0.999
    taught.save()
    waiting, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=other,
        contact=citizen_contact,
        subject="Question",
        description="Un arbre",
        channel="email",
        notify=False,
    )
    assert waiting.routing_decision.method == RoutingMethod.PENDING


def test_transferring_an_automatic_assignment_is_a_correction(
    authority, taught, other, citizen_contact, espaces_verts, etat_civil
):
    taught.auto_threshold = 0.2
    taught.save()
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=other,
        contact=citizen_contact,
        subject="Élagage urgent",
        description="Un arbre dangereux, une branche tombée.",
        channel="email",
        notify=False,
    )
    assert case.routing_decision.method == RoutingMethod.SUGGESTION
    agent_ev = f.MembershipFactory(authority=authority, service=espaces_verts, role="agent").user
    case_services.case_transfer(
        actor=agent_ev, case=case, service=etat_civil, reason="Arbre du cimetière"
    )
    case.routing_decision.refresh_from_db()
    assert case.routing_decision.outcome == RoutingOutcome.CORRECTED
    assert case.routing_decision.outcome_by == agent_ev


def test_a_category_that_is_not_to_qualify_is_not_guessed(
    authority, taught, category, citizen_contact, voirie
):
    taught.auto_threshold = 0.0
    taught.save()
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Arbre",
        description="Un arbre tombé",
        channel="portal",
        notify=False,
    )
    assert case.service == voirie
    assert case.routing_decision.method == RoutingMethod.CATEGORY


def test_corrections_teach_the_next_training(
    authority, taught, other, citizen_contact, front_desk, etat_civil, proprete
):
    text = "Le skatepark du parc Belleville"
    before = suggest(authority, text)["service"]["object"]
    target = etat_civil if before != etat_civil else proprete
    closer = f.MembershipFactory(authority=authority, service=target, role="agent").user
    for n in range(3):
        case, _ = case_services.case_create(
            actor=None,
            authority=authority,
            category=other,
            contact=citizen_contact,
            subject=f"Skatepark {n}",
            description="Le skatepark du parc Belleville",
            channel="email",
            notify=False,
        )
        decision = routing_settle(actor=front_desk, case=case, service=target)
        assert decision.outcome == RoutingOutcome.CORRECTED
        case.refresh_from_db()
        assert case.service == target
        # The service closes it: a finished case with its final service.
        case_services.case_resolve(actor=closer, case=case, resolution="Fait")
        case.refresh_from_db()
        assert case.status == Status.RESOLVED
    routing_train(authority=authority, target=ModelTarget.SERVICE)
    assert suggest(authority, text)["service"]["object"] == target


def test_accepting_the_suggestion_in_one_click(
    authority, taught, other, citizen_contact, front_desk, espaces_verts
):
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=other,
        contact=citizen_contact,
        subject="Arbre",
        description="Une branche tombée sur le trottoir",
        channel="email",
        notify=False,
    )
    decision = case.routing_decision
    routing_settle(
        actor=front_desk,
        case=case,
        service=decision.suggested_service,
        category=decision.suggested_category,
    )
    decision.refresh_from_db()
    case.refresh_from_db()
    assert decision.outcome == RoutingOutcome.ACCEPTED and decision.outcome_by == front_desk
    assert case.service == espaces_verts and case.category == decision.suggested_category
    assert Event.objects.filter(verb="case.recategorised", case=case).exists()
    assert Event.objects.filter(verb="case.transferred", case=case).exists()


def test_training_needs_two_labels(other_authority):
    with pytest.raises(ValidationError):
        routing_train(authority=other_authority, target=ModelTarget.SERVICE)


def test_training_measures_accuracy_on_the_latest_closed_cases(
    authority, taught, other, citizen_contact, espaces_verts, proprete
):
    agent_ev = f.MembershipFactory(authority=authority, service=espaces_verts, role="agent").user
    agent_pr = f.MembershipFactory(authority=authority, service=proprete, role="agent").user
    texts = {
        espaces_verts: ["arbre à élaguer", "pelouse non tondue", "branche cassée"],
        proprete: ["sacs poubelle éventrés", "dépôt d'encombrants", "tags sur le mur"],
    }
    for service, agent in ((espaces_verts, agent_ev), (proprete, agent_pr)):
        for n in range(15):
            case, _ = case_services.case_create(
                actor=None,
                authority=authority,
                category=other,
                contact=citizen_contact,
                subject=texts[service][n % 3],
                channel="email",
                service=service,
                notify=False,
            )
            case_services.case_resolve(actor=agent, case=case, resolution="Fait")
    model = routing_train(authority=authority, target=ModelTarget.SERVICE)
    assert model.case_examples == 30 and model.tested_on == 6
    assert model.accuracy is not None and model.accuracy >= model.baseline_accuracy
    assert RoutingDecision.objects.filter(case__authority=authority).count() == 30


def test_contacts_kind_comes_from_the_contact(authority, category, espaces_verts, agent):
    rule(authority, espaces_verts, "Associations", contact_kinds=["organisation"])
    association = contact_create(
        actor=agent,
        authority=authority,
        kind="organisation",
        organisation_name="Les Amis",
        organisation_type="association",
    )
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=category,
        contact=association,
        subject="Subvention",
        channel="post",
        notify=False,
    )
    assert case.service == espaces_verts


def test_a_broken_model_never_stops_a_demand(authority, taught, other, citizen_contact, accueil):
    from guichet.routing.models import RoutingModel

    for model in RoutingModel.objects.filter(authority=authority):
        model.data = b"not a model"
        model.save()
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=other,
        contact=citizen_contact,
        subject="Élagage",
        description="Un arbre dangereux",
        channel="email",
        notify=False,
    )
    assert case.service == accueil
    assert case.routing_decision.method == RoutingMethod.PENDING
    assert case.routing_decision.suggested_service is None


def test_without_any_model_a_demand_to_qualify_still_waits_in_the_queue(
    authority, other, citizen_contact, accueil, category
):
    settings = RoutingSettings.objects.create(authority=authority, auto_threshold=0.5)
    settings.qualification_categories.set([other])
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=other,
        contact=citizen_contact,
        subject="Question",
        description="Je ne sais pas à qui écrire",
        channel="email",
        notify=False,
    )
    assert case.service == accueil
    assert case.routing_decision.method == RoutingMethod.PENDING
    # A demand in a category that is not to qualify goes on to its service as before.
    settled, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Trou",
        channel="email",
        notify=False,
    )
    assert settled.routing_decision.method == RoutingMethod.CATEGORY


@pytest.mark.django_db(transaction=True)
def test_learning_holds_no_transaction(monkeypatch):
    """On SQLite a transaction takes the write lock: a long fit inside one would make
    every demand of the town wait for the nightly training."""
    from django.db import connection

    from guichet.routing.classifier import TextClassifier

    authority = f.AuthorityFactory()
    for label in ("Voirie", "État civil"):
        service = f.ServiceFactory(authority=authority, name=label)
        f.CategoryFactory(authority=authority, default_service=service, label=label)
    fitted_inside = []
    real_fit = TextClassifier.fit

    def fit(self, *args, **kwargs):
        fitted_inside.append(connection.in_atomic_block)
        return real_fit(self, *args, **kwargs)

    monkeypatch.setattr(TextClassifier, "fit", fit)
    model = routing_train(authority=authority, target=ModelTarget.SERVICE)
    assert model.pk and fitted_inside == [False]


def test_a_service_no_longer_in_use_is_not_learned(
    authority, taught, other, citizen_contact, espaces_verts
):
    from guichet.routing.services import training_examples

    closer = f.MembershipFactory(authority=authority, service=espaces_verts, role="agent").user
    case, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=other,
        contact=citizen_contact,
        subject="Élagage",
        channel="email",
        service=espaces_verts,
        notify=False,
    )
    case_services.case_resolve(actor=closer, case=case, resolution="Fait")
    assert [r[1] for r in training_examples(authority, "service")[3]] == [espaces_verts.pk]
    espaces_verts.is_active = False
    espaces_verts.save()
    assert training_examples(authority, "service")[3] == []


def test_a_real_case_with_a_position_is_routed_by_its_territory(
    authority, category, espaces_verts, voirie, nord, citizen_contact
):
    rule(authority, espaces_verts, "Nord", territories=[nord])
    inside, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Trou",
        channel="portal",
        latitude="43.5",
        longitude="1.5",
        notify=False,
    )
    outside, _ = case_services.case_create(
        actor=None,
        authority=authority,
        category=category,
        contact=citizen_contact,
        subject="Trou",
        channel="portal",
        latitude="45.0",
        longitude="1.5",
        notify=False,
    )
    assert inside.service == espaces_verts and outside.service == voirie
    inside.refresh_from_db()
    assert float(inside.latitude) == 43.5
