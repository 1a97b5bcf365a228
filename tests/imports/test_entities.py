"""Each kind of file: persons, projects, applications, referrals, acts and outcomes."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from maillage.imports import services
from maillage.imports.entities import ENTITIES
from maillage.imports.mapping import auto_mapping
from maillage.imports.models import ImportStatus
from maillage.pathways.models import (
    Accompaniment,
    Application,
    ApplicationStatus,
    Consent,
    Outcome,
    Person,
    Project,
    ProjectKind,
    Referral,
    ReferralStatus,
)
from tests.factories import PersonFactory, TerritoryFactory
from tests.imports.engine import (
    PERSON_HEADER,
    build_world,
    commit,
    person,
    upload,
    use_tmp_media,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    use_tmp_media(settings, tmp_path)


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize(
    ("entity", "header", "expected"),
    [
        (
            "persons",
            [
                "N° dossier",
                "Nom",
                "Prénom",
                "Date de naissance",
                "Commune",
                "Téléphone",
                "Courriel",
            ],
            {"file_number", "last_name", "first_name", "birth_date", "commune", "phone", "email"},
        ),
        (
            "acts",
            ["N° dossier", "Date du RDV", "Type d'acte", "Durée", "Offre", "Conseiller"],
            {"file_number", "occurred_on", "act_type", "duration", "offer", "staff"},
        ),
        (
            "referrals",
            ["N° de dossier ", "Structure orientée", "Offre", "Date d'orientation", "Motif"],
            {"file_number", "to_structure", "offer", "sent_on", "reason"},
        ),
        (
            "applications",
            ["N°dossier", "Offre", "Date de candidature", "Statut", "Motif"],
            {"file_number", "offer", "submitted_on", "status", "reason"},
        ),
        (
            "outcomes",
            ["NUM DOSSIER", "Type de sortie", "Date de sortie", "Forme juridique"],
            {"file_number", "outcome_type", "occurred_on", "legal_form"},
        ),
        (
            "projects",
            ["No dossier", "Nom du projet", "Secteur d'activité", "Forme juridique envisagée"],
            {"file_number", "title", "sector", "legal_form"},
        ),
    ],
)
def test_french_headers_map_automatically(entity, header, expected):
    mapping = auto_mapping(entity, header)
    assert set(mapping) == expected
    assert all(mapping[code] in header for code in mapping)


def test_every_entity_has_a_key_and_unique_headers():
    for spec in ENTITIES.values():
        codes = [field.code for field in spec.fields]
        assert len(codes) == len(set(codes))
        assert spec.external_id_field in codes
        assert spec.key_fields


# --- Persons -----------------------------------------------------------------------------------


def test_persons_are_created_with_their_file_number_and_no_consent(world):
    marseille = TerritoryFactory(name="Marseille 5e Arrondissement", code="13205")
    header = [*PERSON_HEADER, "Commune", "Sexe", "QPV", "Date d'entrée", "Situation"]
    rows = [
        [
            "D-001",
            "Durand",
            "Camille",
            "17/05/1990",
            "Camille.Durand@Exemple.fr",
            "612345678",
            "13205",
            "F",
            "oui",
            "06/01/2025",
            "Demandeur d'emploi",
        ],
        ["D-002", "Martin", "Dominique", "", "", "", "Atlantide", "", "non", "", ""],
    ]
    run = commit(world, "persons", header, rows)
    assert run.status == ImportStatus.IMPORTED, run.errors
    camille = Person.objects.get(last_name="Durand")
    assert camille.email == "camille.durand@exemple.fr"
    assert camille.phone == "06 12 34 56 78"
    assert camille.commune == marseille and camille.gender == "female"
    assert camille.priority_neighbourhood and camille.birth_year == 1990
    assert camille.situation is not None
    assert camille.created_by_structure == world.intermade
    accompaniment = Accompaniment.objects.get(person=camille)
    assert accompaniment.structure == world.intermade
    assert (accompaniment.file_number, accompaniment.started_on) == (
        "D-001",
        datetime.date(2025, 1, 6),
    )
    assert not Consent.objects.exists() and not camille.shares_with_network
    assert [(w["line"], w["column"], w["value"]) for w in run.warnings] == [
        (3, "Commune", "Atlantide")
    ]
    martin = Person.objects.get(last_name="Martin")
    assert martin.commune is None and martin.commune_text == "Atlantide"


def test_a_person_already_in_the_structure_is_updated_by_file_number(world):
    known = person(world, "D-001")
    rows = [["D-001", "Durand", "Camille", "17/05/1990", "camille@exemple.fr", ""]]
    run = commit(world, "persons", PERSON_HEADER, rows)
    assert run.status == ImportStatus.IMPORTED
    assert run.counts["updated"] == 1 and Person.objects.count() == 1
    known.refresh_from_db()
    assert known.email == "camille@exemple.fr" and known.version == 2


def test_probable_duplicates_wait_for_the_advisor(world):
    known = PersonFactory(
        last_name="Durand", first_name="Camille", email="", accompanied_by=[world.intermade]
    )
    rows = [
        ["D-001", "Durant", "Camille", "17/05/1990", "", ""],
        ["D-002", "Nguyen", "Sacha", "02/02/1985", "", ""],
    ]
    run = upload(world, "persons", PERSON_HEADER, rows)
    run = services.analyse(run=run, user=world.advisor)
    assert run.status == ImportStatus.READY
    assert [d["line"] for d in run.duplicates] == [2]
    assert run.duplicates[0]["candidates"][0]["id"] == known.pk
    assert "Camille Durand" in run.duplicates[0]["candidates"][0]["label"]
    with pytest.raises(ValidationError):
        services.commit(run=run, user=world.advisor)
    with pytest.raises(ValidationError):
        services.resolve_duplicates(run=run, user=world.advisor, decisions={"2": 999999})
    run = services.resolve_duplicates(run=run, user=world.advisor, decisions={"2": known.pk})
    # A new dry run (e.g. after the columns were changed) keeps the answers already given.
    run = services.analyse(run=run, user=world.advisor)
    assert run.errors == [] and run.duplicate_decisions == {"2": known.pk}
    assert services.unresolved_duplicates(run) == []
    run = services.commit(run=run, user=world.advisor)
    assert run.status == ImportStatus.IMPORTED
    assert Person.objects.count() == 2  # Camille is the same person; Sacha is new
    assert Accompaniment.objects.get(person=known, structure=world.intermade).file_number == "D-001"


def test_a_duplicate_answered_new_person_is_created(world):
    PersonFactory(last_name="Durand", first_name="Camille", accompanied_by=[world.intermade])
    run = upload(world, "persons", PERSON_HEADER, [["D-1", "Durand", "Camille", "", "", ""]])
    run = services.analyse(run=run, user=world.advisor)
    run = services.resolve_duplicates(run=run, user=world.advisor, decisions={"2": "new"})
    run = services.commit(run=run, user=world.advisor)
    assert run.status == ImportStatus.IMPORTED
    assert Person.objects.filter(last_name="Durand").count() == 2


def test_the_command_imports_duplicates_as_new_persons_with_a_warning(world):
    PersonFactory(last_name="Durand", first_name="Camille", accompanied_by=[world.intermade])
    run = commit(world, "persons", PERSON_HEADER, [["D-1", "Durand", "Camille", "", "", ""]])
    assert run.status == ImportStatus.IMPORTED
    assert Person.objects.filter(last_name="Durand").count() == 2
    assert run.warnings[0]["line"] == 2


def test_persons_of_another_structure_are_not_proposed_as_duplicates(world):
    PersonFactory(last_name="Durand", first_name="Camille", accompanied_by=[world.apeas])
    run = upload(world, "persons", PERSON_HEADER, [["D-1", "Durand", "Camille", "", "", ""]])
    run = services.analyse(run=run, user=world.advisor)
    assert run.duplicates == []


def test_two_rows_with_distinct_file_numbers_are_two_persons(world):
    rows = [
        ["D-1", "Durand", "Camille", "17/05/1990", "", ""],
        ["D-2", "Durand", "Camille", "17/05/1990", "", ""],
    ]
    run = commit(world, "persons", PERSON_HEADER, rows)
    assert run.status == ImportStatus.IMPORTED
    assert Person.objects.count() == 2


def test_a_file_number_of_someone_else_is_refused_a_typo_is_corrected(world):
    dominique = person(world, "D-1", first="Dominiqe", last="Martin")
    run = commit(world, "persons", PERSON_HEADER, [["D-1", "Durand", "Camille", "", "", ""]])
    assert run.status == ImportStatus.REFUSED
    assert [(e["line"], e["column"], e["value"]) for e in run.errors] == [(2, "N° dossier", "D-1")]
    run = commit(world, "persons", PERSON_HEADER, [["D-1", "Martin", "Dominique", "", "", ""]])
    assert run.status == ImportStatus.IMPORTED
    dominique.refresh_from_db()
    assert dominique.first_name == "Dominique" and Person.objects.count() == 1


# --- Projects ----------------------------------------------------------------------------------


def test_projects_individual_and_collective(world):
    camille = person(world, "D-1")
    sacha = person(world, "D-2", first="Sacha")
    header = ["N° dossier", "Nom du projet", "Secteur", "Co-porteurs", "Forme juridique"]
    rows = [
        ["D-1", "Épicerie solidaire", "", "", ""],
        ["D-2", "Atelier vélo", "", "D-1", "Association"],
    ]
    run = commit(world, "projects", header, rows)
    assert run.status == ImportStatus.IMPORTED, run.errors
    shop = Project.objects.get(title="Épicerie solidaire")
    assert shop.kind == ProjectKind.INDIVIDUAL and list(shop.persons.all()) == [camille]
    bikes = Project.objects.get(title="Atelier vélo")
    assert bikes.kind == ProjectKind.COLLECTIVE
    assert set(bikes.persons.all()) == {camille, sacha}
    assert bikes.envisaged_legal_form.code == "association"
    assert bikes.created_by_structure == world.intermade


# --- Applications ------------------------------------------------------------------------------


def test_applications_reach_their_status_through_the_state_machine(world):
    person(world, "D-1")
    person(world, "D-2", first="Sacha")
    person(world, "D-3", first="Alex")
    header = ["N° dossier", "Offre", "Date de candidature", "Statut", "Date de décision", "Motif"]
    rows = [
        ["D-1", "Starter", "06/01/2025", "Terminé", "30/04/2025", ""],
        ["D-2", "starter", "07/01/2025", "Non retenu", "20/01/2025", "Projet pas assez mûr"],
        ["D-3", "Starter", "08/01/2025", "", "", ""],
    ]
    run = upload(world, "applications", header, rows)
    run = services.analyse(run=run, user=world.advisor)
    assert run.status == ImportStatus.REFUSED  # not one of the network's reasons
    assert [(e["line"], e["column"]) for e in run.errors] == [(3, "Motif")]
    rows[1][5] = "Se représentera à la prochaine session"
    run = upload(world, "applications", header, rows)
    run = services.commit(run=run, user=world.advisor)
    assert run.status == ImportStatus.IMPORTED, run.errors
    statuses = dict(
        Application.objects.values_list("person__accompaniments__file_number", "status")
    )
    assert statuses == {
        "D-1": ApplicationStatus.COMPLETED,
        "D-2": ApplicationStatus.NOT_SELECTED,
        "D-3": ApplicationStatus.SUBMITTED,
    }
    completed = Application.objects.get(status=ApplicationStatus.COMPLETED)
    assert [t.to_status for t in completed.transitions.order_by("at", "pk")] == [
        "submitted",
        "selected",
        "in_progress",
        "completed",
    ]
    assert completed.submitted_on == datetime.date(2025, 1, 6)
    assert Application.objects.get(status="not_selected").no_next_step_reason is not None


def test_a_not_selected_application_without_reason_is_refused(world):
    person(world, "D-1")
    header = ["N° dossier", "Offre", "Date de candidature", "Statut"]
    run = commit(world, "applications", header, [["D-1", "Starter", "06/01/2025", "Non retenu"]])
    assert run.status == ImportStatus.REFUSED
    assert run.errors[0]["line"] == 2 and run.errors[0]["column"] == "Statut"


def test_an_application_to_another_structures_offer_is_refused(world):
    person(world, "D-1")
    header = ["N° dossier", "Offre", "Date de candidature"]
    run = commit(world, "applications", header, [["D-1", "PILES", "06/01/2025"]])
    assert run.status == ImportStatus.REFUSED
    assert run.errors[0]["column"] == "Offre"


# --- Referrals ---------------------------------------------------------------------------------


def test_referrals_are_sent_to_a_structure_of_the_network(world):
    person(world, "D-1")
    header = ["N° dossier", "Structure orientée", "Offre", "Date d'orientation", "Motif"]
    rows = [["D-1", "apeas", "Piles", "10/02/2025", "Besoin d'un cycle d'émergence"]]
    run = commit(world, "referrals", header, rows)
    assert run.status == ImportStatus.IMPORTED, run.errors
    referral = Referral.objects.get()
    assert (referral.from_structure, referral.to_structure, referral.to_offer) == (
        world.intermade,
        world.apeas,
        world.piles,
    )
    assert referral.status == ReferralStatus.SENT
    assert referral.sent_at.date() == datetime.date(2025, 2, 10)
    assert not referral.shares_person_data  # no consent: the person's data do not travel


def test_a_referral_to_the_structure_itself_or_outside_the_network_is_refused(world):
    from tests.factories import StructureFactory

    StructureFactory(name="Hors réseau")
    person(world, "D-1")
    header = ["N° dossier", "Structure orientée", "Date d'orientation"]
    rows = [["D-1", "Intermade", "10/02/2025"], ["D-1", "Hors réseau", "10/02/2025"]]
    run = commit(world, "referrals", header, rows)
    assert run.status == ImportStatus.REFUSED
    assert [(e["line"], e["column"]) for e in run.errors] == [
        (2, "Structure orientée"),
        (3, "Structure orientée"),
    ]


# --- Outcomes ----------------------------------------------------------------------------------


def test_outcomes(world):
    camille = person(world, "D-1")
    header = ["N° dossier", "Type de sortie", "Date de sortie", "Détails"]
    from maillage.pathways.models import OutcomeType

    outcome_type = OutcomeType.objects.get(label_fr="Emploi salarié")
    rows = [["D-1", "emploi salarie", "30/06/2025", "Création d'une SCOP"]]
    run = commit(world, "outcomes", header, rows)
    assert run.status == ImportStatus.IMPORTED, run.errors
    outcome = Outcome.objects.get()
    assert (outcome.person, outcome.outcome_type, outcome.structure) == (
        camille,
        outcome_type,
        world.intermade,
    )
    assert outcome.details == "Création d'une SCOP" and outcome.version == 1
    camille.refresh_from_db()
    assert camille.last_activity_on == datetime.date(2025, 6, 30)
