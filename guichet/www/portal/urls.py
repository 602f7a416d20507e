from django.urls import include, path

from guichet.www.portal import catalogue, following, reports, views

app_name = "portal"
urlpatterns = [
    path("", views.authority_home, name="home"),
    path("demande/", views.case_new, name="case_new"),
    path("demande/<str:reference>/envoyee/", views.case_submitted, name="case_submitted"),
    path("mes-demandes/", views.my_cases, name="my_cases"),
    path("mes-demandes/<str:reference>/", views.case_detail, name="case_detail"),
    path(
        "mes-demandes/<str:reference>/pieces-jointes/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("suivi/<str:token>/", views.track, name="track"),
    path(
        "signalements/ne-plus-suivre/<str:token>/",
        following.report_unfollow,
        name="report_unfollow",
    ),
    path(
        "signalements/confirmer/<str:token>/",
        following.report_follow_confirm,
        name="report_follow_confirm",
    ),
    path("signalements/", include(reports.report_urlpatterns)),
    path("demarches/", catalogue.procedures, name="procedures"),
    path("demarches/<int:pk>/", catalogue.procedure, name="procedure"),
    path("algorithmes/", catalogue.algorithms, name="algorithms"),
    # The same name: reverse() picks the pattern by the arguments given.
    path(
        "suivi/<str:token>/pieces-jointes/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
]
