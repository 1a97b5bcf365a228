"""What each kind of file holds: its fields, the headers they are recognised by, and its key.

A field's `kind` says how a cell is read (see `pipeline.cells`):

- `text`, `id` (an identifier: a number typed as a number is read back without ".0"),
  `date`, `duration` (minutes), `email`, `phone`, `postal_code`, `bool`;
- `commune` (matched to a commune or a municipal arrondissement; kept out with a warning
  otherwise);
- `choice` (one of the values of `CHOICES[source]`), `referential` (an entry of the pathways
  referential `source`, a kind of `maillage.pathways.referentials.KINDS`), `legal_form`;
- `offer` (an offer of the importing structure, or of the target structure for referrals),
  `session` (the start date of a session of that offer), `structure` (a structure of the same
  network), `staff` (a member of the importing structure, by e-mail or full name);
- `file_numbers` (file numbers separated by `;`: the attendees of a collective act).

Rows other than persons name their person by the structure's file number ("N° dossier",
imported with the persons) or by last name, first name and birth date: the fields of
`PERSON_REFERENCE`. `key_fields` make the stable key of a row when the file has no identifier
column; `PERSON` in them stands for the person (or the attendees) the row refers to.
"""

from dataclasses import dataclass, field, replace

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from maillage.pathways.models import ApplicationStatus, Gender, ProjectKind

from .models import Entity

PERSON = "person"
FILE_NUMBERS_SEPARATOR = ";"


@dataclass(frozen=True)
class FieldSpec:
    code: str
    label: Promise | str
    kind: str
    required: bool = False
    headers: tuple[str, ...] = ()
    help: Promise | str = ""
    # The referential kind or the `CHOICES` entry of `referential` and `choice` fields.
    source: str = ""
    max_length: int = 0


@dataclass(frozen=True)
class EntitySpec:
    code: str
    label: Promise | str
    fields: tuple[FieldSpec, ...]
    external_id_field: str
    key_fields: tuple[str, ...]
    help: Promise | str = ""
    field_map: dict = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "field_map", {spec.code: spec for spec in self.fields})

    def __getitem__(self, code: str) -> FieldSpec:
        return self.field_map[code]

    @property
    def refers_to_person(self) -> bool:
        return self.code != Entity.PERSONS


# --- Choices that are not referentials (value, synonyms) ---------------------------------------

CHOICES: dict[str, tuple[tuple[str, Promise, tuple[str, ...]], ...]] = {
    "gender": (
        (Gender.FEMALE, Gender.FEMALE.label, ("femme", "f", "feminin", "mme", "madame", "mlle")),
        (Gender.MALE, Gender.MALE.label, ("homme", "h", "m", "masculin", "monsieur", "mr")),
        (Gender.OTHER, Gender.OTHER.label, ("autre", "non binaire")),
        (Gender.UNKNOWN, Gender.UNKNOWN.label, ("non renseigne", "nc", "inconnu")),
    ),
    "project_kind": (
        (ProjectKind.INDIVIDUAL, ProjectKind.INDIVIDUAL.label, ("individuel", "seul")),
        (ProjectKind.COLLECTIVE, ProjectKind.COLLECTIVE.label, ("collectif", "groupe")),
    ),
    "application_status": (
        (ApplicationStatus.SUBMITTED, ApplicationStatus.SUBMITTED.label, ("deposee", "recue")),
        (
            ApplicationStatus.UNDER_REVIEW,
            ApplicationStatus.UNDER_REVIEW.label,
            ("en cours d examen", "a l etude", "en attente de decision"),
        ),
        (ApplicationStatus.SELECTED, ApplicationStatus.SELECTED.label, ("retenu", "admis")),
        (
            ApplicationStatus.WAITLISTED,
            ApplicationStatus.WAITLISTED.label,
            ("liste d attente", "en attente"),
        ),
        (
            ApplicationStatus.NOT_SELECTED,
            ApplicationStatus.NOT_SELECTED.label,
            ("non retenu", "refuse", "non admis", "non selectionne"),
        ),
        (
            ApplicationStatus.IN_PROGRESS,
            ApplicationStatus.IN_PROGRESS.label,
            ("en cours", "en parcours", "entre"),
        ),
        (ApplicationStatus.COMPLETED, ApplicationStatus.COMPLETED.label, ("termine", "fini")),
        (ApplicationStatus.DROPPED_OUT, ApplicationStatus.DROPPED_OUT.label, ("abandon",)),
    ),
}

# --- Fields shared by several entities ---------------------------------------------------------

FILE_NUMBER = FieldSpec(
    "file_number",
    _("File number"),
    "id",
    headers=(
        "N° dossier",
        "Numéro de dossier",
        "Dossier",
        "Réf dossier",
        "Référence dossier",
        "N° de dossier",
        "File number",
        "File no",
    ),
    help=_("Your structure's own number for the person, as in your files."),
    max_length=50,
)
LAST_NAME = FieldSpec(
    "last_name",
    _("Last name"),
    "text",
    headers=("Nom", "Nom de famille", "Nom de naissance", "Last name", "Surname"),
    max_length=100,
)
FIRST_NAME = FieldSpec(
    "first_name",
    _("First name"),
    "text",
    headers=("Prénom", "Prénoms", "First name", "Given name"),
    max_length=100,
)
BIRTH_DATE = FieldSpec(
    "birth_date",
    _("Birth date"),
    "date",
    headers=("Date de naissance", "Né le", "Née le", "Né(e) le", "DDN", "Birth date"),
)
PERSON_REFERENCE = (FILE_NUMBER, LAST_NAME, FIRST_NAME, BIRTH_DATE)
REFERENCE_HELP = _(
    "Each row names its person by the file number (imported with the persons), or by last name, "
    "first name and birth date."
)


def _external_id(*headers: str) -> FieldSpec:
    return FieldSpec(
        "external_id",
        _("Identifier of the row"),
        "id",
        headers=(*headers, "Identifiant", "ID", "Référence", "Réf", "Identifier"),
        help=_(
            "Your own identifier of the row, if the file has one: importing the file again then "
            "updates the rows that changed instead of adding new ones."
        ),
        max_length=150,
    )


def _offer(help_text, *, required: bool = False) -> FieldSpec:
    return FieldSpec(
        "offer",
        _("Offer"),
        "offer",
        required=required,
        headers=("Offre", "Dispositif", "Programme", "Action", "Offer"),
        help=help_text,
    )


PERSONS = EntitySpec(
    code=Entity.PERSONS,
    label=Entity.PERSONS.label,
    external_id_field="file_number",
    key_fields=("last_name", "first_name", "birth_date"),
    help=_(
        "One row per person. The file number links the person's acts, applications and other "
        "rows imported later. No consent is recorded by an import: ask the person and record it "
        "on their page."
    ),
    fields=(
        FILE_NUMBER,
        replace(LAST_NAME, required=True),
        replace(FIRST_NAME, required=True),
        BIRTH_DATE,
        FieldSpec(
            "gender",
            _("Gender"),
            "choice",
            headers=("Sexe", "Genre", "Civilité", "Gender"),
            source="gender",
        ),
        FieldSpec(
            "email",
            _("E-mail"),
            "email",
            headers=("Courriel", "E-mail", "Email", "Mail", "Adresse mail", "Adresse e-mail"),
        ),
        FieldSpec(
            "phone",
            _("Phone"),
            "phone",
            headers=(
                "Téléphone",
                "Tél",
                "Tel",
                "Portable",
                "Mobile",
                "Numéro de téléphone",
                "N° de portable",
                "Phone",
            ),
        ),
        FieldSpec(
            "postal_code",
            _("Postal code"),
            "postal_code",
            headers=("Code postal", "CP", "Postal code"),
        ),
        FieldSpec(
            "commune",
            _("Commune"),
            "commune",
            headers=("Commune", "Ville", "Commune de résidence", "Lieu de résidence", "City"),
            help=_(
                "A commune name, INSEE code or postal code; Marseille's arrondissements are "
                "recognised (“Marseille 5e”, “13005”)."
            ),
        ),
        FieldSpec(
            "situation",
            _("Situation"),
            "referential",
            headers=(
                "Situation",
                "Situation professionnelle",
                "Situation à l'entrée",
                "Statut",
            ),
            source="situations",
        ),
        FieldSpec(
            "priority_neighbourhood",
            _("Lives in a priority neighbourhood"),
            "bool",
            headers=("QPV", "Quartier prioritaire", "Habite en QPV", "Priority neighbourhood"),
            help=_("Yes or no (oui/non, x, 1/0)."),
        ),
        FieldSpec(
            "started_on",
            _("Accompanied since"),
            "date",
            headers=(
                "Date d'entrée",
                "Date d'arrivée",
                "Date d'accueil",
                "Date du premier contact",
                "Date d'inscription",
                "Started on",
            ),
            help=_("When your structure started to accompany the person (default: today)."),
        ),
    ),
)

PROJECTS = EntitySpec(
    code=Entity.PROJECTS,
    label=Entity.PROJECTS.label,
    external_id_field="external_id",
    key_fields=(PERSON, "title"),
    help=REFERENCE_HELP,
    fields=(
        _external_id("N° projet", "Identifiant projet"),
        *PERSON_REFERENCE,
        FieldSpec(
            "title",
            _("Project title"),
            "text",
            required=True,
            headers=("Projet", "Nom du projet", "Intitulé du projet", "Intitulé", "Titre", "Title"),
            max_length=200,
        ),
        FieldSpec(
            "description",
            _("Description"),
            "text",
            headers=("Description", "Description du projet", "Présentation"),
        ),
        FieldSpec(
            "kind",
            _("Individual or collective"),
            "choice",
            headers=("Type de projet", "Individuel ou collectif", "Nature du projet", "Kind"),
            source="project_kind",
        ),
        FieldSpec(
            "sector",
            _("Sector"),
            "referential",
            headers=("Secteur", "Secteur d'activité", "Domaine", "Sector"),
            source="sectors",
        ),
        FieldSpec(
            "legal_form",
            _("Envisaged legal form"),
            "legal_form",
            headers=("Forme juridique envisagée", "Forme juridique", "Statut juridique"),
        ),
        FieldSpec(
            "co_holders",
            _("Other holders (file numbers)"),
            "file_numbers",
            headers=("Co-porteurs", "Autres porteurs", "Porteurs associés"),
            help=_(
                "For a collective project: the file numbers of the other holders, separated by “;”."
            ),
        ),
    ),
)

APPLICATIONS = EntitySpec(
    code=Entity.APPLICATIONS,
    label=Entity.APPLICATIONS.label,
    external_id_field="external_id",
    key_fields=(PERSON, "offer", "session", "submitted_on"),
    help=_(
        "Applications received by your structure's offers. Each row names its person by the file "
        "number (imported with the persons), or by last name, first name and birth date. A new "
        "import of the file moves an application's status forward; the other columns are not "
        "changed afterwards."
    ),
    fields=(
        _external_id("N° candidature", "Identifiant candidature"),
        *PERSON_REFERENCE,
        _offer(_("One of your structure's offers, by its title."), required=True),
        FieldSpec(
            "session",
            _("Session (start date)"),
            "session",
            headers=("Session", "Date de session", "Début de session", "Date de début"),
            help=_("The start date of the session applied to, when the offer has sessions."),
        ),
        FieldSpec(
            "submitted_on",
            _("Application date"),
            "date",
            required=True,
            headers=("Date de candidature", "Date de dépôt", "Date", "Submitted on"),
        ),
        FieldSpec(
            "status",
            _("Status"),
            "choice",
            headers=("Statut", "Décision", "État", "Etat", "Status"),
            source="application_status",
            help=_("Empty means submitted. “Not selected” needs a reason in the Reason column."),
        ),
        FieldSpec(
            "status_on",
            _("Date of the status"),
            "date",
            headers=("Date de décision", "Date du statut", "Date de la décision"),
            help=_("When the application reached its status (default: the application date)."),
        ),
        FieldSpec(
            "reason",
            _("Reason"),
            "text",
            headers=("Motif", "Raison", "Motif de non-sélection", "Motif d'abandon", "Reason"),
            help=_(
                "For “not selected”: why no next step was offered; for “dropped out”: why the "
                "person left. One of the reasons of your network."
            ),
        ),
    ),
)

REFERRALS = EntitySpec(
    code=Entity.REFERRALS,
    label=Entity.REFERRALS.label,
    external_id_field="external_id",
    key_fields=(PERSON, "to_structure", "sent_on"),
    help=_(
        "Referrals your structure sent to another structure of the network: that structure is "
        "told, as for a referral sent from Maillage. Each row names its person by the file number "
        "(imported with the persons), or by last name, first name and birth date. A new import "
        "does not change them: the receiving structure answers them in Maillage."
    ),
    fields=(
        _external_id("N° orientation", "Identifiant orientation"),
        *PERSON_REFERENCE,
        FieldSpec(
            "to_structure",
            _("Structure referred to"),
            "structure",
            required=True,
            headers=(
                "Structure orientée",
                "Orienté vers",
                "Orientée vers",
                "Orientation vers",
                "Structure d'accueil",
                "Structure partenaire",
                "Partenaire",
            ),
            help=_("A structure of your network, by its name."),
        ),
        _offer(_("An offer of the structure referred to, by its title.")),
        FieldSpec(
            "sent_on",
            _("Referral date"),
            "date",
            required=True,
            headers=("Date d'orientation", "Date d'envoi", "Date", "Sent on"),
        ),
        FieldSpec(
            "reason",
            _("Why this structure"),
            "text",
            headers=("Motif", "Motif d'orientation", "Raison", "Pourquoi", "Reason"),
        ),
        FieldSpec(
            "shared_info",
            _("Information shared with the structure"),
            "text",
            headers=("Informations transmises", "Informations partagées", "Commentaire"),
            help=_("Shared only when the person consented to share within the network."),
        ),
    ),
)

ACTS = EntitySpec(
    code=Entity.ACTS,
    label=Entity.ACTS.label,
    external_id_field="external_id",
    key_fields=(PERSON, "occurred_on", "act_type"),
    help=_(
        "One row per act. An individual act names its person (file number, or name and birth "
        "date). A collective act is one row too: its attendees' file numbers in the Attendees "
        "column, separated by “;” (and those invited who did not come in the Absent column)."
    ),
    fields=(
        _external_id("N° acte", "Identifiant acte", "N° RDV"),
        *PERSON_REFERENCE,
        FieldSpec(
            "attendees",
            _("Attendees (file numbers)"),
            "file_numbers",
            headers=("Participants", "Présents", "Liste des participants", "Attendees"),
            help=_("For a collective act: the attendees' file numbers, separated by “;”."),
        ),
        FieldSpec(
            "absent",
            _("Absent (file numbers)"),
            "file_numbers",
            headers=("Absents", "Excusés", "Absent"),
            help=_("Invited persons who did not come, separated by “;”."),
        ),
        FieldSpec(
            "act_type",
            _("Type of act"),
            "referential",
            required=True,
            headers=("Type d'acte", "Type", "Nature de l'acte", "Acte", "Type de RDV", "Act type"),
            source="act-types",
            help=_("Abbreviations and usual words are understood (“RDV”, “entretien”…)."),
        ),
        FieldSpec(
            "occurred_on",
            _("Date"),
            "date",
            required=True,
            headers=(
                "Date du RDV",
                "Date",
                "Date de l'acte",
                "Date du rendez-vous",
                "Date de l'entretien",
                "Date de la séance",
            ),
        ),
        FieldSpec(
            "duration",
            _("Duration"),
            "duration",
            required=True,
            headers=("Durée", "Temps", "Durée (min)", "Durée en minutes", "Duration"),
            help=_("“1h30”, “90” (minutes) or “1,5” (hours)."),
        ),
        _offer(_("One of your structure's offers, by its title.")),
        FieldSpec(
            "staff",
            _("Staff member"),
            "staff",
            headers=(
                "Conseiller",
                "Conseillère",
                "Accompagnateur",
                "Accompagnatrice",
                "Intervenant",
                "Intervenante",
                "Chargé d'accompagnement",
                "Staff",
            ),
            help=_("A member of your structure, by e-mail or full name (default: you)."),
        ),
        FieldSpec(
            "title",
            _("Title"),
            "text",
            headers=("Intitulé", "Titre", "Thème", "Objet", "Title"),
            max_length=200,
        ),
        FieldSpec(
            "notes",
            _("Notes"),
            "text",
            headers=("Notes", "Commentaire", "Commentaires", "Observations", "Compte rendu"),
        ),
    ),
)

OUTCOMES = EntitySpec(
    code=Entity.OUTCOMES,
    label=Entity.OUTCOMES.label,
    external_id_field="external_id",
    key_fields=(PERSON, "outcome_type", "occurred_on"),
    help=REFERENCE_HELP,
    fields=(
        _external_id("N° sortie", "Identifiant sortie"),
        *PERSON_REFERENCE,
        FieldSpec(
            "outcome_type",
            _("Type of outcome"),
            "referential",
            required=True,
            headers=(
                "Type de sortie",
                "Sortie",
                "Motif de sortie",
                "Situation à la sortie",
                "Outcome",
            ),
            source="outcome-types",
        ),
        FieldSpec(
            "occurred_on",
            _("Date"),
            "date",
            required=True,
            headers=("Date de sortie", "Date", "Date de fin"),
        ),
        FieldSpec(
            "legal_form",
            _("Legal form of the activity"),
            "legal_form",
            headers=("Forme juridique", "Statut juridique", "Forme juridique de l'activité"),
        ),
        FieldSpec(
            "details",
            _("Details"),
            "text",
            headers=("Détails", "Précisions", "Commentaire", "Commentaires", "Details"),
        ),
    ),
)

ENTITIES: dict[str, EntitySpec] = {
    spec.code: spec for spec in (PERSONS, PROJECTS, APPLICATIONS, REFERRALS, ACTS, OUTCOMES)
}
