"""Admission committees: each member scores alone, the consensus screen shows disagreement, the
chair agrees values with a reason and decides on the application (pathways' service).

Rules of the room:
- a member sees the others' scores of an application only once their own review of it is
  submitted (or they abstained), or once the chair opened the discussion; asking before is
  refused (`PermissionDenied`);
- every change of a score, of a review's state and of an agreed value is logged (`ScoreChange`:
  who, when, before, after);
- an abstention is recorded as such and its scores are left out of the consensus.
"""

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.pathways.applications.services import change_application_status
from maillage.pathways.models import Application, ApplicationStatus

from . import scoring
from .models import (
    AgreedValue,
    Committee,
    CommitteeStatus,
    Criterion,
    Item,
    Review,
    ReviewScore,
    ReviewState,
    ScoreChange,
)
from .services import require


def _check_application(committee: Committee, application: Application) -> None:
    if application.session_id != committee.offer_session_id:
        raise ValidationError(_("This application is not to the committee's session."))


@transaction.atomic
def create_committee(*, offer_session, version, chair, members, user, held_on=None) -> Committee:
    structure = offer_session.offer.structure
    require(user, "track_persons", structure)
    if "accompaniment" not in version.content["subjects"]:
        raise ValidationError({"version": _("This grid does not assess applications.")})
    from maillage.accounts.rules import roles_of

    outsiders = [p for p in {*members, chair} if structure.pk not in roles_of(p).staff_of]
    if outsiders:
        raise ValidationError(
            {
                "members": _("%(name)s does not work in the structure of the offer.")
                % {"name": outsiders[0].get_full_name() or outsiders[0].email}
            }
        )
    committee = Committee.objects.create(
        offer_session=offer_session,
        structure=structure,
        version=version,
        chair=chair,
        held_on=held_on or timezone.localdate(),
    )
    committee.members.set({*members, chair})
    return committee


def _review(committee, application, user) -> Review:
    review, _created = Review.objects.select_for_update().get_or_create(
        committee=committee, application=application, member=user
    )
    return review


def _log(committee, application, user, target, before, after):
    if before != after:
        ScoreChange.objects.create(
            committee=committee,
            application=application,
            by=user,
            target=target,
            before=before,
            after=after,
        )


def _as_logged(score: ReviewScore | None):
    if score is None:
        return None
    return "n/a" if score.not_applicable else score.value


@transaction.atomic
def record_scores(*, committee: Committee, application: Application, user, answers: dict):
    """Record the member's `{item_key: Answer}`; each checked as on any assessment."""
    require(user, "sit_on_committee", committee)
    _check_application(committee, application)
    if committee.status == CommitteeStatus.CLOSED:
        raise ValidationError(_("The committee is closed."))
    review = _review(committee, application, user)
    if review.state == ReviewState.ABSTAINED:
        raise ValidationError(_("You abstained on this application."))
    items = {item.key: item for item in Item.objects.filter(version=committee.version)}
    errors, cleaned = {}, {}
    for key, answer in answers.items():
        if key not in items:
            errors[key] = _("This question is not in the instrument.")
            continue
        try:
            cleaned[key] = scoring.check_answer(items[key].spec, answer)
        except scoring.AnswerError as error:
            errors[key] = str(error)
    if errors:
        raise ValidationError(errors)
    existing = {s.item_id: s for s in review.scores.all()}
    for key, answer in cleaned.items():
        item = items[key]
        before = _as_logged(existing.get(item.pk))
        score, _created = ReviewScore.objects.update_or_create(
            review=review,
            item=item,
            defaults={"value": answer.value, "not_applicable": answer.not_applicable},
        )
        _log(committee, application, user, f"item:{key}", before, _as_logged(score))
    return review


@transaction.atomic
def submit_review(*, committee: Committee, application: Application, user) -> Review:
    require(user, "sit_on_committee", committee)
    _check_application(committee, application)
    review = _review(committee, application, user)
    if review.state != ReviewState.SUBMITTED:
        _log(committee, application, user, "review", review.state, ReviewState.SUBMITTED)
        review.state = ReviewState.SUBMITTED
        review.submitted_at = timezone.now()
        review.save(update_fields=["state", "submitted_at"])
    return review


@transaction.atomic
def abstain(*, committee: Committee, application: Application, user, reason: str) -> Review:
    require(user, "sit_on_committee", committee)
    _check_application(committee, application)
    if not reason.strip():
        raise ValidationError({"reason": _("Say in a few words why you abstain.")})
    review = _review(committee, application, user)
    _log(committee, application, user, "review", review.state, ReviewState.ABSTAINED)
    review.state = ReviewState.ABSTAINED
    review.abstention_reason = reason.strip()
    review.submitted_at = timezone.now()
    review.save(update_fields=["state", "abstention_reason", "submitted_at"])
    return review


@transaction.atomic
def open_discussion(*, committee: Committee, user) -> Committee:
    require(user, "chair_committee", committee)
    committee.status = CommitteeStatus.DISCUSSION
    committee.save(update_fields=["status"])
    return committee


# --- The consensus screen ------------------------------------------------------------------------


def may_see_scores(committee: Committee, application: Application, user) -> bool:
    """Whether `user` may see the other members' scores of `application` (no rule says yes to
    anyone outside the committee)."""
    from maillage.accounts.rules import can

    if not (can(user, "sit_on_committee", committee) or can(user, "chair_committee", committee)):
        return False
    if committee.status != CommitteeStatus.SCORING:
        return True
    return Review.objects.filter(
        committee=committee,
        application=application,
        member=user,
        state__in=[ReviewState.SUBMITTED, ReviewState.ABSTAINED],
    ).exists()


@dataclass(frozen=True)
class MemberScore:
    member: str
    state: str
    score: Decimal | None


@dataclass(frozen=True)
class CriterionConsensus:
    criterion: Criterion
    scores: list[MemberScore]
    median: Decimal | None
    spread: Decimal | None  # highest minus lowest
    agreement: Decimal | None  # 1: all equal; 0: as far apart as the criterion's range allows
    agreed: AgreedValue | None
    bounds: tuple[Decimal, Decimal] | None = None  # the criterion's range, for the drawing

    def strip(self) -> dict | None:
        """Where each submitted score and the median sit on the criterion's range (0-100 %),
        for the spread chart beside the table; None when the range is unknown or empty."""
        if self.bounds is None or self.bounds[1] == self.bounds[0]:
            return None
        low, high = self.bounds

        def at(value) -> float:
            return round(float((value - low) / (high - low)) * 100, 1)

        return {
            "dots": [(at(m.score), m) for m in self.scores if m.score is not None],
            "median": at(self.median) if self.median is not None else None,
            "low": low,
            "high": high,
        }


def _agreement(values, bounds) -> Decimal | None:
    if len(values) < 2 or bounds is None or bounds[1] == bounds[0]:
        return None
    half_range = (bounds[1] - bounds[0]) / 2
    deviation = Decimal(str(statistics.pstdev([float(v) for v in values])))
    return max(Decimal(0), 1 - deviation / half_range).quantize(Decimal("0.01"))


def consensus_for(committee: Committee, application: Application, user) -> list[CriterionConsensus]:
    """Per criterion: every member's score, the median, the spread, the agreement."""
    if not may_see_scores(committee, application, user):
        raise PermissionDenied("see_committee_scores")
    content = committee.version.content
    reviews = (
        Review.objects.filter(committee=committee, application=application)
        .select_related("member")
        .prefetch_related("scores__item")
        .order_by("member__full_name", "member_id")
    )
    per_member = []
    for review in reviews:
        answers = {
            s.item.key: scoring.Answer(s.value, s.not_applicable) for s in review.scores.all()
        }
        scores = scoring.score(content, answers) if review.state != ReviewState.ABSTAINED else None
        per_member.append((review, scores))
    agreed = {
        a.criterion_id: a
        for a in AgreedValue.objects.filter(committee=committee, application=application)
    }
    criteria_by_key = {c.key: c for c in Criterion.objects.filter(version=committee.version)}
    rows = []
    for criterion_data in scoring.criteria_of(content):
        criterion = criteria_by_key[criterion_data["key"]]
        member_scores = []
        for review, scores in per_member:
            value = None
            if scores is not None and review.state == ReviewState.SUBMITTED:
                value = scores.criteria[criterion.key]
            member_scores.append(
                MemberScore(
                    str(review.member.full_name or review.member.email), review.state, value
                )
            )
        values = [m.score for m in member_scores if m.score is not None]
        bounds = scoring.criterion_bounds(criterion_data)
        rows.append(
            CriterionConsensus(
                criterion=criterion,
                scores=member_scores,
                median=Decimal(str(statistics.median(values))).quantize(Decimal("0.01"))
                if values
                else None,
                spread=(max(values) - min(values)) if values else None,
                agreement=_agreement(values, bounds),
                agreed=agreed.get(criterion.pk),
                bounds=bounds,
            )
        )
    return rows


@transaction.atomic
def record_agreed_value(
    *, committee: Committee, application: Application, criterion_key: str, value, reason: str, user
) -> AgreedValue:
    require(user, "chair_committee", committee)
    _check_application(committee, application)
    if committee.status != CommitteeStatus.DISCUSSION:
        raise ValidationError(_("Open the discussion before agreeing on values."))
    criterion = Criterion.objects.filter(version=committee.version, key=criterion_key).first()
    if criterion is None:
        raise ValidationError({"criterion": _("This criterion is not in the grid.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the committee agrees on this value.")})
    bounds = scoring.criterion_bounds(
        next(c for c in scoring.criteria_of(committee.version.content) if c["key"] == criterion_key)
    )
    try:
        value = Decimal(str(value))
    except ArithmeticError as error:
        raise ValidationError({"value": _("A number is expected.")}) from error
    if bounds and not bounds[0] <= value <= bounds[1]:
        raise ValidationError(
            {
                "value": _("The value must lie between %(low)s and %(high)s.")
                % {"low": bounds[0], "high": bounds[1]}
            }
        )
    current = AgreedValue.objects.filter(
        committee=committee, application=application, criterion=criterion
    ).first()
    before = str(current.value) if current else None
    agreed, _created = AgreedValue.objects.update_or_create(
        committee=committee,
        application=application,
        criterion=criterion,
        defaults={"value": value, "reason": reason.strip(), "recorded_by": user},
    )
    _log(committee, application, user, f"agreed:{criterion_key}", before, str(agreed.value))
    return agreed


DECISIONS = (
    ApplicationStatus.SELECTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.NOT_SELECTED,
)


@transaction.atomic
def decide(*, committee: Committee, application: Application, user, status: str, **next_step):
    """The committee's decision, recorded on the application by pathways' own service (which
    requires a next step for "not selected": a referral, or a reason for none)."""
    require(user, "chair_committee", committee)
    _check_application(committee, application)
    if status not in DECISIONS:
        raise ValidationError({"status": _("Choose selected, waitlisted or not selected.")})
    if committee.status == CommitteeStatus.SCORING:
        raise ValidationError(_("Open the discussion before deciding."))
    return change_application_status(
        application=application,
        user=user,
        to_status=status,
        note=str(_("Decided by the admission committee")),
        **next_step,
    )
