"""The one-stop desk for the counter and the switchboard: find or create the person,
record the visit or call, answer on the spot or open a case."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from guichet.cases.models import Case, Category
from guichet.cases.services import desk_exchange_record
from guichet.contacts.models import Contact
from guichet.www.backoffice.access import agent_required, current_authority
from guichet.www.backoffice.forms import ContactForm, DeskForm

MATCH_LIMIT = 10


def _categories(authority):
    return (
        Category.objects.filter(authority=authority, is_active=True)
        .select_related("default_service", "parent")
        .order_by("parent__label", "label")
    )


def find_matches(user, authority, *, name="", email="", phone=""):
    contacts = list(
        Contact.objects.visible_to(user)
        .filter(authority=authority)
        .matching(name=name, email=email, phone=phone)
        .order_by("name_key", "id")[:MATCH_LIMIT]
    )
    if contacts:
        open_cases = (
            Case.objects.orientable_by(user)
            .open()
            .filter(case_contacts__contact__in=contacts)
            .values(
                "id",
                "reference",
                "status",
                "category__label",
                "service__name",
                "case_contacts__contact_id",
            )
        )
        by_contact = {}
        for row in open_cases:
            by_contact.setdefault(row["case_contacts__contact_id"], []).append(row)
        for contact in contacts:
            contact.open_cases = by_contact.get(contact.pk, [])
    return contacts


@agent_required
def desk_matches(request):
    """htmx partial: likely existing contacts for what the agent typed."""
    authority = current_authority(request)
    query = (request.GET.get("who") or "").strip()[:200]
    matches = []
    if len(query) >= 2:
        if "@" in query:
            matches = find_matches(request.user, authority, email=query)
        elif sum(ch.isdigit() for ch in query) >= 6:
            matches = find_matches(request.user, authority, phone=query)
        else:
            matches = find_matches(request.user, authority, name=query)
    return render(
        request,
        "backoffice/desk/matches.html",
        {"matches": matches, "query": query, "selected": request.GET.get("contact")},
    )


@agent_required
def desk(request):
    authority = current_authority(request)
    categories = _categories(authority)
    if request.method != "POST":
        initial = {"submission_key": uuid.uuid4().hex}
        # Coming from a knowledge article's "open a case" link.
        chosen = request.GET.get("category") or ""
        if chosen.isdigit() and categories.filter(pk=int(chosen)).exists():
            initial.update(outcome="case", category=int(chosen))
        form = DeskForm(categories=categories, initial=initial)
        selected = None
        if (request.GET.get("contact") or "").isdigit():
            selected = (
                Contact.objects.visible_to(request.user)
                .filter(authority=authority, pk=int(request.GET["contact"]))
                .first()
            )
        return render(
            request,
            "backoffice/desk/desk.html",
            {
                "authority": authority,
                "form": form,
                "categories": categories,
                "contact_form": ContactForm(prefix="new"),
                **_initial_matches(selected, ""),
            },
        )

    form = DeskForm(request.POST, request.FILES, categories=categories)
    contact = None
    choice = (request.POST.get("contact") or "").strip()
    new_contact = choice == "new"
    # The new-person fields count only when "new person" is chosen.
    contact_form = ContactForm(request.POST if new_contact else None, prefix="new")
    valid = form.is_valid()
    if valid and choice.isdigit():
        contact = (
            Contact.objects.visible_to(request.user)
            .filter(authority=authority, pk=int(choice))
            .first()
        )
        if contact is None:
            form.add_error(None, _("Cet usager est introuvable."))
            valid = False
    elif valid and choice and not new_contact:
        form.add_error(None, _("Cet usager est introuvable."))
        valid = False
    if new_contact and not contact_form.is_valid():
        valid = False
    if valid:
        data = form.cleaned_data
        minutes = data.get("duration_minutes")
        try:
            interaction, case = desk_exchange_record(
                actor=request.user,
                authority=authority,
                contact=contact,
                new_contact=contact_form.cleaned_data if new_contact else None,
                channel=data["channel"],
                body=data["body"],
                submission_key=data["submission_key"],
                open_case=data["outcome"] == "case",
                category=data.get("category"),
                subject=data.get("subject") or "",
                duration_seconds=minutes * 60 if minutes is not None else None,
                files=data.get("files") or [],
            )
        except ValidationError as error:
            contact_fields = set(contact_form.fields)
            for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                target = contact_form if new_contact and field in contact_fields else form
                for message in errors:
                    target.add_error(field if field in target.fields else None, message)
        else:
            if case is not None:
                messages.success(
                    request,
                    _("Demande %(ref)s ouverte et confiée au service %(service)s.")
                    % {"ref": case.reference, "service": case.service},
                )
                return redirect("backoffice:case_detail", pk=case.pk)
            messages.success(request, _("Échange enregistré."))
            if interaction.contact_id is not None:
                return redirect("backoffice:contact_detail", pk=interaction.contact_id)
            return redirect("backoffice:desk")
    selected = None
    if (request.POST.get("contact") or "").isdigit():
        selected = (
            Contact.objects.visible_to(request.user)
            .filter(authority=authority, pk=int(request.POST["contact"]))
            .first()
        )
    initial = _initial_matches(selected, request.POST.get("who", ""))
    if new_contact:
        initial["initial_selected"] = "new"
    return render(
        request,
        "backoffice/desk/desk.html",
        {
            "authority": authority,
            "form": form,
            "contact_form": contact_form,
            "categories": categories,
            **initial,
        },
        status=400,
    )


def _initial_matches(selected, query):
    """What the "who" block shows before any typing: the chosen person, if any."""
    if selected is None:
        return {"initial_matches": [], "initial_query": query, "initial_selected": ""}
    selected.open_cases = []
    return {
        "initial_matches": [selected],
        "initial_query": query or selected.display_name,
        "initial_selected": str(selected.pk),
    }


@agent_required
def authority_switch(request):
    if request.method == "POST":
        try:
            chosen = int(request.POST.get("authority", ""))
        except ValueError:
            chosen = None
        if chosen in request.user.scope.authority_ids:
            request.session["authority_id"] = chosen
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    return redirect(target or "backoffice:queue")
