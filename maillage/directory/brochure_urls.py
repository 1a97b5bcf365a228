"""URLs of the brochure part of the directory (see maillage/urls.py for the prefix)."""

from django.urls import path

from . import brochure_views

app_name = "brochure"
urlpatterns = [
    path("brochure.pdf", brochure_views.default_pdf, name="pdf"),
    path("reseau/<slug:slug>/brochure.pdf", brochure_views.network_pdf, name="network_pdf"),
    path("reseau/<slug:slug>/brochure/", brochure_views.html, name="html"),
]
