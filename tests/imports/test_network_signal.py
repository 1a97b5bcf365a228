"""The import's dry run tells the network signal of the person page (issue 16): a new person of
the file who is probably someone another structure of the network accompanies is named with
that structure only when they consented to network sharing; otherwise one neutral sentence."""

import datetime

from maillage.imports import services
from maillage.pathways.models import Person
from tests.factories import PersonFactory
from tests.imports.engine import *  # noqa: F403 (fixtures: world, media)
from tests.imports.engine import PERSON_HEADER, upload

ASK = "Demandez à la personne si elle a été accompagnée par une autre structure du réseau"
BORN = datetime.date(1987, 4, 12)


def followed_by_apeas(world, **extra):
    return PersonFactory(
        first_name="Hélène",
        last_name="Lefèvres",
        birth_date=BORN,
        email="secret@exemple.test",
        phone="06 11 22 33 44",
        accompanied_by=[world.apeas],
        **extra,
    )


def dry_run(world):
    rows = [
        ["D-1", "Lefevre", "Helene", "12/04/1987", "", ""],  # a typo away, no accents
        ["D-2", "Nguyen", "Sacha", "02/02/1985", "", ""],
    ]
    run = upload(world, "persons", PERSON_HEADER, rows)
    return services.analyse(run=run, user=world.advisor)


def reasons(run, line):
    return [w["reason"] for w in run.warnings if w["line"] == line]


def test_without_consent_the_dry_run_only_asks_to_ask_the_person(world):
    followed_by_apeas(world)
    run = dry_run(world)
    assert run.errors == [] and run.duplicates == []
    [warning] = reasons(run, 2)
    assert ASK in warning
    text = str(run.warnings)
    for detail in ("APEAS", "Lefèvres", "secret@exemple.test", "06 11 22 33 44"):
        assert detail not in text
    assert reasons(run, 3) == []
    # A warning: the import goes on.
    run = services.commit(run=run, user=world.advisor)
    assert Person.objects.count() == 3


def test_with_consent_the_dry_run_names_the_structure_that_follows_them(world):
    followed_by_apeas(world, sharing=True)
    run = dry_run(world)
    [warning] = reasons(run, 2)
    assert "APEAS" in warning and ASK not in warning
    assert "secret@exemple.test" not in str(run.warnings)


def test_a_person_the_structure_already_sees_is_a_duplicate_not_a_network_signal(world):
    known = followed_by_apeas(world, sharing=True)
    known.accompaniments.create(structure=world.intermade, started_on=datetime.date(2024, 1, 8))
    run = dry_run(world)
    assert [d["line"] for d in run.duplicates] == [2]
    assert reasons(run, 2) == []
