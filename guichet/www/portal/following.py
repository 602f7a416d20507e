"""The link in every message about a followed report: stop being told of it, without an
account. The link's secret names the follower; nothing else is needed or shown."""

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
