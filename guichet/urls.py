from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from guichet.www.portal import views as portal_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("langue/", set_language, name="set_language"),
    path("theme/<slug:slug>.css", portal_views.theme_css, name="theme"),
    path("accessibilite/", portal_views.accessibility, name="accessibility"),
    path("donnees-personnelles/", portal_views.privacy, name="privacy"),
    path("compte/", include("guichet.accounts.urls")),
    path("agents/", include("guichet.www.backoffice.urls")),
    path("<slug:authority_slug>/", include("guichet.www.portal.urls")),
]
