from django.contrib import admin

from .models import AccessMode, Audience, LegalForm, Network, OfferFormat, ReceptionMode, Structure


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


# Referentials: the platform administrator extends or relabels them here; codes stay stable
# because exports (data·inclusion) and imports rely on them.
@admin.register(LegalForm, AccessMode, ReceptionMode)
class ReferentialAdmin(admin.ModelAdmin):
    list_display = ["code", "label_fr", "label_en", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["code", "label_fr", "label_en"]


@admin.register(OfferFormat)
class OfferFormatAdmin(ReferentialAdmin):
    list_display = [*ReferentialAdmin.list_display, "di_types"]


@admin.register(Audience)
class AudienceAdmin(ReferentialAdmin):
    list_display = [*ReferentialAdmin.list_display, "di_code"]
