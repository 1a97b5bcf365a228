"""A project's shared diagnostic becomes its accompaniment plan: a weak criterion becomes a step
of a carrier's plan, linked back to it; the link survives edits of the plan (steps are updated in
place); the next diagnostic shows what the plan did."""

import datetime

import pytest
from django.urls import reverse

from maillage.assessments import services
from maillage.assessments.models import Context, PlanStepLink, SubjectKind
from maillage.assessments.scoring import Answer
from maillage.pathways.models import Plan, PlanStepStatus
from maillage.pathways.plans.services import save_plan
from tests.assessments.factories import project_of, shipped
from tests.factories import NetworkFactory, StructureFactory, StructureMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def diagnostic():
    structure = StructureFactory(networks=[NetworkFactory()])
    advisor = StructureMembershipFactory(structure=structure).user
    project = project_of(structure)
    assessment = services.create_assessment(
        version=shipped("project-shared-diagnostic"),
        subject_kind=SubjectKind.PROJECT,
        subject=project,
        context=Context.DIAGNOSTIC,
        structure=structure,
        user=advisor,
        assessed_on=datetime.date(2026, 1, 10),
    )
    services.record_answers(
        assessment=assessment,
        user=advisor,
        answers={
            "diag-market-need": Answer(1),
            "diag-market-model": Answer(2),  # market: 1.5 of 1 to 4, weak
            "diag-resources-level": Answer(4),  # resources: 4, not weak
        },
    )
    return assessment, advisor, project.persons.get(), structure


def _to_plan(client, assessment, person, structure, criterion):
    return client.post(
        reverse("assessments:to_plan", kwargs={"uuid": assessment.uuid}),
        {
            "criterion": criterion,
            "person": person.pk,
            "action": "Étude de marché avec la CCI",
            "responsible_structure": structure.pk,
        },
    )


def test_a_weak_criterion_becomes_a_plan_step_linked_back_to_it(diagnostic, client):
    assessment, advisor, person, structure = diagnostic
    client.force_login(advisor)
    page = client.get(reverse("assessments:detail", kwargs={"uuid": assessment.uuid}))
    shown = page.content.decode()
    assert "Critère faible : Marché" in shown
    assert "Critère faible : Ressources" not in shown
    assert _to_plan(client, assessment, person, structure, "diag-market").status_code == 302
    (link,) = PlanStepLink.objects.all()
    assert link.criterion.key == "diag-market" and link.step.plan.person == person
    assert link.step.action == "Étude de marché avec la CCI"
    # Once only, and only a weak criterion.
    _to_plan(client, assessment, person, structure, "diag-market")
    _to_plan(client, assessment, person, structure, "diag-resources")
    assert PlanStepLink.objects.count() == 1 and link.step.plan.steps.count() == 1


def test_the_link_survives_an_edit_of_the_plan_on_its_page(diagnostic, client):
    assessment, advisor, person, structure = diagnostic
    client.force_login(advisor)
    _to_plan(client, assessment, person, structure, "diag-market")
    plan = Plan.objects.get(person=person)
    (step,) = plan.steps.all()
    edit = reverse("pathways:plan_edit", kwargs={"uuid": person.uuid})
    response = client.post(
        edit,
        {
            "version": plan.version,
            "steps-TOTAL_FORMS": 2,
            "steps-INITIAL_FORMS": 1,
            "steps-0-id": step.pk,
            "steps-0-action": "Étude de marché avec la CCI",
            "steps-0-responsible_structure": structure.pk,
            "steps-0-status": PlanStepStatus.DONE,
            "steps-1-action": "Rencontrer la CAE",
            "steps-1-responsible_structure": structure.pk,
            "steps-1-status": PlanStepStatus.PLANNED,
        },
    )
    assert response.status_code == 302, response.content.decode()
    step.refresh_from_db()
    assert step.status == PlanStepStatus.DONE
    assert PlanStepLink.objects.get().step == step
    assert plan.steps.count() == 2


def test_save_plan_updates_steps_in_place_and_removes_those_left_out(diagnostic):
    _assessment, advisor, person, structure = diagnostic
    plan = save_plan(
        person=person,
        user=advisor,
        structure=structure,
        steps=[
            {"action": "Un", "responsible_structure": structure},
            {"action": "Deux", "responsible_structure": structure},
        ],
        expected_version=None,
    )
    one, two = plan.steps.all()
    plan = save_plan(
        person=person,
        user=advisor,
        structure=structure,
        steps=[
            {"action": "Trois", "responsible_structure": structure},
            {"id": one.pk, "action": "Un, revu", "responsible_structure": structure},
        ],
        expected_version=plan.version,
    )
    assert [(s.action, s.position) for s in plan.steps.all()] == [("Trois", 1), ("Un, revu", 2)]
    assert plan.steps.get(action="Un, revu").pk == one.pk
    assert not plan.steps.filter(pk=two.pk).exists()
    assert [len(r.steps) for r in plan.revisions.order_by("number")] == [2, 2]


def test_the_next_diagnostic_shows_what_the_plan_did(diagnostic, client):
    assessment, advisor, person, structure = diagnostic
    client.force_login(advisor)
    _to_plan(client, assessment, person, structure, "diag-market")
    step = PlanStepLink.objects.get().step
    step.status = PlanStepStatus.DONE
    step.save()
    later = services.create_assessment(
        version=assessment.version,
        subject_kind=SubjectKind.PROJECT,
        subject=assessment.project,
        context=Context.DIAGNOSTIC,
        structure=structure,
        user=advisor,
        assessed_on=datetime.date(2026, 9, 10),
    )
    services.record_answers(
        assessment=later,
        user=advisor,
        answers={"diag-market-need": Answer(3), "diag-market-model": Answer(4)},
    )
    shown = client.get(reverse("assessments:detail", kwargs={"uuid": later.uuid})).content.decode()
    assert "Ce que le plan a fait des critères faibles" in shown
    row = shown[shown.index("Étude de marché avec la CCI") - 300 :]
    assert "Terminée" in row or "Fait" in row
    assert "1,50" in row and "3,50" in row
