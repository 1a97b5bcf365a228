"""Report pages for the network, its structures and its funders."""

from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.network_report, name="network"),
    path(
        "<slug:slug>/ventilations/<slug:code>/",
        views.network_breakdowns,
        name="network_breakdowns",
    ),
    path("<slug:slug>/rapport.xlsx", views.network_xlsx, name="network_xlsx"),
    path("<slug:slug>/indicateurs.csv", views.network_csv, name="network_csv"),
    path("<slug:slug>/rapport.pdf", views.network_pdf, name="network_pdf"),
    path("<slug:slug>/personnes.csv", views.network_persons_csv, name="network_persons_csv"),
]
