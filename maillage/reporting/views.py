"""Report pages and their files: the list of scopes, a network's report, its XLSX, CSV and PDF, and
the pseudonymised person-level CSV.

Views are thin: `ReportFilterForm` reads the GET filters, `selectors.build_report` computes the
report (refusing a scope the user may not read, masking small counts for this reader), and the
page and every file read the same `Report` through `tables.py`, so a figure is the same
everywhere.
"""

import hashlib

from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from maillage.accounts.rules import can, roles_of
from maillage.directory.models import Structure

from . import charts, exports, pdf, selectors, tables
from .catalogue import GENERAL_RULES
from .forms import ReportFilterForm

# The GET parameters of the filters (the network comes from the URL).
FILTER_PARAMETERS = ("structure", "offer", "stage", "territory", "from", "to")

# The first screen of a report: the headline figures as cards, with their change on the previous
# period, then the charts and the wandering figures; every indicator with its definition
# (folded) and its breakdowns (opened on demand) come after.
HEADLINE_CODES = (
    "persons_accompanied",
    "persons_new",
    "acts",
    "act_hours",
    "referrals_sent",
    "loop_closure_rate",
    "outcomes",
    "median_days_to_answer",
)
WANDERING_CODES = ("wandering_many_structures", "wandering_declined_twice", "stalled_pathways")


def _require_reports_menu(request):
    if not can(request.user, "view_reports"):
        raise PermissionDenied


def _filter_query(request) -> str:
    """The filters of this request as a query string, for the export links."""
    query = QueryDict(mutable=True)
    for name in FILTER_PARAMETERS:
        value = request.GET.get(name)
        if value:
            query[name] = value
    return query.urlencode()


def _read_filters(request, slug):
    """The bound filter form for the network `slug`, and its filters (None when invalid)."""
    data = request.GET.copy()
    data["network"] = slug
    form = ReportFilterForm(data, user=request.user)
    if not form.is_valid():
        if "network" in form.errors:
            # Unknown network, or one this user may read nothing of: no hint it exists.
            raise Http404
        return form, None
    return form, form.filters()


def _build_report(request, form, filters):
    """The report, or None with an error on the form when the scope is not the reader's.

    A structure admin who may not read the whole network is asked to choose their structure
    (the form chooses it for them when they have only one).
    """
    if filters is None:
        return None
    try:
        return selectors.build_report(user=request.user, filters=filters)
    except PermissionDenied:
        if not form.structures:
            raise
        form.add_error(
            "structure", _("Choose one of your structures: you may read their reports only.")
        )
        return None


@require_safe
def index(request):
    """The scopes the user may read: networks, and the structures they administer."""
    _require_reports_menu(request)
    user = request.user
    networks = [
        network
        for network in selectors.report_networks(user)
        if can(user, "view_network_report", network)
    ]
    administered = (
        Structure.objects.filter(pk__in=roles_of(user).admin_of)
        .prefetch_related("networks")
        .order_by("name")
    )
    structures = [
        {"structure": structure, "networks": sorted(structure.networks.all(), key=str)}
        for structure in administered
    ]
    return render(request, "reporting/index.html", {"networks": networks, "structures": structures})


@require_safe
def network_report(request, slug):
    _require_reports_menu(request)
    form, filters = _read_filters(request, slug)
    network = form.cleaned_data["network"]
    context = {
        "network": network,
        "form": form,
        "masking_rule": selectors.masking_rule_text(),
        "query": _filter_query(request),
        "can_export_persons": can(request.user, "export_pseudonymised_persons", network),
    }
    # What was rendered from the kept report, if it holds: the report itself is not read.
    results = _kept_results(request, filters, context)
    has_report = results is not None
    if results is None:
        report = _build_report(request, form, filters)
        has_report = report is not None
        results = _rendered_results(request, report, context)
    context.update(results=results, has_report=has_report)
    if request.htmx and not request.htmx.boosted:
        return HttpResponse(context["results"])
    return render(request, "reporting/report.html", context)


# A report served from the cache (cache.py) is rendered once per server process while it holds:
# its tables are thousands of rows, and rendering them took longer than reading the report.
RENDERED_FOR = 600  # seconds; the kept report's name changes as soon as a write makes it stale


def _results_key(kept_as: str, context) -> str:
    vary = [kept_as, get_language(), context["query"], context["can_export_persons"]]
    return "report-results:" + hashlib.sha256(repr(vary).encode()).hexdigest()


def _kept_results(request, filters, context) -> str | None:
    """The results rendered from the report kept for these filters, while it holds and this
    process keeps them; None otherwise (and when the reader may not read the scope: the full
    path says why)."""
    if filters is None:
        return None
    try:
        kept_as = selectors.kept_report_name(user=request.user, filters=filters)
    except PermissionDenied:
        return None
    html = caches["fragments"].get(_results_key(kept_as, context)) if kept_as else None
    return mark_safe(html) if html is not None else None  # noqa: S308 - our own rendering


def _rendered_results(request, report, context) -> str:
    """The results of `report`, rendered (and kept in this process when the report is kept:
    `_kept_results` serves them next time)."""
    kept_as = getattr(report, "kept_as", None)
    key = _results_key(kept_as, context) if kept_as else None
    context = {**context, "report": report}
    if report is not None:
        rows = tables.indicator_rows(report)
        by_code = {row.result.code: row for row in rows}
        context = {
            **context,
            "scope": tables.scope_lines(report),
            "headline": [by_code[code] for code in HEADLINE_CODES if code in by_code],
            "wandering": [by_code[code] for code in WANDERING_CODES if code in by_code],
            "indicators": rows,
            "charts": charts.report_charts(report),
            "assessment_table": tables.assessment_results_table(report),
            # Which indicators have breakdowns: each is read on its own page, on demand.
            "with_breakdowns": {
                result.code for result in report.indicators.values() if result.breakdowns
            },
            "general_rules": GENERAL_RULES,
        }
    html = render_to_string("reporting/_results.html", context, request)
    if key:
        caches["fragments"].set(key, html, RENDERED_FOR)
    return html


@require_safe
def network_breakdowns(request, slug, code):
    """One indicator's breakdowns (by gender, age band, structure…) for the report's filters:
    a page of its own, or the tables alone when htmx opens them inside the report."""
    report, response = _report_or_redirect(request, slug)
    if report is None:
        return response
    item = next(
        (item for item in tables.breakdown_tables(report) if item.indicator.code == code), None
    )
    if item is None:
        raise Http404
    query = _filter_query(request)
    report_url = reverse("reporting:network", kwargs={"slug": slug})
    context = {
        "network": report.filters.network,
        "item": item,
        "scope": tables.scope_lines(report),
        "report_url": f"{report_url}?{query}" if query else report_url,
        "masking_rule": selectors.masking_rule_text(),
    }
    template = "reporting/breakdowns.html"
    if request.htmx and not request.htmx.boosted:
        template = "reporting/_breakdowns.html"
    return render(request, template, context)


def _report_or_redirect(request, slug):
    """The report for a file, or a redirect to the page, which says what to correct."""
    _require_reports_menu(request)
    form, filters = _read_filters(request, slug)
    report = _build_report(request, form, filters)
    if report is None:
        query = _filter_query(request)
        url = reverse("reporting:network", kwargs={"slug": slug})
        return None, redirect(f"{url}?{query}" if query else url)
    return report, None


@require_safe
def network_xlsx(request, slug):
    report, response = _report_or_redirect(request, slug)
    if report is None:
        return response
    return exports.report_xlsx_response(report, masking_rule=selectors.masking_rule_text())


@require_safe
def network_csv(request, slug):
    report, response = _report_or_redirect(request, slug)
    if report is None:
        return response
    return exports.report_csv_response(report, masking_rule=selectors.masking_rule_text())


@require_safe
def network_pdf(request, slug):
    report, response = _report_or_redirect(request, slug)
    if report is None:
        return response
    document = pdf.render_pdf(
        report,
        masking_rule=selectors.masking_rule_text(),
        base_url=request.build_absolute_uri("/"),
    )
    response = exports.file_response(document, "application/pdf", exports.filename(report, "pdf"))
    return response


@require_safe
def network_persons_csv(request, slug):
    """One line per person of the scope, without names or contacts (coordinators only)."""
    _require_reports_menu(request)
    form, filters = _read_filters(request, slug)
    network = form.cleaned_data["network"]
    if not can(request.user, "export_pseudonymised_persons", network):
        raise PermissionDenied
    if filters is None:
        query = _filter_query(request)
        url = reverse("reporting:network", kwargs={"slug": slug})
        return redirect(f"{url}?{query}" if query else url)
    found = selectors.pseudonymised_person_rows(user=request.user, filters=filters)
    rows = [*found.rows, (), (found.note,)]
    return exports.pseudonymised_persons_response(filters, found.header, rows)
