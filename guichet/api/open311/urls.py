"""Open311 GeoReport v2, under /open311/: discovery, and the endpoints under v2/."""

from django.urls import re_path

from guichet.api.open311 import views

FMT = r"(?P<fmt>xml|json)"

app_name = "open311"
urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^v2/services\.{FMT}$", views.services, name="services"),
    re_path(rf"^v2/services/(?P<code>[^/.]+)\.{FMT}$", views.service_definition, name="service"),
    re_path(rf"^v2/requests\.{FMT}$", views.requests_view, name="requests"),
    re_path(rf"^v2/requests/(?P<request_id>[^/]+?)\.{FMT}$", views.request_detail, name="request"),
    re_path(rf"^v2/tokens/(?P<token>[^/.]+)\.{FMT}$", views.token_detail, name="token"),
    re_path(rf"^v2/servicerequestupdates\.{FMT}$", views.request_updates, name="updates"),
]
