"""URLs of the orientation part of the directory (see maillage/urls.py for the prefix): the
public questionnaire and "be contacted" form, and the advisors' inbox of contact requests."""

from django.urls import path

from . import inbox_views, orientation_views

app_name = "orientation"
urlpatterns = [
    path("reseau/<slug:slug>/orientation/", orientation_views.start, name="start"),
    path("structures/<slug:slug>/contact/", orientation_views.contact, name="contact"),
    path(
        "structures/<slug:slug>/contact/envoye/",
        orientation_views.contact_sent,
        name="contact_sent",
    ),
    path("espace/demandes/", inbox_views.inbox, name="inbox"),
    path("espace/demandes/export.csv", inbox_views.inbox_csv, name="inbox_csv"),
    path("espace/demandes/<int:pk>/", inbox_views.inbox_detail, name="inbox_detail"),
    path(
        "espace/demandes/<int:pk>/traitee/",
        inbox_views.inbox_mark_handled,
        name="inbox_mark_handled",
    ),
]
