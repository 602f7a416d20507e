"""The links of the messages about a followed report, without an account: confirm that an
address typed for a "me too" wants to be told, and stop being told. The link's secret
names the follower; nothing else is needed or shown. Opening a link changes nothing (mail
scanners open links): a button does."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guichet.reports import following
from guichet.www.portal.views import _authority_or_404, _private


def _follower_or_404(authority, token: str, link: str):
    follower = following.follower_for_token(token, link)
    if follower is None or follower.report.authority_id != authority.pk:
        raise Http404(_("Ce lien n'est pas valable."))
    return follower


def _page(request, template: str, authority, follower):
    return _private(
        render(
            request,
            template,
            {"authority": authority, "report": follower.report, "follower": follower},
        )
    )


@require_http_methods(["GET", "POST"])
def report_unfollow(request, authority_slug, token):
    authority = _authority_or_404(authority_slug)
    follower = _follower_or_404(authority, token, "stop")
    if request.method == "POST":
        # Sent twice (a double click), the second changes nothing.
        follower = following.report_unfollow(actor=None, follower=follower)
    return _page(request, "portal/reports/unfollow.html", authority, follower)


@require_http_methods(["GET", "POST"])
def report_follow_confirm(request, authority_slug, token):
    authority = _authority_or_404(authority_slug)
    follower = _follower_or_404(authority, token, "confirm")
    if request.method == "POST":
        follower = following.report_follow_confirm(actor=None, follower=follower)
    return _page(request, "portal/reports/follow_confirm.html", authority, follower)
