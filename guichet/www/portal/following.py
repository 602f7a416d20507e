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


@require_http_methods(["GET", "POST"])
def report_unfollow(request, authority_slug, token):
    authority = _authority_or_404(authority_slug)
    follower = following.follower_for_stop_token(token)
    if follower is None or follower.report.authority_id != authority.pk:
        raise Http404(_("Ce lien n'est pas valable."))
    if request.method == "POST":
        # Sent twice (a double click), the second changes nothing.
        follower = following.report_unfollow(actor=None, follower=follower)
    return _private(
        render(
            request,
            "portal/reports/unfollow.html",
            {
                "authority": authority,
                "report": follower.report,
                "done": follower.anonymised_at is not None,
            },
        )
    )


@require_http_methods(["GET", "POST"])
def report_follow_confirm(request, authority_slug, token):
    authority = _authority_or_404(authority_slug)
    follower = following.follower_for_confirm_token(token)
    if follower is None or follower.report.authority_id != authority.pk:
        raise Http404(_("Ce lien n'est pas valable."))
    if request.method == "POST":
        follower = following.report_follow_confirm(actor=None, follower=follower)
    return _private(
        render(
            request,
            "portal/reports/follow_confirm.html",
            {"authority": authority, "report": follower.report, "follower": follower},
        )
    )
