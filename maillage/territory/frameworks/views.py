"""Pages of the social-utility frameworks: the list, one framework with its series, its XLSX."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from maillage.accounts.rules import can, roles_of
from maillage.core.forms import add_service_errors
from maillage.directory.models import Network, Structure
from maillage.reporting.exports import file_response

from ..models import Criterion, Dimension, Framework, MeasurementKind, UtilityIndicator
from . import definition, selectors, services, values
from .exports import framework_xlsx
from .forms import DefinitionFileForm, IndicatorForm, MeasurementForm, NameForm, ValuesFileForm
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
        if action == "remove_indicator":
            indicator = get_object_or_404(
                UtilityIndicator,
                criterion__dimension__framework=framework,
                pk=request.POST.get("indicator"),
            )
            try:
                services.remove_indicator(indicator=indicator)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The indicator was removed."))
            return redirect("territory:framework", pk=framework.pk)
        if action == "partners":
            chosen = Structure.objects.filter(
                pk__in=[v for v in request.POST.getlist("partners") if v.isdigit()]
            )
            try:
                services.set_partners(framework=framework, structures=chosen)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The partner structures were saved."))
            return redirect("territory:framework", pk=framework.pk)
        if action not in forms:
            raise PermissionDenied
        if action != "measurement" and framework.is_superseded:
            try:
                services.refuse_if_frozen(framework)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect("territory:framework", pk=framework.pk)
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
            "versions": selectors.versions_of(framework),
            "is_superseded": framework.is_superseded,
            "can_publish": can(request.user, "publish_framework", framework),
            "partners": list(framework.partners.all()),
            "partner_choices": (
                Structure.objects.filter(networks__structures=framework.structure_id)
                .exclude(pk=framework.structure_id)
                .distinct()
                .order_by("name")
                if framework.structure_id and can_change
                else []
            ),
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
            code=data["code"],
            instrument=data["instrument"],
            score_part=data["score_part"],
            score_key=data["score_key"],
            aggregate=data["aggregate"],
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


def _changeable(request, pk, action="change_framework"):
    framework = get_object_or_404(selectors.frameworks_visible_to(request.user), pk=pk)
    if not can(request.user, action, framework):
        raise PermissionDenied
    return framework


@require_POST
def framework_new_version(request, pk):
    """Start version n+1 (a copy whose indicators continue version n's)."""
    framework = _changeable(request, pk)
    try:
        successor = services.new_version(framework=framework)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("territory:framework", pk=framework.pk)
    messages.success(
        request,
        _(
            "Version %(number)s is started: say which indicators continue those of "
            "version %(previous)s."
        )
        % {"number": successor.number, "previous": framework.number},
    )
    return redirect("territory:framework_continuity", pk=successor.pk)


def framework_continuity(request, pk):
    """For each indicator of a version, the indicator of the previous version it continues."""
    framework = get_object_or_404(selectors.frameworks_visible_to(request.user), pk=pk)
    if framework.previous_id is None:
        raise Http404
    can_change = can(request.user, "change_framework", framework) and not framework.is_superseded
    indicators = list(
        services.framework_indicators(framework).select_related("continues", "criterion__dimension")
    )
    earlier = list(
        services.framework_indicators(framework.previous).select_related("criterion__dimension")
    )
    errors = []
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        by_pk = {str(i.pk): i for i in earlier}
        chosen = {}
        for indicator in indicators:
            value = request.POST.get(f"continues-{indicator.pk}", "")
            if value and value not in by_pk:
                raise PermissionDenied
            chosen[indicator] = by_pk.get(value)
        taken = [c.pk for c in chosen.values() if c is not None]
        if len(taken) != len(set(taken)):
            errors.append(_("Two indicators cannot continue the same earlier indicator."))
        else:
            try:
                with transaction.atomic():
                    for indicator in indicators:
                        services.set_continuity(indicator=indicator, continues=None)
                    for indicator, continues in chosen.items():
                        services.set_continuity(indicator=indicator, continues=continues)
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(request, _("The continuity of the series was saved."))
                return redirect("territory:framework", pk=framework.pk)
    return render(
        request,
        "territory/framework_continuity.html",
        {
            "framework": framework,
            "previous": framework.previous,
            "indicators": indicators,
            "earlier": earlier,
            "can_change": can_change,
            "errors": errors,
        },
    )


@require_POST
def framework_publish(request, pk):
    framework = _changeable(request, pk, "publish_framework")
    published = request.POST.get("published") == "1"
    services.publish_template(framework=framework, published=published)
    messages.success(
        request,
        _("The framework is shared as a template.")
        if published
        else _("The framework is no longer shared as a template."),
    )
    return redirect("territory:framework", pk=framework.pk)


def _owner_from(request, owners):
    owner = dict(owners).get(request.POST.get("owner", ""))
    if owner is None:
        raise PermissionDenied
    return {owner._meta.model_name: owner}


def framework_templates(request):
    """Published templates; start one's own framework from one (a copy with its provenance)."""
    if not can(request.user, "access_territory"):
        raise PermissionDenied
    owners = _owners(request.user)
    templates = list(selectors.templates_visible_to(request.user))
    if request.method == "POST":
        template = get_object_or_404(Framework, pk=request.POST.get("template"))
        if not can(request.user, "use_framework_template", template):
            raise PermissionDenied
        owner = _owner_from(request, owners)
        try:
            copy = services.start_from_template(
                template=template, title=request.POST.get("title", "").strip()[:200], **owner
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("territory:framework_templates")
        messages.success(request, _("Your framework starts from the template."))
        return redirect("territory:framework", pk=copy.pk)
    trees = [
        (
            template,
            [
                (dimension, [(c, list(c.indicators.all())) for c in dimension.criteria.all()])
                for dimension in template.dimensions.prefetch_related("criteria__indicators")
            ],
        )
        for template in templates
    ]
    return render(
        request,
        "territory/framework_templates.html",
        {"templates": trees, "owners": [(value, owner.name) for value, owner in owners]},
    )


def framework_definition_file(request, pk):
    """The framework as a YAML file (its structure, never its values)."""
    framework = get_object_or_404(selectors.frameworks_visible_to(request.user), pk=pk)
    name = f"referentiel-{slugify(framework.title) or framework.pk}-v{framework.number}.yaml"
    return file_response(definition.definition_yaml(framework), "application/yaml", name)


def framework_import(request):
    """Start a framework from a YAML or JSON file; errors name the path in the file."""
    owners = _owners(request.user)
    if not owners:
        raise PermissionDenied
    form = DefinitionFileForm()
    errors = []
    if request.method == "POST":
        form = DefinitionFileForm(request.POST, request.FILES)
        owner = _owner_from(request, owners)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > definition.MAX_BYTES:
                    raise definition.DefinitionErrors(
                        [("", _("The file is too large for a framework."))]
                    )
                parsed = definition.read_definition(upload.read())
                framework = definition.import_definition(
                    parsed,
                    provenance=_("Imported from the file “%(name)s”") % {"name": upload.name},
                    **owner,
                )
            except definition.DefinitionErrors as refused:
                errors = refused.errors
            else:
                messages.success(request, _("The framework was imported."))
                return redirect("territory:framework", pk=framework.pk)
    return render(
        request,
        "territory/framework_import.html",
        {
            "form": form,
            "errors": errors,
            "owners": [(value, owner.name) for value, owner in owners],
        },
    )


def framework_values(request, pk):
    """Import entered values from a spreadsheet: check first (dry run), then record all or none."""
    framework = _changeable(request, pk)
    form = ValuesFileForm()
    result = None
    if request.method == "POST":
        form = ValuesFileForm(request.POST, request.FILES)
        if form.is_valid():
            result = values.import_values(
                framework=framework,
                uploaded=form.cleaned_data["file"],
                user=request.user,
                dry_run=request.POST.get("mode") != "record",
            )
            if result.written:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s value was recorded.",
                        "%(count)s values were recorded.",
                        len(result.planned),
                    )
                    % {"count": len(result.planned)},
                )
                return redirect("territory:framework", pk=framework.pk)
    return render(
        request,
        "territory/framework_values.html",
        {
            "framework": framework,
            "form": form,
            "result": result,
            "codes": services.framework_indicators(framework).filter(kind=MeasurementKind.ENTERED),
        },
    )
