from django.urls import path

from guichet.www.backoffice.views import reports

urlpatterns = [
    path("", reports.reports_map, name="reports_map"),
    path("carte.geojson", reports.reports_geojson, name="reports_geojson"),
    path("<int:pk>/etat/", reports.report_status, name="report_status"),
    path("<int:pk>/doublon/", reports.report_duplicate, name="report_duplicate"),
]
