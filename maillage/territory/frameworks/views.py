"""Pages of the social-utility frameworks: the list, one framework with its series, its XLSX."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from maillage.accounts.rules import can, roles_of
from maillage.core.forms import add_service_errors
from maillage.directory.models import Network, Structure
from maillage.reporting.exports import file_response

from ..models import Criterion, Dimension, MeasurementKind, UtilityIndicator
from . import selectors, services
from .exports import framework_xlsx
from .forms import IndicatorForm, MeasurementForm, NameForm
from .proof import proof_pdf, proof_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _owners(user):
    roles = roles_of(user)
    return [
        *((f"structure-{s.pk}", s) for s in Structure.objects.filter(pk__in=roles.staff_of)),
        *((f"network-{n.pk}", n) for n in Network.objects.filter(pk__in=roles.coordinator_of)),
    ]


def framework_list(request):
    owners = _owners(request.user)
    if request.method == "POST":
        owner = dict(owners).get(request.POST.get("owner", ""))
        title = request.POST.get("title", "").strip()
        if owner is None or not title:
            messages.error(request, _("Give the framework a title and an owner."))
            return redirect("territory:frameworks")
        kind = owner._meta.model_name
        framework = services.create_framework(title=title, **{kind: owner})
        return redirect("territory:framework", pk=framework.pk)
    return render(
        request,
        "territory/frameworks.html",
        {
            "frameworks": selectors.frameworks_visible_to(request.user),
            "owners": [(value, owner.name) for value, owner in owners],
        },
    )


def framework_detail(request, pk):
    framework = get_object_or_404(selectors.frameworks_visible_to(request.user), pk=pk)
    can_change = can(request.user, "change_framework", framework)
    criteria = list(
        Criterion.objects.filter(dimension__framework=framework).select_related("dimension")
    )
    entered = list(
        UtilityIndicator.objects.filter(
            criterion__dimension__framework=framework, kind=MeasurementKind.ENTERED
        )
    )
    forms = {
        "dimension": NameForm(prefix="dimension"),
        "criterion": NameForm(prefix="criterion"),
        "indicator": IndicatorForm(prefix="indicator", criteria=criteria),
        "measurement": MeasurementForm(prefix="measurement"),
    }
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        action = request.POST.get("action")
        if action not in forms:
            raise PermissionDenied
        form = (
            IndicatorForm(request.POST, prefix=action, criteria=criteria)
            if action == "indicator"
            else type(forms[action])(request.POST, prefix=action)
        )
        forms[action] = form
        if form.is_valid():
            try:
                _apply(request, framework, action, form.cleaned_data, criteria, entered)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The framework was updated."))
                return redirect("territory:framework", pk=framework.pk)
    years = selectors.framework_years(framework)
    tree = selectors.framework_tree(framework, request.user, years)
    drawn = [
        (
            dimension,
            [
                (
                    criterion,
                    [
                        (indicator, points, selectors.chart(points, indicator.target))
                        for indicator, points in indicators
                    ],
                )
                for criterion, indicators in criteria_rows
            ],
        )
        for dimension, criteria_rows in tree
    ]
    return render(
        request,
        "territory/framework.html",
        {
            "framework": framework,
            "years": years,
            "tree": drawn,
            "can_change": can_change,
            "forms": forms,
            "dimensions": Dimension.objects.filter(framework=framework),
            "entered": entered,
        },
    )


def _apply(request, framework, action, data, criteria, entered):
    if action == "dimension":
        services.add_dimension(framework=framework, name=data["name"])
    elif action == "criterion":
        dimension = get_object_or_404(
            Dimension, framework=framework, pk=request.POST.get("dimension")
        )
        services.add_criterion(dimension=dimension, name=data["name"])
    elif action == "indicator":
        criterion = next(c for c in criteria if str(c.pk) == data["criterion"])
        services.add_indicator(
            criterion=criterion,
            name=data["name"],
            kind=data["kind"],
            report_code=data["report_code"],
            unit=data["unit"],
            target=data["target"],
            source=data["source"],
        )
    else:
        indicator = next((i for i in entered if str(i.pk) == request.POST.get("indicator")), None)
        if indicator is None:
            raise ValidationError(_("Choose an indicator entered by hand."))
        services.record_measurement(
            indicator=indicator,
            year=data["year"],
            value=data["value"],
            comment=data["comment"],
            user=request.user,
        )


def framework_export(request, pk):
    framework = get_object_or_404(selectors.frameworks_visible_to(request.user), pk=pk)
    years = selectors.framework_years(framework)
    tree = selectors.framework_tree(framework, request.user, years)
    name = f"utilite-sociale-{slugify(framework.title) or framework.pk}.xlsx"
    return file_response(framework_xlsx(framework, tree), XLSX, name)


def _for_funders(request, pk):
    framework = get_object_or_404(selectors.frameworks_visible_to(request.user), pk=pk)
    years = selectors.framework_years(framework)
    tree = selectors.framework_tree(framework, request.user, years, for_funders=True)
    return framework, years, tree


def framework_proof_pdf(request, pk):
    """The social-utility report for the owner's funders, as PDF (figures masked for funders)."""
    framework, years, tree = _for_funders(request, pk)
    document = proof_pdf(framework, tree, years, base_url=request.build_absolute_uri("/"))
    name = f"rapport-utilite-sociale-{slugify(framework.title) or framework.pk}.pdf"
    return file_response(document, "application/pdf", name)


def framework_proof_export(request, pk):
    """The same report as XLSX: each claim with its indicator, measure, source and values."""
    framework, _years, tree = _for_funders(request, pk)
    name = f"rapport-utilite-sociale-{slugify(framework.title) or framework.pk}.xlsx"
    return file_response(proof_xlsx(framework, tree), XLSX, name)
