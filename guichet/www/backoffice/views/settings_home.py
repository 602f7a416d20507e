"""The administrator's entry to the authority's settings pages."""

from __future__ import annotations

from django.shortcuts import render

from guichet.www.backoffice.access import authority_admin_required


@authority_admin_required
def settings_home(request):
    return render(request, "backoffice/settings_home.html", {"authority": request.authority})
