"""Writes on contacts. Each one validates, writes and records its event in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from guichet.contacts.duplicates import match_keys_refresh
from guichet.contacts.enums import ContactKind
from guichet.contacts.models import Contact, ContactMerge, DuplicateDismissal, OrganisationMember
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
    match_keys_refresh([contact])
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
    match_keys_refresh([contact])
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


# Duplicates and merges -------------------------------------------------------------------

# What an agent chooses field by field when merging two records (the kind is the same).
MERGE_FIELDS = tuple(f for f in EDITABLE_FIELDS if f != "kind")


@transaction.atomic
def duplicate_dismiss(*, actor, contact: Contact, other: Contact) -> DuplicateDismissal:
    """Remember that two records are different people, so that the pair is not proposed
    again. Dismissing twice keeps the first dismissal."""
    if contact.pk == other.pk:
        raise ValidationError(_("Une fiche ne peut pas être comparée avec elle-même."))
    if contact.authority_id != other.authority_id:
        raise ValidationError(_("Ces deux fiches appartiennent à deux collectivités différentes."))
    first, second = sorted((contact, other), key=lambda c: c.pk)
    dismissal, created = DuplicateDismissal.objects.get_or_create(
        first=first,
        second=second,
        defaults={"authority_id": contact.authority_id, "dismissed_by": _agent(actor)},
    )
    if created:
        for one, two in ((first, second), (second, first)):
            event_record(
                actor=actor,
                verb="contact.duplicate_dismissed",
                target=one,
                contact=one,
                data={"other": two.pk},
            )
    return dismissal


def _agent(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def contact_can_merge(user, *contacts: Contact) -> bool:
    """The front desk and the administrators keep the directory and may merge any records
    of their authority. A service agent may merge only records whose whole history they
    can read: a record with a case or an exchange of a service they cannot see is not
    theirs to merge. The DPO reviews merges but does not make them."""
    from guichet.cases.models import CaseContact
    from guichet.cases.querysets import case_visibility
    from guichet.interactions.models import Interaction

    scope = user.scope
    authority_ids = {c.authority_id for c in contacts}
    if len(authority_ids) != 1:
        return False
    (authority_id,) = authority_ids
    if authority_id in scope.admin_authority_ids | scope.front_desk_authority_ids:
        return True
    if authority_id not in scope.authority_ids or not scope.service_ids:
        return False
    ids = {c.pk for c in contacts}
    if Contact.objects.visible_to(user).filter(pk__in=ids).count() != len(ids):
        return False
    if (
        CaseContact.objects.filter(contact_id__in=ids)
        .exclude(case_visibility(user, "case"))
        .exists()
    ):
        return False
    exchanges = Interaction.objects.filter(contact_id__in=ids)
    return exchanges.count() == exchanges.visible_to(user).count()


def _blank(value) -> bool:
    return value in ("", None)


def merge_values(survivor: Contact, merged: Contact, fields: dict[str, str] | None) -> dict:
    """The values the surviving record will hold: for each field the side the agent chose
    ("survivor" or "merged"); where nothing was chosen, the survivor's value, or the merged
    record's when the survivor has none. A refusal of email replies is kept from either."""
    fields = dict(fields or {})
    unknown = sorted(set(fields) - set(MERGE_FIELDS))
    if unknown or not set(fields.values()) <= {"survivor", "merged"}:
        raise ValidationError(_("Choix de valeur inconnu : %(fields)s.") % {"fields": unknown})
    values = {}
    for name in MERGE_FIELDS:
        mine, theirs = getattr(survivor, name), getattr(merged, name)
        choice = fields.get(name)
        if choice is None:
            if name == "refuses_email":
                values[name] = mine or theirs
                continue
            choice = "merged" if _blank(mine) and not _blank(theirs) else "survivor"
        values[name] = theirs if choice == "merged" else mine
    return values


def _merge_refusal(survivor: Contact, merged: Contact) -> str:
    if survivor.pk == merged.pk:
        return _("Une fiche ne peut pas être fusionnée avec elle-même.")
    if survivor.authority_id != merged.authority_id:
        return _("Ces deux fiches appartiennent à deux collectivités différentes.")
    if survivor.anonymised_at or merged.anonymised_at:
        return _("Une fiche anonymisée ne peut pas être fusionnée.")
    if survivor.merged_into_id or merged.merged_into_id:
        return _("L'une de ces fiches a déjà été fusionnée avec une autre.")
    if survivor.kind != merged.kind:
        return _(
            "Une personne ne peut être fusionnée qu'avec une personne, et une organisation "
            "qu'avec une organisation."
        )
    if survivor.user_id and merged.user_id and survivor.user_id != merged.user_id:
        return _(
            "Ces deux fiches sont liées à deux comptes en ligne différents : elles ne peuvent "
            "pas être fusionnées. Vérifiez avec la personne lequel de ses comptes elle utilise."
        )
    return ""


def contact_merge_refusal(survivor: Contact, merged: Contact) -> str:
    """Why these two records cannot be merged, in French, or "" when they can."""
    return _merge_refusal(survivor, merged)


@transaction.atomic
def contact_merge(
    *, actor, survivor: Contact, merged: Contact, fields: dict[str, str] | None = None
) -> ContactMerge:
    """Merge `merged` into `survivor`: its case links (without creating twice the same
    link), its exchanges, its organisation memberships (both sides) and its online account
    move to the survivor; the agent chooses field by field which value survives (see
    `merge_values`); the merged record stays, hidden from lists and matching, pointing to
    the survivor. A `ContactMerge` keeps what the merged record held and what moved."""
    from guichet.cases.models import CaseContact
    from guichet.interactions.models import Interaction
    from guichet.register.models import MailItem

    locked = {
        c.pk: c
        for c in Contact.objects.select_for_update()
        .filter(pk__in=[survivor.pk, merged.pk])
        .order_by("pk")
    }
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    refusal = _merge_refusal(survivor, merged)
    if refusal:
        raise ValidationError(refusal, code="merge_refused")
    if not contact_can_merge(actor, survivor, merged):
        raise PermissionDenied(
            _(
                "Vous ne pouvez pas fusionner ces fiches : l'une d'elles a des demandes ou des "
                "échanges d'un service que vous ne voyez pas. Demandez à l'accueil ou à un "
                "administrateur."
            )
        )
    values = merge_values(survivor, merged, fields)
    merged_values = {name: getattr(merged, name) for name in EDITABLE_FIELDS}
    merged_values["email_failing"] = merged.email_failing
    merged_values["user"] = merged.user_id

    changes: dict[str, list] = {}
    for name, new in values.items():
        old = getattr(survivor, name)
        if old != new:
            changes[name] = [old, new]
            setattr(survivor, name, new)
    if "email" in changes:
        failing = merged.email_failing if survivor.email == merged.email else False
        if failing != survivor.email_failing:
            changes["email_failing"] = [survivor.email_failing, failing]
            survivor.email_failing = failing
    _validate(survivor)
    survivor.name_key = survivor.compute_name_key()

    moved: dict[str, list] = {
        "case_links": [],
        "case_links_dropped": [],
        "interactions": [],
        "members": [],
        "members_dropped": [],
        "redirected": [],
    }
    taken = set(CaseContact.objects.filter(contact=survivor).values_list("case_id", "role"))
    dropped_links = []
    for link_id, case_id, role in CaseContact.objects.filter(contact=merged).values_list(
        "pk", "case_id", "role"
    ):
        if (case_id, role) in taken:
            dropped_links.append(link_id)
            moved["case_links_dropped"].append([case_id, role])
        else:
            moved["case_links"].append(link_id)
    CaseContact.objects.filter(pk__in=dropped_links).delete()
    CaseContact.objects.filter(pk__in=moved["case_links"]).update(contact=survivor)

    moved["interactions"] = list(
        Interaction.objects.filter(contact=merged).order_by("pk").values_list("pk", flat=True)
    )
    Interaction.objects.filter(pk__in=moved["interactions"]).update(contact=survivor)

    # The letters of the mail register they sent or were sent: the register line follows
    # the person (its correspondent's name stays as it was written that day).
    moved["mail_items"] = list(
        MailItem.objects.filter(contact=merged).order_by("pk").values_list("pk", flat=True)
    )
    MailItem.objects.filter(pk__in=moved["mail_items"]).update(contact=survivor)

    for side, other_side in (("organisation", "person"), ("person", "organisation")):
        taken_members = set(
            OrganisationMember.objects.filter(**{side: survivor}).values_list(
                f"{other_side}_id", flat=True
            )
        )
        for member in OrganisationMember.objects.filter(**{side: merged}).order_by("pk"):
            other_id = getattr(member, f"{other_side}_id")
            if other_id in taken_members:
                moved["members_dropped"].append(
                    [member.organisation_id, member.person_id, member.role]
                )
                member.delete()
            else:
                moved["members"].append([member.pk, side])
                setattr(member, side, survivor)
                member.save(update_fields=[side])

    moved["redirected"] = list(
        Contact.objects.filter(merged_into=merged).order_by("pk").values_list("pk", flat=True)
    )
    Contact.objects.filter(pk__in=moved["redirected"]).update(merged_into=survivor)

    moved["user"] = None
    if merged.user_id and not survivor.user_id:
        # One account per authority and record: the link leaves the merged record first.
        moved["user"] = merged.user_id
        survivor.user_id = merged.user_id
        merged.user = None
    merged.merged_into = survivor
    merged.save(update_fields=["user", "merged_into", "updated_at"])
    survivor.save()
    match_keys_refresh([survivor, merged])

    record = ContactMerge.objects.create(
        authority_id=survivor.authority_id,
        actor=_agent(actor),
        survivor=survivor,
        merged=merged,
        merged_values=merged_values,
        survivor_changes=changes,
        moved=moved,
    )
    event_record(
        actor=actor,
        verb="contact.merged",
        target=survivor,
        contact=survivor,
        data={
            "merged": merged.pk,
            "merge": record.pk,
            # Which fields changed, never their values: the audit log outlives anonymisation.
            "fields": sorted(changes),
            "moved": {key: len(value) for key, value in moved.items() if key != "user"},
            "account_moved": moved["user"] is not None,
        },
    )
    return record


def contact_merge_undo_refusal(record: ContactMerge) -> str:
    """Why a merge can no longer be undone cleanly, or "" when it can: nothing may have
    happened since to either record that an undo would have to guess about."""
    survivor, merged = record.survivor, record.merged
    if record.undone_at:
        return _("Cette fusion a déjà été annulée.")
    if merged.merged_into_id != survivor.pk or survivor.merged_into_id:
        return _(
            "Ces fiches ont été fusionnées à nouveau depuis : la fusion ne peut plus être annulée."
        )
    if survivor.anonymised_at or merged.anonymised_at:
        return _("L'une de ces fiches a été anonymisée : la fusion ne peut plus être annulée.")
    later = (
        ContactMerge.objects.filter(
            Q(survivor__in=[survivor.pk, merged.pk]) | Q(merged__in=[survivor.pk, merged.pk]),
            pk__gt=record.pk,
            undone_at__isnull=True,
        )
        .exclude(pk=record.pk)
        .exists()
    )
    if later:
        return _("Une fusion plus récente concerne ces fiches : annulez-la d'abord.")
    user_id = record.moved.get("user")
    if user_id and survivor.user_id != user_id:
        return _(
            "Le compte en ligne de la fiche a changé depuis : la fusion ne peut plus être annulée."
        )
    return ""


@transaction.atomic
def contact_merge_undo(*, actor, record: ContactMerge) -> ContactMerge:
    """Put back what a merge moved: the links, exchanges and memberships it moved that are
    still on the survivor, the links it dropped as duplicates, the account, and the
    survivor's fields it changed (unless changed again since). What was recorded on the
    survivor after the merge stays there."""
    from guichet.cases.models import CaseContact
    from guichet.interactions.models import Interaction
    from guichet.register.models import MailItem

    record = ContactMerge.objects.select_for_update().get(pk=record.pk)
    locked = {
        c.pk: c
        for c in Contact.objects.select_for_update()
        .filter(pk__in=[record.survivor_id, record.merged_id])
        .order_by("pk")
    }
    survivor, merged = locked[record.survivor_id], locked[record.merged_id]
    record.survivor, record.merged = survivor, merged
    if not contact_can_merge(actor, survivor, merged):
        raise PermissionDenied(_("Vous ne pouvez pas annuler cette fusion."))
    refusal = contact_merge_undo_refusal(record)
    if refusal:
        raise ValidationError(refusal, code="undo_refused")
    moved = record.moved

    back_links = list(
        CaseContact.objects.filter(pk__in=moved.get("case_links", []), contact=survivor)
    )
    CaseContact.objects.filter(pk__in=[link.pk for link in back_links]).update(contact=merged)
    for case_id, role in moved.get("case_links_dropped", []):
        CaseContact.objects.get_or_create(case_id=case_id, contact=merged, role=role)
    Interaction.objects.filter(pk__in=moved.get("interactions", []), contact=survivor).update(
        contact=merged
    )
    MailItem.objects.filter(pk__in=moved.get("mail_items", []), contact=survivor).update(
        contact=merged
    )
    for member_id, side in moved.get("members", []):
        OrganisationMember.objects.filter(pk=member_id, **{side: survivor}).update(**{side: merged})
    for organisation_id, person_id, role in moved.get("members_dropped", []):
        OrganisationMember.objects.get_or_create(
            organisation_id=organisation_id if organisation_id != survivor.pk else merged.pk,
            person_id=person_id if person_id != survivor.pk else merged.pk,
            defaults={"role": role},
        )
    Contact.objects.filter(pk__in=moved.get("redirected", []), merged_into=survivor).update(
        merged_into=merged
    )

    restored = []
    for name, (before, after) in record.survivor_changes.items():
        if getattr(survivor, name) == after:
            setattr(survivor, name, before)
            restored.append(name)
    survivor.name_key = survivor.compute_name_key()
    user_id = moved.get("user")
    if user_id:
        survivor.user = None
    survivor.save()
    merged.merged_into = None
    if user_id:
        merged.user_id = user_id
    merged.save(update_fields=["user", "merged_into", "updated_at"])
    match_keys_refresh([survivor, merged])

    record.undone_at = timezone.now()
    record.undone_by = _agent(actor)
    record.save(update_fields=["undone_at", "undone_by"])
    for contact, other in ((survivor, merged), (merged, survivor)):
        event_record(
            actor=actor,
            verb="contact.merge_undone",
            target=contact,
            contact=contact,
            data={"merge": record.pk, "other": other.pk, "restored": sorted(restored)},
        )
    return record
