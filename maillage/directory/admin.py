from django.contrib import admin

from .models import Network, Structure


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "legal_form", "city", "siret"]
    list_filter = ["legal_form", "networks"]
    search_fields = ["name", "siret", "city"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["networks"]
