"""API keys of the Open311 interface (administrators): the list, a new key whose secret is
shown once, and revoking one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guichet.api import services
from guichet.api.models import ApiKey
from guichet.www.backoffice.access import authority_admin_required


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Système qui l'utilisera"), max_length=100)
    rate_per_minute = forms.IntegerField(
        label=gettext_lazy("Requêtes par minute"), min_value=1, max_value=10_000, initial=60
    )


def _page(request, form, *, secret: str = "", new_key=None, status=200):
    keys = ApiKey.objects.filter(authority=request.authority).select_related("created_by")
    context = {
        "authority": request.authority,
        "keys": keys,
        "form": form,
        "secret": secret,
        "new_key": new_key,
        "endpoint": request.build_absolute_uri(reverse("open311:discovery", args=["json"])),
    }
    response = render(request, "backoffice/api_keys/list.html", context, status=status)
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@require_GET
@authority_admin_required
def api_keys(request):
    return _page(request, ApiKeyForm())


@require_POST
@authority_admin_required
def api_key_create(request):
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        key, secret = services.api_key_create(
            actor=request.user,
            authority=request.authority,
            name=form.cleaned_data["name"],
            rate_per_minute=form.cleaned_data["rate_per_minute"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(request, form, status=400)
    # The secret is never stored: this page is the only time it is shown.
    return _page(request, ApiKeyForm(), secret=secret, new_key=key)


@require_POST
@authority_admin_required
def api_key_revoke(request, pk: int):
    key = ApiKey.objects.filter(authority=request.authority, pk=pk).first()
    if key is None:
        raise Http404(_("Clé introuvable."))
    services.api_key_revoke(actor=request.user, key=key)
    messages.success(request, _("La clé « %(name)s » est révoquée.") % {"name": key.name})
    return redirect("backoffice:api_keys")
