"""Back-office pages of routing, in the backoffice namespace."""

from django.urls import path

from guichet.www.backoffice.views import routing

urlpatterns = [
    path("regles/", routing.routing_rules, name="routing_rules"),
    path("regles/nouvelle/", routing.routing_rule_create, name="routing_rule_create"),
    path("regles/<int:pk>/", routing.routing_rule_edit, name="routing_rule_edit"),
    path("regles/apercu/", routing.routing_preview, name="routing_preview"),
    path("reglages/", routing.routing_settings, name="routing_settings"),
    path("entrainer/", routing.routing_train_now, name="routing_train"),
    path("a-qualifier/", routing.routing_qualify, name="routing_qualify"),
    path("a-qualifier/<int:pk>/accepter/", routing.routing_accept, name="routing_accept"),
    path("qualite/", routing.routing_quality, name="routing_quality"),
    path("demandes/<int:pk>/transmettre/", routing.case_forward, name="case_forward"),
]
