from django.contrib.auth import views as auth_views
from django.urls import path

from . import team_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("structures/<slug:slug>/equipe/", team_views.structure_team, name="structure_team"),
    path(
        "structures/<slug:slug>/equipe.csv",
        team_views.structure_team_csv,
        name="structure_team_csv",
    ),
    path(
        "structures/<slug:slug>/equipe/<int:pk>/role/",
        team_views.structure_member_role,
        name="structure_member_role",
    ),
    path(
        "structures/<slug:slug>/equipe/<int:pk>/retirer/",
        team_views.structure_member_remove,
        name="structure_member_remove",
    ),
    path("reseaux/<slug:slug>/roles/", team_views.network_team, name="network_team"),
    path("reseaux/<slug:slug>/roles.csv", team_views.network_team_csv, name="network_team_csv"),
    path(
        "reseaux/<slug:slug>/roles/<int:pk>/retirer/",
        team_views.network_member_remove,
        name="network_member_remove",
    ),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
