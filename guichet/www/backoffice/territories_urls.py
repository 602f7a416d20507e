"""Back-office pages of territories (administrators), in the backoffice namespace."""

from django.urls import path

from guichet.www.backoffice.views import territories

urlpatterns = [
    path("", territories.territories, name="territories"),
    path("nouveau/", territories.territory_create, name="territory_create"),
    path("importer/", territories.territory_import, name="territory_import"),
    path("geojson/", territories.territory_geojson, name="territory_geojson"),
    path("<int:pk>/", territories.territory_edit, name="territory_edit"),
    path("<int:pk>/supprimer/", territories.territory_delete, name="territory_delete"),
]
