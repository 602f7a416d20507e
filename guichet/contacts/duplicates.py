"""Likely duplicates within an authority's directory.

Two records are compared only when they share a blocking key (`ContactMatchKey`): the same
email, the same phone number, the same postal address, or names written alike (the same
words in another order, the same sounds, the same first name with the start or the end of
the family name, under the birth or the usage name). A large directory is thus never
compared pair by pair: the database groups the keys on their index and only the few records
that share one are read and scored.

Never a pair across authorities, never an anonymised or merged record, and persons only
with persons, organisations only with organisations (the kind is part of every key).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import OSA

from guichet.contacts.enums import ContactKind
from guichet.contacts.models import Contact, ContactMatchKey, DuplicateDismissal
from guichet.core.text import fold

# Bump when the keys below change: the worker then computes them again for every row.
MATCH_KEYS_VERSION = 1
# A key shared by more records than this says nothing (a town hall's own address, a
# shared family email…): the authority-wide list skips it rather than comparing them all.
BLOCK_MAX = 25
# The contact page proposes at most this many candidates.
CANDIDATES_MAX = 50
# The authority-wide comparison is kept this long at most (it is also renewed as soon as a
# key or a dismissal changes).
PAIRS_CACHE_SECONDS = 3600

REASONS = {
    "email": _("même courriel"),
    "phone": _("même numéro de téléphone"),
    "address": _("même adresse et nom proche"),
    "siret": _("même SIRET ou RNA"),
    "same_name": _("même nom"),
    "birth_usage": _("même nom de naissance ou d'usage"),
    "swapped": _("prénom et nom inversés"),
    "typo": _("nom à une faute de frappe près"),
    "sounds_alike": _("noms qui se prononcent pareil"),
}
WEIGHTS = {
    "email": 40,
    "phone": 35,
    "address": 20,
    "siret": 60,
    "same_name": 60,
    "birth_usage": 55,
    "swapped": 55,
    "typo": 50,
    "sounds_alike": 45,
}
NAME_REASONS = ("same_name", "birth_usage", "swapped", "typo", "sounds_alike")

_STREET_WORDS = {
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "bvd": "boulevard",
    "r": "rue",
    "pl": "place",
    "ch": "chemin",
    "che": "chemin",
    "chem": "chemin",
    "imp": "impasse",
    "all": "allee",
    "rte": "route",
    "fg": "faubourg",
    "fbg": "faubourg",
    "sq": "square",
    "crs": "cours",
    "qu": "quai",
    "st": "saint",
    "ste": "sainte",
    "res": "residence",
    "lot": "lotissement",
}
_SMALL_WORDS = {"de", "du", "des", "la", "le", "les", "l", "d", "et"}
_ORGANISATION_WORDS = _SMALL_WORDS | {"sarl", "sas", "sasu", "eurl", "sa", "sci", "ste", "societe"}


# Keys -------------------------------------------------------------------------------------


def address_key(line1: str, postal_code: str) -> str:
    """'12 av. Jean-Jaurès' + '31000' → '12 avenue jean jaures|31000'."""
    code = re.sub(r"\D", "", postal_code or "")
    words = [_STREET_WORDS.get(w, w) for w in fold(line1).split()]
    words = [w for w in words if w not in _SMALL_WORDS]
    if not words or not code:
        return ""
    return f"{' '.join(words)}|{code}"


@lru_cache(maxsize=65536)
def phonetic(word: str) -> str:
    """A rough French sound of a folded word, so that Lefèvre, Lefebvre and Lefeuvre, or
    Philippe and Filipe, meet: enough to bring records together, not to decide."""
    w = fold(word).replace(" ", "")
    for old, new in (
        ("ph", "f"),
        ("qu", "k"),
        ("gu", "g"),
        ("ch", "$"),
        ("sh", "$"),
        ("sch", "$"),
        ("eau", "o"),
        ("au", "o"),
        ("ai", "e"),
        ("ei", "e"),
        ("ey", "e"),
        ("oeu", "e"),
        ("eu", "e"),
        ("ou", "u"),
        ("bv", "v"),
        ("y", "i"),
        ("w", "v"),
        ("z", "s"),
        ("ck", "k"),
    ):
        w = w.replace(old, new)
    w = re.sub(r"c(?=[eiy])", "s", w)
    w = re.sub(r"g(?=[ei])", "j", w)
    w = w.replace("c", "k").replace("q", "k").replace("h", "")
    w = re.sub(r"(?<=[aeiou])s(?=[aeiou])", "z", w)
    w = re.sub(r"(.)\1+", r"\1", w)
    w = re.sub(r"(?<=.)[tdsxe]$", "", w)
    w = re.sub(r"(?<=.)[tdsx]$", "", w)
    return w


def _words(text: str) -> list[str]:
    return fold(text).split()


def _family_names(contact: Contact) -> list[tuple[str, str]]:
    """(field, folded value) of each distinct family name: usage first, then birth."""
    names: list[tuple[str, str]] = []
    for source in ("usage_name", "birth_name"):
        value = "".join(_words(getattr(contact, source)))
        if value and value not in [v for _s, v in names]:
            names.append((source, value))
    return names


def _organisation_words(contact: Contact) -> list[str]:
    words = _words(contact.organisation_name)
    return [w for w in words if w not in _ORGANISATION_WORDS] or words


def match_keys(contact: Contact) -> set[str]:
    """The blocking keys of a contact, each prefixed by its kind."""
    if contact.anonymised_at or contact.merged_into_id:
        return set()
    kind = "o" if contact.kind == ContactKind.ORGANISATION else "p"
    keys: set[str] = set()
    if contact.email:
        keys.add(f"e:{contact.email.strip().lower()}")
    for number in (contact.phone, contact.mobile):
        if number:
            keys.add(f"t:{number}")
    address = address_key(contact.address_line1, contact.postal_code)
    if address:
        keys.add(f"a:{address}")
    if kind == "o":
        for number in (contact.siret, contact.rna):
            if number:
                keys.add(f"r:{number}")
        words = _organisation_words(contact)
        if words:
            keys.add(f"n:{''.join(sorted(words))}")
            keys.add(f"s:{''.join(sorted(phonetic(w) for w in words))}")
    else:
        first = "".join(_words(contact.first_name))
        families = [v for _s, v in _family_names(contact)] or [""]
        for family in families:
            words = sorted(_words(contact.first_name) + ([family] if family else []))
            if not words:
                continue
            keys.add(f"n:{''.join(words)}")
            keys.add(f"s:{''.join(sorted(phonetic(w) for w in words))}")
            if first and family:
                # One typo leaves either the start or the end of a name as it was.
                keys.add(f"f:{first}|{family[:3]}")
                keys.add(f"f:{first}|{family[-3:]}")
                keys.add(f"g:{family}|{first[:3]}")
                keys.add(f"g:{family}|{first[-3:]}")
    return {f"{kind}{key}"[:255] for key in keys}


@transaction.atomic
def match_keys_refresh(contacts: Iterable[Contact]) -> None:
    """Store the keys of these contacts as they stand now (none when anonymised or merged).
    Safe to run twice: it writes the same rows."""
    contacts = list(contacts)
    if not contacts:
        return
    ids = [c.pk for c in contacts]
    ContactMatchKey.objects.filter(contact_id__in=ids).delete()
    ContactMatchKey.objects.bulk_create(
        [
            ContactMatchKey(authority_id=c.authority_id, contact_id=c.pk, key=key)
            for c in contacts
            for key in sorted(match_keys(c))
        ],
        # Two workers keying the same rows at once write the same keys.
        ignore_conflicts=True,
    )
    Contact.objects.filter(pk__in=ids).update(match_keys_version=MATCH_KEYS_VERSION)
    for contact in contacts:
        contact.match_keys_version = MATCH_KEYS_VERSION


def match_keys_backfill(*, batch: int = 500) -> int:
    """Key the contacts written without keys (bulk imports, the demo) or under older rules,
    one batch; returns how many were keyed."""
    contacts = list(
        Contact.objects.filter(match_keys_version__lt=MATCH_KEYS_VERSION).order_by("pk")[:batch]
    )
    match_keys_refresh(contacts)
    return len(contacts)


# Comparing two records ------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal string alignment distance (a swap of two neighbours counts as one edit),
    cut short at `limit + 1`: names are short and only "one or two typos" matters."""
    return OSA.distance(a, b, score_cutoff=limit)


@dataclass(frozen=True)
class _Profile:
    """What comparing needs of a record, folded once however many pairs it is part of."""

    kind: str
    email: str
    numbers: frozenset[str]
    registrations: frozenset[str]
    address: str
    first: str
    first_words: tuple[str, ...]
    families: tuple[tuple[str, str], ...]
    both_names: bool
    organisation_words: tuple[str, ...]
    sounds: dict[str, str]

    @classmethod
    def of(cls, contact: Contact) -> _Profile:
        return cls(
            kind=contact.kind,
            email=(contact.email or "").strip().lower(),
            numbers=frozenset(n for n in (contact.phone, contact.mobile) if n),
            registrations=frozenset(n for n in (contact.siret, contact.rna) if n),
            address=address_key(contact.address_line1, contact.postal_code),
            first="".join(_words(contact.first_name)),
            first_words=tuple(_words(contact.first_name)),
            families=tuple(_family_names(contact)),
            both_names=bool(contact.birth_name and contact.usage_name),
            organisation_words=tuple(_organisation_words(contact))
            if contact.kind == ContactKind.ORGANISATION
            else (),
            sounds={},
        )

    def sound(self, word: str) -> str:
        if word not in self.sounds:
            self.sounds[word] = phonetic(word)
        return self.sounds[word]


def _typo_allowed(text: str) -> int:
    return 1 if len(text) < 20 else 2


def _person_name_reason(a: _Profile, b: _Profile) -> str:
    best = ""
    order = list(NAME_REASONS)
    for field_a, family_a in a.families or (("", ""),):
        for field_b, family_b in b.families or (("", ""),):
            reason = ""
            if not (a.first or family_a) or not (b.first or family_b):
                continue
            if a.first == b.first and family_a == family_b:
                same_field = field_a == field_b or not (a.both_names or b.both_names)
                reason = "same_name" if same_field else "birth_usage"
            elif (a.first == family_b and family_a == b.first) or sorted(
                (*a.first_words, family_a)
            ) == sorted((*b.first_words, family_b)):
                reason = "swapped"
            else:
                whole_a, whole_b = f"{a.first} {family_a}", f"{b.first} {family_b}"
                allowed = _typo_allowed(whole_a)
                if (
                    edit_distance(whole_a, whole_b, allowed) <= allowed
                    or edit_distance(whole_a, f"{family_b} {b.first}", allowed) <= allowed
                ):
                    reason = "typo"
                elif a.first and b.first and family_a and family_b:
                    sounds_a = sorted([a.sound(a.first), a.sound(family_a)])
                    sounds_b = sorted([b.sound(b.first), b.sound(family_b)])
                    if sounds_a == sounds_b:
                        reason = "sounds_alike"
            if reason and (not best or order.index(reason) < order.index(best)):
                best = reason
                if best == order[0]:
                    return best
    return best


def _organisation_name_reason(a: _Profile, b: _Profile) -> str:
    words_a, words_b = a.organisation_words, b.organisation_words
    if not words_a or not words_b:
        return ""
    if words_a == words_b:
        return "same_name"
    joined_a, joined_b = "".join(sorted(words_a)), "".join(sorted(words_b))
    if joined_a == joined_b:
        return "swapped"
    allowed = _typo_allowed(joined_a)
    if edit_distance(joined_a, joined_b, allowed) <= allowed:
        return "typo"
    if sorted(a.sound(w) for w in words_a) == sorted(b.sound(w) for w in words_b):
        return "sounds_alike"
    return ""


@dataclass
class DuplicatePair:
    first: Contact
    second: Contact
    reasons: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return min(100, sum(WEIGHTS[r] for r in self.reasons))

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]

    def other(self, contact: Contact) -> Contact:
        return self.second if contact.pk == self.first.pk else self.first


def pair_compare(
    a: Contact, b: Contact, profiles: dict[int, _Profile] | None = None
) -> DuplicatePair | None:
    """The reasons to think two records are one person (or one organisation), or None.
    `profiles` keeps what was folded of each record across the pairs of one search."""
    if (
        a.pk == b.pk
        or a.authority_id != b.authority_id
        or a.kind != b.kind
        or a.anonymised_at
        or b.anonymised_at
        or a.merged_into_id
        or b.merged_into_id
    ):
        return None
    if profiles is None:
        profiles = {}
    for contact in (a, b):
        if contact.pk not in profiles:
            profiles[contact.pk] = _Profile.of(contact)
    pa, pb = profiles[a.pk], profiles[b.pk]
    reasons = []
    if pa.email and pa.email == pb.email:
        reasons.append("email")
    if pa.numbers & pb.numbers:
        reasons.append("phone")
    if pa.kind == ContactKind.ORGANISATION:
        if pa.registrations & pb.registrations:
            reasons.append("siret")
        name_reason = _organisation_name_reason(pa, pb)
    else:
        name_reason = _person_name_reason(pa, pb)
    if name_reason and pa.address and pa.address == pb.address:
        reasons.append("address")
    if name_reason:
        reasons.append(name_reason)
    if not reasons:
        return None
    first, second = sorted((a, b), key=lambda c: c.pk)
    return DuplicatePair(first, second, sorted(reasons, key=lambda r: -WEIGHTS[r]))


# Reading pairs -------------------------------------------------------------------------------


def _dismissed(authority_id: int, ids: Iterable[int] | None = None) -> set[tuple[int, int]]:
    dismissals = DuplicateDismissal.objects.filter(authority_id=authority_id)
    if ids is not None:
        ids = list(ids)
        dismissals = dismissals.filter(Q(first_id__in=ids) | Q(second_id__in=ids))
    return set(dismissals.values_list("first_id", "second_id"))


def duplicates_of(contact: Contact, user) -> list[DuplicatePair]:
    """Likely duplicates of one contact among the records this agent may see, best first.
    Three queries whatever the size of the directory."""
    keys = match_keys(contact)
    if not keys:
        return []
    candidates = list(
        Contact.objects.visible_to(user)
        .active()
        .filter(
            authority_id=contact.authority_id,
            kind=contact.kind,
            pk__in=ContactMatchKey.objects.filter(
                authority_id=contact.authority_id, key__in=sorted(keys)
            ).values("contact_id"),
        )
        .exclude(pk=contact.pk)
        .order_by("pk")[:CANDIDATES_MAX]
    )
    if not candidates:
        return []
    dismissed = _dismissed(contact.authority_id, [contact.pk])
    pairs = []
    profiles: dict[int, _Profile] = {}
    for candidate in candidates:
        pair = pair_compare(contact, candidate, profiles)
        if pair and (pair.first.pk, pair.second.pk) not in dismissed:
            pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, p.other(contact).pk))
    return pairs


def duplicate_pairs(authority) -> list[DuplicatePair]:
    """Every likely pair of the authority's directory, best first. The database groups the
    keys shared by two to BLOCK_MAX records; only those records are read and compared:
    three queries whatever the size of the directory."""
    shared = (
        ContactMatchKey.objects.filter(authority=authority)
        .values("key")
        .annotate(n=Count("contact_id"))
        .filter(n__gt=1, n__lte=BLOCK_MAX)
        .values("key")
    )
    blocks: dict[str, list[int]] = defaultdict(list)
    for key, contact_id in ContactMatchKey.objects.filter(
        authority=authority, key__in=shared
    ).values_list("key", "contact_id"):
        blocks[key].append(contact_id)
    if not blocks:
        return []
    contacts = {
        c.pk: c
        for c in Contact.objects.active().filter(
            authority=authority,
            pk__in=ContactMatchKey.objects.filter(authority=authority, key__in=shared).values(
                "contact_id"
            ),
        )
    }
    dismissed = _dismissed(authority.pk)
    seen: set[tuple[int, int]] = set()
    profiles: dict[int, _Profile] = {}
    pairs = []
    for ids in blocks.values():
        ids = sorted(set(ids))
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if (a, b) in seen or (a, b) in dismissed:
                    continue
                seen.add((a, b))
                if a in contacts and b in contacts:
                    pair = pair_compare(contacts[a], contacts[b], profiles)
                    if pair:
                        pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, p.first.name_key, p.first.pk, p.second.pk))
    return pairs


def duplicate_pair_refs(authority) -> list[tuple[int, int, tuple[str, ...]]]:
    """`duplicate_pairs` as (first id, second id, reasons), kept in the cache for as long as
    no key and no dismissal of the authority changed: a large directory is compared once,
    then each page of the list reads only its own records."""
    keys = ContactMatchKey.objects.filter(authority=authority).aggregate(
        n=Count("id"), last=Max("id")
    )
    dismissals = DuplicateDismissal.objects.filter(authority=authority).aggregate(
        n=Count("id"), last=Max("id")
    )
    state = f"{keys['n']}.{keys['last']}.{dismissals['n']}.{dismissals['last']}"
    cache_key = f"contacts:duplicates:{MATCH_KEYS_VERSION}:{authority.pk}:{state}"
    refs = cache.get(cache_key)
    if refs is None:
        refs = [(p.first.pk, p.second.pk, tuple(p.reasons)) for p in duplicate_pairs(authority)]
        cache.set(cache_key, refs, PAIRS_CACHE_SECONDS)
    return refs


def pairs_from_refs(refs, authority) -> list[DuplicatePair]:
    """The pairs of some refs with their records, in one query; a record anonymised or
    merged since the refs were computed drops its pairs."""
    ids = {i for first, second, _r in refs for i in (first, second)}
    contacts = Contact.objects.active().filter(authority=authority, pk__in=ids).in_bulk()
    return [
        DuplicatePair(contacts[first], contacts[second], list(reasons))
        for first, second, reasons in refs
        if first in contacts and second in contacts
    ]
