"""The shared plan of a person: its steps, saved as a new revision each time."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from maillage.core.forms import add_service_errors

from ..choices import staff_structures
from ..models import Plan
from ..view_helpers import person_or_403, person_url
from . import services
from .forms import PlanForm, PlanStepFormSet


@require_http_methods(["GET", "HEAD", "POST"])
def plan_edit(request, uuid):
    """The plan's steps as a formset; each save is a new revision (optimistic locking)."""
    person = person_or_403(request, uuid, "change_person")
    plan = Plan.objects.filter(person=person).first()
    structures = staff_structures(request.user)
    steps = list(plan.steps.select_related("offer", "responsible_structure")) if plan else []
    initial = [
        {
            "id": step.pk,
            "offer": step.offer,
            "action": step.action,
            "responsible_structure": step.responsible_structure,
            "target_date": step.target_date,
            "status": step.status,
        }
        for step in steps
    ]
    data = request.POST or None
    form = PlanForm(
        data, structures=structures, initial={"version": plan.version if plan else None}
    )
    formset = PlanStepFormSet(
        data, initial=initial, prefix="steps", form_kwargs={"user": request.user}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        kept = [
            step_form.step()
            for step_form in formset.forms
            if step_form.cleaned_data and not step_form.cleaned_data.get("DELETE")
        ]
        try:
            services.save_plan(
                person=person,
                user=request.user,
                structure=form.chosen_structure(),
                steps=kept,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The plan is saved."))
            return redirect(person_url(person))
    context = {
        "form": form,
        "formset": formset,
        "person": person,
        "plan": plan,
        "revisions": list(plan.revisions.select_related("author", "structure")[:5]) if plan else [],
    }
    return render(request, "pathways/persons/plan_form.html", context)
