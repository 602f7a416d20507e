"""The contact page: the 360° history of a person or an organisation, within what the agent
may see, and its editing with history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guichet.cases.models import Case, CaseContact
from guichet.contacts.duplicates import duplicate_pair_refs, duplicates_of, pairs_from_refs
from guichet.contacts.enums import ContactKind
from guichet.contacts.models import Contact, ContactMerge, OrganisationMember
from guichet.contacts.phones import display_phone
from guichet.contacts.services import (
    EDITABLE_FIELDS,
    MERGE_FIELDS,
    contact_can_merge,
    contact_merge,
    contact_merge_refusal,
    contact_merge_undo,
    contact_merge_undo_refusal,
    contact_update,
    duplicate_dismiss,
    merge_values,
    organisation_member_add,
    organisation_member_remove,
)
from guichet.core.models import Event
from guichet.interactions.models import Interaction
from guichet.www.backoffice.access import (
    agent_required,
    current_authority,
    get_contact_for_user_or_404,
)
from guichet.www.backoffice.forms import ContactForm, MemberForm

# The most recent cases and exchanges are shown at first, the whole history on request:
# a page stays quick to read and to serve for the people who write every week.
HISTORY_SHOWN = 30
HISTORY_MAX = 1000


def _survivor_of(user, pk: int) -> int | None:
    """The record a merged contact now lives in, within the agent's authorities: its pages
    lead there (where the survivor's own scope applies)."""
    return (
        Contact.objects.filter(
            pk=pk, authority_id__in=user.scope.authority_ids, merged_into__isnull=False
        )
        .values_list("merged_into_id", flat=True)
        .first()
    )


def _merged_redirect(request, pk: int):
    survivor = _survivor_of(request.user, pk)
    if survivor is None:
        return None
    messages.info(request, _("Cette fiche a été fusionnée : voici la fiche qui la remplace."))
    return redirect("backoffice:contact_detail", pk=survivor)


def _duplicates_panel(user, contact: Contact) -> list[dict]:
    """Likely duplicates shown on the contact page, each with whether this agent may merge
    them (decided per pair for a service agent, who must see both whole histories)."""
    if contact.anonymised_at or contact.merged_into_id:
        return []
    keeps_directory = contact.authority_id in (
        user.scope.admin_authority_ids | user.scope.front_desk_authority_ids
    )
    return [
        {
            "pair": pair,
            "other": pair.other(contact),
            "can_merge": keeps_directory or contact_can_merge(user, contact, pair.other(contact)),
        }
        for pair in duplicates_of(contact, user)
    ]


@agent_required
def contact_detail(request, pk: int):
    user = request.user
    merged = _merged_redirect(request, pk)
    if merged is not None:
        return merged
    contact = get_contact_for_user_or_404(user, pk)
    limit = HISTORY_MAX if request.GET.get("historique") == "tout" else HISTORY_SHOWN
    full_cases = list(
        Case.objects.visible_to(user)
        .filter(case_contacts__contact=contact)
        .select_related("category", "service", "assignee")
        .order_by("-received_at")
        .distinct()[:limit]
    )
    known = {c.pk for c in full_cases}
    summary_cases = [
        c
        for c in Case.objects.orientable_by(user)
        .filter(case_contacts__contact=contact)
        .values("id", "reference", "status", "received_at", "category__label", "service__name")
        .order_by("-received_at")
        .distinct()[:limit]
        if c["id"] not in known
    ]
    interactions = list(
        Interaction.objects.visible_to(user)
        .filter(contact=contact)
        .select_related("agent", "service", "case")
        .prefetch_related("attachments")
        .order_by("-occurred_at")[:limit]
    )
    changes = (
        Event.objects.for_contact(contact)
        .filter(verb__startswith="contact.")
        .select_related("actor")
        .order_by("-at")[:50]
    )
    return render(
        request,
        "backoffice/contacts/detail.html",
        {
            "authority": contact.authority,
            "contact": contact,
            "full_cases": full_cases,
            "summary_cases": summary_cases,
            "interactions": interactions,
            "changes": changes,
            "members": contact.members.select_related("person"),
            "organisations": contact.organisations.select_related("organisation"),
            "limit": limit,
            "truncated": limit != HISTORY_MAX
            and (len(full_cases) + len(summary_cases) >= limit or len(interactions) == limit),
            "member_form": MemberForm(),
            "duplicates": _duplicates_panel(user, contact),
            "merges": (
                ContactMerge.objects.filter(survivor=contact).select_related("merged", "actor")
                if contact.authority_id in user.scope.directory_authority_ids
                else []
            ),
        },
    )


@agent_required
def contact_edit(request, pk: int):
    merged = _merged_redirect(request, pk)
    if merged is not None:
        return merged
    contact = get_contact_for_user_or_404(request.user, pk)
    initial = {field: getattr(contact, field) for field in EDITABLE_FIELDS}
    initial["phone"] = display_phone(contact.phone)
    initial["mobile"] = display_phone(contact.mobile)
    form = ContactForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                contact_update(actor=request.user, contact=contact, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Fiche usager mise à jour."))
                return redirect("backoffice:contact_detail", pk=contact.pk)
        status = 400
    return render(
        request,
        "backoffice/contacts/edit.html",
        {"authority": contact.authority, "contact": contact, "form": form},
        status=status,
    )


def _organisation_for_user_or_404(user, pk):
    organisation = get_contact_for_user_or_404(user, pk)
    if organisation.kind != ContactKind.ORGANISATION:
        raise Http404
    return organisation


@agent_required
def member_search(request, pk: int):
    """htmx partial: persons of the same authority matching the typed name."""
    organisation = _organisation_for_user_or_404(request.user, pk)
    query = (request.GET.get("q") or "").strip()[:200]
    persons = []
    if len(query) >= 2:
        persons = list(
            Contact.objects.visible_to(request.user)
            .filter(authority=organisation.authority, kind=ContactKind.PERSON)
            .matching(name=query)
            .order_by("name_key", "id")[:10]
        )
    return render(
        request,
        "backoffice/contacts/member_matches.html",
        {"organisation": organisation, "persons": persons, "query": query},
    )


@require_POST
@agent_required
def member_add(request, pk: int):
    organisation = _organisation_for_user_or_404(request.user, pk)
    form = MemberForm(request.POST)
    person = None
    if form.is_valid():
        person = (
            Contact.objects.visible_to(request.user)
            .filter(authority=organisation.authority, pk=form.cleaned_data["person"])
            .first()
        )
    if person is None:
        messages.error(request, _("Choisissez la personne à rattacher."))
        return redirect("backoffice:contact_detail", pk=organisation.pk)
    try:
        organisation_member_add(
            actor=request.user,
            organisation=organisation,
            person=person,
            role=form.cleaned_data.get("role") or "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(person)s est rattaché(e) à l'organisation.") % {"person": person}
        )
    return redirect("backoffice:contact_detail", pk=organisation.pk)


@require_POST
@agent_required
def member_remove(request, pk: int, person_pk: int):
    organisation = _organisation_for_user_or_404(request.user, pk)
    person = get_contact_for_user_or_404(request.user, person_pk)
    organisation_member_remove(actor=request.user, organisation=organisation, person=person)
    messages.success(request, _("Rattachement retiré."))
    return redirect("backoffice:contact_detail", pk=organisation.pk)


# Duplicates and merges ---------------------------------------------------------------------

DUPLICATES_PAGE_SIZE = 50
MERGES_PAGE_SIZE = 50


def _directory_authority(request):
    """The authority whose whole directory the agent keeps: the front desk, the
    administrators and the DPO. Service agents only see the people of their cases: the
    authority-wide lists are not theirs (the contact page still shows them the likely
    duplicates among the records they see)."""
    authority = current_authority(request)
    if authority.pk not in request.user.scope.directory_authority_ids:
        raise PermissionDenied(_("Réservé à l'accueil, aux administrateurs et au délégué."))
    return authority


def _keeps_directory(user, authority_id: int) -> bool:
    return authority_id in user.scope.admin_authority_ids | user.scope.front_desk_authority_ids


def _back_to(request, default: str) -> str:
    wanted = request.POST.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


@agent_required
def contact_duplicates(request):
    """Every likely pair of duplicates of the authority, best first."""
    authority = _directory_authority(request)
    page = Paginator(duplicate_pair_refs(authority), DUPLICATES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = pairs_from_refs(page.object_list, authority)
    return render(
        request,
        "backoffice/contacts/duplicates.html",
        {
            "authority": authority,
            "page_obj": page,
            "querystring_base": "",
            "can_merge": _keeps_directory(request.user, authority.pk),
        },
    )


@require_POST
@agent_required
def contact_duplicate_dismiss(request, pk: int, other_pk: int):
    contact = get_contact_for_user_or_404(request.user, pk)
    other = get_contact_for_user_or_404(request.user, other_pk)
    if not contact_can_merge(request.user, contact, other):
        raise PermissionDenied(_("Vous ne pouvez pas trier ces fiches."))
    try:
        duplicate_dismiss(actor=request.user, contact=contact, other=other)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back_to(request, contact_url(contact)))
    messages.success(
        request,
        _("C'est noté : %(a)s et %(b)s ne seront plus proposés comme doublons.")
        % {"a": contact.display_name, "b": other.display_name},
    )
    return redirect(_back_to(request, contact_url(contact)))


def contact_url(contact: Contact) -> str:
    from django.urls import reverse

    return reverse("backoffice:contact_detail", args=[contact.pk])


def _display(contact: Contact, name: str) -> str:
    value = getattr(contact, name)
    if name in ("phone", "mobile"):
        return display_phone(value)
    if name == "refuses_email":
        return _("refuse les courriels") if value else _("accepte les courriels")
    if hasattr(contact, f"get_{name}_display") and value:
        return str(getattr(contact, f"get_{name}_display")())
    return value or ""


def _merge_rows(survivor: Contact, merged: Contact, chosen: dict[str, str]) -> list[dict]:
    """The side-by-side review: every field either record fills, with the side that will
    survive (the agent's choice, else the default of `merge_values`)."""
    defaults = merge_values(survivor, merged, None)
    rows = []
    for name in MERGE_FIELDS:
        left, right = getattr(survivor, name), getattr(merged, name)
        if left in ("", None, False) and right in ("", None, False):
            continue
        differs = left != right
        choice = chosen.get(name) or (
            "merged"
            if differs and defaults[name] == right and defaults[name] != left
            else "survivor"
        )
        rows.append(
            {
                "name": name,
                "label": Contact._meta.get_field(name).verbose_name,
                "survivor": _display(survivor, name),
                "merged": _display(merged, name),
                "differs": differs,
                "choice": choice,
            }
        )
    return rows


def _what_moves(user, merged: Contact) -> dict:
    return {
        "cases": CaseContact.objects.filter(contact=merged).count(),
        "interactions": Interaction.objects.filter(contact=merged).count(),
        "members": OrganisationMember.objects.filter(organisation=merged).count()
        + OrganisationMember.objects.filter(person=merged).count(),
        "account": bool(merged.user_id),
    }


@require_http_methods(["GET", "POST"])
@agent_required
def contact_merge_review(request, pk: int, other_pk: int):
    """Side by side: the record that stays (`pk`) and the one merged into it (`other_pk`),
    with a choice of value for each field that differs; merged on confirmation."""
    user = request.user
    survivor = get_contact_for_user_or_404(user, pk)
    merged = get_contact_for_user_or_404(user, other_pk)
    if survivor.pk != merged.pk and not contact_can_merge(user, survivor, merged):
        raise PermissionDenied(
            _(
                "Vous ne pouvez pas fusionner ces fiches : l'une d'elles a des demandes ou des "
                "échanges d'un service que vous ne voyez pas."
            )
        )
    refusal = contact_merge_refusal(survivor, merged)
    chosen: dict[str, str] = {}
    errors: list[str] = [refusal] if refusal else []
    status = 400 if refusal else 200
    if request.method == "POST" and not refusal:
        for name in MERGE_FIELDS:
            value = request.POST.get(f"field_{name}")
            if value is not None:
                chosen[name] = value
        try:
            contact_merge(actor=user, survivor=survivor, merged=merged, fields=chosen)
        except ValidationError as error:
            errors = error.messages
            chosen = {k: v for k, v in chosen.items() if v in ("survivor", "merged")}
            status = 400
        else:
            messages.success(
                request,
                _("Les fiches sont fusionnées : tout l'historique est désormais sur cette fiche."),
            )
            return redirect("backoffice:contact_detail", pk=survivor.pk)
    rows = _merge_rows(survivor, merged, chosen) if not refusal else []
    return render(
        request,
        "backoffice/contacts/merge.html",
        {
            "authority": survivor.authority,
            "survivor": survivor,
            "merged": merged,
            "sides": (survivor, merged),
            "rows": rows,
            "errors": errors,
            "refused": bool(refusal),
            "moves": _what_moves(user, merged) if not refusal else None,
        },
        status=status,
    )


def _merge_record_or_404(user, pk: int) -> ContactMerge:
    record = (
        ContactMerge.objects.filter(authority_id__in=user.scope.directory_authority_ids, pk=pk)
        .select_related("survivor", "merged", "actor", "undone_by", "authority")
        .first()
    )
    if record is None:
        raise Http404(_("Fusion introuvable."))
    return record


@agent_required
def contact_merges(request):
    """The merges of the authority, most recent first, for review."""
    authority = _directory_authority(request)
    merges = (
        ContactMerge.objects.filter(authority=authority)
        .select_related("survivor", "merged", "actor", "undone_by")
        .order_by("-at", "-id")
    )
    page = Paginator(merges, MERGES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/contacts/merges.html",
        {"authority": authority, "page_obj": page, "querystring_base": ""},
    )


@agent_required
def contact_merge_detail(request, pk: int):
    record = _merge_record_or_404(request.user, pk)
    moved = record.moved or {}
    links = (
        CaseContact.objects.filter(pk__in=moved.get("case_links", []))
        .select_related("case")
        .order_by("case__received_at")
    )
    exchanges = Interaction.objects.filter(pk__in=moved.get("interactions", [])).order_by(
        "occurred_at", "id"
    )
    dropped_cases = Case.objects.filter(
        pk__in=[case_id for case_id, _role in moved.get("case_links_dropped", [])]
    ).only("id", "reference")
    before = Contact(
        **{k: v for k, v in (record.merged_values or {}).items() if k in EDITABLE_FIELDS}
    )
    merged_values = [
        (Contact._meta.get_field(name).verbose_name, _display(before, name))
        for name in EDITABLE_FIELDS
        if getattr(before, name) not in ("", None, False)
    ]
    changes = []
    for name, (old, new) in (record.survivor_changes or {}).items():
        if name not in EDITABLE_FIELDS:
            continue
        old_contact, new_contact = Contact(**{name: old}), Contact(**{name: new})
        changes.append(
            (
                Contact._meta.get_field(name).verbose_name,
                _display(old_contact, name),
                _display(new_contact, name),
            )
        )
    can_undo = _keeps_directory(request.user, record.authority_id)
    return render(
        request,
        "backoffice/contacts/merge_detail.html",
        {
            "authority": record.authority,
            "record": record,
            "links": links,
            "dropped_cases": dropped_cases,
            "exchanges": exchanges,
            "merged_values": merged_values,
            "changes": changes,
            "members_moved": len(moved.get("members", [])),
            "account_moved": bool(moved.get("user")),
            "can_undo": can_undo,
            "undo_refusal": contact_merge_undo_refusal(record) if can_undo else "",
        },
    )


@require_POST
@agent_required
def contact_merge_undo_view(request, pk: int):
    record = _merge_record_or_404(request.user, pk)
    if not _keeps_directory(request.user, record.authority_id):
        raise PermissionDenied(_("Réservé à l'accueil et aux administrateurs."))
    try:
        contact_merge_undo(actor=request.user, record=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("backoffice:contact_merge_detail", pk=record.pk)
    messages.success(
        request, _("La fusion est annulée : les deux fiches sont de nouveau séparées.")
    )
    return redirect("backoffice:contact_merge_detail", pk=record.pk)
