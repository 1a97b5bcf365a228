"""A project's shared diagnostic becomes its accompaniment plan (seed 003): each weak criterion can
become a step of a carrier's plan (`pathways` Plan), linked back to the criterion
(`PlanStepLink`), so the next diagnostic of the project shows what became of the step.

A criterion is weak when its score lies below the middle of its range. The step is added through
`pathways.plans.services.save_plan` (the plan's other steps are kept in place, with their ids, so
earlier links survive), and the plan keeps a new revision.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from maillage.pathways.models import Plan
from maillage.pathways.plans.services import save_plan
from maillage.pathways.visibility import plan_steps_visible_to

from .models import Assessment, Criterion, PlanStepLink, SubjectKind, in_language
from .scoring import criteria_of, criterion_bounds
from .selectors import assessments_visible_to, scores_of


def weak_criteria(assessment: Assessment, scores=None) -> list[dict]:
    """The criteria scored below the middle of their range: `{key, title, score}`."""
    scores = scores or scores_of(assessment)
    weak = []
    for criterion in criteria_of(assessment.version.content):
        score, bounds = scores.criteria[criterion["key"]], criterion_bounds(criterion)
        if score is None or not bounds:
            continue
        if score < (Decimal(bounds[0]) + Decimal(bounds[1])) / 2:
            weak.append(
                {"key": criterion["key"], "title": in_language(criterion["title"]), "score": score}
            )
    return weak


@transaction.atomic
def criterion_to_plan_step(
    *,
    assessment: Assessment,
    criterion_key: str,
    person,
    user,
    structure,
    action: str,
    responsible_structure,
    target_date=None,
) -> PlanStepLink:
    """Add a step to `person`'s plan for the weak criterion `criterion_key` of `assessment` (a
    diagnostic of a project `person` carries), and link it back to the criterion."""
    if not assessments_visible_to(user).filter(pk=assessment.pk).exists():
        raise PermissionDenied("view_assessment")
    if assessment.subject_kind != SubjectKind.PROJECT:
        raise ValidationError(_("Only a project's diagnostic feeds an accompaniment plan."))
    if not assessment.project.persons.filter(pk=person.pk).exists():
        raise ValidationError({"person": _("This person does not carry the project.")})
    if criterion_key not in {c["key"] for c in weak_criteria(assessment)}:
        raise ValidationError({"criterion": _("Only a weak criterion becomes a plan step.")})
    if PlanStepLink.objects.filter(assessment=assessment, criterion__key=criterion_key).exists():
        raise ValidationError({"criterion": _("This criterion is already a step of a plan.")})
    if not (action or "").strip():
        raise ValidationError({"action": _("Describe the action.")})
    plan = Plan.objects.filter(person=person).first()
    steps = [
        {
            "id": step.pk,
            "offer": step.offer,
            "action": step.action,
            "responsible_structure": step.responsible_structure,
            "target_date": step.target_date,
            "status": step.status,
        }
        for step in (plan.steps.all() if plan else [])
    ]
    steps.append(
        {
            "action": action.strip()[:300],
            "responsible_structure": responsible_structure,
            "target_date": target_date,
        }
    )
    plan = save_plan(
        person=person,
        user=user,
        structure=structure,
        steps=steps,
        expected_version=plan.version if plan else None,
    )
    step = plan.steps.order_by("-position").first()
    return PlanStepLink.objects.create(
        assessment=assessment,
        criterion=Criterion.objects.get(version=assessment.version, key=criterion_key),
        step=step,
        created_by=user,
    )


@dataclass(frozen=True)
class FollowUp:
    criterion: str
    diagnostic: Assessment
    action: str
    responsible: str
    status: str
    score_then: Decimal | None
    score_now: Decimal | None


def plan_follow_up(assessment: Assessment, user) -> list[FollowUp]:
    """The plan steps that earlier (or this) diagnostics of the same project gave, each with its
    status and the criterion's score then and now; only steps the user may see."""
    if assessment.subject_kind != SubjectKind.PROJECT:
        return []
    diagnostics = assessments_visible_to(user).filter(
        project=assessment.project,
        version__instrument__family=assessment.version.instrument.family,
        assessed_on__lte=assessment.assessed_on,
    )
    links = (
        PlanStepLink.objects.filter(
            assessment__in=diagnostics, step__in=plan_steps_visible_to(user)
        )
        .select_related(
            "assessment__version", "criterion", "step__offer", "step__responsible_structure"
        )
        .order_by("assessment__assessed_on", "criterion__position")
    )
    now = scores_of(assessment).criteria
    scores = {}
    follow = []
    for link in links:
        if link.assessment_id not in scores:
            scores[link.assessment_id] = scores_of(link.assessment).criteria
        step = link.step
        follow.append(
            FollowUp(
                criterion=in_language(link.criterion.title),
                diagnostic=link.assessment,
                action=step.action or str(step.offer),
                responsible=step.responsible_structure.name,
                status=step.get_status_display(),
                score_then=scores[link.assessment_id].get(link.criterion.key),
                score_now=now.get(link.criterion.key) if link.assessment != assessment else None,
            )
        )
    return follow
