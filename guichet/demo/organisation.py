"""The demo organisation: two authorities, their services, agents and categories.

Small, so it goes through the ORM; `AuthorityPlan` reads it back for the generators, so that
they also work on an instance whose organisation was edited since.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import holidays
from django.conf import settings
from django.contrib.auth.hashers import make_password
from faker import Faker

from guichet.accounts.models import User
from guichet.authorities.enums import Role
from guichet.authorities.models import Authority, Membership, Service
from guichet.cases.models import Category
from guichet.contacts.enums import Civility
from guichet.contacts.models import Contact
from guichet.contacts.phones import normalise_phone
from guichet.core.calendar import BusinessCalendar
from guichet.core.enums import Channel
from guichet.core.models import Event
from guichet.core.text import fold
from guichet.demo import catalogue as cat
from guichet.demo import demands as dem
from guichet.demo.bulk import Out, quiet
from guichet.reports.taxonomy import StreetRoot, read_street_taxonomy

DATA_DIR = Path(settings.BASE_DIR).parent / "shared" / "data"
TAXONOMY_CSV = DATA_DIR / "taxonomy" / "dansmarue-categories.csv"
UTC = dt.UTC


def demo_now() -> dt.datetime:
    """The current hour: the same seed gives the same data all through the hour."""
    return dt.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def closing_days(years: Iterable[int]) -> list[str]:
    """The Friday after Ascension Thursday, a common closing day of French town halls."""
    days = []
    for year in years:
        for day, name in holidays.France(years=year).items():
            if "Ascension" in name:
                days.append((day + dt.timedelta(days=1)).isoformat())
    return sorted(days)


def _slug_email(first: str, last: str) -> str:
    return f"{fold(first).replace(' ', '-')}.{fold(last).replace(' ', '-')}"


def _fallback_street_roots() -> list[StreetRoot]:
    return [
        StreetRoot(label, "", True, [(leaf, "") for leaf in leaves])
        for label, leaves in cat.FALLBACK_STREET
    ]


def street_service_for(label: str) -> str:
    folded = fold(label)
    for keywords, service in cat.STREET_SERVICE_KEYWORDS:
        if any(fold(k) in folded for k in keywords):
            return service
    return cat.STREET_DEFAULT_SERVICE


def _street_root_weight(label: str) -> float:
    folded = fold(label)
    for key, weight in (
        ("proprete", 3.0),
        ("objets", 2.5),
        ("voirie", 3.0),
        ("eclairage", 2.0),
        ("graffiti", 1.5),
        ("arbres", 1.2),
        ("mobilier", 1.2),
        ("eau", 0.6),
        ("chantier", 0.5),
    ):
        if key in folded:
            return weight
    return 1.0


def build_organisation(
    *, seed: int, out: Out = quiet, taxonomy_path: Path = TAXONOMY_CSV, now=None
) -> dict[str, int]:
    """Create the two authorities, their services, agents and categories, and the citizen
    account. Returns counts for the summary."""
    rng = random.Random(seed)
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    now = now or demo_now()
    years = range(now.year - 4, now.year + 2)
    commune = Authority.objects.create(**cat.COMMUNE, closing_days=closing_days(years))
    epci = Authority.objects.create(**cat.EPCI)
    commune.intercommunality = epci
    commune.save(update_fields=["intercommunality"])
    authorities = {commune.slug: commune, epci.slug: epci}

    services: dict[tuple[str, str], Service] = {}
    for authority, specs, domain in (
        (commune, cat.COMMUNE_SERVICES, "ville-demo.example"),
        (epci, cat.EPCI_SERVICES, "agglo-demo.example"),
    ):
        for spec in specs:
            services[(authority.slug, spec.name)] = Service.objects.create(
                authority=authority,
                parent=services[(authority.slug, spec.parent)] if spec.parent else None,
                name=spec.name,
                kind=spec.kind,
                email=f"{spec.email}@{domain}",
                phone=spec.phone,
                address=spec.address,
                opening_hours=spec.hours,
                keywords=spec.keywords,
            )

    # One hash for every demo account: Argon2 is slow on purpose, and these accounts share a
    # published password anyway.
    password = make_password(cat.DEMO_PASSWORD)
    users = 0
    for named in cat.NAMED_USERS:
        user = User.objects.create_user(
            email=named.email,
            password=None,
            first_name=named.first_name,
            last_name=named.last_name,
            job_title=named.job_title,
            is_staff=named.is_staff,
            is_superuser=named.is_staff,
        )
        users += 1
        for slug, service_name, role in named.memberships:
            Membership.objects.create(
                user=user,
                authority=authorities[slug],
                service=services[(slug, service_name)] if service_name else None,
                role=role,
            )

    taken = {u.email for u in cat.NAMED_USERS}

    def agent(authority, service, role, title) -> User:
        nonlocal users
        female = title.endswith(("e", "ère", "rice")) and rng.random() < 0.8 or rng.random() < 0.3
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
        email = f"{_slug_email(first, last)}@{cat.USER_DOMAIN}"
        n = 2
        while email in taken:
            email = f"{_slug_email(first, last)}{n}@{cat.USER_DOMAIN}"
            n += 1
        taken.add(email)
        user = User.objects.create_user(
            email=email,
            password=None,
            first_name=first,
            last_name=last,
            job_title=title,
            phone=f"02 54 99 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
        )
        users += 1
        Membership.objects.create(user=user, authority=authority, service=service, role=role)
        return user

    for authority, specs in ((commune, cat.COMMUNE_SERVICES), (epci, cat.EPCI_SERVICES)):
        for spec in specs:
            service = services[(authority.slug, spec.name)]
            for _ in range(spec.extra_agents):
                agent(authority, service, Role.AGENT, rng.choice(spec.titles))
            if spec.name in cat.GENERATED_MANAGERS:
                agent(authority, service, Role.MANAGER, cat.GENERATED_MANAGERS[spec.name])
    agent(epci, None, Role.FRONT_DESK, "Chargée d'accueil")
    agent(commune, services[("ville-demo", "Accueil")], Role.FRONT_DESK, "Agent d'accueil")

    categories = 0
    for authority, specs in ((commune, dem.COMMUNE_CATEGORIES), (epci, dem.EPCI_CATEGORIES)):
        for spec in specs:
            Category.objects.create(
                authority=authority,
                label=spec.label,
                description=spec.description,
                default_service=services[(authority.slug, spec.service)],
                channels=list(spec.channels),
                delay_days=spec.delay_days,
                silence_rule=spec.silence_rule,
                silence_delay_days=spec.silence_delay_days,
                # Two months is the general rule; a category with its own delay in days
                # counts in days.
                silence_delay_months=2 if spec.silence_delay_days == 60 else None,
                retention_days=spec.retention_days,
                is_public_space=spec.is_public_space,
            )
            categories += 1

    roots = read_street_taxonomy(taxonomy_path)
    if roots is None:
        out(
            f"Street-problem taxonomy not found ({taxonomy_path}): a handful of problem "
            "report categories are created by hand instead."
        )
        roots = _fallback_street_roots()
    street_channels = list(dem.STREET_CHANNELS)
    for root in roots:
        service = services[("ville-demo", street_service_for(root.label))]
        delay = 10 if service.name == "Éclairage public" else 5
        common = dict(
            authority=commune,
            default_service=service,
            channels=street_channels,
            delay_days=delay,
            silence_rule=dem.NA,
            retention_days=2 * 365,
            is_public_space=True,
            # A report of a problem in the street asks for no decision: the reporter is
            # told of each status change instead of getting a CRPA acknowledgement.
            acknowledgement_exempt=True,
        )
        parent = Category.objects.create(
            label=root.label[:200],
            description=f"Signalement sur l'espace public : {root.label.lower()}.",
            is_active=root.active,
            external_ref=f"dansmarue:{root.external_id}" if root.external_id else "",
            **common,
        )
        categories += 1
        for label, external_id in root.leaves:
            Category.objects.create(
                parent=parent,
                label=label,
                is_active=root.active,
                external_ref=f"dansmarue:{external_id}" if external_id else "",
                **common,
            )
            categories += 1

    # The citizen with an account, known to the town hall as a contact: what
    # user_register and contact_for_citizen leave, dated a little over a year ago.
    joined = now - dt.timedelta(days=400)
    citizen = User.objects.create_user(
        email=cat.CITIZEN["email"],
        password=None,
        first_name=cat.CITIZEN["first_name"],
        last_name=cat.CITIZEN["last_name"],
        date_joined=joined,
    )
    users += 1
    User.objects.filter(email__in=taken | {citizen.email}).update(password=password)
    contact = Contact(
        authority=commune,
        user=citizen,
        first_name=citizen.first_name,
        usage_name=citizen.last_name,
        email=citizen.email,
        preferred_channel=Channel.EMAIL,
        civility=Civility.MADAME,
        mobile=normalise_phone("06 12 34 56 78") or "",
        address_line1="14 rue des Lilas",
        postal_code=cat.COMMUNE["postal_code"],
        city=cat.COMMUNE["city"],
    )
    contact.name_key = contact.compute_name_key()
    contact.save()
    Contact.objects.filter(pk=contact.pk).update(created_at=joined, updated_at=joined)
    for verb, target, extra in (
        ("user.registered", citizen, {}),
        (
            "contact.created",
            contact,
            {"authority": commune, "contact": contact, "data": {"kind": contact.kind}},
        ),
    ):
        Event.objects.create(
            at=joined,
            actor=citizen,
            verb=verb,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            **extra,
        )
    return {"authorities": 2, "services": len(services), "users": users, "categories": categories}


# What the generator knows about an authority, read back from the database -----------------


@dataclass
class CategoryInfo:
    id: int
    label: str
    service_id: int
    delay_days: int
    channels: frozenset[str]
    is_public_space: bool
    texts: cat.Texts


def _texts_for(
    category: Category,
    specs: dict[str, dem.CategorySpec],
    leaf_count: int,
    root_weights: dict[int, float],
) -> cat.Texts:
    spec = specs.get(category.label)
    if spec is not None:
        return cat.Texts(
            spec.demands,
            spec.reject_rate,
            spec.reject_reasons,
            spec.organisation_share,
            spec.weight,
        )
    if category.is_public_space and category.parent_id:
        weight = cat.STREET_WEIGHT * root_weights.get(category.parent_id, 0) / max(leaf_count, 1)
        demands = tuple(
            (category.label, body, reply)
            for body in cat.STREET_BODIES
            for reply in cat.STREET_REPLIES
        )
        return cat.Texts(
            demands,
            0.01,
            ("Le lieu signalé relève du domaine privé : nous ne pouvons pas intervenir.",),
            0.0,
            weight,
            {"leaf_label": category.label},
        )
    return cat.Texts(((category.label, "{question_free}", "Votre demande a été traitée."),))


@dataclass
class AuthorityPlan:
    authority: Authority
    calendar: BusinessCalendar
    categories: list[CategoryInfo]
    service_names: dict[int, str]
    agents: dict[int, list[int]]  # service -> its agents and managers (who may be assigned)
    managers: dict[int, list[int]]  # service -> managers of it or of a direction above it
    front_desk: list[int]
    front_desk_service_id: int | None
    service_of_agent: dict[int, int]
    agent_names: dict[int, str]

    @classmethod
    def load(cls, authority: Authority) -> AuthorityPlan:
        services = list(Service.objects.filter(authority=authority, is_active=True))
        names = {s.pk: s.name for s in services}
        parents = {s.pk: s.parent_id for s in services}
        agents: dict[int, list[int]] = {}
        direct_managers: dict[int, list[int]] = {}
        front_desk: list[int] = []
        front_desk_service_id = None
        service_of_agent: dict[int, int] = {}
        for user_id, service_id, role in (
            Membership.objects.filter(authority=authority, user__is_active=True)
            .order_by("pk")
            .values_list("user_id", "service_id", "role")
        ):
            if role in (Role.AGENT, Role.MANAGER) and service_id:
                agents.setdefault(service_id, []).append(user_id)
                service_of_agent.setdefault(user_id, service_id)
                if role == Role.MANAGER:
                    direct_managers.setdefault(service_id, []).append(user_id)
            elif role == Role.FRONT_DESK:
                if user_id not in front_desk:
                    front_desk.append(user_id)
                if service_id:
                    front_desk_service_id = service_id
        managers: dict[int, list[int]] = {}
        for sid in names:
            found, node = [], sid
            while node is not None:
                found.extend(direct_managers.get(node, []))
                node = parents.get(node)
            managers[sid] = found
        specs = {s.label: s for s in (*dem.COMMUNE_CATEGORIES, *dem.EPCI_CATEGORIES)}
        all_categories = list(Category.objects.filter(authority=authority, is_active=True))
        has_children = {c.parent_id for c in all_categories if c.parent_id}
        leaves_per_parent: dict[int, int] = {}
        for c in all_categories:
            if c.parent_id:
                leaves_per_parent[c.parent_id] = leaves_per_parent.get(c.parent_id, 0) + 1
        street_roots = {c.pk: c for c in all_categories if c.pk in has_children}
        raw = {pk: _street_root_weight(c.label) for pk, c in street_roots.items()}
        total = sum(raw.values()) or 1.0
        root_weights = {pk: w / total for pk, w in raw.items()}
        infos = []
        for c in all_categories:
            if c.pk in has_children or c.default_service_id not in names:
                continue
            texts = _texts_for(c, specs, leaves_per_parent.get(c.parent_id, 0), root_weights)
            if texts.weight <= 0:
                continue
            infos.append(
                CategoryInfo(
                    c.pk,
                    c.label,
                    c.default_service_id,
                    c.delay_days,
                    frozenset(c.channels or ()),
                    c.is_public_space,
                    texts,
                )
            )
        # A service nobody works in gets the managers above it, then the front desk.
        for sid in names:
            if not agents.get(sid):
                agents[sid] = managers.get(sid) or front_desk[:1]
        return cls(
            authority,
            authority.calendar,
            infos,
            names,
            agents,
            managers,
            front_desk,
            front_desk_service_id,
            service_of_agent,
            {
                u.pk: u.get_full_name() or u.email
                for u in User.objects.filter(memberships__authority=authority).distinct()
            },
        )
