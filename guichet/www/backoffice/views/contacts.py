"""The contact page: the 360° history of a person or an organisation, within what the agent
may see, and its editing with history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guichet.cases.models import Case
from guichet.contacts.enums import ContactKind
from guichet.contacts.models import Contact
from guichet.contacts.phones import display_phone
from guichet.contacts.services import (
    EDITABLE_FIELDS,
    contact_update,
    organisation_member_add,
    organisation_member_remove,
)
from guichet.core.models import Event
from guichet.interactions.models import Interaction
from guichet.www.backoffice.access import agent_required, get_contact_for_user_or_404
from guichet.www.backoffice.forms import ContactForm, MemberForm

# The most recent cases and exchanges are shown at first, the whole history on request:
# a page stays quick to read and to serve for the people who write every week.
HISTORY_SHOWN = 30
HISTORY_MAX = 1000


@agent_required
def contact_detail(request, pk: int):
    user = request.user
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
        },
    )


@agent_required
def contact_edit(request, pk: int):
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
