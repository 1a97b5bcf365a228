"""Pathway tracking for advisors, under /suivi/ (French URLs, HOUSE)."""

from django.urls import path

from . import referential_views, views

app_name = "pathways"

urlpatterns = [
    # --- Referrals, applications, acts (referral_views, application_views, act_views) ---------
    path("orientations/<uuid:uuid>/", views.referral_detail, name="referral_detail"),
    # --- Home, persons, consents, notes, plan, projects, outcomes (views) ----------------------
    # --- GDPR, merge, notifications (gdpr_views, notification_views) ----------------------------
    # --- API tokens (token_views) ---------------------------------------------------------------
    # --- Referentials extended by coordinators (referential_views) ------------------------------
    path(
        "referentiels/<slug:slug>/",
        referential_views.referential_list,
        name="referential_list",
    ),
    path(
        "referentiels/<slug:slug>/<slug:kind>/ajouter/",
        referential_views.referential_add,
        name="referential_add",
    ),
    path(
        "referentiels/<slug:slug>/<slug:kind>/<int:pk>/basculer/",
        referential_views.referential_toggle,
        name="referential_toggle",
    ),
]
