from django.urls import path

from guichet.www.backoffice.views import reports

urlpatterns = [
    path("", reports.reports_map, name="reports_map"),
    path("carte.geojson", reports.reports_geojson, name="reports_geojson"),
    path("<int:pk>/etat/", reports.report_status, name="report_status"),
    path("<int:pk>/doublon/", reports.report_duplicate, name="report_duplicate"),
    path("<int:pk>/publication/", reports.report_publication, name="report_publication"),
    path("<int:pk>/photos/<int:photo_id>/", reports.report_photo, name="report_photo"),
    path(
        "<int:pk>/photos/<int:photo_id>/vignette/",
        reports.report_photo,
        {"size": "thumbnail"},
        name="report_thumbnail",
    ),
    path(
        "<int:pk>/photos/<int:photo_id>/publication/",
        reports.report_photo_publication,
        name="report_photo_publication",
    ),
]
