"""Back-office pages of API keys (administrators), in the backoffice namespace."""

from django.urls import path

from guichet.www.backoffice.views import api_keys

urlpatterns = [
    path("", api_keys.api_keys, name="api_keys"),
    path("nouvelle/", api_keys.api_key_create, name="api_key_create"),
    path("<int:pk>/revoquer/", api_keys.api_key_revoke, name="api_key_revoke"),
]
