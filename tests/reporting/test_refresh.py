"""The pre-aggregated tables always equal the raw tables, whatever wrote to them."""

import copy
from collections import defaultdict
from datetime import date, timedelta

import pytest

from maillage.pathways.models import Act, ActParticipant, Person
from maillage.reporting.models import ActMonth, Dirty, Presence
from maillage.reporting.refresh import ensure_fresh, is_fresh, refresh
from tests.factories import act_type

from .shared import module_world

pytestmark = pytest.mark.sqlite


def expected_presences() -> set:
    """Presence rows recomputed in Python from every participation."""
    persons = {p.pk: p for p in Person.objects.all()}
    acts = {a.pk: a for a in Act.objects.all()}
    days = defaultdict(int)
    for participation in ActParticipant.objects.filter(attended=True):
        act = acts[participation.act_id]
        key = (
            participation.person_id,
            act.structure_id,
            act.offer_id,
            act.occurred_on.year * 12 + act.occurred_on.month - 1,
        )
        days[key] |= 1 << (act.occurred_on.day - 1)
    rows = set()
    for (person_id, structure, offer, month), bits in days.items():
        p = persons[person_id]
        rows.add(
            (
                person_id,
                structure,
                offer,
                month,
                bits,
                p.merged_into_id is not None,
                p.gender,
                p.birth_year,
                p.situation_id,
                p.priority_neighbourhood,
                p.commune_id,
                p.postal_code,
            )
        )
    return rows


def stored_presences() -> set:
    return set(
        Presence.objects.values_list(
            "person_id",
            "structure_id",
            "offer_id",
            "month",
            "days",
            "merged",
            "gender",
            "birth_year",
            "situation_id",
            "priority_neighbourhood",
            "commune_id",
            "postal_code",
        )
    )


def expected_act_months() -> dict:
    totals = defaultdict(lambda: [0, 0])
    for act in Act.objects.all():
        key = (
            act.structure_id,
            act.offer_id,
            act.act_type_id,
            act.occurred_on.year * 12 + act.occurred_on.month - 1,
        )
        totals[key][0] += 1
        totals[key][1] += act.duration_minutes
    return {key: tuple(value) for key, value in totals.items()}


def stored_act_months() -> dict:
    rows = ActMonth.objects.values_list(
        "structure_id", "offer_id", "act_type_id", "month", "acts", "minutes"
    )
    assert len(rows) == len({r[:4] for r in rows}), "one row per structure, offer, type, month"
    return {r[:4]: (r[4], r[5]) for r in rows}


def assert_equal_to_raw():
    ensure_fresh()
    assert is_fresh()
    assert stored_presences() == expected_presences()
    assert stored_act_months() == expected_act_months()


shared_world = module_world(persons=40)


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def test_after_a_bulk_load(world):
    assert not is_fresh()  # the triggers saw the bulk_create of the world
    assert_equal_to_raw()
    assert Presence.objects.exists() and ActMonth.objects.exists()


def test_after_updates_deletes_and_new_rows_of_any_kind(world):
    assert_equal_to_raw()
    act = Act.objects.filter(participants__attended=True).first()
    # A queryset update (no signal) moves acts to another day, structure and offer.
    Act.objects.filter(pk=act.pk).update(
        occurred_on=act.occurred_on + timedelta(days=40),
        structure=world.structures[2],
        offer=world.offers["gouvernance"],
    )
    assert_equal_to_raw()
    # Someone marked absent, someone removed, someone added.
    participation = ActParticipant.objects.filter(attended=True).first()
    ActParticipant.objects.filter(pk=participation.pk).update(attended=False)
    ActParticipant.objects.filter(pk=ActParticipant.objects.last().pk).delete()
    new = Act.objects.create(
        act_type=act_type("review"),
        structure=world.structures[0],
        occurred_on=date(2025, 7, 14),
        duration_minutes=45,
    )
    ActParticipant.objects.bulk_create(
        [ActParticipant(act=new, person=p) for p in world.persons[5:9]]
    )
    assert_equal_to_raw()
    # A whole act deleted (Django deletes its participants first).
    Act.objects.filter(pk=new.pk).delete()
    assert_equal_to_raw()


def test_after_a_change_of_profile_or_a_merge(world):
    assert_equal_to_raw()
    person = Person.objects.filter(participations__attended=True).first()
    person.gender = "other" if person.gender != "other" else "female"
    person.commune = None
    person.postal_code = "13100"
    person.save()
    assert not is_fresh()
    assert_equal_to_raw()
    keep = Person.objects.exclude(pk=person.pk).first()
    Person.objects.filter(pk=person.pk).update(merged_into=keep)
    assert_equal_to_raw()


def test_a_write_that_changes_nothing_the_reports_read_marks_nothing(world):
    assert_equal_to_raw()
    Person.objects.update(last_activity_on=date(2025, 5, 5), first_name="Renommé")
    assert is_fresh()


def test_a_full_rebuild_gives_the_same_rows(world):
    assert_equal_to_raw()
    before = stored_presences(), stored_act_months()
    refresh(full=True)
    assert (stored_presences(), stored_act_months()) == before
    assert not Dirty.objects.exists()


def test_the_task_refreshes(world):
    from maillage.reporting.tasks import refresh_reports

    assert not is_fresh()
    result = refresh_reports.enqueue()
    assert is_fresh()
    assert result.return_value["presences"] == len(expected_presences())
