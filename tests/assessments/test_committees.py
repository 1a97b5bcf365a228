"""Admission committees: alone until submitted, disagreement shown, every change kept, the
decision recorded on the application with its next step."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.assessments import committees
from maillage.assessments.models import ReviewState, ScoreChange
from maillage.assessments.scoring import Answer
from maillage.pathways.models import ApplicationStatus, Referral
from tests.assessments.factories import shipped
from tests.factories import (
    ApplicationFactory,
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    PersonFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db

ALL = ("adm-motivation-chosen", "adm-availability-time", "adm-offer-clear", "adm-market-known")


@pytest.fixture
def room():
    structure = StructureFactory(networks=[NetworkFactory()])
    session = OfferSessionFactory(offer=OfferFactory(structure=structure))
    chair = StructureMembershipFactory(structure=structure, admin=True).user
    a, b = (StructureMembershipFactory(structure=structure).user for _ in range(2))
    applications = [
        ApplicationFactory(
            person=PersonFactory(accompanied_by=[structure]), offer=session.offer, session=session
        )
        for _ in range(2)
    ]
    committee = committees.create_committee(
        offer_session=session,
        version=shipped("incubator-admission"),
        chair=chair,
        members=[a, b],
        user=chair,
    )
    return committee, chair, a, b, applications


def _score(committee, application, user, **values):
    answers = {key: Answer(values.get(key.replace("-", "_"), 3)) for key in ALL}
    answers["adm-utility-need"] = Answer(values.get("utility", 3))
    committees.record_scores(
        committee=committee, application=application, user=user, answers=answers
    )


def test_a_member_cannot_see_the_others_before_submitting(room):
    committee, chair, a, b, (first, _second) = room
    _score(committee, first, a, utility=4)
    _score(committee, first, b, utility=1)
    with pytest.raises(PermissionDenied):
        committees.consensus_for(committee, first, b)
    committees.submit_review(committee=committee, application=first, user=b)
    assert committees.consensus_for(committee, first, b)
    # Outsiders never see them, even once the discussion is open.
    committees.open_discussion(committee=committee, user=chair)
    outsider = StructureMembershipFactory(structure=committee.structure).user
    with pytest.raises(PermissionDenied):
        committees.consensus_for(committee, first, outsider)


def test_consensus_shows_every_score_median_spread_and_agreement(room):
    committee, chair, a, b, (first, _second) = room
    _score(committee, first, chair, utility=4)
    _score(committee, first, a, utility=2)
    _score(committee, first, b, utility=1)
    for user in (chair, a, b):
        committees.submit_review(committee=committee, application=first, user=user)
    rows = {row.criterion.key: row for row in committees.consensus_for(committee, first, a)}
    utility = rows["adm-utility"]
    assert sorted(s.score for s in utility.scores) == [D("1.00"), D("2.00"), D("4.00")]
    assert utility.median == D("2.00")
    assert utility.spread == D("3.00")
    # Population deviation of 1, 2, 4 = 1.247; half the range 1..4 = 1.5: 1 - 1.247/1.5
    assert utility.agreement == D("0.17")
    same = rows["adm-offer"]
    assert same.spread == 0 and same.agreement == D("1.00")


def test_abstention_is_recorded_and_left_out(room):
    committee, _chair, a, b, (first, _second) = room
    _score(committee, first, a, utility=4)
    committees.abstain(
        committee=committee, application=first, user=b, reason="Je connais la personne."
    )
    committees.submit_review(committee=committee, application=first, user=a)
    rows = {row.criterion.key: row for row in committees.consensus_for(committee, first, a)}
    states = {s.state for s in rows["adm-utility"].scores}
    assert ReviewState.ABSTAINED in states
    assert [s.score for s in rows["adm-utility"].scores if s.score is not None] == [D("4.00")]
    with pytest.raises(ValidationError):
        _score(committee, first, b)


def test_every_change_of_a_score_is_kept(room):
    committee, _chair, a, _b, (first, _second) = room
    _score(committee, first, a, utility=2)
    _score(committee, first, a, utility=3)
    changes = list(
        ScoreChange.objects.filter(target="item:adm-utility-need").values_list(
            "by", "before", "after"
        )
    )
    assert changes == [(a.pk, None, 2), (a.pk, 2, 3)]


def test_out_of_range_scores_are_refused_with_the_reason(room):
    committee, _chair, a, _b, (first, _second) = room
    with pytest.raises(ValidationError) as caught:
        committees.record_scores(
            committee=committee,
            application=first,
            user=a,
            answers={"adm-offer-clear": Answer(7)},
        )
    assert caught.value.message_dict == {
        "adm-offer-clear": ["choisissez l'un des niveaux 1, 2, 3, 4."]
    }


def test_the_chair_agrees_a_value_and_records_not_selected_with_a_referral(room):
    committee, chair, a, b, (first, _second) = room
    for user in (chair, a, b):
        _score(committee, first, user, utility=2)
        committees.submit_review(committee=committee, application=first, user=user)
    with pytest.raises(PermissionDenied):
        committees.open_discussion(committee=committee, user=a)
    committees.open_discussion(committee=committee, user=chair)
    with pytest.raises(ValidationError):
        committees.record_agreed_value(
            committee=committee,
            application=first,
            criterion_key="adm-utility",
            value=2,
            reason=" ",
            user=chair,
        )
    committees.record_agreed_value(
        committee=committee,
        application=first,
        criterion_key="adm-utility",
        value=2,
        reason="Le besoin n'est pas encore vérifié sur le terrain.",
        user=chair,
    )
    with pytest.raises(ValidationError):
        committees.decide(committee=committee, application=first, user=chair, status="not_selected")
    partner = StructureFactory(networks=list(committee.structure.networks.all()))
    application = committees.decide(
        committee=committee,
        application=first,
        user=chair,
        status=ApplicationStatus.NOT_SELECTED,
        refer_to_structure=partner,
        referral_reason="Un atelier d'émergence d'abord.",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_SELECTED
    assert application.next_step_referral == Referral.objects.get(to_structure=partner)
    assert ScoreChange.objects.filter(target="agreed:adm-utility", by=chair).exists()


def test_a_committee_is_set_up_from_its_page_with_the_structures_staff(client):
    from django.urls import reverse

    from maillage.assessments.models import Committee

    structure = StructureFactory(networks=[NetworkFactory()])
    session = OfferSessionFactory(offer=OfferFactory(structure=structure, title="Couveuse"))
    chair = StructureMembershipFactory(structure=structure, admin=True).user
    member = StructureMembershipFactory(structure=structure).user
    outsider = StructureMembershipFactory(structure=StructureFactory()).user
    version = shipped("incubator-admission")
    client.force_login(chair)
    url = reverse("assessments:committee_create")
    assert "Couveuse" in client.get(url).content.decode()
    data = {"offer_session": session.pk, "version": version.pk, "chair": chair.pk}
    refused = client.post(url, {**data, "members": [outsider.pk]})
    assert refused.status_code == 400 and not Committee.objects.exists()
    response = client.post(url, {**data, "members": [member.pk], "held_on": "2026-04-02"})
    committee = Committee.objects.get()
    assert response.url == reverse("assessments:committee", kwargs={"uuid": committee.uuid})
    assert set(committee.members.all()) == {chair, member}
    assert committee.version == version and str(committee.held_on) == "2026-04-02"
    with pytest.raises(ValidationError) as error:
        committees.create_committee(
            offer_session=session, version=version, chair=chair, members=[outsider], user=chair
        )
    assert "members" in error.value.message_dict
