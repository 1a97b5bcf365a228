from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:network>/nouvelle/", views.create, name="create"),
    path("<slug:network>/importer/", views.import_sheets, name="import"),
    path("<slug:network>/familles/<slug:family>/classeur.pdf", views.binder, name="binder"),
    path("<slug:network>/familles/<slug:family>/export.zip", views.export, name="export"),
    path("<slug:network>/familles/<slug:family>/liens/", views.graph, name="graph"),
    path("<slug:network>/<str:code>/", views.sheet, name="sheet"),
    path("<slug:network>/<str:code>/versions/", views.versions, name="versions"),
    path("<slug:network>/<str:code>/modifier/", views.edit, name="edit"),
    path("<slug:network>/<str:code>/proposer/", views.propose, name="propose"),
    path("<slug:network>/<str:code>/relecture/", views.review, name="review"),
]
