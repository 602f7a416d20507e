"""Reply templates: per authority and category, audited, refused when they use unknown
fields or when someone else than an administrator writes them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guichet.core.models import Event
from guichet.letters.models import ReplyTemplate
from guichet.letters.services import (
    reply_template_create,
    reply_template_fill,
    reply_template_update,
)
from tests import factories as f


def make(authority, admin, name="Intervention prévue", **kwargs):
    kwargs.setdefault("body", "{{ usager.civilite_nom }}, nous intervenons.")
    return reply_template_create(actor=admin, authority=authority, name=name, **kwargs)


def test_creating_a_template_is_audited(authority, admin_user, category):
    template = make(
        authority, admin_user, category=category, subject="Demande {{ demande.reference }}"
    )
    event = Event.objects.get(verb="reply_template.created")
    assert event.actor == admin_user
    assert event.target_id == str(template.pk)
    assert event.data == {"name": "Intervention prévue", "category": category.pk}


def test_updating_a_template_names_what_changed(authority, admin_user):
    template = make(authority, admin_user)
    reply_template_update(
        actor=admin_user, template=template, body="Nouveau texte", is_active=False
    )
    template.refresh_from_db()
    assert (template.body, template.is_active) == ("Nouveau texte", False)
    event = Event.objects.get(verb="reply_template.updated")
    assert sorted(event.data["fields"]) == ["body", "is_active"]


def test_an_unknown_field_is_refused_at_save_time(authority, admin_user):
    with pytest.raises(ValidationError) as info:
        make(authority, admin_user, body="Bonjour {{ usager.age }}", subject="{{ x }}")
    assert info.value.message_dict == {
        "body": ["Champ de fusion inconnu : {{ usager.age }}."],
        "subject": ["Champ de fusion inconnu : {{ x }}."],
    }
    assert not ReplyTemplate.objects.exists()
    template = make(authority, admin_user)
    with pytest.raises(ValidationError):
        reply_template_update(actor=admin_user, template=template, body="{{ agent.email }}")
    template.refresh_from_db()
    assert template.body == "{{ usager.civilite_nom }}, nous intervenons."


def test_names_are_unique_per_authority(authority, other_authority, admin_user):
    make(authority, admin_user, name="Rappel")
    with pytest.raises(ValidationError) as info:
        make(authority, admin_user, name="  Rappel ")
    assert info.value.message_dict == {"name": ["Un autre modèle porte déjà ce nom."]}
    # Another authority may use the same name.
    make(other_authority, None, name="Rappel")


def test_a_category_of_another_authority_is_refused(authority, admin_user, other_authority):
    foreign = f.CategoryFactory(default_service=f.ServiceFactory(authority=other_authority))
    with pytest.raises(ValidationError) as info:
        make(authority, admin_user, category=foreign)
    assert "category" in info.value.message_dict


@pytest.mark.parametrize("who", ["agent", "front_desk", "dpo", "manager", "foreign_agent"])
def test_only_the_authoritys_administrators_write_templates(request, authority, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        make(authority, actor)
    assert not ReplyTemplate.objects.exists()


def test_another_authoritys_administrator_cannot_change_a_template(
    authority, other_authority, admin_user
):
    template = make(authority, admin_user)
    foreign_admin = f.UserFactory()
    f.MembershipFactory(user=foreign_admin, authority=other_authority, service=None, role="admin")
    with pytest.raises(PermissionDenied):
        reply_template_update(actor=foreign_admin, template=template, name="Piraté")
    assert ReplyTemplate.objects.get().name == "Intervention prévue"


def test_the_templates_offered_on_a_case(
    authority, other_authority, admin_user, case, category, category_etat_civil
):
    general = make(authority, admin_user, name="Général")
    own = make(authority, admin_user, name="Voirie", category=category)
    make(authority, admin_user, name="État civil", category=category_etat_civil)
    make(authority, admin_user, name="Inactif", is_active=False)
    make(other_authority, None, name="Ailleurs")
    assert list(ReplyTemplate.objects.for_case(case)) == [own, general]


def test_a_template_of_the_parent_category_is_offered(authority, admin_user, case, category):
    parent = f.CategoryFactory(default_service=category.default_service, label="Voirie")
    category.parent = parent
    category.save()
    template = make(authority, admin_user, name="Voirie en général", category=parent)
    case.category.refresh_from_db()
    assert list(ReplyTemplate.objects.for_case(case)) == [template]


def test_filling_a_template_for_a_case(authority, admin_user, case, citizen_contact, agent):
    template = make(
        authority,
        admin_user,
        subject="Votre demande {{ demande.reference }}",
        body="{{ usager.civilite_nom }},\n\n{{ agent.nom_complet }}, {{ agent.fonction }}",
    )
    subject, body = reply_template_fill(
        template=template, case=case, contact=citizen_contact, agent=agent
    )
    assert subject == f"Votre demande {case.reference}"
    assert body == "Jeanne Durand,\n\nPaul VOIRIE, Technicien"


def test_a_template_of_another_authority_does_not_fill_a_case(other_authority, case, agent):
    template = make(other_authority, None, name="Ailleurs")
    with pytest.raises(ValidationError):
        reply_template_fill(template=template, case=case, contact=None, agent=agent)
