"""What an Open311 POST brings besides the problem itself: the person who sent it (found in
the directory or recorded, so that agents can call them back), where the problem is when
the client names a national address base id, and the key that makes a resend harmless."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.contacts.enums import ContactKind
from guichet.contacts.models import Contact
from guichet.contacts.phones import normalise_phone
from guichet.contacts.services import contact_create
from guichet.core.enums import Channel
from guichet.core.text import fold
from guichet.reports import services as report_services
from guichet.reports.geocoding import geocoder
from guichet.reports.models import Report
from guichet.reports.services import Location

from .render import Open311Error

# A client that sends no id of its own is deduplicated on its content for this long only:
# enough for a retry after a lost answer, short enough that the same bin overflowing
# again next month is a new report.
DEDUP_WINDOW = dt.timedelta(minutes=10)
NAME_MAX_LENGTH = 150
# Contacts compared at most, for one email or number shared by a whole family.
CANDIDATES_MAX = 20


def submission_key(token: str) -> str:
    return f"open311:{token}"


# Resends ---------------------------------------------------------------------------------------


def _client_id(params) -> str:
    return (params.get("submission_key") or params.get("client_request_id") or "").strip()


def _digest(key, material: list) -> str:
    return hashlib.sha256(f"{key.pk}\x00{json.dumps(material)}".encode()).hexdigest()[:32]


def _content(params, attributes: dict, media: list[bytes]) -> list:
    fields = (
        "service_code",
        "lat",
        "long",
        "address_string",
        "address_id",
        "email",
        "first_name",
        "last_name",
        "phone",
        "device_id",
        "account_id",
        "description",
        "media_url",
    )
    material = [(params.get(f) or "").strip() for f in fields]
    material.append(json.dumps(attributes, sort_keys=True))
    material.extend(hashlib.sha256(m).hexdigest() for m in media)
    return material


def _bucket(at: dt.datetime) -> int:
    return int(at.timestamp() // DEDUP_WINDOW.total_seconds())


def submission_find(
    *, authority, key, params, attributes: dict, media: list[bytes], now: dt.datetime | None = None
) -> tuple[Report | None, str]:
    """The report this POST already created, if it is a resend, and the submission key to
    create it under otherwise.

    A client's own id (`submission_key` or `client_request_id`) makes it exactly once,
    whenever it comes back. Without one, the same content from the same key is a resend
    within DEDUP_WINDOW only: the key holds the window's number, and the previous window
    is looked at too, with the first report's time, so that a retry straddling two windows
    still finds it and nothing older does. Two POSTs at once share their window and the
    submission key's uniqueness keeps one."""
    client_id = _client_id(params)
    if client_id:
        token = _digest(key, ["id", client_id])
        found = report_services.report_for_submission(
            authority=authority, submission_key=submission_key(token)
        )
        return found, submission_key(token)
    now = now or timezone.now()
    content = _content(params, attributes, media)
    bucket = _bucket(now)
    current = _digest(key, ["content", bucket, *content])
    for token in (current, _digest(key, ["content", bucket - 1, *content])):
        found = report_services.report_for_submission(
            authority=authority, submission_key=submission_key(token)
        )
        if found is not None and found.created_at > now - DEDUP_WINDOW:
            return found, submission_key(current)
    return None, submission_key(current)


# The person -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """The spec's first_name, last_name, email and phone, cleaned (phone in E.164)."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""

    @property
    def named(self) -> bool:
        return bool(self.first_name or self.last_name)


def person_from(params) -> Person:
    """The person's details from a POST; a malformed email or phone is the client's error."""

    def name(field: str) -> str:
        return " ".join((params.get(field) or "").split())[:NAME_MAX_LENGTH]

    email = (params.get("email") or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise Open311Error(400, _("email n'est pas une adresse valide.")) from error
    raw_phone = (params.get("phone") or "").strip()
    phone = ""
    if raw_phone:
        phone = normalise_phone(raw_phone) or ""
        if not phone:
            raise Open311Error(400, _("phone n'est pas un numéro de téléphone valide."))
    return Person(
        first_name=name("first_name"), last_name=name("last_name"), email=email, phone=phone
    )


def _compatible(contact: Contact, person: Person) -> bool:
    """The record holds everything the client sent, as sent, with the family name: reusing
    it loses nothing and contradicts nothing. A record that differs, or lacks a detail, is
    not reused: a new one is made and the contacts app proposes the pair to agents as
    likely duplicates. An address or a number alone names nobody, and the record of a
    person with an account is theirs alone (the case would show in their own space): an
    API client's word does not attach a report to either."""
    if contact.user_id is not None or not person.last_name:
        return False
    if person.email and contact.email != person.email:
        return False
    if person.phone and person.phone not in (contact.phone, contact.mobile):
        return False
    if person.first_name and fold(contact.first_name) != fold(person.first_name):
        return False
    family = {fold(contact.usage_name), fold(contact.birth_name)} - {""}
    return fold(person.last_name) in family


def _existing_contact(authority, person: Person) -> Contact | None:
    match = Q()
    if person.email:
        match |= Q(email=person.email)
    if person.phone:
        match |= Q(phone=person.phone) | Q(mobile=person.phone)
    if not match:
        return None
    candidates = (
        Contact.objects.filter(authority=authority, kind=ContactKind.PERSON)
        .active()
        .filter(match)
        .order_by("pk")[:CANDIDATES_MAX]
    )
    return next((c for c in candidates if _compatible(c, person)), None)


def reporter_contact(*, authority, person: Person) -> Callable[[], Contact | None]:
    """The reporter's contact, to be called in the submission's transaction and only for a
    new report: the authority's record with exactly this email or number and the same
    names, else a new record when the client gave a name. Without a name there is nobody
    to record (a contact is named): None."""

    def contact() -> Contact | None:
        if not person.named:
            return None
        found = _existing_contact(authority, person)
        if found is not None:
            return found
        return contact_create(
            actor=None,
            authority=authority,
            first_name=person.first_name,
            usage_name=person.last_name,
            email=person.email,
            phone=person.phone,
            preferred_channel=Channel.EMAIL if person.email else Channel.PHONE,
        )

    return contact


def unrecorded_phone(*, authority, person: Person) -> str:
    """The number no record will hold: given without a name, and no record has it."""
    if not person.phone or person.named:
        return ""
    return "" if _existing_contact(authority, person) is not None else person.phone


# Where ------------------------------------------------------------------------------------------

# A national address base id: the commune's INSEE code, the street's code, then for an
# address its number on five digits and its suffix (75056_1234_00012, 75056_1234_00012_bis).
# A commune alone is too vague to place a problem on.
BAN_ID = re.compile(
    r"^(?P<citycode>[0-9][0-9AB][0-9]{3})_(?P<street>[0-9A-Z]{4,5})"
    r"(?:_(?P<number>[0-9]{5})(?:_(?P<suffix>[0-9A-Z]{1,10}))?)?$",
    re.IGNORECASE,
)
ADDRESS_ID_MAX_LENGTH = 40
SEARCH_LIMIT = 10


def _same_address(found, parts: dict) -> bool:
    """Whether a search result is the address the id names. The results carry the commune
    code, the kind and the number, not the id itself: those are checked."""
    if found.citycode.upper() != parts["citycode"].upper():
        return False
    if parts["number"] is None:
        return found.kind in ("street", "locality")
    wanted = f"{int(parts['number'])}{parts['suffix'] or ''}".lower()
    return found.kind == "housenumber" and found.housenumber.replace(" ", "").lower() == wanted


def location_by_address_id(address_id: str, *, fallback: bool) -> Location | None:
    """The point and label of a national address base id, through the geocoder: the id is
    searched for and the first result that is that address kept. None when it is not found
    and the client gave words to fall back on (`fallback`); otherwise the client is told."""
    match = BAN_ID.match(address_id) if len(address_id) <= ADDRESS_ID_MAX_LENGTH else None
    if match is None:
        raise Open311Error(
            400,
            _("address_id doit être un identifiant de la Base Adresse Nationale (%(example)s).")
            % {"example": "75056_1234_00012"},
        )
    finder = geocoder()
    if finder.available:
        for found in finder.search(address_id, limit=SEARCH_LIMIT):
            if _same_address(found, match.groupdict()):
                return Location(found.lat, found.lon, found.label[:255])
    if fallback:
        return None
    if not finder.available:
        raise Open311Error(
            400,
            _(
                "address_id n'est pas pris en charge ici (aucune base d'adresses configurée) : "
                "indiquez lat et long, ou address_string."
            ),
        )
    raise Open311Error(
        400,
        _("address_id introuvable dans la Base Adresse Nationale : %(id)s") % {"id": address_id},
    )
