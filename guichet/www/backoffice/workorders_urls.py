from django.urls import path

from guichet.www.backoffice.views import workorders

urlpatterns = [
    path("", workorders.work_order_day, name="workorder_day"),
    path("equipes/", workorders.teams, name="workorder_teams"),
    path("equipes/<int:pk>/", workorders.teams, name="workorder_team_edit"),
    path(
        "signalements/<int:report_pk>/nouveau/",
        workorders.work_order_new,
        name="workorder_new",
    ),
    path("<int:pk>/", workorders.work_order_detail, name="workorder_detail"),
    path("<int:pk>/clore/", workorders.work_order_close, name="workorder_close"),
    path(
        "<int:pk>/photos/<int:photo_pk>/",
        workorders.work_order_photo,
        name="workorder_photo",
    ),
    path(
        "<int:pk>/photos/<int:photo_pk>/vignette/",
        workorders.work_order_photo,
        {"size": "thumbnail"},
        name="workorder_photo_thumbnail",
    ),
    path("<int:pk>/replanifier/", workorders.work_order_reschedule, name="workorder_reschedule"),
    path("<int:pk>/annuler/", workorders.work_order_cancel, name="workorder_cancel"),
]
