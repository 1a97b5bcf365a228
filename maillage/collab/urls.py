"""Pages of the network's life, under /vie-du-reseau/."""

from django.urls import path

from . import budget_views, event_views, pooling_views, views

app_name = "collab"

urlpatterns = [
    path("", views.index, name="index"),
    path("reseau/<slug:slug>/groupes/nouveau/", views.group_create, name="group_create"),
    path("groupes/<uuid:uuid>/", views.group_detail, name="group"),
    path("groupes/<uuid:uuid>/modifier/", views.group_edit, name="group_edit"),
    path("groupes/<uuid:uuid>/rejoindre/", views.group_join, name="group_join"),
    path(
        "groupes/<uuid:uuid>/demandes/<int:pk>/accepter/", views.group_approve, name="group_approve"
    ),
    path(
        "groupes/<uuid:uuid>/demandes/<int:pk>/refuser/", views.group_decline, name="group_decline"
    ),
    path("groupes/<uuid:uuid>/reunions/nouvelle/", views.meeting_create, name="meeting_create"),
    path("groupes/<uuid:uuid>/calendrier.ics", views.group_feed, name="group_feed"),
    path("reunions/<uuid:uuid>/", views.meeting_detail, name="meeting"),
    path("reunions/<uuid:uuid>/modifier/", views.meeting_edit, name="meeting_edit"),
    path("reunions/<uuid:uuid>/ordre-du-jour/", views.meeting_propose, name="meeting_propose"),
    path("reunions/<uuid:uuid>/presences/", views.meeting_attendance, name="meeting_attendance"),
    path("reunions/<uuid:uuid>/points/<int:item>/", views.item_minutes, name="item_minutes"),
    path("reunions/<uuid:uuid>/compte-rendu/etat/", views.minutes_move, name="minutes_move"),
    path("reunions/<uuid:uuid>/compte-rendu.md", views.minutes_export, name="minutes_export"),
    path("reunions/<uuid:uuid>/invitations/", views.meeting_invite, name="meeting_invite"),
    path("mes-actions/", views.my_actions, name="my_actions"),
    path("actions/<uuid:uuid>/statut/", views.action_status, name="action_status"),
    path("calendrier/", views.network_calendar, name="calendar"),
    path("calendrier.ics", views.public_feed, name="public_feed"),
    path("agenda/<str:key>.ics", views.person_feed, name="person_feed"),
    path("agenda/adresse/", views.calendar_token, name="calendar_token"),
    path("evenements/<uuid:uuid>/", views.event_detail, name="event"),
    path("reseau/<slug:slug>/evenements/nouveau/", event_views.event_create, name="event_create"),
    path("evenements/<uuid:uuid>/modifier/", event_views.event_edit, name="event_edit"),
    path("evenements/<uuid:uuid>/representation/", event_views.event_roster, name="event_roster"),
    path(
        "evenements/<uuid:uuid>/representation/<int:pk>/retirer/",
        event_views.representative_remove,
        name="representative_remove",
    ),
    path(
        "evenements/<uuid:uuid>/documents/<int:pk>/retirer/",
        event_views.document_remove,
        name="document_remove",
    ),
    path("mutualisation/", pooling_views.pooling, name="pooling"),
    path("mutualisation/<uuid:uuid>/", pooling_views.pooling_entry, name="pooling_entry"),
    path(
        "mutualisation/<uuid:uuid>/accord/",
        pooling_views.arrangement_create,
        name="arrangement_create",
    ),
    path("mutualisation/<uuid:uuid>/poste/", pooling_views.job_post_edit, name="job_post_edit"),
    path("budgets/<uuid:uuid>/", budget_views.budget_detail, name="budget"),
    path("budgets/<uuid:uuid>/budget.xlsx", budget_views.budget_export, name="budget_export"),
    path("budgets/<uuid:uuid>/import/", budget_views.budget_import, name="budget_import"),
    path(
        "groupes/<uuid:uuid>/budgets/nouveau/",
        budget_views.group_budget_create,
        name="group_budget_create",
    ),
    path("reseau/<slug:slug>/budgets/nouveau/", budget_views.budget_create, name="budget_create"),
    path("budgets/<uuid:uuid>/modifier/", budget_views.budget_edit, name="budget_edit"),
    path("budgets/<uuid:uuid>/lignes/nouvelle/", budget_views.line_edit, name="line_create"),
    path("budgets/<uuid:uuid>/lignes/<int:pk>/", budget_views.line_edit, name="line_edit"),
    path(
        "budgets/<uuid:uuid>/lignes/<int:pk>/supprimer/",
        budget_views.line_delete,
        name="line_delete",
    ),
    path(
        "budgets/<uuid:uuid>/contributions/nouvelle/",
        budget_views.contribution_edit,
        name="contribution_create",
    ),
    path(
        "budgets/<uuid:uuid>/contributions/<int:pk>/",
        budget_views.contribution_edit,
        name="contribution_edit",
    ),
    path(
        "budgets/<uuid:uuid>/contributions/<int:pk>/supprimer/",
        budget_views.contribution_delete,
        name="contribution_delete",
    ),
]
