"""The network identity (issue 16): keyed pseudonyms of each person's identity, kept in sync by
the services, gone at erasure, and the duplicate check that reads them."""

import datetime
import io
import random
import string

import pytest
from django.core.management import call_command
from django.test import override_settings

from maillage.pathways import identity
from maillage.pathways.gdpr.merge import merge_persons
from maillage.pathways.gdpr.services import anonymise_person
from maillage.pathways.models import Accompaniment, IdentityKey, Person
from maillage.pathways.persons import services
from maillage.pathways.persons.selectors import probable_duplicates, within_one_edit
from tests.factories import StructureMembershipFactory

pytestmark = pytest.mark.django_db

BORN = datetime.date(1987, 4, 12)


def record(net, first_name="Hélène", last_name="Lefèvre", **fields):
    return services.create_person(
        structure=net.intermade,
        user=net.intermade_advisor,
        first_name=first_name,
        last_name=last_name,
        birth_date=fields.pop("birth_date", BORN),
        **fields,
    )


def keys_of(person):
    return set(IdentityKey.objects.filter(person=person).values_list("key", flat=True))


# --- The deletion neighbourhood --------------------------------------------------------------


def _edit(text: str, rng: random.Random) -> str:
    alphabet = string.ascii_lowercase + " "
    position = rng.randrange(len(text) + 1)
    operation = rng.choice(["insert", "delete", "replace"]) if text else "insert"
    if operation == "insert":
        return text[:position] + rng.choice(alphabet) + text[position:]
    position = min(position, len(text) - 1)
    if operation == "delete":
        return text[:position] + text[position + 1 :]
    return text[:position] + rng.choice(alphabet) + text[position + 1 :]


def test_two_strings_within_one_edit_share_a_deletion_variant_and_others_do_not():
    """The claim the lookup rests on, checked on random strings (a seeded property test):
    within one edit ⇔ the deletion neighbourhoods meet (for strings of different lengths or one
    substitution apart; two edits apart, they may meet only when the exact check says so)."""
    rng = random.Random(16)
    for _ in range(3000):
        a = "".join(rng.choice("abcde ") for _ in range(rng.randrange(0, 9)))
        b = _edit(a, rng)
        assert identity.deletion_neighbourhood(a) & identity.deletion_neighbourhood(b), (a, b)
        c = _edit(_edit(b, rng), rng)
        if within_one_edit(a, c):
            assert identity.deletion_neighbourhood(a) & identity.deletion_neighbourhood(c)


def test_keys_say_nothing_without_the_secret_and_change_with_it(net):
    person = record(net)
    stored = keys_of(person)
    assert stored and all(isinstance(key, int) for key in stored)
    with override_settings(IDENTITY_KEY="another secret"):
        assert {
            k
            for _, k in identity.keys_of(first_name="Hélène", last_name="Lefèvre", birth_year=1987)
        }.isdisjoint(stored)
    # Without the setting, the secret is derived from SECRET_KEY with a label of its own.
    assert identity.identity_secret() != b""


# --- Kept in sync by the services ------------------------------------------------------------


def test_keys_follow_a_change_of_name_and_birth_date(net):
    person = record(net)
    before = keys_of(person)
    services.update_person(
        person=person,
        user=net.intermade_advisor,
        expected_version=person.version,
        birth_date=datetime.date(1990, 1, 2),
    )
    assert keys_of(person) and keys_of(person).isdisjoint(before)
    assert (
        probable_duplicates(
            net.intermade_advisor, first_name="Hélène", last_name="Lefèvre", birth_date=BORN
        )
        == []
    )
    assert probable_duplicates(
        net.intermade_advisor,
        first_name="Helene",
        last_name="Lefevre",
        birth_date=datetime.date(1990, 6, 1),
    ) == [person]


@pytest.mark.sqlite
def test_erasure_and_merge_remove_the_keys(net):
    person = record(net, email="h@exemple.test")
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    anonymise_person(person=person, user=admin, reason="Demande de la personne")
    assert not IdentityKey.objects.filter(person=person).exists()

    keep = record(net, first_name="Jean", last_name="Martin")
    duplicate = record(net, first_name="Jean", last_name="Martinn", email="jm@exemple.test")
    merge_persons(keep=keep, duplicate=duplicate, user=admin)
    assert not IdentityKey.objects.filter(person=duplicate).exists()
    # The record kept now carries the duplicate's e-mail, found by its key.
    assert probable_duplicates(
        net.intermade_advisor, first_name="X", last_name="Y", email="jm@exemple.test"
    ) == [keep]


@pytest.mark.sqlite
def test_rebuild_writes_the_keys_of_persons_loaded_without_the_services(net):
    person = record(net)
    IdentityKey.objects.all().delete()
    call_command("rebuild_identity_keys", stdout=io.StringIO())
    assert keys_of(person)
    assert probable_duplicates(
        net.intermade_advisor, first_name="Lefevre", last_name="Helene", birth_date=BORN
    ) == [person]


# --- The duplicate check scales ----------------------------------------------------------------


@pytest.mark.sqlite
def test_a_true_duplicate_beyond_the_first_200_candidates_by_name_is_found(net):
    """The old check read at most 200 persons of the same birth year and a name of about the same
    length, in alphabetical order: a duplicate named after them was never seen."""
    fillers = Person.objects.bulk_create(
        Person(
            first_name=f"Anne{n:03d}",
            last_name="Abbas",
            name_key=f"abbas anne{n:03d}",
            birth_date=BORN,
            birth_year=BORN.year,
        )
        for n in range(201)
    )
    Accompaniment.objects.bulk_create(
        Accompaniment(person=p, structure=net.intermade, started_on=BORN) for p in fillers
    )
    zoe = record(net, first_name="Zoéline", last_name="Zunin")
    assert len(zoe.name_key) == len(fillers[0].name_key)
    assert probable_duplicates(
        net.intermade_advisor, first_name="Zoeline", last_name="Zunim", birth_date=BORN
    ) == [zoe]


@pytest.mark.sqlite
def test_an_unknown_birth_year_matches_any_year_both_ways(net):
    known = record(net)
    unknown = record(net, first_name="Paul", last_name="Durand", birth_date=None)
    assert probable_duplicates(net.intermade_advisor, first_name="Helene", last_name="Lefevre") == [
        known
    ]
    assert probable_duplicates(
        net.intermade_advisor, first_name="Paul", last_name="Durant", birth_date=BORN
    ) == [unknown]
