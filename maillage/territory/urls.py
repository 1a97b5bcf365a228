from django.urls import path

from . import views
from .frameworks import views as framework_views

app_name = "territory"

urlpatterns = [
    path("", views.index, name="index"),
    path("ouvrir/", views.open_system, name="open_system"),
    path("<int:pk>/", views.system_detail, name="system"),
    path("<int:pk>/comparer/", views.compare, name="compare"),
    path("instantanes/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("instantanes/<int:pk>/valider/", views.validate, name="validate"),
    path("instantanes/<int:pk>/positionnement/", views.positioning, name="positioning"),
    path("instantanes/<int:pk>/acteurs/<int:actor_pk>/", views.actor_profile, name="actor_profile"),
    path(
        "instantanes/<int:pk>/acteurs/<int:actor_pk>/retirer/",
        views.remove_actor,
        name="remove_actor",
    ),
    path("utilite-sociale/", framework_views.framework_list, name="frameworks"),
    path(
        "utilite-sociale/modeles/", framework_views.framework_templates, name="framework_templates"
    ),
    path("utilite-sociale/importer/", framework_views.framework_import, name="framework_import"),
    path("utilite-sociale/<int:pk>/", framework_views.framework_detail, name="framework"),
    path(
        "utilite-sociale/<int:pk>/nouvelle-version/",
        framework_views.framework_new_version,
        name="framework_new_version",
    ),
    path(
        "utilite-sociale/<int:pk>/continuites/",
        framework_views.framework_continuity,
        name="framework_continuity",
    ),
    path(
        "utilite-sociale/<int:pk>/modele/",
        framework_views.framework_publish,
        name="framework_publish",
    ),
    path(
        "utilite-sociale/<int:pk>/definition.yaml",
        framework_views.framework_definition_file,
        name="framework_definition",
    ),
    path(
        "utilite-sociale/<int:pk>/valeurs/",
        framework_views.framework_values,
        name="framework_values",
    ),
    path("utilite-sociale/<int:pk>/xlsx/", framework_views.framework_export, name="framework_xlsx"),
    path(
        "utilite-sociale/<int:pk>/rapport.pdf",
        framework_views.framework_proof_pdf,
        name="framework_proof_pdf",
    ),
    path(
        "utilite-sociale/<int:pk>/rapport.xlsx",
        framework_views.framework_proof_export,
        name="framework_proof_xlsx",
    ),
    path("instantanes/<int:pk>/relations/<int:a_pk>-<int:b_pk>/", views.relation, name="relation"),
]
