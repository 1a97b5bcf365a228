"""The budget page (members; the public if the network chose), its XLSX export and import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maillage.accounts.rules import can
from maillage.core.exports import XLSX_CONTENT_TYPE
from maillage.core.forms import add_service_errors
from maillage.directory.models import Network, Structure

from . import budgets, forms, selectors, services
from .forms import BudgetImportForm
from .models import BudgetLine, Contribution, ContributionKind, WorkingGroup


@login_not_required
def budget_detail(request, uuid):
    budget = get_object_or_404(selectors.budget_visible_to(request.user), uuid=uuid)
    summary = budgets.rollup(budget)
    sources = budgets.contributions_by_structure(budget)
    manages = can(request.user, "collab_manage_budget", budget)
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
            "manages": manages,
            "contributions": budget.contributions.select_related("structure") if manages else [],
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


# --- Editing a budget, one line or contribution at a time ---------------------------------------


def _managed_budget(request, uuid):
    budget = get_object_or_404(selectors.budget_visible_to(request.user), uuid=uuid)
    if not can(request.user, "collab_manage_budget", budget):
        raise PermissionDenied
    return budget


def _form_page(request, template, context, form):
    return render(request, template, context | {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "HEAD", "POST"])
def budget_create(request, slug):
    network = get_object_or_404(Network, slug=slug)
    if not can(request.user, "collab_manage_network_life", network):
        raise PermissionDenied
    form = forms.BudgetCreateForm(
        request.POST or None,
        groups=WorkingGroup.objects.filter(network=network),
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        try:
            budget = services.create_budget(network=network, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget is created."))
            return redirect("collab:budget", uuid=budget.uuid)
    return _form_page(request, "collab/budget_form.html", {"network": network}, form)


@require_http_methods(["GET", "HEAD", "POST"])
def group_budget_create(request, uuid):
    """A group's own budget, created by its facilitators (or the network's coordinators)."""
    group = get_object_or_404(selectors.group_internals_visible_to(request.user), uuid=uuid)
    if not can(request.user, "collab_facilitate_group", group):
        raise PermissionDenied
    form = forms.BudgetForm(
        request.POST or None, initial={"year": timezone.localdate().year, "title": group.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            budget = services.create_budget(
                network=group.network, group=group, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget is created."))
            return redirect("collab:budget", uuid=budget.uuid)
    context = {"network": group.network, "group": group}
    return _form_page(request, "collab/budget_form.html", context, form)


@require_http_methods(["GET", "HEAD", "POST"])
def budget_edit(request, uuid):
    budget = _managed_budget(request, uuid)
    form = forms.BudgetForm(
        request.POST or None,
        initial={"title": budget.title, "year": budget.year, "is_public": budget.is_public},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_budget(budget=budget, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget is updated."))
            return redirect("collab:budget", uuid=budget.uuid)
    context = {"network": budget.network, "budget": budget}
    return _form_page(request, "collab/budget_form.html", context, form)


@require_http_methods(["GET", "HEAD", "POST"])
def line_edit(request, uuid, pk=None):
    """Add a line (or a sub-line), or change one: code, label, amounts, parent, decision."""
    budget = _managed_budget(request, uuid)
    line = get_object_or_404(BudgetLine, budget=budget, pk=pk) if pk else None
    initial = {}
    if line is not None:
        initial = {
            "code": line.code,
            "label": line.label,
            "parent": line.parent_id,
            "planned": line.planned,
            "committed": line.committed,
            "actual": line.actual,
            "decision": line.decision_id,
        }
    elif request.GET.get("parent"):
        initial = {"parent": request.GET["parent"]}
    form = forms.BudgetLineForm(request.POST or None, budget=budget, line=line, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_budget_line(
                budget=budget, line=line, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget line is saved."))
            return redirect("collab:budget", uuid=budget.uuid)
    return _form_page(request, "collab/line_form.html", {"budget": budget, "line": line}, form)


@require_POST
def line_delete(request, uuid, pk):
    budget = _managed_budget(request, uuid)
    line = get_object_or_404(BudgetLine, budget=budget, pk=pk)
    services.delete_budget_line(line=line, by=request.user)
    messages.success(request, _("The line %(code)s is deleted.") % {"code": line.code})
    return redirect("collab:budget", uuid=budget.uuid)


@require_http_methods(["GET", "HEAD", "POST"])
def contribution_edit(request, uuid, pk=None):
    budget = _managed_budget(request, uuid)
    contribution = get_object_or_404(Contribution, budget=budget, pk=pk) if pk else None
    if contribution is not None:
        initial = {
            "structure": contribution.structure_id,
            "kind": contribution.kind,
            "amount": contribution.amount,
            "currency": contribution.currency,
            "quantity": contribution.quantity,
            "description": contribution.description,
        }
    else:
        initial = {"currency": budget.currency}
    form = forms.ContributionForm(
        request.POST or None,
        structures=Structure.objects.filter(networks=budget.network_id).order_by("name"),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_contribution(
                budget=budget, contribution=contribution, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The contribution is saved."))
            return redirect("collab:budget", uuid=budget.uuid)
    context = {"budget": budget, "contribution": contribution}
    return _form_page(request, "collab/contribution_form.html", context, form)


@require_POST
def contribution_delete(request, uuid, pk):
    budget = _managed_budget(request, uuid)
    contribution = get_object_or_404(Contribution, budget=budget, pk=pk)
    services.delete_contribution(contribution=contribution, by=request.user)
    messages.success(request, _("The contribution is deleted."))
    return redirect("collab:budget", uuid=budget.uuid)
