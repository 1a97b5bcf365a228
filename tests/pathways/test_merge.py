"""Merging duplicates: everything of the duplicate moves to the record kept, nothing is lost."""

import datetime
import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.acts import services as act_services
from maillage.pathways.applications import services as application_services
from maillage.pathways.gdpr import merge
from maillage.pathways.models import (
    Accompaniment,
    ActParticipant,
    Application,
    Consent,
    ConsentMethod,
    ConsentScope,
    Outcome,
    OutcomeType,
    Person,
    PersonAccess,
    PersonNote,
    PlanStep,
    Project,
    Referral,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.plans import services as plan_services
from maillage.pathways.referrals import services as referral_services
from tests.factories import PersonFactory, act_type

pytestmark = pytest.mark.django_db


def consent(net, person, scope):
    return person_services.give_consent(
        person=person,
        user=net.intermade_advisor,
        structure=net.intermade,
        scope=scope,
        method=ConsentMethod.ORAL,
    )


def history(net, person, *, title: str, day: datetime.date):
    user = net.intermade_advisor
    person_services.add_note(
        person=person, structure=net.intermade, user=user, body=f"Note {title}"
    )
    project = person_services.create_project(
        structure=net.intermade, user=user, persons=[person], title=f"Projet {title}"
    )
    application_services.submit_application(
        person=person, offer=net.starter, user=user, submitted_on=day
    )
    act_services.record_act(
        structure=net.intermade,
        user=user,
        act_type=act_type(),
        occurred_on=day,
        duration_minutes=45,
        persons=[person],
    )
    act_services.record_outcome(
        person=person,
        structure=net.intermade,
        user=user,
        outcome_type=OutcomeType.objects.get(code="activity_created"),
        occurred_on=day,
        project=project,
    )
    plan_services.save_plan(
        person=person,
        user=user,
        structure=net.intermade,
        steps=[{"action": f"Étape {title}", "responsible_structure": net.intermade}],
        expected_version=None,
    )
    PersonAccess.objects.create(person=person, user=user, granted=True, channel="page")


@pytest.fixture
def pair(net):
    user = net.intermade_advisor
    keep = person_services.create_person(
        structure=net.intermade, user=user, first_name="Camille", last_name="Durand"
    )
    duplicate = person_services.create_person(
        structure=net.intermade,
        user=user,
        first_name="Camille",
        last_name="Durant",
        email="camille@exemple.test",
        birth_date=datetime.date(1990, 1, 2),
    )
    Accompaniment.objects.create(
        person=duplicate, structure=net.apeas, started_on=datetime.date(2024, 1, 1)
    )
    today = timezone.localdate()
    history(net, keep, title="A", day=today - datetime.timedelta(days=30))
    history(net, duplicate, title="B", day=today - datetime.timedelta(days=2))
    consent(net, keep, ConsentScope.NETWORK_SHARING)
    consent(net, duplicate, ConsentScope.NETWORK_SHARING)
    consent(net, duplicate, ConsentScope.STATISTICS)
    # A collective act and a collective project with both records.
    act_services.record_act(
        structure=net.intermade,
        user=user,
        act_type=act_type("collective_workshop"),
        occurred_on=today,
        duration_minutes=120,
        persons=[keep, duplicate],
        absent={keep.pk},
    )
    person_services.create_project(
        structure=net.intermade,
        user=user,
        persons=[keep, duplicate],
        title="Coopérative",
        kind="collective",
    )
    referral_services.refer_person(
        person=duplicate,
        from_structure=net.intermade,
        user=user,
        to_structure=net.apeas,
        reason="Collectif",
    )
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    return keep, duplicate


def rows_of(person):
    return {
        "applications": Application.objects.filter(person=person).count(),
        "referrals": Referral.objects.filter(person=person).count(),
        "outcomes": Outcome.objects.filter(person=person).count(),
        "notes": PersonNote.objects.filter(person=person).count(),
        "consents": Consent.objects.filter(person=person).count(),
        "access": PersonAccess.objects.filter(person=person).count(),
        "projects": Project.objects.filter(persons=person).count(),
        "participations": ActParticipant.objects.filter(person=person).count(),
        "plan_steps": PlanStep.objects.filter(plan__person=person).count(),
    }


def test_merge_moves_everything_and_loses_nothing(net, pair):
    keep, duplicate = pair
    a, b = rows_of(keep), rows_of(duplicate)
    latest = duplicate.last_activity_on

    merge.merge_persons(keep=keep, duplicate=duplicate, user=net.intermade_advisor)

    after = rows_of(keep)
    for name in ("applications", "referrals", "outcomes", "notes", "consents", "plan_steps"):
        assert after[name] == a[name] + b[name], name
    # The access log moved too (plus nothing: merging is not a read).
    assert after["access"] == a["access"] + b["access"]
    # One row per act and per project: the collective act and project held both records.
    assert after["participations"] == a["participations"] + b["participations"] - 1
    assert after["projects"] == a["projects"] + b["projects"] - 1
    assert rows_of(duplicate) == dict.fromkeys(after, 0)

    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep and duplicate.is_anonymised
    assert duplicate.last_name != "Durant" and duplicate.email == ""
    assert keep.last_activity_on == latest
    # What keep lacked is filled from the duplicate; keep's own name stays.
    assert keep.last_name == "Durand" and keep.email == "camille@exemple.test"
    assert keep.birth_date == datetime.date(1990, 1, 2) and keep.birth_year == 1990
    # Accompaniments: one per structure, APEAS's moved over.
    assert set(
        Accompaniment.objects.filter(person=keep).values_list("structure__name", flat=True)
    ) == {"Intermade", "APEAS"}
    # Consents: one active per scope, the duplicate's second network consent kept as history.
    active = Consent.objects.filter(person=keep, withdrawn_at__isnull=True)
    assert sorted(active.values_list("scope", flat=True)) == ["network_sharing", "statistics"]
    assert keep.shares_with_network
    # The workshop participation: attended, since the duplicate came.
    assert ActParticipant.objects.get(person=keep, act__is_collective=True).attended
    # Plan steps appended after keep's, with a new revision.
    plan = keep.plan
    assert list(plan.steps.values_list("action", flat=True)) == ["Étape A", "Étape B"]
    assert plan.revisions.count() == 2


def test_the_duplicate_no_longer_shows_in_lists(net, pair):
    keep, duplicate = pair
    merge.merge_persons(keep=keep, duplicate=duplicate, user=net.intermade_advisor)
    from maillage.pathways.visibility import persons_visible_to

    assert list(persons_visible_to(net.intermade_advisor).filter(last_name__startswith="D")) == [
        keep
    ]


def test_merge_refuses_a_record_the_user_may_not_change(net):
    keep = PersonFactory(accompanied_by=[net.intermade])
    elsewhere = PersonFactory(accompanied_by=[net.apeas])
    with pytest.raises(PermissionDenied):
        merge.merge_persons(keep=keep, duplicate=elsewhere, user=net.intermade_advisor)
    with pytest.raises(ValidationError):
        merge.merge_persons(keep=keep, duplicate=keep, user=net.intermade_advisor)
    assert Person.objects.get(pk=elsewhere.pk).merged_into is None


def test_the_merge_page_lists_candidates_and_merges(
    net, pair, login, django_assert_max_num_queries
):
    keep, duplicate = pair
    stranger = PersonFactory(first_name="Camille", last_name="Durand", accompanied_by=[net.apeas])
    client = login(net.intermade_advisor)
    url = reverse("pathways:person_merge", args=[keep.uuid])
    with django_assert_max_num_queries(13):  # + the merges it may undo
        page = client.get(url, {"q": "camille"})
    text = html.unescape(page.content.decode())
    assert "Fusionner un doublon dans la fiche de Camille Durand" in text
    assert str(duplicate.uuid) in text and str(stranger.uuid) not in text

    refused = client.post(url + "?q=camille", {"duplicate": str(duplicate.uuid)})
    assert refused.status_code == 200
    assert "Cochez la case" in html.unescape(refused.content.decode())

    done = client.post(url + "?q=camille", {"duplicate": str(duplicate.uuid), "confirm": "on"})
    assert done.status_code == 302
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == keep.pk


def test_the_merge_page_is_refused_to_other_structures(net, pair, login):
    keep, _duplicate = pair
    response = login(net.apeas_advisor).get(reverse("pathways:person_merge", args=[keep.uuid]))
    assert response.status_code == 404
    assert PersonAccess.objects.filter(person=keep, granted=False).exists()
