"""Back-office pages of guichet.register, in the backoffice namespace."""

from django.urls import path

from guichet.www.backoffice.views import register

urlpatterns = [
    path("", register.register_list, name="register_list"),
    path("enregistrer/", register.register_create, name="register_create"),
    path("depart/", register.register_create_outgoing, name="register_create_outgoing"),
    path("<int:pk>/", register.register_detail, name="register_detail"),
    path("<int:pk>/avis-de-reception/", register.register_receipt, name="register_receipt"),
    path("<int:pk>/suite-donnee/", register.register_follow_up, name="register_follow_up"),
    path("<int:pk>/scans/<int:attachment_pk>/", register.register_scan, name="register_scan"),
    path("export/", register.register_export, name="register_export"),
    path("liste-du-jour/", register.register_daily, name="register_daily"),
]
