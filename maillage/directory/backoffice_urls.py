"""URLs of the backoffice part of the directory (see maillage/urls.py for the prefix)."""

from django.urls import path

from . import backoffice_views as views

app_name = "backoffice"

_structure = "structures/<slug:slug>/"
_offer = _structure + "offres/<slug:offer_slug>/"
_network = "reseaux/<slug:slug>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(_structure, views.structure_edit, name="structure_edit"),
    path(_structure + "historique/", views.structure_history, name="structure_history"),
    path(_structure + "offres/", views.offer_list, name="offer_list"),
    path(_structure + "nouvelle-offre/", views.offer_create, name="offer_create"),
    path(_offer, views.offer_edit, name="offer_edit"),
    path(_offer + "supprimer/", views.offer_delete, name="offer_delete"),
    path(_offer + "historique/", views.offer_history, name="offer_history"),
    path(_offer + "sessions/", views.session_list, name="session_list"),
    path(_offer + "sessions/nouvelle/", views.session_create, name="session_create"),
    path(_offer + "sessions/<int:pk>/", views.session_edit, name="session_edit"),
    path(_offer + "sessions/<int:pk>/supprimer/", views.session_delete, name="session_delete"),
    path(_network + "etapes/", views.stage_list, name="stage_list"),
    path(_network + "nouvelle-etape/", views.stage_create, name="stage_create"),
    path(_network + "etapes/<slug:stage_slug>/", views.stage_edit, name="stage_edit"),
    path(_network + "etapes/<slug:stage_slug>/deplacer/", views.stage_move, name="stage_move"),
]
