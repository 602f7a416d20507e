"""Writes on contacts. Each one validates, writes and records its event in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guichet.contacts.enums import ContactKind
from guichet.contacts.models import Contact
from guichet.contacts.phones import normalise_phone
from guichet.core.events import event_record
from guichet.core.text import fold

EDITABLE_FIELDS = (
    "kind",
    "civility",
    "first_name",
    "birth_name",
    "usage_name",
    "organisation_type",
    "organisation_name",
    "siret",
    "rna",
    "email",
    "phone",
    "mobile",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "country",
    "preferred_channel",
    "refuses_email",
    "notes",
)


NON_PERSONAL_FIELDS = frozenset(
    {"kind", "civility", "organisation_type", "preferred_channel", "refuses_email", "country"}
)


def _clean_fields(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
    for key in ("first_name", "birth_name", "usage_name", "organisation_name", "city"):
        if key in cleaned and isinstance(cleaned[key], str):
            cleaned[key] = " ".join(cleaned[key].split())
    if cleaned.get("email"):
        cleaned["email"] = cleaned["email"].strip().lower()
    errors = {}
    for key in ("phone", "mobile"):
        raw = cleaned.get(key)
        if raw:
            number = normalise_phone(raw)
            if number is None:
                errors[key] = _("« %(value)s » n'est pas un numéro de téléphone valide.") % {
                    "value": raw
                }
            else:
                cleaned[key] = number
    if errors:
        raise ValidationError(errors)
    return cleaned


def _validate(contact: Contact) -> None:
    if contact.kind == ContactKind.PERSON and not (
        contact.first_name or contact.birth_name or contact.usage_name
    ):
        raise ValidationError({"usage_name": _("Indiquez au moins un nom ou un prénom.")})
    if contact.kind == ContactKind.ORGANISATION and not contact.organisation_name:
        raise ValidationError({"organisation_name": _("Indiquez le nom de l'organisation.")})
    contact.full_clean(exclude=["authority", "user", "merged_into", "name_key"])


@transaction.atomic
def contact_create(*, actor, authority, user=None, **values: Any) -> Contact:
    """Create a person or an organisation. Nothing but a name is required."""
    contact = Contact(authority=authority, user=user, **_clean_fields(values))
    if not contact.birth_name and contact.usage_name and contact.kind == ContactKind.PERSON:
        contact.birth_name = ""
    _validate(contact)
    contact.name_key = contact.compute_name_key()
    contact.save()
    event_record(
        actor=actor,
        verb="contact.created",
        target=contact,
        contact=contact,
        data={"kind": contact.kind},
    )
    return contact


@transaction.atomic
def contact_update(*, actor, contact: Contact, **values: Any) -> Contact:
    """Change a contact's details; the event keeps the old and new values of each field."""
    cleaned = _clean_fields(values)
    changes = {}
    for key, new in cleaned.items():
        old = getattr(contact, key)
        if old != new:
            # The audit log is append-only and outlives anonymisation: it keeps the values
            # of descriptive fields only, and for personal ones just the fact of the change.
            changes[key] = [old, new] if key in NON_PERSONAL_FIELDS else None
            setattr(contact, key, new)
    if not changes:
        return contact
    _validate(contact)
    contact.name_key = contact.compute_name_key()
    if "email" in changes:
        contact.email_failing = False
    contact.save()
    event_record(
        actor=actor,
        verb="contact.updated",
        target=contact,
        contact=contact,
        data={"changes": changes},
    )
    return contact


@transaction.atomic
def contact_for_citizen(*, user, authority) -> Contact:
    """The contact record of a signed-in citizen in an authority, created on first use.

    An account is never linked automatically to an existing record, even with the same
    email and names: nothing proves yet that the account holder owns that address, and the
    record's history is personal data. Agents merge records when the person shows up."""
    contact = Contact.objects.filter(authority=authority, user=user).first()
    if contact:
        return contact
    return contact_create(
        actor=user,
        authority=authority,
        user=user,
        first_name=user.first_name,
        usage_name=user.last_name,
        email=user.email,
        preferred_channel="email",
    )


@transaction.atomic
def contact_for_submission(
    *, authority, first_name: str, last_name: str, email: str, **values: Any
) -> Contact:
    """The contact of a person who writes without an account: the existing record when one
    has exactly the same email and names (nothing else is merged automatically — likely
    matches are proposed to agents), otherwise a new one."""
    email = (email or "").strip().lower()
    wanted = fold(f"{last_name} {first_name}")
    for candidate in Contact.objects.filter(authority=authority, email=email).active():
        if fold(f"{candidate.family_name} {candidate.first_name}") == wanted:
            return candidate
    return contact_create(
        actor=None,
        authority=authority,
        first_name=first_name,
        usage_name=last_name,
        email=email,
        preferred_channel="email",
        **values,
    )


@transaction.atomic
def organisation_member_add(*, actor, organisation: Contact, person: Contact, role: str = ""):
    """Record that a person acts for an organisation (president of an association, manager
    of a shop…)."""
    from guichet.contacts.models import OrganisationMember

    if organisation.kind != ContactKind.ORGANISATION or person.kind != ContactKind.PERSON:
        raise ValidationError(_("Seule une personne peut être membre d'une organisation."))
    if organisation.authority_id != person.authority_id:
        raise ValidationError(_("Cette personne appartient à une autre collectivité."))
    member, created = OrganisationMember.objects.get_or_create(
        organisation=organisation, person=person, defaults={"role": role.strip()[:120]}
    )
    if not created and role.strip() and member.role != role.strip():
        member.role = role.strip()[:120]
        member.save(update_fields=["role"])
    event_record(
        actor=actor,
        verb="contact.member_added",
        target=organisation,
        contact=organisation,
        data={"person": person.pk, "role": member.role},
    )
    return member


@transaction.atomic
def organisation_member_remove(*, actor, organisation: Contact, person: Contact) -> None:
    from guichet.contacts.models import OrganisationMember

    deleted, _count = OrganisationMember.objects.filter(
        organisation=organisation, person=person
    ).delete()
    if deleted:
        event_record(
            actor=actor,
            verb="contact.member_removed",
            target=organisation,
            contact=organisation,
            data={"person": person.pk},
        )
