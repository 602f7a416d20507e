from django.contrib import admin

from guichet.cases.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["label", "parent", "default_service", "delay_days", "silence_rule", "is_active"]
    list_filter = ["authority", "silence_rule", "is_active", "is_public_space"]
    search_fields = ["label", "description"]
