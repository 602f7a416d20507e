"""The demo instance: built by one command, usable at once by every demo account."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from guichet.accounts.models import User
from guichet.authorities.models import Authority
from guichet.cases.models import Case
from guichet.cases.services import case_create
from guichet.core.references import is_well_formed

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "Guichet-Demo-2026!"


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.GUICHET_DEMO = True
    # Background work is queued, not run: the worker's training is tested with routing.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "mail"],
        }
    }
    call_command("demo_data", "--contacts", "150", "--cases", "300", "--seed", "7")


def test_the_demo_has_its_knowledge_base_districts_and_queued_training(demo):
    from django_tasks import default_task_backend

    from guichet.knowledge.models import Article

    commune = Authority.objects.get(slug="ville-demo")
    assert Article.objects.filter(authority=commune, is_public=True).count() >= 5
    assert commune.territories.filter(kind="district").count() == 4
    assert commune.routing_settings.qualification_categories.exists()
    assert any(
        result.task.name == "routing_models_train_all" for result in default_task_backend.results
    )


def test_the_demo_builds_a_commune_and_its_intercommunality(demo):
    commune = Authority.objects.get(slug="ville-demo")
    assert commune.intercommunality.slug == "agglo-demo"
    assert commune.services.count() >= 15
    assert Case.objects.filter(authority=commune).count() >= 250
    assert all(is_well_formed(r) for r in Case.objects.values_list("reference", flat=True))
    channels = set(Case.objects.values_list("channel", flat=True))
    assert {"portal", "counter", "phone", "post", "email"} <= channels


def test_a_new_case_after_the_demo_takes_the_next_reference(demo):
    commune = Authority.objects.get(slug="ville-demo")
    category = commune.categories.filter(is_active=True, channels__isnull=False).first()
    agent = User.objects.get(email="accueil@demo.guichet.fr")
    case, _ = case_create(
        actor=agent,
        authority=commune,
        category=category,
        contact=None,
        subject="Nouvelle demande",
        channel="counter",
    )
    assert Case.objects.filter(authority=commune, reference=case.reference).count() == 1


@pytest.mark.parametrize(
    "email",
    [
        "accueil@demo.guichet.fr",
        "voirie@demo.guichet.fr",
        "etat-civil@demo.guichet.fr",
        "dst@demo.guichet.fr",
        "admin@demo.guichet.fr",
        "dpo@demo.guichet.fr",
    ],
)
def test_every_demo_agent_signs_in_and_works(demo, email):
    client = Client()
    assert client.login(email=email, password=DEMO_PASSWORD)
    queue = client.get(reverse("backoffice:queue"))
    assert queue.status_code == 200
    case = Case.objects.visible_to(User.objects.get(email=email)).first()
    if case is not None:
        assert client.get(reverse("backoffice:case_detail", args=[case.pk])).status_code == 200


def test_the_demo_citizen_sees_their_cases(demo):
    client = Client()
    assert client.login(email="usager@demo.guichet.fr", password=DEMO_PASSWORD)
    response = client.get(reverse("portal:my_cases", args=["ville-demo"]))
    assert response.status_code == 200


def test_the_demo_refuses_to_mix_with_existing_data(demo):
    call_command("demo_data", "--if-empty")  # says so and does nothing
    assert Authority.objects.filter(slug="ville-demo").count() == 1
    with pytest.raises(CommandError):
        call_command("demo_data")


def test_no_demo_data_outside_demo_mode(settings):
    settings.GUICHET_DEMO = False
    call_command("demo_data", "--if-empty")
    assert not Authority.objects.exists()
    with pytest.raises(CommandError):
        call_command("demo_data")
