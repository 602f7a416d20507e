"""Back-office pages of acknowledgements of receipt, in the backoffice namespace."""

from django.urls import path

from guichet.www.backoffice.views import acknowledgements

urlpatterns = [
    path(
        "<int:pk>/",
        acknowledgements.acknowledgement_send_page,
        name="acknowledgement_send",
    ),
]
