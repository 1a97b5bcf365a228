"""The budget page (members; the public if the network chose), its XLSX export and import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.accounts.rules import can
from maillage.core.exports import XLSX_CONTENT_TYPE

from . import budgets, selectors
from .forms import BudgetImportForm
from .models import ContributionKind


@login_not_required
def budget_detail(request, uuid):
    budget = get_object_or_404(selectors.budget_visible_to(request.user), uuid=uuid)
    summary = budgets.rollup(budget)
    sources = budgets.contributions_by_structure(budget)
    return render(
        request,
        "collab/budget_detail.html",
        {
            "budget": budget,
            "summary": summary,
            "sources": sources,
            "kinds": ContributionKind.choices,
            "chart": budgets.planned_vs_actual_svg(summary) if summary.top else "",
            "sources_chart": budgets.sources_svg(sources) if sources else "",
            "manages": can(request.user, "collab_manage_budget", budget),
            "import_form": BudgetImportForm(),
        },
    )


@login_not_required
def budget_export(request, uuid):
    budget = get_object_or_404(selectors.budget_visible_to(request.user), uuid=uuid)
    response = HttpResponse(budgets.export_xlsx(budget), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="budget-{budget.year}.xlsx"'
    return response


@require_POST
def budget_import(request, uuid):
    budget = get_object_or_404(selectors.budget_visible_to(request.user), uuid=uuid)
    if not can(request.user, "collab_manage_budget", budget):
        raise PermissionDenied
    form = BudgetImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an XLSX file."))
        return redirect("collab:budget", uuid=budget.uuid)
    try:
        lines, contributions = budgets.import_xlsx(
            budget=budget, content=form.cleaned_data["file"].read(), by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Imported: %(lines)s lines, %(contributions)s contributions.")
            % {"lines": lines, "contributions": contributions},
        )
    return redirect("collab:budget", uuid=budget.uuid)
