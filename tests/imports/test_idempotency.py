"""Importing a file twice changes nothing; a corrected file updates only the rows that changed."""

import copy
import datetime
import importlib
import re

import pytest
from django.apps import apps

from maillage.imports.models import ImportedRow, ImportStatus
from maillage.imports.pipeline.core import protect_key
from maillage.pathways import models as m
from maillage.pathways.acts.services import update_act
from tests.imports.engine import (
    ACT_HEADER,
    PERSON_HEADER,
    build_world,
    commit,
    person,
    use_tmp_media,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    use_tmp_media(settings, tmp_path)


@pytest.fixture
def world(db):
    w = build_world()
    person(w, "D-1")
    person(w, "D-2", first="Sacha", last="Nguyen", birth=datetime.date(1985, 2, 2))
    return w


FILES = {
    "persons": (
        [*PERSON_HEADER, "Commune"],
        [
            ["D-10", "Roux", "Alex", "03/04/1992", "alex@exemple.fr", "0612345678", ""],
            ["D-11", "Petit", "Maël", "", "", "", ""],
            ["D-1", "Durand", "Camille", "17/05/1990", "", "", ""],
        ],
    ),
    "projects": (
        ["N° dossier", "Nom du projet", "Description", "Co-porteurs"],
        [["D-1", "Épicerie solidaire", "Circuits courts", ""], ["D-2", "Vélos", "", "D-1"]],
    ),
    "applications": (
        ["N° dossier", "Offre", "Date de candidature", "Statut"],
        [["D-1", "Starter", "06/01/2025", "Retenu"], ["D-2", "Starter", "07/01/2025", ""]],
    ),
    "referrals": (
        ["N° dossier", "Structure orientée", "Date d'orientation", "Motif"],
        [["D-1", "APEAS", "10/02/2025", "Cycle d'émergence"]],
    ),
    "acts": (
        ACT_HEADER,
        [
            ["D-1", "14/03/2025", "Entretien individuel", "1h30", "Premier entretien"],
            ["D-1", "14/03/2025", "Entretien individuel", "1h30", "Premier entretien"],
            ["D-2", "15/03/2025", "Accueil", "30", ""],
        ],
    ),
    "outcomes": (
        ["N° dossier", "Type de sortie", "Date de sortie", "Détails"],
        [["D-1", "Formation", "30/06/2025", "BTS"], ["D-2", "Perdu de vue", "01/07/2025", ""]],
    ),
}


def _file(entity):
    """A fresh copy of an entity's file (tests change rows)."""
    header, rows = FILES[entity]
    return list(header), copy.deepcopy(rows)


MODELS = {
    "persons": m.Person,
    "projects": m.Project,
    "applications": m.Application,
    "referrals": m.Referral,
    "acts": m.Act,
    "outcomes": m.Outcome,
}


def _state():
    """Everything an import may write, with versions."""
    return {
        name: sorted(model.objects.values_list("pk", "version")) for name, model in MODELS.items()
    } | {
        "participants": sorted(m.ActParticipant.objects.values_list("act", "person", "attended")),
        "accompaniments": sorted(
            m.Accompaniment.objects.values_list("person", "structure", "file_number", "started_on")
        ),
        "transitions": m.ApplicationTransition.objects.count()
        + m.ReferralTransition.objects.count(),
        "imported": sorted(ImportedRow.objects.values_list("key", "object_id", "row_hash")),
    }


@pytest.mark.parametrize("entity", list(FILES))
@pytest.mark.sqlite
def test_acceptance_3_the_same_file_twice_creates_and_changes_nothing(world, entity):
    header, rows = _file(entity)
    first = commit(world, entity, header, rows)
    assert first.status == ImportStatus.IMPORTED, first.errors
    assert sum(first.counts[key] for key in ("created", "updated", "unchanged")) == len(rows)
    before = _state()
    second = commit(world, entity, header, rows)
    assert second.status == ImportStatus.IMPORTED, second.errors
    assert second.counts["created"] == second.counts["updated"] == 0
    assert second.counts["unchanged"] == len(rows)
    assert _state() == before


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_the_same_rows_saved_in_another_format_are_the_same_rows(world, fmt):
    header, rows = _file("acts")
    commit(world, "acts", header, rows)
    before = _state()
    typed = [[r[0], datetime.datetime.strptime(r[1], "%d/%m/%Y").date(), *r[2:]] for r in rows]
    again = commit(world, "acts", header, typed, fmt=fmt)
    assert again.counts["unchanged"] == 3 and again.counts["created"] == 0
    assert _state() == before


def test_identical_rows_without_identifier_are_distinct_acts(world):
    header, rows = _file("acts")
    commit(world, "acts", header, rows)
    assert m.Act.objects.count() == 3  # lines 2 and 3 are two acts the same day
    commit(world, "acts", header, [*rows, rows[0]])
    assert m.Act.objects.count() == 4  # a third occurrence is a third act


@pytest.mark.sqlite
def test_a_corrected_file_updates_only_the_changed_rows(world):
    header = ["N° acte", *ACT_HEADER]
    rows = [
        ["A1", "D-1", "14/03/2025", "Entretien individuel", "1h", ""],
        ["A2", "D-2", "15/03/2025", "Accueil", "30", ""],
        ["A3", "D-1", "16/03/2025", "Suivi individuel", "45", ""],
    ]
    commit(world, "acts", header, rows)
    versions = dict(m.Act.objects.values_list("pk", "version"))
    rows[1][4] = "45"  # A2's duration corrected
    rows[2][5] = "Compte rendu envoyé"  # A3 gets a comment
    run = commit(world, "acts", header, rows)
    assert (run.counts["created"], run.counts["updated"], run.counts["unchanged"]) == (0, 2, 1)
    acts = {row.key: m.Act.objects.get(pk=row.object_id) for row in ImportedRow.objects.all()}
    assert acts[protect_key("id:A1")].version == versions[acts[protect_key("id:A1")].pk] == 1
    assert (acts[protect_key("id:A2")].duration_minutes, acts[protect_key("id:A2")].version) == (
        45,
        2,
    )
    assert (acts[protect_key("id:A3")].notes, acts[protect_key("id:A3")].version) == (
        "Compte rendu envoyé",
        2,
    )
    kept = ImportedRow.objects.get(key=protect_key("id:A2"))
    assert (kept.version, kept.updated_by_run) == (2, run)


def test_a_row_changed_in_maillage_since_is_skipped_with_a_warning(world):
    header = ["N° acte", *ACT_HEADER]
    rows = [["A1", "D-1", "14/03/2025", "Entretien individuel", "1h", ""]]
    commit(world, "acts", header, rows)
    act = m.Act.objects.get()
    update_act(act=act, user=world.advisor, expected_version=1, notes="Corrigé à la main")
    rows[0][4] = "2h"
    run = commit(world, "acts", header, rows)
    assert run.status == ImportStatus.IMPORTED
    assert run.counts["skipped"] == 1 and run.warnings[0]["line"] == 2
    act.refresh_from_db()
    assert (act.duration_minutes, act.notes) == (60, "Corrigé à la main")


def test_a_corrected_persons_file_updates_the_person(world):
    header, rows = _file("persons")
    commit(world, "persons", header, rows)
    rows[1][4] = "mael.petit@exemple.fr"
    run = commit(world, "persons", header, rows)
    assert (run.counts["updated"], run.counts["unchanged"]) == (1, 2)
    mael = m.Person.objects.get(first_name="Maël")
    assert mael.email == "mael.petit@exemple.fr" and mael.version == 2


def test_an_application_moves_forward_with_the_next_file(world):
    header, rows = _file("applications")
    commit(world, "applications", header, rows)
    rows[0][3] = "Terminé"
    run = commit(world, "applications", header, rows)
    assert run.status == ImportStatus.IMPORTED, run.errors
    assert run.counts["updated"] == 1
    statuses = sorted(m.Application.objects.values_list("status", flat=True))
    assert statuses == ["completed", "submitted"]
    rows[0][3] = "Déposée"  # back to "submitted": refused
    run = commit(world, "applications", header, rows)
    assert run.status == ImportStatus.REFUSED
    assert run.errors[0]["column"] == "Statut"


def test_a_second_click_on_import_does_not_import_again(world):
    from maillage.imports import services
    from maillage.imports.models import ImportRun

    header, rows = _file("acts")
    run = commit(world, "acts", header, rows)
    stale = ImportRun.objects.get(pk=run.pk)
    stale.status = ImportStatus.IMPORTING  # as a second request read it before the first ended
    again = services.commit(run=stale, user=world.advisor)
    assert again.status == ImportStatus.IMPORTED and again.counts["created"] == 3
    assert m.Act.objects.count() == 3


def test_a_dry_run_of_persons_writes_nothing(world):
    from maillage.imports import services
    from tests.imports.engine import upload

    header, rows = _file("persons")
    before = _state()
    run = upload(world, "persons", header, rows)
    run = services.analyse(run=run, user=world.advisor)
    assert run.status == ImportStatus.READY and run.counts["created"] == 2
    assert _state() == before


def test_the_kept_keys_are_keyed_hashes_never_the_key_fields_in_clear(world, settings):
    """Rows without identifier are keyed by their names and birth date: only an HMAC of them
    is kept, and it depends on the secret (IMPORT_KEY_SALT, else derived from SECRET_KEY)."""
    header = ["Nom", "Prénom", "Date de naissance"]
    commit(world, "persons", header, [["Lefèvre", "Inès", "03/04/1992"]])
    key = ImportedRow.objects.get().key
    assert re.fullmatch(r"h:[0-9a-f]{64}", key)
    assert not re.search(r"(?i)lef|ines|inès|1992", key)
    default = protect_key("k:x")
    settings.IMPORT_KEY_SALT = "another secret"
    assert protect_key("k:x") != default


def test_the_migration_hashes_the_keys_kept_in_clear_as_imports_now_do(world):
    """After the migration, importing an earlier file again still writes nothing."""
    header = [*PERSON_HEADER]
    rows = [["D-10", "Roux", "Alex", "03/04/1992", "alex@exemple.fr", "0612345678"]]
    commit(world, "persons", header, rows)
    kept = ImportedRow.objects.get()
    # As the landed code kept it: the file's identifier in clear.
    ImportedRow.objects.filter(pk=kept.pk).update(key="id:D-10")
    migration = importlib.import_module("maillage.imports.migrations.0002_hash_imported_row_keys")
    migration.hash_keys(apps, None)
    assert ImportedRow.objects.get().key == kept.key == protect_key("id:D-10")
    again = commit(world, "persons", header, rows)
    assert (again.counts["created"], again.counts["unchanged"]) == (0, 1)
