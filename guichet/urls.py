from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from guichet.www.portal import views as portal_views

# The Django administration configures the whole instance (authorities, services,
# memberships, categories): it is for the instance's superusers only. Personal data (cases,
# contacts) is not registered there at all.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = "Guichet — administration"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("langue/", set_language, name="set_language"),
    path("theme/<slug:slug>.css", portal_views.theme_css, name="theme"),
    path("accessibilite/", portal_views.accessibility, name="accessibility"),
    path("donnees-personnelles/", portal_views.privacy, name="privacy"),
    path("compte/", include("guichet.accounts.urls")),
    path("agents/", include("guichet.www.backoffice.urls")),
    # Gateways call these (SMS providers); each checks its own secret.
    path("passerelles/", include("guichet.telephony.urls")),
    path("open311/", include("guichet.api.open311.urls")),
    path("<slug:authority_slug>/", include("guichet.www.portal.urls")),
]
