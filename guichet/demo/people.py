"""Residents, associations, companies and shops, and how the case generator picks them."""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
from dataclasses import dataclass, field

from faker import Faker

from guichet.authorities.models import Authority
from guichet.contacts.enums import Civility, ContactKind, OrganisationType
from guichet.contacts.models import Contact, OrganisationMember
from guichet.contacts.phones import normalise_phone
from guichet.core.enums import Channel
from guichet.core.models import Event
from guichet.core.text import fold
from guichet.demo import catalogue as cat
from guichet.demo.bulk import Batch, Out, RowWriter, progress, quiet
from guichet.demo.organisation import AuthorityPlan

T_CONTACT = Contact._meta.label_lower


def _luhn_complete(digits: str) -> str:
    """Append the check digit that makes a SIREN or SIRET pass the Luhn test."""
    for last in "0123456789":
        candidate = digits + last
        total = 0
        for i, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if i % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _phone_number(rng: random.Random, mobile: bool) -> str:
    if mobile:
        head = rng.choice(("06", "06", "07"))
        digits = [head] + [f"{rng.randint(0, 99):02d}" for _ in range(4)]
    else:
        digits = ["02", "54"] + [f"{rng.randint(0, 99):02d}" for _ in range(3)]
    return " ".join(digits)


class ContactMaker:
    """Residents in households, and a few associations, companies and shops."""

    def __init__(
        self,
        *,
        rng: random.Random,
        fake: Faker,
        authority: Authority,
        plan: AuthorityPlan,
        streets: list[str],
    ):
        self.rng = rng
        self.fake = fake
        self.authority = authority
        self.plan = plan
        self.streets = streets
        provider = next(p for p in fake.providers if hasattr(p, "first_names_female"))
        self.first_f = list(provider.first_names_female)
        self.first_m = list(provider.first_names_male)
        self.last = list(provider.last_names)
        self.domains = [d for d, _ in cat.EMAIL_DOMAINS]
        self.domain_weights = [w for _, w in cat.EMAIL_DOMAINS]
        self.scratch = Contact()

    def _normalised(self, raw: str) -> str:
        return normalise_phone(raw) or ""

    def _email(self, first: str, last: str) -> str:
        rng = self.rng
        f, la = fold(first).replace(" ", "-"), fold(last).replace(" ", "")
        style = rng.random()
        if style < 0.45:
            local = f"{f}.{la}"
        elif style < 0.65:
            local = f"{f}.{la}{rng.randint(1, 99)}"
        elif style < 0.8:
            local = f"{f[:1]}{la}"
        else:
            local = f"{la}.{f}{rng.randint(1950, 2005)}"
        domain = rng.choices(self.domains, weights=self.domain_weights)[0]
        return f"{local}@{domain}"

    def _address(self) -> tuple[str, str]:
        rng = self.rng
        number = rng.randint(1, 180)
        suffix = rng.choice(("", "", "", "", "", "", " bis", " ter"))
        line2 = rng.choice(cat.ADDRESS_COMPLEMENTS) if rng.random() < 0.12 else ""
        return f"{number}{suffix} {rng.choice(self.streets)}", line2

    def _finish(self, row: dict) -> dict:
        scratch = self.scratch
        for key in ("kind", "first_name", "birth_name", "usage_name", "organisation_name"):
            setattr(scratch, key, row.get(key, ""))
        row["name_key"] = scratch.compute_name_key()
        return row

    def household(self, created_at: dt.datetime) -> list[dict]:
        rng = self.rng
        family = rng.choice(self.last)
        line1, line2 = self._address() if rng.random() < 0.93 else ("", "")
        landline = self._normalised(_phone_number(rng, False)) if rng.random() < 0.25 else ""
        size = rng.choices((1, 2, 3), weights=(45, 45, 10))[0]
        shared_email = None
        persons = []
        for index in range(size):
            if index == 0:
                civility = rng.choices(("mme", "m", ""), weights=(52, 45, 3))[0]
            elif index == 1:
                civility = "m" if persons[0]["civility"] == "mme" else "mme"
            else:
                civility = rng.choice(("mme", "m"))
            female = civility == "mme" or (civility == "" and rng.random() < 0.5)
            first = rng.choice(self.first_f if female else self.first_m)
            birth, usage = family, ""
            if female and index < 2 and size >= 2 and rng.random() < 0.55:
                birth, usage = rng.choice(self.last), family  # married, uses the spouse's name
            elif female and size == 1 and rng.random() < 0.12:
                birth, usage = rng.choice(self.last), family  # widowed or divorced, kept it
            row = {
                "authority_id": self.authority.pk,
                "kind": ContactKind.PERSON.value,
                "civility": civility,
                "first_name": first,
                "birth_name": birth,
                "usage_name": usage if usage != birth else "",
                "address_line1": line1,
                "address_line2": line2,
                "postal_code": self.authority.postal_code if line1 else "",
                "city": self.authority.city if line1 else "",
                "country": "France",
                "phone": landline,
                "created_at": created_at,
                "updated_at": created_at,
            }
            if rng.random() < 0.7:
                if index == 1 and shared_email is None and rng.random() < 0.15:
                    shared_email = persons[0]["email"] or None  # a couple sharing one address
                row["email"] = (
                    shared_email
                    if index == 1 and shared_email
                    else self._email(first, usage or birth)
                )
                row["refuses_email"] = rng.random() < 0.03
                row["email_failing"] = rng.random() < 0.01
            else:
                row["email"] = ""
            if rng.random() < (0.78 if index < 2 else 0.9):
                row["mobile"] = self._normalised(_phone_number(rng, True))
            choice = rng.random()
            if row["email"] and choice < 0.45:
                row["preferred_channel"] = Channel.EMAIL.value
            elif row.get("mobile") and choice < 0.7:
                row["preferred_channel"] = Channel.PHONE.value
            elif not row["email"] and line1 and choice < 0.85:
                row["preferred_channel"] = Channel.POST.value
            if rng.random() < 0.02:
                row["notes"] = rng.choice(
                    (
                        "Malentendant : privilégier l'écrit.",
                        "Préfère être appelée le matin.",
                        "Ne lit pas ses courriels : répondre par courrier.",
                        "Se déplace difficilement : proposer un rendez-vous téléphonique.",
                    )
                )
            persons.append(self._finish(row))
        return persons

    def organisation(self, created_at: dt.datetime) -> dict:
        rng = self.rng
        kind = rng.choices(("association", "company", "shop"), weights=(50, 25, 25))[0]
        if kind == "association":
            if rng.random() < 0.4:
                name = rng.choice(cat.ASSOCIATION_NAMES)
            else:
                name = rng.choice(
                    (
                        f"Comité de quartier {rng.choice(self.streets)}",
                        f"Amicale {rng.choice(self.streets)}",
                        f"Club {rng.choice(cat.CLUB_KINDS)} de Démo",
                        f"Les Amis de {rng.choice(self.last)}",
                    )
                )
            org_type = OrganisationType.ASSOCIATION.value
            ids = {"rna": f"W36{rng.randint(0, 9_999_999):07d}"}
        elif kind == "company":
            name = f"{self.fake.company()} {rng.choice(cat.COMPANY_SUFFIXES)}"
            org_type = OrganisationType.COMPANY.value
            siren = _luhn_complete(f"{rng.randint(30_000_000, 99_999_999):08d}")
            ids = {"siret": _luhn_complete(f"{siren}{rng.randint(1, 9999):04d}")}
        else:
            name = f"{rng.choice(cat.SHOP_KINDS)} {rng.choice(self.last)}"
            org_type = OrganisationType.SHOP.value
            siren = _luhn_complete(f"{rng.randint(30_000_000, 99_999_999):08d}")
            ids = {"siret": _luhn_complete(f"{siren}{rng.randint(1, 9999):04d}")}
        line1, line2 = self._address()
        slug = fold(name).replace(" ", "-")[:40]
        row = {
            "authority_id": self.authority.pk,
            "kind": ContactKind.ORGANISATION.value,
            "organisation_type": org_type,
            "organisation_name": name[:255],
            "email": f"contact@{slug}.example" if rng.random() < 0.8 else "",
            "phone": self._normalised(_phone_number(rng, False)) if rng.random() < 0.7 else "",
            "address_line1": line1,
            "address_line2": line2,
            "postal_code": self.authority.postal_code,
            "city": self.authority.city,
            "country": "France",
            "created_at": created_at,
            "updated_at": created_at,
            **ids,
        }
        return self._finish(row)


def generate_contacts(
    *,
    writer: RowWriter,
    plan: AuthorityPlan,
    count: int,
    seed: int,
    start: dt.datetime,
    end: dt.datetime,
    out: Out = quiet,
    batch_size: int = 5000,
) -> int:
    """`count` contacts created between start and end, with their creation events."""
    if count <= 0:
        return 0
    rng = random.Random(f"{seed}-contacts-{plan.authority.slug}")
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    streets = list(cat.STREETS) + [f"rue {fake.last_name()}" for _ in range(60)]
    maker = ContactMaker(rng=rng, fake=fake, authority=plan.authority, plan=plan, streets=streets)
    span = (end - start).total_seconds()
    authority_id = plan.authority.pk
    actors = plan.front_desk or [None]
    made = 0
    started = time.monotonic()
    while made < count:
        batch = Batch(writer)
        persons: list[int] = []
        target = min(count, made + batch_size)
        while made < target:
            created_at = start + dt.timedelta(seconds=rng.random() * span)
            actor = rng.choice(actors) if rng.random() < 0.6 else None
            if rng.random() < 0.08 and persons:
                rows = [maker.organisation(created_at)]
            else:
                rows = maker.household(created_at)
            for row in rows[: target - made]:
                contact_id = batch.add(Contact, row)
                made += 1
                if row["kind"] == ContactKind.PERSON:
                    persons.append(contact_id)
                else:
                    for person in rng.sample(
                        persons[-200:], k=min(len(persons[-200:]), rng.randint(1, 3))
                    ):
                        batch.add(
                            OrganisationMember,
                            {
                                "organisation_id": contact_id,
                                "person_id": person,
                                "role": rng.choice(cat.ORG_ROLES[row["organisation_type"]]),
                            },
                        )
                batch.add(
                    Event,
                    {
                        "authority_id": authority_id,
                        "at": created_at,
                        "actor_id": actor,
                        "verb": "contact.created",
                        "target_type": T_CONTACT,
                        "target_id": str(contact_id),
                        "contact_id": contact_id,
                        "data": {"kind": row["kind"]},
                    },
                )
        batch.flush()
        progress(out, f"contacts ({plan.authority.slug})", made, count, started)
    return made


# Contacts as the case generator sees them ---------------------------------------------------


@dataclass
class ContactPool:
    """Every active contact of an authority in order of creation, with what a case needs."""

    ids: list[int]
    created: list[float]
    display: list[str]
    email: list[str]
    can_email: list[bool]
    postal: list[str]
    female: list[bool]
    user: dict[int, int]
    is_org: list[bool]
    members: dict[int, list[int]]
    org_positions: list[int]
    frequent: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, authority: Authority, rng: random.Random) -> ContactPool:
        rows = (
            Contact.objects.filter(authority=authority)
            .active()
            .order_by("created_at", "pk")
            .values_list(
                "pk",
                "created_at",
                "kind",
                "civility",
                "first_name",
                "birth_name",
                "usage_name",
                "organisation_name",
                "email",
                "refuses_email",
                "email_failing",
                "address_line1",
                "address_line2",
                "postal_code",
                "city",
                "user_id",
            )
            .iterator(chunk_size=20000)
        )
        pool = cls([], [], [], [], [], [], [], {}, [], {}, [])
        scratch = Contact()
        for (
            pk,
            created,
            kind,
            civility,
            first,
            birth,
            usage,
            org,
            email,
            refuses,
            failing,
            line1,
            line2,
            postal_code,
            city,
            user_id,
        ) in rows:
            scratch.kind, scratch.civility, scratch.first_name = kind, civility, first
            scratch.birth_name, scratch.usage_name, scratch.organisation_name = birth, usage, org
            scratch.address_line1, scratch.address_line2 = line1, line2
            scratch.postal_code, scratch.city = postal_code, city
            pool.ids.append(pk)
            pool.created.append(created.timestamp())
            pool.display.append(scratch.display_name)
            pool.email.append(email)
            pool.can_email.append(bool(email) and not refuses and not failing)
            pool.postal.append(scratch.postal_address)
            pool.female.append(civility == Civility.MADAME)
            pool.is_org.append(kind == ContactKind.ORGANISATION)
            if kind == ContactKind.ORGANISATION:
                pool.org_positions.append(len(pool.ids) - 1)
            if user_id:
                pool.user[len(pool.ids) - 1] = user_id
        positions = {pk: i for i, pk in enumerate(pool.ids)}
        for org_id, person_id in (
            OrganisationMember.objects.filter(organisation__authority=authority)
            .values_list("organisation_id", "person_id")
            .iterator(chunk_size=20000)
        ):
            if org_id in positions and person_id in positions:
                pool.members.setdefault(positions[org_id], []).append(positions[person_id])
        # About one person in a hundred writes often: they make the long contact histories.
        people = [i for i in range(len(pool.ids)) if not pool.is_org[i]]
        pool.frequent = sorted(rng.sample(people, k=max(1, len(people) // 100))) if people else []
        return pool

    def __len__(self) -> int:
        return len(self.ids)

    def pick(self, rng: random.Random, ts: float, organisation: bool) -> int | None:
        """A contact that existed at `ts` (its position in the pool)."""
        known = bisect.bisect_right(self.created, ts)
        if known == 0:
            return None
        if organisation and self.org_positions:
            k = bisect.bisect_right(self.org_positions, known - 1)
            if k:
                return self.org_positions[rng.randrange(k)]
        if self.frequent and rng.random() < 0.12:
            k = bisect.bisect_right(self.frequent, known - 1)
            if k:
                return self.frequent[rng.randrange(k)]
        for _ in range(4):
            position = rng.randrange(known)
            if not self.is_org[position]:
                return position
        return position
