"""Writes of the assessments app: assessments and their answers (committees: `committees.py`)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import can

from . import scoring
from .models import SUBJECT_FIELDS, Answer, Assessment, AssessmentStatus, Item, SubjectKind
from .selectors import assessments_visible_to


def require(user, action: str, obj=None) -> None:
    if user is not None and not can(user, action, obj):
        raise PermissionDenied(action)


def check_subject_visible(user, subject_kind, subject) -> None:
    """The subject must be one the user may see (by the pathways' and directory's rules)."""
    from maillage.pathways.visibility import accompaniments_visible_to, projects_visible_to

    if subject_kind == SubjectKind.PROJECT:
        visible = projects_visible_to(user).filter(pk=subject.pk).exists()
    elif subject_kind == SubjectKind.ACCOMPANIMENT:
        visible = accompaniments_visible_to(user).filter(pk=subject.pk).exists()
    else:
        visible = True
    if not visible:
        raise PermissionDenied("assess_subject")


@transaction.atomic
def create_assessment(
    *,
    version,
    subject_kind: str,
    subject,
    context: str,
    user,
    structure=None,
    offer_session=None,
    title: str = "",
    assessed_on: datetime.date | None = None,
) -> Assessment:
    """Open an assessment of `subject` with `version`, made by `structure` (None: the network's
    own, by its coordinators). It keeps this version forever."""
    if structure is not None:
        require(user, "record_assessment", structure)
    elif subject_kind == SubjectKind.NETWORK:
        require(user, "record_network_assessment", subject)
    else:
        raise ValidationError({"structure": _("Say which structure makes this assessment.")})
    if subject_kind not in version.content["subjects"]:
        raise ValidationError(
            {"subject_kind": _("This instrument is not made to assess this kind of subject.")}
        )
    check_subject_visible(user, subject_kind, subject)
    if (
        subject_kind == SubjectKind.STRUCTURE
        and subject != structure
        and not can(user, "record_assessment", subject)
    ):
        # A structure is assessed by itself (its staff), not by another in its name.
        raise PermissionDenied("record_assessment")
    fields = {SUBJECT_FIELDS[subject_kind]: subject}
    if offer_session is not None and subject_kind != SubjectKind.SESSION:
        fields["offer_session"] = offer_session
    assessment = Assessment(
        version=version,
        subject_kind=subject_kind,
        context=context,
        structure=structure,
        title=title.strip(),
        assessed_on=assessed_on or timezone.localdate(),
        created_by=user,
        **fields,
    )
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def record_answers(*, assessment: Assessment, user, answers: dict) -> Assessment:
    """Record `{item_key: scoring.Answer}`; every answer is checked for its item's type and
    range, and the whole set is refused with each reason (field = item key) when one is wrong."""
    require(user, "change_assessment", assessment)
    if assessment.status == AssessmentStatus.SUBMITTED:
        raise ValidationError(_("This assessment is submitted: it no longer changes."))
    items = {item.key: item for item in Item.objects.filter(version=assessment.version)}
    errors, cleaned = {}, {}
    for key, answer in answers.items():
        item = items.get(key)
        if item is None:
            errors[key] = _("This question is not in the instrument.")
            continue
        try:
            cleaned[key] = scoring.check_answer(item.spec, answer)
        except scoring.AnswerError as error:
            errors[key] = str(error)
    if errors:
        raise ValidationError(errors)
    for key, answer in cleaned.items():
        Answer.objects.update_or_create(
            assessment=assessment,
            item=items[key],
            defaults={
                "value": answer.value,
                "not_applicable": answer.not_applicable,
                "answered_by": user,
            },
        )
    return assessment


@transaction.atomic
def submit_assessment(*, assessment: Assessment, user) -> Assessment:
    require(user, "change_assessment", assessment)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.save(update_fields=["status"])
    return assessment


def visible_or_404(user, **lookup) -> Assessment:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(assessments_visible_to(user), **lookup)
