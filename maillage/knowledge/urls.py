from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("donnees-ouvertes/fiches.csv", views.open_data, name="open_data"),
    path("<slug:network>/referentiel/", views.referential, name="referential"),
    path("<slug:network>/referentiel/familles/nouvelle/", views.family_edit, name="family_create"),
    path(
        "<slug:network>/referentiel/familles/<slug:family>/", views.family_edit, name="family_edit"
    ),
    path(
        "<slug:network>/referentiel/liens/nouveau/", views.link_type_edit, name="link_type_create"
    ),
    path(
        "<slug:network>/referentiel/liens/<slug:code>/", views.link_type_edit, name="link_type_edit"
    ),
    path("<slug:network>/classeur/", views.chosen_binder, name="chosen_binder"),
    path("<slug:network>/nouvelle/", views.create, name="create"),
    path("<slug:network>/importer/", views.import_sheets, name="import"),
    path("<slug:network>/familles/<slug:family>/classeur.pdf", views.binder, name="binder"),
    path(
        "<slug:network>/familles/<slug:family>/classeur.html", views.binder_page, name="binder_page"
    ),
    path("<slug:network>/familles/<slug:family>/export.zip", views.export, name="export"),
    path("<slug:network>/familles/<slug:family>/liens/", views.graph, name="graph"),
    path("<slug:network>/<str:code>/", views.sheet, name="sheet"),
    path("<slug:network>/<str:code>/versions/", views.versions, name="versions"),
    path("<slug:network>/<str:code>/modifier/", views.edit, name="edit"),
    path("<slug:network>/<str:code>/proposer/", views.propose, name="propose"),
    path("<slug:network>/<str:code>/relecture/", views.review, name="review"),
    path("<slug:network>/<str:code>/sujets/", views.subjects, name="subjects"),
    path("<slug:network>/<str:code>/fichiers/", views.attachment_add, name="attachment_add"),
    path(
        "<slug:network>/<str:code>/fichiers/<uuid:uuid>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "<slug:network>/<str:code>/fichiers/<uuid:uuid>/retirer/",
        views.attachment_remove,
        name="attachment_remove",
    ),
]
