"""Pathway tracking for advisors, under /suivi/ (French URLs, HOUSE)."""

from django.urls import path

from .acts import views as act_views
from .applications import views as application_views
from .gdpr import views as gdpr_views
from .notifications import views as notification_views
from .persons import views
from .plans import views as plan_views
from .referential_admin import views as referential_views
from .referrals import views as referral_views
from .tokens import views as token_views

app_name = "pathways"

urlpatterns = [
    # --- Referrals, applications, acts (referrals/, applications/, acts/) ------------------------
    path("orientations/", referral_views.referral_inbox, name="referral_inbox"),
    path("orientations/export.csv", referral_views.referral_inbox_csv, name="referral_inbox_csv"),
    path("personnes/<uuid:uuid>/orienter/", referral_views.referral_create, name="referral_create"),
    path("orientations/<uuid:uuid>/", referral_views.referral_detail, name="referral_detail"),
    path(
        "orientations/<uuid:uuid>/vue/",
        referral_views.referral_mark_received,
        name="referral_mark_received",
    ),
    path(
        "orientations/<uuid:uuid>/accepter/",
        referral_views.referral_answer,
        {"action": "accept"},
        name="referral_accept",
    ),
    path(
        "orientations/<uuid:uuid>/refuser/",
        referral_views.referral_answer,
        {"action": "decline"},
        name="referral_decline",
    ),
    path(
        "orientations/<uuid:uuid>/rediriger/",
        referral_views.referral_answer,
        {"action": "redirect"},
        name="referral_redirect",
    ),
    path(
        "orientations/<uuid:uuid>/premier-rendez-vous/",
        referral_views.referral_answer,
        {"action": "first_meeting"},
        name="referral_first_meeting",
    ),
    path(
        "orientations/<uuid:uuid>/cloture/",
        referral_views.referral_answer,
        {"action": "close"},
        name="referral_close",
    ),
    path(
        "orientations/<uuid:uuid>/annulation/",
        referral_views.referral_answer,
        {"action": "cancel"},
        name="referral_cancel",
    ),
    path(
        "personnes/<uuid:uuid>/candidater/",
        application_views.application_create,
        name="application_create",
    ),
    path(
        "candidatures/<uuid:uuid>/",
        application_views.application_detail,
        name="application_detail",
    ),
    path(
        "candidatures/<uuid:uuid>/statut/",
        application_views.application_status,
        name="application_status",
    ),
    path(
        "sessions/<uuid:uuid>/candidatures/",
        application_views.session_applicants,
        name="session_applicants",
    ),
    path("actes/nouveau/", act_views.act_create, name="act_create"),
    path("actes/participants/", act_views.act_attendees, name="act_attendees"),
    path(
        "personnes/<uuid:uuid>/actes/nouveau/",
        act_views.person_act_create,
        name="person_act_create",
    ),
    # --- Home, persons, consents, notes, plan, projects, outcomes (persons/, plans/, acts/) ----
    path("", views.home, name="home"),
    path("personnes/", views.person_list, name="person_list"),
    path("personnes/export.csv", views.person_list_csv, name="person_list_csv"),
    path("personnes/nouvelle/", views.person_create, name="person_create"),
    path("personnes/<uuid:uuid>/", views.person_detail, name="person_detail"),
    path("personnes/<uuid:uuid>/modifier/", views.person_edit, name="person_edit"),
    path("personnes/<uuid:uuid>/consentements/", views.consent_add, name="consent_add"),
    path(
        "personnes/<uuid:uuid>/consentements/<int:pk>/retrait/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("personnes/<uuid:uuid>/notes/", views.note_add, name="note_add"),
    path("personnes/<uuid:uuid>/plan/", plan_views.plan_edit, name="plan_edit"),
    path("personnes/<uuid:uuid>/projets/", views.project_create, name="project_create"),
    path("projets/<uuid:uuid>/", views.project_edit, name="project_edit"),
    path("personnes/<uuid:uuid>/sorties/", act_views.outcome_create, name="outcome_create"),
    # --- GDPR, merge, notifications (gdpr/, notifications/) -------------------------------------
    path(
        "personnes/<uuid:uuid>/donnees.json",
        gdpr_views.person_export_json,
        name="person_export_json",
    ),
    path(
        "personnes/<uuid:uuid>/donnees.pdf",
        gdpr_views.person_export_pdf,
        name="person_export_pdf",
    ),
    path("personnes/<uuid:uuid>/effacer/", gdpr_views.person_erase, name="person_erase"),
    path("personnes/<uuid:uuid>/fusionner/", gdpr_views.person_merge, name="person_merge"),
    path(
        "personnes/<uuid:uuid>/fusions/<int:pk>/separer/",
        gdpr_views.person_merge_undo,
        name="person_merge_undo",
    ),
    path("notifications/", notification_views.notifications, name="notifications"),
    # --- API tokens (tokens/) --------------------------------------------------------------------
    path("structures/<slug:slug>/jetons/", token_views.api_tokens, name="api_tokens"),
    path(
        "structures/<slug:slug>/jetons/<int:pk>/revocation/",
        token_views.api_token_revoke,
        name="api_token_revoke",
    ),
    # --- Referentials extended by coordinators (referential_admin/) -----------------------------
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
