from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("nouvelle/", views.create, name="create"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/vers-le-plan/", views.to_plan, name="to_plan"),
    path("<uuid:uuid>/evaluation.pdf", views.export_pdf, name="export_pdf"),
    path("<uuid:uuid>/evaluation.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<uuid:uuid>/comparer/<uuid:other>/", views.comparison, name="comparison"),
    path("sessions/<uuid:session>/avant-apres/<slug:family>/", views.cohort, name="cohort"),
    path("comites/nouveau/", views.committee_create, name="committee_create"),
    path("comites/<uuid:uuid>/", views.committee, name="committee"),
    path(
        "comites/<uuid:uuid>/candidatures/<uuid:application>/",
        views.committee_score,
        name="committee_score",
    ),
    path(
        "comites/<uuid:uuid>/candidatures/<uuid:application>/consensus/",
        views.committee_consensus,
        name="committee_consensus",
    ),
]

urlpatterns += [
    path("seances/nouvelle/", views.appraisal_create, name="appraisal_create"),
    path("seances/<uuid:uuid>/", views.appraisal, name="appraisal"),
    path("seances/<uuid:uuid>/tableau/", views.appraisal_board, name="appraisal_board"),
    path("seances/<uuid:uuid>/rejouer/", views.appraisal_replay, name="appraisal_replay"),
]
