"""Search by case reference, contact name, email, phone number and text."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import redirect, render

from guichet.cases.models import Case
from guichet.contacts.models import Contact
from guichet.contacts.phones import normalise_phone
from guichet.core.references import is_well_formed, normalise_reference
from guichet.www.backoffice.access import agent_required, current_authority

LIMIT = 30


@agent_required
def search(request):
    user = request.user
    query = (request.GET.get("q") or "").strip()[:200]
    context = {"authority": current_authority(request), "q": query, "searched": bool(query)}
    if not query:
        return render(request, "backoffice/search.html", context)

    reference = normalise_reference(query)
    if is_well_formed(reference):
        by_reference = list(
            Case.objects.orientable_by(user).filter(reference=reference).values("id")[:2]
        )
        if len(by_reference) == 1:
            return redirect("backoffice:case_detail", pk=by_reference[0]["id"])

    contacts = Contact.objects.visible_to(user).active()
    if "@" in query:
        contacts = contacts.filter(email=query.lower())
    else:
        number = normalise_phone(query) if sum(ch.isdigit() for ch in query) >= 6 else None
        contacts = (
            contacts.filter(Q(phone=number) | Q(mobile=number))
            if number
            else contacts.matching(name=query)
        )
    context["contacts"] = list(contacts.order_by("name_key", "id")[:LIMIT])
    cases = Case.objects.visible_to(user)
    context["cases"] = (
        list(
            cases.search_text(query)
            .select_related("category", "service")
            .order_by("-received_at")[:LIMIT]
        )
        if len(query) >= 3 and "@" not in query
        else []
    )
    context["limit"] = LIMIT
    return render(request, "backoffice/search.html", context)
