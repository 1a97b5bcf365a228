"""Assessment rows about the erasure world's persons (tests/pathways/erasure_world.py)."""

import datetime

from maillage.assessments.models import (
    AgreedValue,
    Answer,
    Appraisal,
    Argument,
    Assessment,
    Context,
    Criterion,
    Item,
    Review,
    ReviewState,
    Side,
    SubjectKind,
)
from tests.assessments.factories import make_committee, shipped


def add_rows(*, structure, user, project, application) -> None:
    version = shipped("project-shared-diagnostic")
    assessment = Assessment.objects.create(
        version=version,
        subject_kind=SubjectKind.PROJECT,
        project=project,
        structure=structure,
        context=Context.DIAGNOSTIC,
        assessed_on=datetime.date(2025, 9, 4),
        created_by=user,
    )
    Answer.objects.create(
        assessment=assessment, item=Item.objects.get(version=version, key="diag-notes")
    )
    committee = make_committee(structure=structure, chair=user, members=[user], version=version)
    Review.objects.create(
        committee=committee, application=application, member=user, state=ReviewState.ABSTAINED
    )
    AgreedValue.objects.create(
        committee=committee,
        application=application,
        criterion=Criterion.objects.filter(version=version).first(),
        value=2,
        reason="",
        recorded_by=user,
    )
    appraisal = Appraisal.objects.create(
        version=version,
        subject_kind=SubjectKind.PROJECT,
        project=project,
        structure=structure,
        facilitator=user,
        held_on=datetime.date(2025, 9, 5),
    )
    Argument.objects.create(
        appraisal=appraisal,
        number=1,
        speaker=user,
        side=Side.FOR,
        item=Item.objects.get(version=version, key="diag-notes"),
        text="",
        amount=1,
        position_after=1,
        recorded_by=user,
    )
