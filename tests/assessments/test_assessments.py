"""Assessments on subjects: answers checked by type and range, versions never change the past,
visibility follows the subject's rules (one selector for pages and API)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.assessments import services
from maillage.assessments.models import Context, SubjectKind
from maillage.assessments.scoring import Answer
from maillage.assessments.selectors import assessments_visible_to, scores_of
from tests.assessments.factories import project_of, shipped, tiny_version
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    ReferralFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db


def _advisor(structure):
    return StructureMembershipFactory(structure=structure).user


def test_answers_are_checked_and_refused_with_their_reason():
    structure = StructureFactory()
    user = _advisor(structure)
    version = shipped("project-shared-diagnostic")
    assessment = services.create_assessment(
        version=version,
        subject_kind=SubjectKind.PROJECT,
        subject=project_of(structure),
        context=Context.DIAGNOSTIC,
        structure=structure,
        user=user,
    )
    with pytest.raises(ValidationError) as caught:
        services.record_answers(
            assessment=assessment,
            user=user,
            answers={
                "diag-skills-trade": Answer(9),
                "diag-hours": Answer("beaucoup"),
                "diag-market-need": Answer(3),
                "diag-resources-level": Answer(None, True),
            },
        )
    errors = caught.value.message_dict
    assert errors["diag-skills-trade"] == ["choisissez l'un des niveaux 1, 2, 3, 4."]
    assert errors["diag-hours"] == ["un nombre est attendu."]
    assert "sans objet" in errors["diag-resources-level"][0]
    assert "diag-market-need" not in errors
    assert not assessment.answers.exists()  # nothing of a refused set is kept
    services.record_answers(
        assessment=assessment,
        user=user,
        answers={"diag-market-need": Answer(3), "diag-market-model": Answer(2)},
    )
    assert scores_of(assessment).criteria["diag-market"] == 2.5


def test_an_instrument_assesses_only_its_kinds_of_subject():
    structure = StructureFactory()
    with pytest.raises(ValidationError) as caught:
        services.create_assessment(
            version=shipped("dts-missions-principles"),
            subject_kind=SubjectKind.PROJECT,
            subject=project_of(structure),
            context=Context.SELF,
            structure=structure,
            user=_advisor(structure),
        )
    assert "subject_kind" in caught.value.message_dict


def test_another_structure_cannot_assess_in_my_name():
    structure, other = StructureFactory(), StructureFactory()
    with pytest.raises(PermissionDenied):
        services.create_assessment(
            version=tiny_version(),
            subject_kind=SubjectKind.STRUCTURE,
            subject=structure,
            context=Context.SELF,
            structure=structure,
            user=_advisor(other),
        )


def test_a_project_diagnostic_crosses_structures_only_under_the_persons_consent():
    network = NetworkFactory()
    mine, partner = StructureFactory(networks=[network]), StructureFactory(networks=[network])
    me, them = _advisor(mine), _advisor(partner)
    version = tiny_version()
    project = project_of(mine)
    person = project.persons.get()
    # The partner received the person's referral, so it sees the person and the project only
    # when the person shares with the network.
    ReferralFactory(person=person, from_structure=mine, to_structure=partner)
    assessment = services.create_assessment(
        version=version,
        subject_kind=SubjectKind.PROJECT,
        subject=project,
        context=Context.DIAGNOSTIC,
        structure=mine,
        user=me,
    )
    assert list(assessments_visible_to(me)) == [assessment]
    assert list(assessments_visible_to(them)) == []
    person.shares_with_network = True
    person.save(update_fields=["shares_with_network"])
    from maillage.pathways.models import Referral

    Referral.objects.filter(person=person).update(shares_person_data=True)
    assert list(assessments_visible_to(them)) == [assessment]
    # Coordinators and funders never see an assessment about a person.
    coordinator = NetworkRoleFactory(network=network).user
    funder = NetworkRoleFactory(network=network, funder=True).user
    assert list(assessments_visible_to(coordinator)) == []
    assert list(assessments_visible_to(funder)) == []


def test_a_structure_self_assessment_is_read_by_its_staff_and_its_coordinators():
    network = NetworkFactory()
    structure, other = StructureFactory(networks=[network]), StructureFactory(networks=[network])
    user = _advisor(structure)
    assessment = services.create_assessment(
        version=shipped("ess-self-assessment"),
        subject_kind=SubjectKind.STRUCTURE,
        subject=structure,
        context=Context.SELF,
        structure=structure,
        user=user,
    )
    assert list(assessments_visible_to(user)) == [assessment]
    assert list(assessments_visible_to(NetworkRoleFactory(network=network).user)) == [assessment]
    assert list(assessments_visible_to(_advisor(other))) == []
    assert list(assessments_visible_to(NetworkRoleFactory(network=network, funder=True).user)) == []


def test_the_networks_own_assessment():
    network = NetworkFactory()
    member = StructureFactory(networks=[network])
    coordinator = NetworkRoleFactory(network=network).user
    assessment = services.create_assessment(
        version=shipped("dts-missions-principles"),
        subject_kind=SubjectKind.NETWORK,
        subject=network,
        context=Context.COLLECTIVE,
        structure=None,
        user=coordinator,
    )
    assert list(assessments_visible_to(coordinator)) == [assessment]
    assert list(assessments_visible_to(_advisor(member))) == [assessment]
    assert list(assessments_visible_to(_advisor(StructureFactory()))) == []
