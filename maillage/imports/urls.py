"""Spreadsheet imports into a structure: upload, mapping, dry run, commit, history, undo."""

from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "modeles/<slug:entity>.<slug:file_format>",
        views.template_file,
        name="template_file",
    ),
    path("<uuid:uuid>/", views.run_detail, name="run"),
    path("<uuid:uuid>/correspondance/", views.mapping, name="mapping"),
    path("<uuid:uuid>/simulation/", views.dry_run, name="dry_run"),
    path("<uuid:uuid>/doublons/", views.duplicates, name="duplicates"),
    path("<uuid:uuid>/valeurs/", views.map_values, name="map_values"),
    path(
        "<uuid:uuid>/sans-identifiant/",
        views.confirm_no_identifier,
        name="confirm_no_identifier",
    ),
    path("<uuid:uuid>/importer/", views.commit, name="commit"),
    path("<uuid:uuid>/progression/", views.progress, name="progress"),
    path("<uuid:uuid>/progression/etat/", views.progress_fragment, name="progress_fragment"),
    path("<uuid:uuid>/resultat/", views.result, name="result"),
    path("<uuid:uuid>/erreurs.csv", views.error_report, name="error_report"),
    path("<uuid:uuid>/annuler/", views.undo, name="undo"),
    path("<uuid:uuid>/relancer/", views.retry, name="retry"),
    path("<uuid:uuid>/abandonner/", views.cancel, name="cancel"),
]
