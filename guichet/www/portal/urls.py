from django.urls import path

from guichet.www.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.authority_home, name="home"),
    path("suivi/<str:token>/", views.track, name="track"),
]
