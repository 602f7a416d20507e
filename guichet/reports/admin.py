from django.contrib import admin

from guichet.reports.models import CategoryField, ReportCategorySettings


@admin.register(ReportCategorySettings)
class ReportCategorySettingsAdmin(admin.ModelAdmin):
    """How close and how recent two reports of a category must be to be offered as the
    same problem (instance configuration: reports themselves are not registered here)."""

    list_display = ["category", "intervention_hours", "nearby_radius_meters", "nearby_days"]
    list_filter = ["category__authority"]
    raw_id_fields = ["category"]


@admin.register(CategoryField)
class CategoryFieldAdmin(admin.ModelAdmin):
    """The extra questions of a public-space category, asked on the portal form and
    offered to Open311 clients as the service's attributes. For a list, `values` is
    [{"key": "…", "name": "…"}, …]."""

    list_display = ["label", "code", "category", "datatype", "required", "order"]
    list_filter = ["category__authority", "datatype"]
    raw_id_fields = ["category"]
    ordering = ["category", "order", "id"]
