"""Reads of the reports: the scopes a user may read, and the report itself.

`build_report(user=…, filters=…)` checks the rules (`view_network_report` for a whole network,
`view_structure_report` with a structure filter), computes every indicator of the catalogue for
the period and the previous one (`computation`), masks small counts for readers who may not see them
(`masking`) and returns a `Report` (`report.py`): the pages, the JSON API and the exports only
read it, so a figure is the same wherever it is shown.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from maillage.accounts.rules import can, roles_of
from maillage.core.db_routing import reads_from_replica
from maillage.directory.models import Network, Offer, Stage, Structure, Territory, TerritoryKind

from . import assessment_results, cache, comparisons
from .catalogue import DIMENSIONS, INDICATORS
from .computation import Computation
from .labels import Labels
from .masking import Formatter, MaskedPeriod, masking_rule_text
from .refresh import ensure_fresh
from .report import Breakdown, Figure, Flow, IndicatorResult, MonthActs, Report, ReportFilters
from .scope import Scope

__all__ = [
    "build_report",
    "masking_rule_text",
    "may_read",
    "pseudonymised_person_rows",
    "report_networks",
    "report_offers",
    "report_stages",
    "report_structures",
    "report_territories",
    "sees_small_counts",
]


# --- What a user may read -------------------------------------------------------------------


def report_networks(user) -> QuerySet[Network]:
    """Networks whose report (or one of whose structures' report) the user may read: those it
    coordinates or funds, and the networks of the structures it administers."""
    roles = roles_of(user)
    readable = roles.coordinator_of | roles.funder_of
    query = Q(pk__in=sorted(readable))
    if roles.admin_of:
        query |= Q(structures__in=sorted(roles.admin_of))
    if not readable and not roles.admin_of:
        return Network.objects.none()
    return Network.objects.filter(query).distinct().order_by("name")


def report_structures(user, network) -> QuerySet[Structure]:
    """Structures of the network whose report the user may read."""
    structures = Structure.objects.filter(networks=network).order_by("name")
    if can(user, "view_network_report", network):
        return structures
    return structures.filter(pk__in=sorted(roles_of(user).admin_of))


def report_offers(user, network, structure=None) -> QuerySet[Offer]:
    """Offers of those structures (published or not: reports look at the past too)."""
    offers = Offer.objects.filter(structure__in=report_structures(user, network))
    if structure is not None:
        offers = offers.filter(structure=structure)
    return offers.select_related("structure").order_by("structure__name", "title")


def report_stages(network) -> QuerySet[Stage]:
    return Stage.objects.filter(network=network).order_by("position")


def report_territories(network) -> QuerySet[Territory]:
    """Territories worth offering as a filter: those the network's structures serve, their
    départements, and the départements and intercommunalities of the structures' communes."""
    structures = Structure.objects.filter(networks=network)
    served = Territory.objects.filter(pk__in=structures.values("territories"))
    communes = Territory.objects.filter(pk__in=structures.values("commune"))
    departements = set(served.values_list("departement_code", flat=True)) | set(
        communes.values_list("departement_code", flat=True)
    )
    epcis = set(communes.values_list("epci_code", flat=True))
    return Territory.objects.filter(
        Q(pk__in=served.values("pk"))
        | Q(kind=TerritoryKind.DEPARTEMENT, code__in=sorted(d for d in departements if d))
        | Q(kind=TerritoryKind.EPCI, code__in=sorted(e for e in epcis if e))
    ).order_by("kind", "name")


def may_read(user, filters: ReportFilters) -> bool:
    if filters.structure is not None:
        return can(user, "view_structure_report", filters.structure) and (
            filters.structure.networks.filter(pk=filters.network.pk).exists()
        )
    return can(user, "view_network_report", filters.network)


def sees_small_counts(user, filters: ReportFilters) -> bool:
    """Only a structure's administrators, on their structure's report, read 1 to 4 as such."""
    return filters.structure is not None and can(user, "see_small_counts", filters.structure)


# --- The report -----------------------------------------------------------------------------


def _figures():
    formatter = Formatter()

    def figure(cell) -> Figure:
        masked = cell.masked
        return Figure(
            value=None if masked else cell.value, display=formatter.display(cell), masked=masked
        )

    return figure


def masked_reading_problem(user, filters: ReportFilters) -> str | None:
    """Why a masked reader may not read this report as asked (None when they may)."""
    if sees_small_counts(user, filters):
        return None
    return comparisons.problem(filters)


def masked_period(raw, masked: bool, readings: "comparisons.Readings") -> MaskedPeriod:
    """A period's figures masked for its reader; for a masked reader's period of several months,
    checked against each of its months and against the periods one month shorter at either end
    (docs/masking.md)."""
    if not masked:
        return MaskedPeriod(raw, masked)
    neighbours = tuple(readings.period(f) for f in comparisons.neighbours(raw.filters))
    months = tuple(
        MaskedPeriod(readings.month(f), True) for f in comparisons.months_of(raw.filters)
    )
    return MaskedPeriod(raw, True, neighbours, months)


@reads_from_replica()
def build_report(
    *, user, filters: ReportFilters, compare: bool = True, for_funders: bool = False
) -> Report:
    """Every indicator of the catalogue for `filters`, masked for this reader.

    For a masked reader (anyone but a structure's administrators on their structure), the
    period is widened to whole months, filters that would single out fewer than 5 people are
    refused (ValidationError; the filter form says so first), and, for the period and the
    previous one, every count that adds up over months is hidden where it is hidden in one of
    its months, and the other figures are checked against the periods one month shorter at
    either end (`masked_period`): see docs/masking.md.

    `for_funders`: masked whoever asks (a structure's administrator making a document that
    its funders will read, e.g. the social-utility report of the territory app).

    Raises PermissionDenied when the user may not read that scope.
    """
    masked, parts = _report_parts(user, filters, compare, for_funders)
    return cache.cached(parts, lambda: _build_report(filters, masked, compare))


@reads_from_replica()
def kept_report_name(
    *, user, filters: ReportFilters, compare: bool = True, for_funders: bool = False
) -> str | None:
    """The name (`kept_as`) of the report `build_report` would serve from the cache, without
    reading it, or None when it would compute one. The same rights are checked (raises
    PermissionDenied)."""
    _masked, parts = _report_parts(user, filters, compare, for_funders)
    return cache.kept_name(parts)


def _report_parts(user, filters: ReportFilters, compare: bool, for_funders: bool) -> tuple:
    if not may_read(user, filters):
        raise PermissionDenied("view_network_report")
    masked = for_funders or not sees_small_counts(user, filters)
    # Kept until a write is committed (`cache.py`): the page, its JSON and its files, and
    # every reader of the same scope and masking, share one computation.
    return masked, ("report", _filters_key(filters), masked, compare)


def _filters_key(filters: ReportFilters) -> tuple:
    def pk(obj):
        return obj.pk if obj is not None else None

    return (
        pk(filters.network),
        filters.date_from,
        filters.date_to,
        pk(filters.structure),
        pk(filters.offer),
        pk(filters.stage),
        pk(filters.territory),
    )


def _build_report(filters: ReportFilters, masked: bool, compare: bool) -> Report:
    ensure_fresh()
    if masked:
        filters = comparisons.whole_months(filters)
        if comparisons.isolates_few_people(filters):
            raise ValidationError(comparisons.problem(filters))
    scope = Scope(filters)
    computation = Computation(filters, scope, compare)
    raws = computation.run()
    readings = comparisons.Readings(scope, tuple(raw.filters for raw in raws), computation)
    periods = [masked_period(raw, masked, readings) for raw in raws]
    labels = Labels(scope, periods)
    _figure = _figures()
    current = periods[0]
    previous = periods[1] if compare else None
    indicators = {}
    for spec in INDICATORS:
        item = current.indicators.get(spec.code)
        if item is None:
            continue
        breakdowns = []
        for dimension in spec.breakdowns:
            rows = item.breakdowns.get(dimension, [])
            sort_key = labels.sort_key(dimension)
            if sort_key is not None:
                rows = sorted(rows, key=sort_key)
            breakdowns.append(
                Breakdown(
                    dimension=dimension,
                    label=str(DIMENSIONS[dimension]),
                    rows=tuple((labels.label(dimension, key), _figure(cell)) for key, cell in rows),
                )
            )
        before = previous.indicators.get(spec.code) if previous else None
        indicators[spec.code] = IndicatorResult(
            code=spec.code,
            label=spec.label,
            definition=spec.definition,
            formula=spec.formula,
            unit=spec.unit,
            value=_figure(item.total),
            previous=_figure(before.total) if before is not None else None,
            breakdowns=tuple(breakdowns),
        )
    persons = current.indicators.get("persons_accompanied")
    outcomes = current.indicators.get("outcomes")
    return Report(
        filters=filters,
        masked=masked,
        indicators=indicators,
        flows=tuple(
            Flow(
                source=labels.label("structure", source),
                target=labels.label("structure", target),
                figure=_figure(cell),
            )
            for source, target, cell in current.flows
        ),
        funnel=tuple(
            (labels.label("stage", key), _figure(cell))
            for key, cell in (persons.breakdowns.get("stage", []) if persons else [])
        ),
        acts_per_month=tuple(
            MonthActs(month=month, acts=_figure(acts), hours=_figure(hours))
            for month, acts, hours in current.months
        ),
        outcomes_by_type=tuple(
            (labels.label("outcome_family", key), _figure(cell))
            for key, cell in (outcomes.breakdowns.get("outcome_family", []) if outcomes else [])
        ),
        assessment_results=assessment_results.section(filters, scope, masked),
    )


@reads_from_replica()
def pseudonymised_person_rows(*, user, filters: ReportFilters):
    """The person-level rows of a network (coordinators): see `pseudonymise.person_rows`."""
    from .pseudonymise import person_rows

    return person_rows(user=user, filters=filters)
