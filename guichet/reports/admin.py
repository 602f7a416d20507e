from django.contrib import admin

from guichet.reports.models import ReportCategorySettings


@admin.register(ReportCategorySettings)
class ReportCategorySettingsAdmin(admin.ModelAdmin):
    """How close and how recent two reports of a category must be to be offered as the
    same problem (instance configuration: reports themselves are not registered here)."""

    list_display = ["category", "nearby_radius_meters", "nearby_days"]
    list_filter = ["category__authority"]
    raw_id_fields = ["category"]
