"""Open data under /open-data/: data·inclusion exports, CSV lists, the HSDS 3 API, and the
back office of a network's outside resources (imported data·inclusion files)."""

from django.urls import path

from . import hsds_views, resources_views, views

app_name = "interop"
urlpatterns = [
    path("data-inclusion/structures.json", views.di_structures, name="di_structures"),
    path("data-inclusion/services.json", views.di_services, name="di_services"),
    path("structures.csv", views.structures_csv, name="structures_csv"),
    path("offres.csv", views.offers_csv, name="offers_csv"),
    path("hsds/", hsds_views.root, name="hsds_root"),
    path("hsds/openapi.json", hsds_views.openapi, name="hsds_openapi"),
    path("hsds/services", hsds_views.services, name="hsds_services"),
    path("hsds/services/<str:id>", hsds_views.service, name="hsds_service"),
    path("hsds/organizations", hsds_views.organizations, name="hsds_organizations"),
    path("hsds/organizations/<str:id>", hsds_views.organization, name="hsds_organization"),
    path(
        "reseaux/<slug:slug>/ressources/",
        resources_views.outside_resources,
        name="outside_resources",
    ),
    path(
        "reseaux/<slug:slug>/ressources.csv",
        resources_views.outside_resources_csv,
        name="outside_resources_csv",
    ),
]
