"""Pathway tracking for advisors, under /suivi/ (French URLs, HOUSE)."""

from django.urls import path

from . import views

app_name = "pathways"

urlpatterns = [
    # --- Referrals, applications, acts (referral_views, application_views, act_views) ---------
    path("orientations/<uuid:uuid>/", views.referral_detail, name="referral_detail"),
    # --- Home, persons, consents, notes, plan, projects, outcomes (views) ----------------------
    # --- GDPR, merge, notifications (gdpr_views, notification_views) ----------------------------
    # --- API tokens (token_views) ---------------------------------------------------------------
]
