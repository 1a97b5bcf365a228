"""Imports speak the structures' vocabulary (issue 16): values and headers matched loosely, the
values that match nothing mapped once in the dry run and kept with the saved mapping, unmapped
columns listed, and a column that looks like the rows' identifier pointed out before anything
is matched by content."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from maillage.imports import services
from maillage.imports.mapping import auto_mapping, identifier_like
from maillage.imports.matching import Choice, Matcher, UnmatchedValue, referential_matcher
from maillage.imports.models import ImportRun, ImportStatus, SavedMapping
from maillage.pathways.models import Act, Person
from tests.imports.engine import *  # noqa: F403 (fixtures: world, media)
from tests.imports.engine import file_bytes, person, upload
from tests.imports.files import csv_bytes

pytestmark = pytest.mark.django_db

HOME = reverse("imports:home")
PERSONS = ["N° dossier", "Nom", "Prénom", "Date de naissance", "Situation"]


def url(name, run):
    return reverse(f"imports:{name}", kwargs={"uuid": run.uuid})


def persons_file(rows, name="personnes.csv"):
    return SimpleUploadedFile(name, csv_bytes([PERSONS, *rows]), content_type="text/csv")


def upload_persons(w, rows, **options):
    return services.upload(
        structure=w.intermade,
        entity="persons",
        user=w.advisor,
        uploaded_file=persons_file(rows),
        **options,
    )


def run_command(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_records", *args, stdout=out, stderr=err, **options)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def write_csv(tmp_path, header, rows, name="import.csv"):
    _name, data = file_bytes(header, rows)
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --- Matching values: tolerance before asking ----------------------------------------------------


@pytest.fixture
def situations(world):
    return referential_matcher("situations", structure=world.intermade)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("RSA allocataire", "rsa"),  # word order
        ("Allocataire RSA", "rsa"),  # a small word left out
        ("allocataire, du R.S.A.", "unmatched"),  # "R.S.A." is three letters: asked
        ("ALLOCATAIRE DU RSA", "rsa"),  # case
        ("Allocataire (du) RSA !", "rsa"),  # punctuation
        ("Salarié(e)", "employee"),  # inclusive writing
        ("salarie-e", "employee"),
        ("Salarié·es", "employee"),
        ("Etudiant.e", "student"),
        ("Étudiant(e)s", "student"),
        ("Demandeur·euse d'emploi", "job_seeker"),
        ("demandeur emploi", "job_seeker"),  # "d'" left out
        ("Emploi demandeur", "job_seeker"),
        ("Indép.", "self_employed"),  # an abbreviation
        ("alloc. RSA", "rsa"),
    ],
)
def test_values_match_whatever_their_word_order_small_words_writing_and_abbreviations(
    situations, value, code
):
    if code == "unmatched":
        with pytest.raises(UnmatchedValue):
            situations.match(value)
        return
    assert situations.match(value).code == code


def test_a_value_that_matches_no_entry_proposes_the_closest(situations):
    with pytest.raises(UnmatchedValue) as raised:
        situations.match("RSA socle")
    assert raised.value.candidates[0] == ("rsa", "Allocataire du RSA")
    # Every entry can be chosen, the closest first.
    assert raised.value.options[0] == ("rsa", "Allocataire du RSA")
    assert {code for code, _label in raised.value.options} >= {"employee", "student", "other"}
    assert "Valeur inconnue" in raised.value.reason

    with pytest.raises(UnmatchedValue) as raised:
        situations.match("Salarié(e) en CDD")
    assert raised.value.candidates[0] == ("employee", "Salarié·e")


def test_a_value_mapping_comes_first_and_is_compared_loosely(world):
    matcher = referential_matcher(
        "situations", structure=world.intermade, aliases={"RSA socle": "rsa"}
    )
    assert matcher.match("RSA socle").code == "rsa"
    assert matcher.match("rsa  SOCLE").code == "rsa"
    assert matcher.match("socle RSA").code == "rsa"


def test_a_value_mapping_to_an_entry_that_no_longer_exists_is_a_clear_error():
    matcher = Matcher(
        [Choice("female", "Femme"), Choice("male", "Homme")],
        what="genre",
        aliases={"Mme.": "madame"},
    )
    with pytest.raises(Exception) as raised:
        matcher.match("Mme.")
    assert not isinstance(raised.value, UnmatchedValue)
    assert "correspondance" in raised.value.reason


# --- Headers: the same tolerance ------------------------------------------------------------------


def test_headers_match_their_fields_with_the_same_tolerance():
    header = ["Référence de l'acte", "N° dossier", "Date RDV", "Type d'acte", "Durée", "Lieu"]
    assert auto_mapping("acts", header) == {
        "external_id": "Référence de l'acte",
        "file_number": "N° dossier",
        "act_type": "Type d'acte",
        "occurred_on": "Date RDV",
        "duration": "Durée",
    }
    assert auto_mapping("acts", ["N° de l'acte", "Date du rendez-vous"]) == {
        "external_id": "N° de l'acte",
        "occurred_on": "Date du rendez-vous",
    }
    assert auto_mapping("persons", ["Prénom", "NOM", "Date naissance", "Numéro de téléphone"]) == {
        "last_name": "NOM",
        "first_name": "Prénom",
        "birth_date": "Date naissance",
        "phone": "Numéro de téléphone",
    }


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Réf. séance", True),
        ("N° interne", True),
        ("Code RDV", True),
        ("ID", True),
        ("Numéro de téléphone", False),
        ("Code postal", False),
        ("N° allocataire CAF", False),
        ("Commentaire", False),
    ],
)
def test_which_headers_read_like_an_identifier(header, expected):
    assert identifier_like(header) is expected


# --- Acceptance 4: "RSA socle" mapped once in the dry run -----------------------------------------


@pytest.fixture
def advisor(world, login):
    return login(world.advisor)


def test_acceptance_a_value_mapped_once_in_the_dry_run_is_not_asked_again(advisor, world):
    advisor.post(
        HOME,
        {
            "entity": "persons",
            "file": persons_file([["P-1", "Martin", "Léa", "02/03/1991", "RSA socle"]]),
        },
    )
    run = ImportRun.objects.get()
    assert run.mapping["situation"] == "Situation"
    advisor.post(url("mapping", run), {f"column_{c}": h for c, h in run.mapping.items()})
    run.refresh_from_db()
    assert run.status == ImportStatus.REFUSED
    page = advisor.get(url("dry_run", run))
    html = page.content.decode()
    # The value, its column and the closest entry are shown, in a form that needs no script.
    assert "« RSA socle » dans la colonne « Situation »" in html
    assert f'action="{url("map_values", run)}"' in html
    assert '<option value="rsa">Allocataire du RSA (la plus proche)</option>' in html
    assert url("commit", run) not in html

    response = advisor.post(
        url("map_values", run), {"value_0": "rsa", "save_as": "Personnes de l'accueil"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("dry_run", run)
    run.refresh_from_db()
    assert run.status == ImportStatus.READY
    saved = SavedMapping.objects.get()
    assert saved.name == "Personnes de l'accueil"
    assert saved.value_mappings == {"situation": {"RSA socle": "rsa"}}
    assert saved.mapping["situation"] == "Situation"
    advisor.post(url("commit", run))
    assert Person.objects.get(last_name="Martin").situation.code == "rsa"

    # The next file, with the saved mapping: no question.
    advisor.post(
        HOME,
        {
            "entity": "persons",
            "file": persons_file([["P-2", "Benali", "Sami", "04/05/1987", "rsa socle"]]),
            "mapping_name": "Personnes de l'accueil",
        },
    )
    second = ImportRun.objects.exclude(pk=run.pk).get()
    advisor.post(url("mapping", second), {f"column_{c}": h for c, h in second.mapping.items()})
    second.refresh_from_db()
    assert (second.status, second.errors, second.unknown_values) == (ImportStatus.READY, [], [])
    advisor.post(url("commit", second))
    assert Person.objects.get(last_name="Benali").situation.code == "rsa"


def test_the_next_file_without_choosing_the_saved_mapping_reads_the_value_too(world):
    run = upload_persons(world, [["P-1", "Martin", "Léa", "02/03/1991", "RSA socle"]])
    run = services.analyse(run=run, user=world.advisor)
    assert [entry["value"] for entry in run.unknown_values] == ["RSA socle"]
    services.map_values(
        run=run,
        user=world.advisor,
        answers={"situation": {"RSA socle": "rsa"}},
        save_as="Personnes",
    )
    run = services.analyse(run=run, user=world.advisor)
    services.commit(run=run, user=world.advisor)

    second = upload_persons(world, [["P-2", "Benali", "Sami", "04/05/1987", "RSA Socle"]])
    second = services.commit(run=second, user=world.advisor)
    assert second.status == ImportStatus.IMPORTED
    assert Person.objects.get(last_name="Benali").situation.code == "rsa"


def test_acceptance_through_the_command_with_the_saved_mapping(world, tmp_path):
    run = upload_persons(world, [["P-1", "Martin", "Léa", "02/03/1991", "RSA socle"]])
    run = services.analyse(run=run, user=world.advisor)
    assert run.status == ImportStatus.REFUSED
    services.map_values(
        run=run, user=world.advisor, answers={"situation": {"RSA socle": "rsa"}}, save_as="CAF"
    )
    path = write_csv(tmp_path, PERSONS, [["P-2", "Benali", "Sami", "04/05/1987", "RSA socle"]])
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="persons", mapping="CAF", report="json"
    )
    assert status == 0, out
    report = json.loads(out)
    assert (report["status"], report["values_to_map"]) == ("imported", [])
    assert Person.objects.get(last_name="Benali").situation.code == "rsa"


def test_a_mapping_file_carries_columns_and_values(world, tmp_path):
    header = ["Dossier", "Nom", "Prénom", "Né·e le", "Statut à l'arrivée"]
    rows = [
        ["P-1", "Martin", "Léa", "02/03/1991", "RSA socle"],
        ["P-2", "Benali", "Sami", "04/05/1987", "Salarié(e) en CDD"],
    ]
    path = write_csv(tmp_path, header, rows)
    # Without the mapping file, the situation's column is not recognised: the report says so.
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="persons", report="json", dry_run=True
    )
    assert status == 0
    assert json.loads(out)["unmapped_columns"] == ["Statut à l'arrivée"]
    status, out, _err = run_command(
        path,
        structure=world.intermade.slug,
        entity="persons",
        mapping=str(tmp_path / "missing.json"),
    )
    assert status == 1 and "JSON" in out  # a clear message, nothing imported
    mapping = tmp_path / "correspondance.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {
                    "file_number": "Dossier",
                    "birth_date": "Né·e le",
                    "situation": "Statut à l'arrivée",
                },
                "values": {"situation": {"RSA socle": "rsa", "Salarié(e) en CDD": "employee"}},
            }
        ),
        encoding="utf-8",
    )
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="persons", mapping=str(mapping)
    )
    assert status == 0, out
    assert {p.last_name: p.situation.code for p in Person.objects.all()} == {
        "Martin": "rsa",
        "Benali": "employee",
    }


def test_the_command_lists_the_values_to_map_with_their_closest_entries(world, tmp_path):
    path = write_csv(tmp_path, PERSONS, [["P-1", "Martin", "Léa", "02/03/1991", "RSA socle"]])
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="persons", report="json"
    )
    assert status == 1
    assert json.loads(out)["values_to_map"] == [
        {
            "field": "situation",
            "column": "Situation",
            "value": "RSA socle",
            "count": 1,
            "closest": ["rsa"],
        }
    ]
    assert not Person.objects.exists()


# --- Bad input: clear, translated, nothing lost ---------------------------------------------------


def test_a_value_mapped_to_an_entry_not_proposed_is_refused_and_nothing_is_lost(world):
    run = upload_persons(world, [["P-1", "Martin", "Léa", "02/03/1991", "RSA socle"]])
    run = services.analyse(run=run, user=world.advisor)
    with pytest.raises(ValidationError) as raised:
        services.map_values(
            run=run,
            user=world.advisor,
            answers={"situation": {"RSA socle": "nothing-like-it"}},
            save_as="Personnes",
        )
    assert "choisissez une des valeurs proposées" in " ".join(raised.value.messages)
    with pytest.raises(ValidationError) as raised:
        services.map_values(
            run=run, user=world.advisor, answers={"situation": {"RSA socle": "rsa"}}, save_as=" "
        )
    assert "nom" in " ".join(raised.value.messages)
    run.refresh_from_db()
    assert run.status == ImportStatus.REFUSED
    assert [entry["value"] for entry in run.unknown_values] == ["RSA socle"]
    assert not SavedMapping.objects.exists()
    assert not Person.objects.exists()


def test_an_empty_answer_in_the_values_form_is_explained(advisor, world):
    advisor.post(
        HOME,
        {
            "entity": "persons",
            "file": persons_file([["P-1", "Martin", "Léa", "02/03/1991", "RSA socle"]]),
        },
    )
    run = ImportRun.objects.get()
    advisor.post(url("mapping", run), {f"column_{c}": h for c, h in run.mapping.items()})
    response = advisor.post(url("map_values", run), {"value_0": "", "save_as": "Personnes"})
    assert response.status_code == 400
    assert "Choisissez, pour au moins une valeur" in response.content.decode()
    run.refresh_from_db()
    assert run.status == ImportStatus.REFUSED and run.unknown_values


# --- Unmapped columns and the rows' identifier ----------------------------------------------------


ACTS = ["N° dossier", "Numéro interne", "Date du RDV", "Type d'acte", "Durée", "Lieu"]


def test_every_unmapped_column_is_listed_in_the_dry_run(advisor, world):
    person(world, "D-1")
    data = csv_bytes([ACTS, ["D-1", "A-1", "03/02/2025", "Entretien", "1h", "Salle 2"]])
    advisor.post(HOME, {"entity": "acts", "file": SimpleUploadedFile("actes.csv", data)})
    run = ImportRun.objects.get()
    advisor.post(url("mapping", run), {f"column_{c}": h for c, h in run.mapping.items()})
    response = advisor.get(url("dry_run", run))
    assert response.context["unmapped_columns"] == ["Numéro interne", "Lieu"]
    assert "2 colonnes ne sont pas importées" in response.content.decode()


def test_a_new_row_is_not_taken_for_one_already_imported_when_the_file_has_its_own_identifier(
    world,
):
    """The defect: a file's own identifier under an unexpected header ("Numéro interne") was
    ignored silently; a second file with a new identifier but the same person, day and type
    was taken for the row already imported, and the new act was lost."""
    person(world, "D-1")
    first = ["D-1", "A-1", "03/02/2025", "Entretien", "1h", "Salle 2"]
    second = ["D-1", "A-2", "03/02/2025", "Entretien", "1h", "Salle 2"]

    run = upload(world, "acts", ACTS, [first, ["D-1", "A-0", "01/02/2025", "Suivi", "1h", ""]])
    run = services.analyse(run=run, user=world.advisor)
    # Said before anything is matched by content: the dry run stops there.
    assert run.status == ImportStatus.REFUSED
    assert run.identifier_columns == ["Numéro interne"]
    assert "Numéro interne" in run.errors[0]["value"]
    assert "Identifiant de la ligne" in run.errors[0]["reason"]
    assert run.counts["created"] == 0
    # The advisor maps it as the identifier: both files import, each act once.
    run = services.set_mapping(
        run=run, user=world.advisor, mapping={**run.mapping, "external_id": "Numéro interne"}
    )
    assert services.commit(run=run, user=world.advisor).status == ImportStatus.IMPORTED
    run = upload(world, "acts", ACTS, [second])
    run.mapping["external_id"] = "Numéro interne"
    run.save()
    run = services.commit(run=run, user=world.advisor)
    assert (run.status, run.counts["created"]) == (ImportStatus.IMPORTED, 1)
    assert Act.objects.filter(occurred_on=datetime.date(2025, 2, 3)).count() == 2


def test_the_command_refuses_a_file_whose_identifier_is_not_mapped(world, tmp_path):
    person(world, "D-1")
    rows = [
        ["D-1", "A-1", "03/02/2025", "Entretien", "1h", ""],
        ["D-1", "A-2", "03/02/2025", "Entretien", "1h", ""],
    ]
    path = write_csv(tmp_path, ACTS, rows)
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="acts", report="json"
    )
    assert status == 1
    assert json.loads(out)["identifier_columns"] == ["Numéro interne"]
    assert not Act.objects.exists()
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"external_id": "Numéro interne"}}))
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="acts", mapping=str(mapping)
    )
    assert status == 0, out
    assert Act.objects.count() == 2


def test_confirming_that_the_file_has_no_identifier_reads_it_by_content(advisor, world):
    person(world, "D-1")
    rows = [
        ["D-1", "A-1", "03/02/2025", "Entretien", "1h", ""],
        ["D-1", "A-2", "04/02/2025", "Entretien", "1h", ""],
    ]
    data = csv_bytes([ACTS, *rows])
    advisor.post(HOME, {"entity": "acts", "file": SimpleUploadedFile("actes.csv", data)})
    run = ImportRun.objects.get()
    advisor.post(url("mapping", run), {f"column_{c}": h for c, h in run.mapping.items()})
    html = advisor.get(url("dry_run", run)).content.decode()
    assert "Quelle colonne identifie les lignes" in html
    assert url("confirm_no_identifier", run) in html

    response = advisor.post(url("confirm_no_identifier", run))
    assert response["Location"] == url("dry_run", run)
    run.refresh_from_db()
    assert (run.status, run.without_identifier, run.identifier_columns) == (
        ImportStatus.READY,
        True,
        [],
    )
    assert run.counts["created"] == 2


def test_an_ambiguous_value_can_be_mapped_too():
    matcher = Matcher(
        [Choice("a", "Atelier collectif"), Choice("b", "Atelier individuel"), Choice("c", "Autre")],
        what="type",
    )
    with pytest.raises(UnmatchedValue) as raised:
        matcher.match("Atelier")
    assert raised.value.candidates == [("a", "Atelier collectif"), ("b", "Atelier individuel")]
    assert raised.value.options[-1] == ("c", "Autre")


def test_a_mapping_file_that_maps_values_of_a_free_text_column_is_refused(world, tmp_path):
    path = write_csv(tmp_path, PERSONS, [["P-1", "Martin", "Léa", "02/03/1991", "Allocataire RSA"]])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"values": {"last_name": {"Martin": "rsa"}}}))
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="persons", mapping=str(mapping)
    )
    assert status == 1
    assert "« last_name » n'est pas une colonne dont les valeurs" in out
    assert not Person.objects.exists() and not ImportRun.objects.exists()


def test_the_header_row_is_found_by_loosely_matched_headers_too(world):
    person(world, "D-1")
    # One header only is written as the field's synonyms are ("Durée"), as many as in the
    # title row above it ("Commentaire"): the others are recognised loosely.
    header = ["Référence de l'acte", "Dossier n°", "Date RDV", "Nature acte", "Durée"]
    data = csv_bytes(
        [header, ["R-1", "D-1", "03/02/2025", "Entretien", "1h"]],
        preamble=[["Commentaire", "Suivi des actes 2025"], ["Exporté le 04/12/2026"]],
    )
    run = services.upload(
        structure=world.intermade,
        entity="acts",
        user=world.advisor,
        uploaded_file=SimpleUploadedFile("actes.csv", data),
    )
    assert run.preview["header_line"] == 3
    assert run.mapping == {
        "external_id": "Référence de l'acte",
        "file_number": "Dossier n°",
        "act_type": "Nature acte",
        "occurred_on": "Date RDV",
        "duration": "Durée",
    }
    assert services.commit(run=run, user=world.advisor).status == ImportStatus.IMPORTED
