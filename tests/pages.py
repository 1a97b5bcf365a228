"""Every page of the product, as the browser tests scan them with axe.

`PAGES` lists the HTML pages; `NOT_PAGES` the other URLs, each with why it is not a page.
tests/core/test_page_registry.py fails when a URL is in neither, so a new page cannot skip the
accessibility scan (tests/browser/test_every_page.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    url_name: str
    # Who looks at it: None for an anonymous visitor, else a role of `world` below.
    as_role: str | None = None
    kwargs: Callable[[dict], dict] = field(default=lambda world: {})
    # A phrase the page must show (proves it is the real page, not a redirect to the login).
    shows: str = ""

    def __str__(self):
        return f"{self.url_name} as {self.as_role or 'anonymous'}"


PAGES = [
    Page("home", shows="Réseau test"),
    Page("directory:network_home", kwargs=lambda w: {"slug": w["network"].slug}, shows="Intermade"),
    Page("directory:map", kwargs=lambda w: {"slug": w["network"].slug}, shows="Starter"),
    Page(
        "directory:stage",
        kwargs=lambda w: {"slug": w["network"].slug, "stage_slug": w["stage"].slug},
        shows="Starter",
    ),
    Page(
        "directory:positioning",
        kwargs=lambda w: {"slug": w["network"].slug},
        shows="Nous accompagnons des projets collectifs.",
    ),
    Page("directory:structure", kwargs=lambda w: {"slug": w["structure"].slug}, shows="Starter"),
    Page(
        "directory:offer",
        kwargs=lambda w: {"slug": w["structure"].slug, "offer_slug": w["offer"].slug},
        shows="Maison des associations",
    ),
    Page("directory:search", shows="Rechercher dans l'annuaire"),
    Page("accounts:login", shows="Se connecter"),
    Page("accounts:password_reset", shows="Mot de passe oublié"),
    Page("accounts:password_reset_done", shows="Consultez vos e-mails"),
    Page(
        "accounts:password_reset_confirm",
        kwargs=lambda world: {"uidb64": "MQ", "token": "lien-perime"},
        shows="n'est plus valable",
    ),
    Page("accounts:password_reset_complete", shows="Mot de passe modifié"),
    Page("accounts:account", as_role="advisor", shows="Mes rôles"),
    Page("accounts:password_change", as_role="advisor", shows="Changer mon mot de passe"),
    Page(
        "accounts:structure_team",
        as_role="structure_admin",
        kwargs=lambda world: {"slug": world["structure"].slug},
        shows="Équipe d'Intermade",
    ),
    Page(
        "accounts:structure_member_remove",
        as_role="structure_admin",
        kwargs=lambda world: {
            "slug": world["structure"].slug,
            "pk": world["advisor_membership"].pk,
        },
        shows="Retirer",
    ),
    Page(
        "accounts:network_team",
        as_role="coordinator",
        kwargs=lambda world: {"slug": world["network"].slug},
        shows="Rôles dans",
    ),
    Page(
        "accounts:network_member_remove",
        as_role="coordinator",
        kwargs=lambda world: {"slug": world["network"].slug, "pk": world["funder_role"].pk},
        shows="Retirer le rôle",
    ),
    Page("brochure:html", kwargs=lambda w: {"slug": w["network"].slug}, shows="Sommaire"),
    # Orientation and contact requests (engineer C).
    Page(
        "orientation:start",
        kwargs=lambda w: {"slug": w["network"].slug},
        shows="Où en est votre projet aujourd'hui ?",
    ),
    Page(
        "orientation:contact",
        kwargs=lambda w: {"slug": w["structure"].slug},
        shows="Être recontacté·e par Intermade",
    ),
    Page(
        "orientation:contact_sent",
        kwargs=lambda w: {"slug": w["structure"].slug},
        shows="Votre demande a bien été envoyée",
    ),
    Page("orientation:inbox", as_role="advisor", shows="Demandes de contact"),
    Page(
        "orientation:inbox_detail",
        as_role="advisor",
        kwargs=lambda w: {"pk": w["contact_request"].pk},
        shows="Réponses à l'orientation",
    ),
]


def _structure(world):
    return {"slug": world["structure"].slug}


def _offer(world):
    return {"slug": world["structure"].slug, "offer_slug": world["offer"].slug}


def _session(world):
    return {**_offer(world), "pk": world["session"].pk}


def _stage(world):
    return {"slug": world["network"].slug, "stage_slug": world["stage"].slug}


# The directory's back office (engineer E).
PAGES += [
    Page("backoffice:dashboard", as_role="structure_admin", shows="Mon annuaire"),
    Page("backoffice:structure_edit", "structure_admin", _structure, "Fiche de la structure"),
    Page("backoffice:structure_history", "structure_admin", _structure, "Historique de"),
    Page("backoffice:offer_list", "structure_admin", _structure, "Offres de la structure"),
    Page("backoffice:offer_create", "structure_admin", _structure, "Nouvelle offre"),
    Page("backoffice:offer_edit", "coordinator", _offer, "Offre Starter"),
    Page("backoffice:offer_delete", "structure_admin", _offer, "Supprimer l'offre Starter"),
    Page("backoffice:offer_history", "structure_admin", _offer, "Historique de l'offre Starter"),
    Page("backoffice:session_list", "structure_admin", _offer, "Sessions de l'offre Starter"),
    Page("backoffice:session_create", "structure_admin", _offer, "Nouvelle session"),
    Page("backoffice:session_edit", "structure_admin", _session, "Session de l'offre Starter"),
    Page("backoffice:session_delete", "structure_admin", _session, "Supprimer la session"),
    Page(
        "backoffice:stage_list",
        "coordinator",
        lambda world: {"slug": world["network"].slug},
        "Étapes du parcours — Réseau test",
    ),
    Page(
        "backoffice:stage_create",
        "coordinator",
        lambda world: {"slug": world["network"].slug},
        "Nouvelle étape",
    ),
    Page("backoffice:stage_edit", "coordinator", _stage, "Étape Faisabilité"),
]


PAGES += [
    Page(
        "interop:outside_resources",
        as_role="coordinator",
        kwargs=lambda world: {"slug": world["network"].slug},
        shows="Autres ressources du territoire",
    ),
]

# Pathway tracking (advisors): referrals, applications, acts.
PAGES += [
    Page(
        "pathways:referral_detail",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["referral"].uuid},
        shows="Orientation d'APEAS vers Intermade",
    ),
    Page("pathways:referral_inbox", as_role="advisor", shows="Reçues par mes structures"),
    Page(
        "pathways:referral_create",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["person"].uuid},
        shows="vers une structure partenaire",
    ),
    Page(
        "pathways:application_create",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["person"].uuid},
        shows="Enregistrer une candidature",
    ),
    Page(
        "pathways:application_detail",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["application"].uuid},
        shows="Candidature à Starter",
    ),
    Page(
        "pathways:application_status",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["application"].uuid},
        shows="Si la personne n'est pas retenue",
    ),
    Page(
        "pathways:session_applicants",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["session"].uuid},
        shows="Candidatures à Starter",
    ),
    Page("pathways:act_create", as_role="advisor", shows="Enregistrer un acte collectif"),
    Page(
        "pathways:person_act_create",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["person"].uuid},
        shows="Enregistrer un acte avec",
    ),
]


def _followed(world):
    return {"uuid": world["followed_person"].uuid}


# Pathway tracking (advisors): home, persons, consents, notes, plan, projects, outcomes.
PAGES += [
    Page("pathways:home", as_role="advisor", shows="Suivi des parcours"),
    Page("pathways:person_list", as_role="advisor", shows="Personnes que je suis"),
    Page("pathways:person_create", as_role="advisor", shows="Enregistrer une personne"),
    Page("pathways:person_detail", "advisor", _followed, "Chronologie entre structures"),
    Page("pathways:person_edit", "advisor", _followed, "Identité de Sam Leroy"),
    Page("pathways:consent_add", "advisor", _followed, "Consentement de Sam Leroy"),
    Page("pathways:note_add", "advisor", _followed, "Note sur Sam Leroy"),
    Page("pathways:plan_edit", "advisor", _followed, "Plan d'accompagnement de Sam Leroy"),
    Page("pathways:project_create", "advisor", _followed, "Nouveau projet de Sam Leroy"),
    Page(
        "pathways:project_edit",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["followed_project"].uuid},
        shows="Projet Café associatif",
    ),
    Page("pathways:outcome_create", "advisor", _followed, "Sortie de Sam Leroy"),
]

# Pathway tracking: GDPR, merge, notifications.
PAGES += [
    Page(
        "pathways:person_erase",
        as_role="structure_admin",
        kwargs=lambda w: {"uuid": w["gdpr_person"].uuid},
        shows="Effacer les données d'Alix Bernard",
    ),
    Page(
        "pathways:person_export_json",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["gdpr_person"].uuid},
        shows="Droit d'accès d'Alix Bernard",
    ),
    Page(
        "pathways:person_export_pdf",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["gdpr_person"].uuid},
        shows="Droit d'accès d'Alix Bernard",
    ),
    Page(
        "pathways:person_merge",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["gdpr_person"].uuid},
        shows="Fusionner un doublon",
    ),
    Page("pathways:notifications", as_role="advisor", shows="Mes notifications"),
]

# Pathway tracking: API tokens.
PAGES += [
    Page(
        "pathways:api_tokens",
        as_role="structure_admin",
        kwargs=lambda w: {"slug": w["structure"].slug},
        shows="Jetons d'API d'Intermade",
    ),
]

# Pathway tracking: referentials extended by coordinators.
PAGES += [
    Page(
        "pathways:referential_list",
        as_role="coordinator",
        kwargs=lambda w: {"slug": w["network"].slug},
        shows="Listes du parcours de Réseau test",
    ),
    Page(
        "pathways:referential_add",
        as_role="coordinator",
        kwargs=lambda w: {"slug": w["network"].slug, "kind": "act-types"},
        shows="Nouvelle entrée",
    ),
]

# Reports (reports-ui): the scopes a reader may open, and a network's report.
PAGES += [
    Page("reporting:index", as_role="funder", shows="Rapport de Réseau test"),
    Page(
        "reporting:network",
        as_role="coordinator",
        kwargs=lambda w: {"slug": w["network"].slug},
        shows="Chiffres clés",
    ),
    Page(
        "reporting:network_breakdowns",
        as_role="coordinator",
        kwargs=lambda w: {"slug": w["network"].slug, "code": "persons_accompanied"},
        shows="Ventilations de « Personnes accompagnées »",
    ),
]

# Imports (imports-ui): the home, then one run at each screen (mapping, dry run, progress, result).
PAGES += [
    Page("imports:home", as_role="advisor", shows="Importer des tableurs"),
    Page(
        "imports:mapping",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["import_uploaded"].uuid},
        shows="Quelle colonne contient quel champ",
    ),
    Page(
        "imports:dry_run",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["import_ready"].uuid},
        shows="Ce que l'import ferait",
    ),
    Page(
        "imports:progress",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["import_running"].uuid},
        shows="Actualiser l'avancement",
    ),
    Page(
        "imports:result",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["import_done"].uuid},
        shows="Ce que l'import a fait",
    ),
]

# Knowledge base (issue 21): the list, a draft sheet as its author, its work pages.
PAGES += [
    Page("knowledge:index", shows="Les pratiques du réseau"),
    Page(
        "knowledge:graph",
        kwargs=lambda w: {"network": w["network"].slug, "family": "pratiques"},
        shows="Les mêmes liens, en tableau",
    ),
    Page(
        "knowledge:create",
        as_role="advisor",
        kwargs=lambda w: {"network": w["network"].slug},
        shows="Nouvelle fiche",
    ),
    Page(
        "knowledge:import",
        as_role="coordinator",
        kwargs=lambda w: {"network": w["network"].slug},
        shows="Importer des fiches",
    ),
    Page(
        "knowledge:sheet",
        as_role="advisor",
        kwargs=lambda w: {"network": w["network"].slug, "code": w["sheet"].code},
        shows="Un premier accueil.",
    ),
    Page(
        "knowledge:versions",
        as_role="advisor",
        kwargs=lambda w: {"network": w["network"].slug, "code": w["sheet"].code},
        shows="Versions de P-1",
    ),
    Page(
        "knowledge:edit",
        as_role="advisor",
        kwargs=lambda w: {"network": w["network"].slug, "code": w["sheet"].code},
        shows="une nouvelle version après la version 1",
    ),
    Page(
        "knowledge:review",
        as_role="advisor",
        kwargs=lambda w: {"network": w["network"].slug, "code": w["sheet"].code},
        shows="Relecture de P-1",
    ),
    Page(
        "knowledge:subjects",
        as_role="advisor",
        kwargs=lambda w: {"network": w["network"].slug, "code": w["sheet"].code},
        shows="Groupes de travail",
    ),
    Page(
        "knowledge:referential",
        as_role="coordinator",
        kwargs=lambda w: {"network": w["network"].slug},
        shows="Familles de fiches",
    ),
    Page(
        "knowledge:family_create",
        as_role="coordinator",
        kwargs=lambda w: {"network": w["network"].slug},
        shows="Nouvelle famille",
    ),
    Page(
        "knowledge:family_edit",
        as_role="coordinator",
        kwargs=lambda w: {"network": w["network"].slug, "family": "pratiques"},
        shows="Motif des codes",
    ),
    Page(
        "knowledge:link_type_create",
        as_role="coordinator",
        kwargs=lambda w: {"network": w["network"].slug},
        shows="Nouveau type de lien",
    ),
    Page(
        "knowledge:link_type_edit",
        as_role="coordinator",
        kwargs=lambda w: {"network": w["network"].slug, "code": "see-also"},
        shows="Libellé lu à l'envers",
    ),
]

# Territory (issue 20): actor systems.
PAGES += [
    Page("territory:index", as_role="advisor", shows="Systèmes d'acteurs"),
    Page(
        "territory:system",
        as_role="advisor",
        kwargs=lambda w: {"pk": w["actor_system"].pk},
        shows="Instantanés annuels",
    ),
    Page(
        "territory:compare",
        as_role="advisor",
        kwargs=lambda w: {"pk": w["actor_system"].pk},
        shows="Entre 2025 et 2026",
    ),
    Page(
        "territory:snapshot",
        as_role="advisor",
        kwargs=lambda w: {"pk": w["actor_snapshot"].pk},
        shows="Matrice des relations",
    ),
    Page(
        "territory:positioning",
        as_role="coordinator",
        kwargs=lambda w: {"pk": w["actor_snapshot"].pk},
        shows="Acteurs à gagner",
    ),
    Page(
        "territory:actor_profile",
        as_role="advisor",
        kwargs=lambda w: {"pk": w["actor_snapshot"].pk, "actor_pk": w["actor"].pk},
        shows="Ressources mobilisées",
    ),
    Page(
        "territory:relation",
        as_role="advisor",
        kwargs=lambda w: {
            "pk": w["actor_snapshot"].pk,
            "a_pk": w["actor"].pk,
            "b_pk": w["actor_owner"].pk,
        },
        shows="Nature dominante",
    ),
    Page("territory:frameworks", as_role="advisor", shows="Référentiels d'utilité sociale"),
    Page(
        "territory:framework",
        as_role="advisor",
        kwargs=lambda w: {"pk": w["framework_v2"].pk},  # the current version: every form
        shows="Bénévoles",
    ),
    Page("territory:framework_templates", as_role="advisor", shows="Modèles de référentiels"),
    Page("territory:framework_import", as_role="advisor", shows="Importer un référentiel"),
    Page(
        "territory:framework_continuity",
        as_role="advisor",
        kwargs=lambda w: {"pk": w["framework_v2"].pk},
        shows="Continuité des séries",
    ),
    Page(
        "territory:framework_values",
        as_role="advisor",
        kwargs=lambda w: {"pk": w["framework_v2"].pk},
        shows="Importer des valeurs",
    ),
]

# Assessments (issue 19).
PAGES += [
    Page("assessments:home", as_role="advisor", shows="Évaluations que vous pouvez lire"),
    Page("assessments:create", as_role="advisor", shows="Ouvrir une nouvelle évaluation"),
    Page(
        "assessments:detail",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["assessment"].uuid},
        shows="Score par critère",
    ),
    Page(
        "assessments:comparison",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["assessment"].uuid, "other": w["assessment_after"].uuid},
        shows="Évolution par critère",
    ),
    Page(
        "assessments:cohort",
        as_role="advisor",
        kwargs=lambda w: {"session": w["session"].uuid, "family": "project-diagnostic"},
        shows="La promotion avant et après",
    ),
    Page(
        "assessments:committee",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["committee"].uuid},
        shows="Comité d'admission",
    ),
    Page(
        "assessments:committee_score",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["committee"].uuid, "application": w["application"].uuid},
        shows="Noter une candidature",
    ),
    Page(
        "assessments:committee_consensus",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["committee"].uuid, "application": w["application"].uuid},
        shows="Toutes les notes, critère par critère",
    ),
    Page(
        "assessments:committee_create",
        as_role="advisor",
        shows="Mettre en place un comité d'admission",
    ),
    Page(
        "assessments:appraisal_create",
        as_role="advisor",
        shows="Ouvrir une séance d'appréciation collective",
    ),
    Page(
        "assessments:appraisal",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["appraisal"].uuid},
        shows="Enregistrer un argument",
    ),
    Page(
        "assessments:appraisal_replay",
        as_role="advisor",
        kwargs=lambda w: {"uuid": w["appraisal"].uuid},
        shows="Le tableau après l'argument 1 sur 1",
    ),
]


# The network's life (collab, issue 22); its objects are built on first use.
def _collab(world, key):
    from tests.collab.pages_world import collab_world

    return {"uuid": collab_world(world)[key].uuid}


PAGES += [
    Page("collab:index", as_role="advisor", shows="Vie du réseau"),
    Page(
        "collab:group_create",
        as_role="coordinator",
        kwargs=lambda w: {"slug": w["network"].slug},
        shows="Nouveau groupe de travail",
    ),
    Page(
        "collab:group",
        as_role="structure_admin",
        kwargs=lambda w: _collab(w, "group"),
        shows="Planifier une réunion",
    ),
    Page(
        "collab:meeting_create",
        as_role="structure_admin",
        kwargs=lambda w: _collab(w, "group"),
        shows="Planifier la réunion",
    ),
    Page(
        "collab:meeting",
        as_role="structure_admin",
        kwargs=lambda w: _collab(w, "meeting"),
        shows="Ordre du jour",
    ),
    Page("collab:my_actions", as_role="advisor", shows="Mes actions"),
    Page("collab:calendar", as_role="advisor", shows="Le calendrier du réseau"),
    Page("collab:pooling", as_role="advisor", shows="Partager une offre ou un besoin"),
    Page("collab:event", kwargs=lambda w: _collab(w, "event"), shows="Qui représente"),
    Page(
        "collab:budget",
        as_role="advisor",
        kwargs=lambda w: _collab(w, "budget"),
        shows="D'où vient l'argent",
    ),
    # Pages added this session (issue 22: no admin needed any more).
    Page(
        "collab:group_edit",
        as_role="structure_admin",
        kwargs=lambda w: _collab(w, "group"),
        shows="Enregistrer le groupe",
    ),
    Page(
        "collab:meeting_edit",
        as_role="structure_admin",
        kwargs=lambda w: _collab(w, "meeting"),
        shows="Enregistrer la réunion",
    ),
    Page(
        "collab:event_create",
        as_role="coordinator",
        kwargs=lambda w: {"slug": w["network"].slug},
        shows="Ajouter l'événement",
    ),
    Page(
        "collab:event_edit",
        as_role="coordinator",
        kwargs=lambda w: _collab(w, "event"),
        shows="Enregistrer l'événement",
    ),
    Page(
        "collab:event_roster",
        as_role="coordinator",
        kwargs=lambda w: _collab(w, "event"),
        shows="Kakémono du réseau",
    ),
    Page(
        "collab:budget_create",
        as_role="coordinator",
        kwargs=lambda w: {"slug": w["network"].slug},
        shows="Créer le budget",
    ),
    Page(
        "collab:group_budget_create",
        as_role="structure_admin",
        kwargs=lambda w: _collab(w, "group"),
        shows="Créer le budget",
    ),
    Page(
        "collab:budget_edit",
        as_role="coordinator",
        kwargs=lambda w: _collab(w, "budget"),
        shows="Enregistrer le budget",
    ),
    Page(
        "collab:line_create",
        as_role="coordinator",
        kwargs=lambda w: _collab(w, "budget"),
        shows="Nouvelle ligne budgétaire",
    ),
    Page(
        "collab:line_edit",
        as_role="coordinator",
        kwargs=lambda w: _collab(w, "budget") | {"pk": _collab_object(w, "line").pk},
        shows="Événements",
    ),
    Page(
        "collab:contribution_create",
        as_role="coordinator",
        kwargs=lambda w: _collab(w, "budget"),
        shows="Nouvelle contribution",
    ),
    Page(
        "collab:contribution_edit",
        as_role="coordinator",
        kwargs=lambda w: _collab(w, "budget") | {"pk": _collab_object(w, "contribution").pk},
        shows="APEAS",
    ),
    Page(
        "collab:pooling_entry",
        as_role="advisor",
        kwargs=lambda w: _collab(w, "need"),
        shows="Salle du mardi",
    ),
    Page(
        "collab:arrangement_create",
        as_role="advisor",
        kwargs=lambda w: _collab(w, "need"),
        shows="Enregistrer l'accord",
    ),
    Page(
        "collab:job_post_edit",
        as_role="advisor",
        kwargs=lambda w: _collab(w, "job_post"),
        shows="Part portée par APEAS",
    ),
]


def _collab_object(world, key):
    from tests.collab.pages_world import collab_world

    return collab_world(world)[key]


NOT_PAGES = {
    # Imports (imports-ui).
    "imports:run": "Redirect: to the screen of the run's status (mapping, dry run, progress…)",
    "imports:progress_fragment": "htmx fragment polled by imports:progress (the progress bar)",
    "pathways:act_attendees": "htmx fragment of pathways:act_create (the attendee search)",
    "imports:template_file": "XLSX or CSV download (a template file of an entity)",
    "imports:error_report": "CSV download (the errors and warnings of a run)",
    "imports:duplicates": "POST only: records the answers about duplicates and redirects",
    "pathways:person_merge_undo": "POST only: separates two merged records, redirects",
    "imports:map_values": "POST only: keeps the values mapped in the dry run, reads the file again",
    "imports:confirm_no_identifier": "POST only: the file has no row identifier; dry run again",
    "imports:commit": "POST only: imports the file and redirects to the result",
    "imports:undo": "POST only: undoes an import and redirects to its result",
    "imports:retry": "POST only: sends a failed or stalled run back to its mapping and redirects",
    "imports:cancel": "POST only: abandons a run that was not imported (and its file), redirects",
    # Reports (reports-ui): the files of a report.
    "reporting:network_xlsx": "XLSX download (a report: every table and the definitions)",
    "reporting:network_csv": "CSV download (a report's indicators)",
    "reporting:network_pdf": "PDF download (a report for a funder)",
    "reporting:network_persons_csv": "CSV download (pseudonymised persons, coordinators)",
    # Reports (reports-engine): the figures as JSON.
    "api:report-indicators": "JSON API (tests/reporting/test_api.py)",
    # Pathway tracking: persons.
    "pathways:person_list_csv": "CSV download (the persons I follow)",
    "pathways:consent_withdraw": "POST only: withdraws a consent and redirects to the person",
    # Pathway tracking: referrals, applications, acts.
    "pathways:referral_inbox_csv": "CSV download (referrals received or sent)",
    "pathways:referral_mark_received": "POST only: marks a referral seen and redirects to it",
    "pathways:referral_accept": "POST only: accepts a referral and redirects to it",
    "pathways:referral_decline": "POST only: declines a referral and redirects to it",
    "pathways:referral_redirect": "POST only: redirects a referral and redirects to it",
    "pathways:referral_first_meeting": "POST only: records the first meeting and redirects",
    "pathways:referral_close": "POST only: closes a referral and redirects to it",
    "pathways:referral_cancel": "POST only: cancels a referral and redirects to it",
    "pathways:referential_toggle": "POST only: switches a network's entry on or off",
    "set_language": "POST only: switches the language and redirects",
    "healthz": "JSON for monitoring",
    "accounts:logout": "POST only: logs out and redirects",
    "accounts:structure_member_role": "POST only: changes a role and redirects",
    "accounts:structure_team_csv": "CSV download",
    "accounts:network_team_csv": "CSV download",
    "api:schema": "OpenAPI document",
    "api:me": "JSON API",
    "api:structure-list": "JSON API (tests/directory/test_api.py)",
    "api:structure-detail": "JSON API (tests/directory/test_api.py)",
    "api:offer-list": "JSON API (tests/directory/test_api.py)",
    "api:offer-detail": "JSON API (tests/directory/test_api.py)",
    "api:stage-list": "JSON API (tests/directory/test_api.py)",
    "api:stage-detail": "JSON API (tests/directory/test_api.py)",
    "api:session-list": "JSON API (tests/directory/test_api.py)",
    "api:session-detail": "JSON API (tests/directory/test_api.py)",
    # Pathway tracking: the API and its tokens.
    "api:person-list": "JSON API (tests/pathways/test_api.py)",
    "api:person-detail": "JSON API (tests/pathways/test_api.py)",
    "api:project-list": "JSON API (tests/pathways/test_api.py)",
    "api:project-detail": "JSON API (tests/pathways/test_api.py)",
    "api:application-list": "JSON API (tests/pathways/test_api.py)",
    "api:application-detail": "JSON API (tests/pathways/test_api.py)",
    "api:application-transition": "JSON API (tests/pathways/test_api.py)",
    "api:referral-list": "JSON API (tests/pathways/test_api.py)",
    "api:referral-detail": "JSON API (tests/pathways/test_api.py)",
    "api:referral-accept": "JSON API (tests/pathways/test_api.py)",
    "api:referral-decline": "JSON API (tests/pathways/test_api.py)",
    "api:referral-redirect": "JSON API (tests/pathways/test_api.py)",
    "api:referral-first-meeting": "JSON API (tests/pathways/test_api.py)",
    "api:referral-close": "JSON API (tests/pathways/test_api.py)",
    "api:referral-cancel": "JSON API (tests/pathways/test_api.py)",
    "api:act-list": "JSON API (tests/pathways/test_api.py)",
    "api:act-detail": "JSON API (tests/pathways/test_api.py)",
    "api:outcome-list": "JSON API (tests/pathways/test_api.py)",
    "api:outcome-detail": "JSON API (tests/pathways/test_api.py)",
    "pathways:api_token_revoke": "POST only: revokes an API token and redirects",
    "openapi-schema": "OpenAPI document",
    "backoffice:stage_move": "POST only: moves a stage and redirects",
    "api-docs": "Swagger UI of a third-party package (tests/browser/test_api_docs.py checks it)",
    "brochure:pdf": "PDF download (the default network's brochure)",
    "brochure:network_pdf": "PDF download (a network's brochure)",
    "orientation:inbox_csv": "CSV download (contact requests)",
    "orientation:inbox_mark_handled": "POST only: marks a contact request handled and redirects",
    "interop:di_structures": "JSON open data (data·inclusion structures)",
    "interop:di_services": "JSON open data (data·inclusion services)",
    "interop:structures_csv": "CSV download (structures of the directory)",
    "interop:offers_csv": "CSV download (published offers)",
    "interop:hsds_root": "JSON API (HSDS 3)",
    "interop:hsds_openapi": "OpenAPI document (HSDS 3 API)",
    "interop:hsds_services": "JSON API (HSDS 3)",
    "interop:hsds_service": "JSON API (HSDS 3)",
    "interop:hsds_organizations": "JSON API (HSDS 3)",
    "interop:hsds_organization": "JSON API (HSDS 3)",
    "interop:outside_resources_csv": "CSV download (outside resources of a network)",
    # Knowledge base (issue 21).
    "knowledge:binder": "PDF download (tests/knowledge/test_binder_and_transfer.py)",
    "knowledge:export": "Zip download of Markdown files (tests/knowledge/)",
    "knowledge:propose": "POST only: proposes the latest version and redirects to the sheet",
    "knowledge:binder_page": "Standalone HTML document of a family's binder, the PDF's content "
    "(tests/knowledge/test_attachments_and_more.py)",
    "knowledge:chosen_binder": "PDF or standalone HTML binder of chosen sheets "
    "(tests/knowledge/test_attachments_and_more.py)",
    "knowledge:open_data": "CSV of the public sheets as links (tests/knowledge/)",
    "knowledge:attachment": "File download under the sheet's visibility (tests/knowledge/)",
    "knowledge:attachment_add": "POST only: attaches a file and redirects to the sheet",
    "knowledge:attachment_remove": "POST only: removes a file and redirects to the sheet",
    "api:sheet-list": "JSON API (tests/knowledge/test_pages.py)",
    "api:sheet-detail": "JSON API (tests/knowledge/test_pages.py)",
    # Territory (issue 20).
    "territory:open_system": "POST only: opens a structure's or network's actor system",
    "territory:validate": "POST only: the group validates a snapshot",
    "territory:remove_actor": "POST only: an actor leaves a draft snapshot",
    "territory:framework_xlsx": "XLSX download (a social-utility framework's series)",
    "territory:framework_proof_pdf": "PDF download (tests/territory/test_proof_report.py)",
    "territory:framework_proof_xlsx": "XLSX download (tests/territory/test_proof_report.py)",
    "territory:framework_new_version": "POST only: starts a framework's next version",
    "territory:framework_publish": "POST only: shares a framework as a template (or stops)",
    "territory:framework_definition": "YAML download (tests/territory/test_framework_versions.py)",
    # Assessments (issue 19).
    "assessments:export_xlsx": "XLSX download (an assessment: scores and answers)",
    "api:instrument-list": "JSON API (tests/assessments/test_pages_and_api.py)",
    "api:instrument-detail": "JSON API (tests/assessments/test_pages_and_api.py)",
    "api:assessment-list": "JSON API (tests/assessments/test_pages_and_api.py)",
    "api:assessment-detail": "JSON API (tests/assessments/test_pages_and_api.py)",
    "api:assessment-answers": "JSON API, POST only (tests/assessments/test_pages_and_api.py)",
    "assessments:appraisal_board": "htmx fragment: the board the session page polls "
    "(tests/assessments/test_appraisals.py)",
    "assessments:to_plan": "POST only: a weak criterion becomes a plan step, redirects",
    "assessments:export_pdf": "PDF download (tests/assessments/test_pdf.py)",
    # The network's life (collab, issue 22).
    "collab:group_join": "POST only: joins or asks to join a group, redirects",
    "collab:group_approve": "POST only: accepts a request to join, redirects",
    "collab:group_feed": "iCalendar feed (tests/collab/test_calendar_events.py)",
    "collab:meeting_propose": "POST only: proposes an agenda item, redirects",
    "collab:meeting_attendance": "POST only: records an attendance, redirects",
    "collab:item_minutes": "POST only: an item's minutes, decision or action, redirects",
    "collab:minutes_move": "POST only: amends or publishes the minutes, redirects",
    "collab:minutes_export": "Markdown download (the published minutes, no internal item)",
    "collab:meeting_invite": "POST only: sends the invitations with an .ics, redirects",
    "collab:action_status": "POST only: changes an action's status, redirects",
    "collab:public_feed": "iCalendar feed (tests/collab/test_calendar_events.py)",
    "collab:person_feed": "iCalendar feed by secret URL (tests/collab/test_calendar_events.py)",
    "collab:calendar_token": "POST only: creates, replaces or revokes the feed URL, redirects",
    "collab:budget_export": "XLSX download (tests/collab/test_budget.py)",
    "collab:budget_import": "POST only: imports a budget workbook, redirects",
    "collab:group_decline": "POST only: declines a request to join, redirects",
    "collab:representative_remove": "POST only: takes someone off an event's roster, redirects",
    "collab:document_remove": "POST only: takes a document off an event's list, redirects",
    "collab:line_delete": "POST only: deletes a budget line and its sub-lines, redirects",
    "collab:contribution_delete": "POST only: deletes a contribution, redirects",
    "api:group-list": "JSON API (tests/collab/test_api_and_rules.py)",
    "api:group-detail": "JSON API (tests/collab/test_api_and_rules.py)",
    "api:meeting-list": "JSON API (tests/collab/test_api_and_rules.py)",
    "api:meeting-detail": "JSON API (tests/collab/test_api_and_rules.py)",
}


def build_world():
    """One network, one structure, one person per role."""
    from tests.factories import (
        ContactRequestFactory,
        NetworkFactory,
        NetworkRoleFactory,
        OfferFactory,
        OfferSessionFactory,
        PersonFactory,
        ReferralFactory,
        StageFactory,
        StructureFactory,
        StructureMembershipFactory,
    )

    network = NetworkFactory(name="Réseau test")
    structure = StructureFactory(
        name="Intermade",
        networks=[network],
        website="https://example.org",
        positioning="Nous accompagnons des projets collectifs.",
    )
    stage = StageFactory(network=network, name="Faisabilité", slug="faisabilite")
    next_stage = StageFactory(network=network, name="Test d'activité", slug="test")
    offer = OfferFactory(structure=structure, title="Starter", slug="starter", stages=[stage])
    session = OfferSessionFactory(offer=offer, place="Maison des associations")
    OfferFactory(structure=structure, title="Couveuse", slug="couveuse", stages=[next_stage])
    admin_membership = StructureMembershipFactory(structure=structure, admin=True)
    advisor_membership = StructureMembershipFactory(structure=structure)
    coordinator_role = NetworkRoleFactory(network=network)
    funder_role = NetworkRoleFactory(network=network, funder=True)
    contact_request = ContactRequestFactory(
        structure=structure, first_name="Camille", answers={"progress": "idea"}
    )
    partner = StructureFactory(name="APEAS", networks=[network])
    person = PersonFactory(
        first_name="Dominique", last_name="Martin", accompanied_by=[partner], sharing=True
    )
    referral = ReferralFactory(person=person, from_structure=partner, to_structure=structure)
    world_extra = {}
    # --- pathways world: referrals, applications, acts (add below, into world_extra) ----------
    from tests.factories import ApplicationFactory

    world_extra["application"] = ApplicationFactory(person=person, offer=offer, session=session)
    # --- pathways world: home, persons, notes, plan, projects, outcomes -----------------------
    from maillage.pathways.models import Project

    followed = PersonFactory(first_name="Sam", last_name="Leroy", accompanied_by=[structure])
    followed.accompaniments.update(referent=advisor_membership.user)
    world_extra["followed_person"] = followed
    world_extra["followed_project"] = Project.objects.create(title="Café associatif")
    world_extra["followed_project"].persons.add(followed)
    # --- assessments world (issue 19) ------------------------------------------------------------
    from tests.assessments.factories import page_world

    world_extra.update(
        page_world(
            structure=structure,
            session=session,
            application=world_extra["application"],
            advisor=advisor_membership.user,
            admin=admin_membership.user,
        )
    )
    # --- pathways world: GDPR, merge, notifications --------------------------------------------
    from maillage.pathways.models import Notification, NotificationKind

    world_extra["gdpr_person"] = PersonFactory(
        first_name="Alix", last_name="Bernard", accompanied_by=[structure]
    )
    world_extra["gdpr_duplicate"] = PersonFactory(
        first_name="Alix", last_name="Bernard", birth_date=None, accompanied_by=[structure]
    )
    Notification.objects.create(
        recipient=advisor_membership.user,
        kind=NotificationKind.REFERRAL_RECEIVED,
        text="Nouvelle orientation d'APEAS : Dominique M.",
        path=f"/suivi/orientations/{referral.uuid}/",
    )
    # --- pathways world: API tokens ------------------------------------------------------------
    from maillage.pathways.tokens.services import create_api_token

    world_extra["api_token"] = create_api_token(
        structure=structure, user=admin_membership.user, name="Logiciel d'accueil"
    )[0]
    # --- imports world: runs at each screen (files under MEDIA_ROOT) ----------------------
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.imports import services as import_services
    from maillage.imports.models import ImportRun, ImportStatus

    def _persons_run(name):
        content = "N° dossier;Nom;Prénom;Date de naissance\r\nD-77;Garnier;Lou;02/03/1988\r\n"
        return import_services.upload(
            structure=structure,
            entity="persons",
            user=advisor_membership.user,
            uploaded_file=SimpleUploadedFile(name, content.encode()),
        )

    world_extra["import_uploaded"] = _persons_run("personnes.csv")
    world_extra["import_ready"] = import_services.analyse(
        run=_persons_run("personnes-2.csv"), user=advisor_membership.user
    )
    world_extra["import_running"] = _persons_run("personnes-3.csv")
    ImportRun.objects.filter(pk=world_extra["import_running"].pk).update(
        status=ImportStatus.ANALYSING, progress_total=1
    )
    world_extra["import_done"] = import_services.commit(
        run=_persons_run("personnes-4.csv"), user=advisor_membership.user
    )
    # --- knowledge world (issue 21): a family and a draft sheet written by the advisor ----------
    from maillage.knowledge import services as knowledge_services

    family = knowledge_services.upsert_family(network=network, slug="pratiques", name="Pratiques")
    world_extra["sheet"] = knowledge_services.create_sheet(
        user=advisor_membership.user,
        family=family,
        code="P-1",
        title="L'accueil",
        body="Un premier accueil.",
        structure=structure,
    )
    # --- territory (issue 20): a structure's actor system, two yearly snapshots ----------------
    from maillage.territory import services as territory_services

    world_extra["actor_system"] = territory_services.create_actor_system(structure=structure)
    advisor = advisor_membership.user
    first = territory_services.start_snapshot(
        system=world_extra["actor_system"], year=2025, user=advisor
    )
    world_extra["actor_owner"] = first.actors.get()
    world_extra["actor"] = territory_services.add_actor(
        snapshot=first, user=advisor, name="Région Sud", kind="institution", level="regional"
    )
    territory_services.propose_relation(
        snapshot=first,
        actor_a=world_extra["actor"],
        actor_b=world_extra["actor_owner"],
        user=advisor,
        nature="negotiation",
        object="means",
    )
    territory_services.validate_snapshot(snapshot=first, user=advisor)
    world_extra["actor_snapshot"] = territory_services.start_snapshot(
        system=world_extra["actor_system"], year=2026, user=advisor
    )
    from maillage.territory.frameworks import services as framework_services

    world_extra["framework"] = framework_services.create_framework(
        title="Utilité sociale", structure=structure
    )
    framework_services.record_measurement(
        indicator=framework_services.add_indicator(
            criterion=framework_services.add_criterion(
                dimension=framework_services.add_dimension(
                    framework=world_extra["framework"], name="Sociale"
                ),
                name="Engagement",
            ),
            name="Bénévoles",
            kind="entered",
            target=10,
        ),
        year=2025,
        value=4,
        user=advisor,
    )
    world_extra["framework_v2"] = framework_services.new_version(framework=world_extra["framework"])
    return {
        **world_extra,
        "partner": partner,
        "person": person,
        "referral": referral,
        "network": network,
        "contact_request": contact_request,
        "structure": structure,
        "stage": stage,
        "offer": offer,
        "session": session,
        "advisor_membership": advisor_membership,
        "funder_role": funder_role,
        "users": {
            "structure_admin": admin_membership.user,
            "advisor": advisor_membership.user,
            "coordinator": coordinator_role.user,
            "funder": funder_role.user,
        },
    }
