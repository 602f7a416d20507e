from django.contrib import admin

from guichet.authorities.models import Authority, Membership, Service


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siren", "city"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "authority"]
    list_filter = ["authority", "kind"]
    search_fields = ["name", "keywords"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "service", "authority"]
    list_filter = ["authority", "role"]
    autocomplete_fields = ["user", "service"]
