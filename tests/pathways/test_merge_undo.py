"""Two records merged by mistake are separated again by the structure that asked (issue 16):
both records get back what they held before the merge, their events and links included."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.pathways.gdpr import merge
from maillage.pathways.models import (
    Accompaniment,
    ActParticipant,
    Consent,
    IdentityKey,
    NetworkPerson,
    Person,
    PlanStep,
)
from tests.pathways.test_merge import pair, rows_of  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

IDENTITY = ("first_name", "last_name", "email", "phone", "birth_date", "birth_year", "name_key")


def state(person: Person) -> dict:
    person = Person.objects.get(pk=person.pk)
    return {
        **rows_of(person),
        **{name: getattr(person, name) for name in IDENTITY},
        "erased": person.is_anonymised,
        "merged_into": person.merged_into_id,
        "shares": person.shares_with_network,
        "accompaniments": sorted(
            Accompaniment.objects.filter(person=person).values_list(
                "structure_id", "started_on", "ended_on", "referent_id", "file_number"
            )
        ),
        "consents": sorted(
            (scope, withdrawn is None)
            for scope, withdrawn in Consent.objects.filter(person=person).values_list(
                "scope", "withdrawn_at"
            )
        ),
        "participations": sorted(
            ActParticipant.objects.filter(person=person).values_list("act_id", "attended")
        ),
        "plan_steps": list(
            PlanStep.objects.filter(plan__person=person)
            .order_by("position")
            .values_list("action", "position")
        ),
        "keys": sorted(IdentityKey.objects.filter(person=person).values_list("kind", "key")),
        "human": list(NetworkPerson.objects.filter(person=person).values_list("human")),
    }


def test_undoing_a_merge_gives_both_records_back_as_before(net, pair):  # noqa: F811
    keep, duplicate = pair
    before = state(keep), state(duplicate)
    merge.merge_persons(keep=keep, duplicate=duplicate, user=net.intermade_advisor)
    assert state(duplicate)["erased"]
    [done] = merge.undoable_merges(net.intermade_advisor, keep)

    separated = merge.undo_merge(merge=done, user=net.intermade_advisor)

    assert separated == duplicate
    assert (state(keep), state(duplicate)) == before
    assert list(merge.undoable_merges(net.intermade_advisor, keep)) == []
    done.refresh_from_db()
    assert done.undone_at is not None and done.undo == {}  # the copy of the identity goes


def test_only_the_structure_that_asked_may_undo_the_merge(net, pair):  # noqa: F811
    keep, duplicate = pair
    merge.merge_persons(keep=keep, duplicate=duplicate, user=net.intermade_advisor)
    [done] = merge.undoable_merges(net.intermade_advisor, keep)
    # APEAS accompanies the record kept (the duplicate's accompaniment moved) but did not ask.
    assert list(merge.undoable_merges(net.apeas_advisor, keep)) == []
    with pytest.raises(ValidationError):
        merge.undo_merge(merge=done, user=net.apeas_advisor)


def test_the_merge_page_separates_the_records(net, pair, login):  # noqa: F811
    keep, duplicate = pair
    merge.merge_persons(keep=keep, duplicate=duplicate, user=net.intermade_advisor)
    client = login(net.intermade_advisor)
    page = client.get(reverse("pathways:person_merge", kwargs={"uuid": keep.uuid}))
    assert "Séparer à nouveau les dossiers" in page.text
    assert "Durant" in page.text  # the duplicate's name, as the advisor knew it
    [done] = merge.undoable_merges(net.intermade_advisor, keep)
    response = client.post(
        reverse("pathways:person_merge_undo", kwargs={"uuid": keep.uuid, "pk": done.pk})
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None and duplicate.last_name == "Durant"
