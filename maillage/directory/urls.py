"""The public site of the directory (no login). URLs in French, as the visitors read them."""

from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("reseau/<slug:slug>/", views.network_home, name="network_home"),
    path("reseau/<slug:slug>/parcours/", views.pathway_map, name="map"),
    path("reseau/<slug:slug>/etapes/<slug:stage_slug>/", views.stage, name="stage"),
    path("reseau/<slug:slug>/positionnements/", views.positioning, name="positioning"),
    path("structures/<slug:slug>/", views.structure, name="structure"),
    path("structures/<slug:slug>/offres/<slug:offer_slug>/", views.offer, name="offer"),
    path("recherche/", views.search, name="search"),
]
