from django.urls import path

from guichet.www.backoffice import views

app_name = "backoffice"
urlpatterns = [
    path("", views.queue, name="queue"),
]
