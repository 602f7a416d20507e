"""The citizens' portal: thin views over the case and contact services.

Pages reached through a private tracking link never say whether a case exists unless the
link is right, and are neither cached nor sent as referrer."""

from __future__ import annotations

import hashlib
import re
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from guichet.authorities.enums import Role
from guichet.authorities.models import Authority, Membership
from guichet.cases.enums import Status
from guichet.cases.models import Case, Category
from guichet.cases.services import (
    case_citizen_reply,
    case_find_by_tracking_token,
    case_requester,
    case_submit_online,
)
from guichet.contacts.services import contact_for_citizen, contact_for_submission
from guichet.core.text import fold
from guichet.interactions.models import Attachment
from guichet.www.portal.forms import CaseSubmitForm, CitizenReplyForm, portal_category_groups
from guichet.www.portal.timeline import public_timeline

# Session keys: the cases this browser has just sent, and the tracking token to show once.
SUBMITTED_SESSION_KEY = "portal_submitted_cases"
TOKEN_SESSION_KEY = "portal_tracking_token"
MY_CASES_PAGE_SIZE = 20
# A person can no longer write on a case in these statuses (the service refuses it too).
NO_REPLY_STATUSES = (Status.CLOSED, Status.REJECTED, Status.DUPLICATE)

_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _authority_or_404(slug: str) -> Authority:
    return get_object_or_404(Authority, slug=slug, is_active=True)


def _private(response: HttpResponse) -> HttpResponse:
    """For pages and files reached through a secret link: no cache, and the link never
    leaves the site as a referrer. (Not "no-referrer": the browser would then send
    `Origin: null` with the reply form, which the CSRF protection rightly refuses.)"""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


# Instance pages ---------------------------------------------------------------------------


@require_GET
def home(request):
    authorities = Authority.objects.filter(is_active=True).order_by("name")
    return render(request, "portal/index.html", {"authorities": authorities})


def _contrast(hex_color: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _text_on(background: str) -> str:
    """White or near-black, whichever reads better on the authority's colour."""
    luminance = _contrast(background)
    on_white = 1.05 / (luminance + 0.05)
    on_dark = (luminance + 0.05) / (_contrast("#1b1b1f") + 0.05)
    return "#ffffff" if on_white >= on_dark else "#1b1b1f"


def _readable_on_white(color: str) -> str:
    """The authority's colour, darkened just enough to reach the 4.5:1 contrast that RGAA
    asks for text, against white (links) and under white text (buttons, header)."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    for _step in range(40):
        candidate = f"#{r:02x}{g:02x}{b:02x}"
        if 1.05 / (_contrast(candidate) + 0.05) >= 4.5:
            return candidate
        r, g, b = (int(v * 0.9) for v in (r, g, b))
    return "#000000"


@require_GET
@cache_control(public=True, max_age=3600)
def theme_css(request, slug):
    authority = get_object_or_404(
        Authority.objects.only("slug", "primary_color", "accent_color"), slug=slug, is_active=True
    )
    primary = authority.primary_color if _COLOR.match(authority.primary_color or "") else "#1f4e79"
    accent = authority.accent_color if _COLOR.match(authority.accent_color or "") else "#c0392b"
    css = (
        f":root{{--primary:{primary};--primary-contrast:{_text_on(primary)};"
        f"--accent:{accent};--strong:{_readable_on_white(primary)}}}\n"
    )
    etag = f'"{hashlib.sha256(css.encode()).hexdigest()[:16]}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["ETag"] = etag
    return response


def _optional_authority(request):
    """The authority a legal page is about: the one named in ?collectivite=, else the only
    one of the instance. None when the page must speak for several."""
    authorities = list(Authority.objects.filter(is_active=True).order_by("name"))
    slug = request.GET.get("collectivite", "")
    chosen = next((a for a in authorities if a.slug == slug), None)
    if chosen is None and len(authorities) == 1:
        chosen = authorities[0]
    return chosen, ([chosen] if chosen else authorities)


@require_GET
def accessibility(request):
    authority, authorities = _optional_authority(request)
    return render(
        request,
        "portal/accessibility.html",
        {"authority": authority, "authorities": authorities},
    )


def _retention_label(days: int) -> str:
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(n)d an", "%(n)d ans", years) % {"n": years}
    return ngettext("%(n)d jour", "%(n)d jours", days) % {"n": days}


def _dpo_email(authority: Authority) -> str:
    # Authorities may name a DPO address of their own; otherwise write to the authority.
    return authority.dpo_email or authority.email


@require_GET
def privacy(request):
    authority, authorities = _optional_authority(request)
    categories = (
        Category.objects.filter(authority__in=authorities)
        .active()
        .only("authority_id", "label", "retention_days")
        .order_by("authority_id", "label")
    )
    retention: dict[int, list[Category]] = {}
    for category in categories:
        category.retention_label = _retention_label(category.retention_days)
        retention.setdefault(category.authority_id, []).append(category)
    for listed in retention.values():
        listed.sort(key=lambda c: fold(c.label))
    with_dpo_role = set(
        Membership.objects.filter(authority__in=authorities, role=Role.DPO).values_list(
            "authority_id", flat=True
        )
    )
    controllers = [
        {
            "authority": a,
            "dpo_email": _dpo_email(a),
            "has_dpo": a.pk in with_dpo_role or bool(a.dpo_email),
            "categories": retention.get(a.pk, []),
        }
        for a in authorities
    ]
    return render(
        request,
        "portal/privacy.html",
        {"authority": authority, "controllers": controllers},
    )


# The authority's portal ------------------------------------------------------------------


@require_GET
def authority_home(request, authority_slug):
    authority = _authority_or_404(authority_slug)
    groups = portal_category_groups(authority)
    context = {
        "authority": authority,
        "groups": groups,
        # Categories without children are listed together rather than one card each.
        "single_categories": [e for g in groups if not g.children for e in g.entries],
        "nav": "home",
    }
    return render(request, "portal/home.html", context)


def _submit(request, authority, form: CaseSubmitForm):
    """The person's record and the case, all or nothing; a resent form gives back the first
    case and creates no second record."""
    data = form.cleaned_data
    if request.user.is_authenticated:

        def contact():
            return contact_for_citizen(user=request.user, authority=authority)
    else:

        def contact():
            return contact_for_submission(authority=authority, **form.identity())

    return case_submit_online(
        actor=request.user,
        authority=authority,
        category=data["category"],
        contact=contact,
        subject=data["subject"],
        description=data["description"],
        submission_key=data["submission_key"],
        files=data["attachments"],
    )


@require_http_methods(["GET", "POST"])
def case_new(request, authority_slug):
    authority = _authority_or_404(authority_slug)
    groups = portal_category_groups(authority)
    anonymous = not request.user.is_authenticated
    status = 200
    if request.method == "POST":
        form = CaseSubmitForm(request.POST, request.FILES, groups=groups, anonymous=anonymous)
        if form.is_valid():
            try:
                case, token, _created = _submit(request, authority, form)
            except ValidationError as error:
                form.add_service_error(error, aliases={"usage_name": "last_name"})
            else:
                submitted = request.session.get(SUBMITTED_SESSION_KEY, [])
                request.session[SUBMITTED_SESSION_KEY] = ([*submitted, case.pk])[-20:]
                if token:
                    request.session[TOKEN_SESSION_KEY] = {"case": case.pk, "token": token}
                return redirect(
                    "portal:case_submitted", authority_slug=authority.slug, reference=case.reference
                )
        status = 400
    else:
        initial = {"submission_key": uuid.uuid4()}
        wanted = request.GET.get("categorie", "")
        if wanted.isdigit():
            initial["category"] = int(wanted)
        form = CaseSubmitForm(initial=initial, groups=groups, anonymous=anonymous)
    context = {
        "authority": authority,
        "form": form,
        "has_categories": bool(groups),
        "files_lost": request.method == "POST" and bool(request.FILES),
        "nav": "new",
    }
    return render(request, "portal/case_new.html", context, status=status)


@require_GET
def case_submitted(request, authority_slug, reference):
    authority = _authority_or_404(authority_slug)
    just_sent = request.session.get(SUBMITTED_SESSION_KEY, [])
    case = get_object_or_404(
        Case.objects.filter(authority=authority, reference=reference)
        .filter(Q(pk__in=just_sent) | Q(pk__in=Case.objects.of_citizen(request.user).values("pk")))
        .select_related("service", "category")
    )
    tracking_url = ""
    pending = request.session.get(TOKEN_SESSION_KEY)
    if pending and pending.get("case") == case.pk:
        # Shown once: the link also went by email, and never appears in this page's URL.
        del request.session[TOKEN_SESSION_KEY]
        tracking_url = request.build_absolute_uri(
            reverse(
                "portal:track", kwargs={"authority_slug": authority.slug, "token": pending["token"]}
            )
        )
    requester = case_requester(case)
    response = render(
        request,
        "portal/case_submitted.html",
        {
            "authority": authority,
            "case": case,
            "tracking_url": tracking_url,
            "email_sent": bool(requester and requester.can_receive_email),
            "signed_in": request.user.is_authenticated,
        },
    )
    return _private(response)


@login_required
@require_GET
def my_cases(request, authority_slug):
    authority = _authority_or_404(authority_slug)
    cases = (
        Case.objects.of_citizen(request.user)
        .filter(authority=authority)
        .select_related("category")
        .order_by("-received_at", "-id")
    )
    page = Paginator(cases, MY_CASES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/my_cases.html",
        {"authority": authority, "page_obj": page, "querystring_base": "", "nav": "mine"},
    )


def _case_page(request, *, authority, case, contact, page_url: str, attachment_url, token=""):
    """The person's view of a case and the form to write on it, for both doors."""
    form = CitizenReplyForm()
    status = 200
    if request.method == "POST":
        form = CitizenReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                case_citizen_reply(
                    actor=request.user,
                    case=case,
                    contact=contact,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Votre message a bien été envoyé."))
                return redirect(page_url)
        status = 400
    context = {
        "authority": authority,
        "case": case,
        "service": case.service,
        "service_address": case.service.postal_address,
        "timeline": public_timeline(case, attachment_url=attachment_url),
        "form": form,
        "can_reply": case.status not in NO_REPLY_STATUSES,
        "page_url": page_url,
        "files_lost": request.method == "POST" and bool(request.FILES),
        "by_token": bool(token),
        "nav": "" if token else "mine",
        # The secret link must not travel into the login URL (and from there into logs).
        "login_next": reverse("portal:home", args=[authority.slug]) if token else "",
    }
    return render(request, "portal/case_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request, authority_slug, reference):
    authority = _authority_or_404(authority_slug)
    case = get_object_or_404(
        Case.objects.of_citizen(request.user)
        .filter(authority=authority)
        .select_related("category", "service"),
        reference=reference,
    )
    contact = None
    if request.method == "POST":
        contact = contact_for_citizen(user=request.user, authority=authority)

    def attachment_url(attachment):
        return reverse(
            "portal:attachment",
            kwargs={
                "authority_slug": authority.slug,
                "reference": case.reference,
                "attachment_id": attachment.pk,
            },
        )

    return _case_page(
        request,
        authority=authority,
        case=case,
        contact=contact,
        page_url=request.path,
        attachment_url=attachment_url,
    )


def _case_by_token_or_404(authority: Authority, token: str) -> Case:
    found = case_find_by_tracking_token(token)
    if found is None or found.authority_id != authority.pk:
        raise Http404
    return Case.objects.select_related("category", "service").get(pk=found.pk)


@require_http_methods(["GET", "POST"])
def track(request, authority_slug, token):
    authority = _authority_or_404(authority_slug)
    case = _case_by_token_or_404(authority, token)
    contact = case_requester(case) if request.method == "POST" else None

    def attachment_url(attachment):
        return reverse(
            "portal:attachment",
            kwargs={
                "authority_slug": authority.slug,
                "token": token,
                "attachment_id": attachment.pk,
            },
        )

    response = _case_page(
        request,
        authority=authority,
        case=case,
        contact=contact,
        page_url=request.path,
        attachment_url=attachment_url,
        token=token,
    )
    return _private(response)


@require_GET
def attachment(request, authority_slug, attachment_id, reference=None, token=None):
    """A file of an exchange shown to the person, by login or by tracking link."""
    authority = _authority_or_404(authority_slug)
    if token is not None:
        case = _case_by_token_or_404(authority, token)
    elif request.user.is_authenticated:
        case = get_object_or_404(
            Case.objects.of_citizen(request.user).filter(authority=authority), reference=reference
        )
    else:
        return redirect_to_login(request.get_full_path())
    found = get_object_or_404(
        Attachment.objects.filter(
            interaction__case=case, interaction__visible_to_contact=True, anonymised_at__isnull=True
        ),
        pk=attachment_id,
    )
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=found.filename, content_type=found.mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)
