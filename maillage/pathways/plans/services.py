"""The shared accompaniment plan: every save keeps a revision."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..common import claim_version, require
from ..models import Person, Plan, PlanRevision, PlanStep, PlanStepStatus


def _snapshot(steps: list[PlanStep]) -> list[dict]:
    return [
        {
            "position": step.position,
            "offer": step.offer_id,
            "action": step.action,
            "responsible_structure": step.responsible_structure_id,
            "target_date": step.target_date.isoformat() if step.target_date else None,
            "status": step.status,
        }
        for step in steps
    ]


@transaction.atomic
def save_plan(
    *, person: Person, user, structure, steps: list[dict], expected_version: int | None
) -> Plan:
    """Set the plan's steps (in the given order) and keep the result as a new revision.

    Each step is a dict with `offer` or `action`, `responsible_structure`, `target_date`,
    `status`, and `id` for a step already in the plan: that step is updated in place (it keeps
    its id, so what points at it survives); steps without `id` are added, steps left out removed.
    """
    require(user, "change_person", person)
    plan, created = Plan.objects.get_or_create(person=person)
    if not created:
        claim_version(plan, expected_version)
    existing = {step.pk: step for step in plan.steps.all()}
    built = []
    for position, data in enumerate(steps, start=1):
        data = dict(data)
        step_id = data.pop("id", None)
        if step_id is None:
            step = PlanStep(plan=plan, position=position, **data)
        elif step_id in existing:
            step = existing.pop(step_id)
            step.position = position
            step.offer = None
            step.action = ""
            step.target_date = None
            step.status = PlanStepStatus.PLANNED
            for name, value in data.items():
                setattr(step, name, value)
        else:
            raise ValidationError(_("This plan has no such step: reload the page."))
        if step.offer_id is None and not step.action.strip():
            raise ValidationError(
                _("Step %(number)s is empty: choose an offer or describe the action.")
                % {"number": position}
            )
        step.full_clean(exclude=["plan"])
        built.append(step)
    PlanStep.objects.filter(pk__in=list(existing)).delete()
    for step in built:
        step.save()
    plan.revision += 1
    plan.save()
    PlanRevision.objects.create(
        plan=plan, number=plan.revision, steps=_snapshot(built), author=user, structure=structure
    )
    return plan
