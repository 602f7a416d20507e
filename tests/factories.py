"""factory_boy factories, one per domain entity."""

import factory
from django.utils import timezone

from guichet.accounts.models import User
from guichet.authorities.enums import AuthorityKind, Role
from guichet.authorities.models import Authority, Membership, Service
from guichet.cases.models import Category
from guichet.contacts.models import Contact

PASSWORD = "Correct-Horse-Battery-9"


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    name = factory.Sequence(lambda n: f"Ville numéro {n}")
    slug = factory.Sequence(lambda n: f"ville-{n}")
    kind = AuthorityKind.COMMUNE
    siren = "213105554"
    address = "1 place de la Mairie"
    postal_code = "31000"
    city = "Toulouse"
    email = "mairie@example.fr"
    phone = "05 61 00 00 00"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    authority = factory.SubFactory(AuthorityFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    email = factory.Sequence(lambda n: f"service{n}@example.fr")
    phone = "05 61 00 00 01"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    authority = factory.LazyAttribute(lambda m: m.service.authority if m.service else None)
    service = factory.SubFactory(ServiceFactory)
    role = Role.AGENT


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    authority = factory.LazyAttribute(lambda c: c.default_service.authority)
    default_service = factory.SubFactory(ServiceFactory)
    label = factory.Sequence(lambda n: f"Catégorie {n}")
    delay_days = 10


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    authority = factory.SubFactory(AuthorityFactory)
    first_name = "Jeanne"
    birth_name = factory.Sequence(lambda n: f"Dupont{n}")
    email = factory.Sequence(lambda n: f"jeanne{n}@example.org")
    name_key = factory.LazyAttribute(lambda c: f"{c.birth_name} {c.first_name}".lower())
    created_at = factory.LazyFunction(timezone.now)
