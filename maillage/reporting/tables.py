"""The tables of a `Report`, written once for every reader: the page, the XLSX, the CSV, the PDF.

Cells are plain text or `Figure`s taken as they are from the report (masking already applied);
nothing here counts anything. The one derived value is the change from the previous period,
given only when both figures are shown (so a masked figure can never be worked out from it).
"""

from dataclasses import dataclass

from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from .catalogue import UNITS
from .masking import Formatter
from .numbers import as_fraction, exact
from .report import Figure, IndicatorResult, Report

NOT_AVAILABLE = "—"


def unit_label(unit: str) -> str:
    return str(UNITS.get(unit, unit))


@dataclass(frozen=True)
class Cell:
    """A cell as a template shows it."""

    text: str
    is_figure: bool = False
    masked: bool = False
    unit: str = ""  # the unit code of a figure ("persons", "hours"…), "" when it varies


def cell(value, unit: str = "") -> Cell:
    if isinstance(value, Figure):
        return Cell(text=value.display, is_figure=True, masked=value.masked, unit=unit)
    return Cell(text="" if value is None else str(value))


@dataclass(frozen=True)
class Table:
    """A titled table: `rows` hold text cells and `Figure`s, in the order of `header`."""

    key: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple, ...]
    # Per column: None for text, else the unit code of its figures ("" when it varies by row).
    units: tuple[str | None, ...] = ()

    @property
    def figure_columns(self) -> frozenset[int]:
        """Columns (by index) that hold figures, right-aligned on the page."""
        return frozenset(index for index, unit in enumerate(self.units) if unit is not None)

    @property
    def cell_rows(self) -> tuple[tuple[Cell, ...], ...]:
        units = self.units + (None,) * (len(self.header) - len(self.units))
        return tuple(
            tuple(cell(value, units[index] or "") for index, value in enumerate(row))
            for row in self.rows
        )

    @property
    def masked_cells(self) -> int:
        return sum(
            1 for row in self.rows for cell in row if isinstance(cell, Figure) and cell.masked
        )


def _signed(number, decimals: int) -> str:
    text = Formatter().number(abs(number), decimals)
    if number == 0:
        return text
    return ("+" if number > 0 else "\N{MINUS SIGN}") + text


def change(result: IndicatorResult) -> Figure:
    """The change from the previous period (in points for a rate), as a figure of its own.

    Given only when both figures are shown, so that a masked figure cannot be worked out from
    it; "—" otherwise.
    """
    current, previous = result.value, result.previous
    if previous is None or current.masked or previous.masked:
        return Figure(value=None, display=NOT_AVAILABLE)
    if current.value is None or previous.value is None:
        return Figure(value=None, display=NOT_AVAILABLE)
    integers = isinstance(current.value, int) and isinstance(previous.value, int)
    decimals = 0 if integers and result.unit != "percent" else 1
    difference = exact(as_fraction(current.value) - as_fraction(previous.value), decimals)
    display = _signed(difference, decimals)
    if result.unit == "percent":
        display = _("%(change)s pts") % {"change": display}
    return Figure(value=difference, display=display)


def month_label(month) -> str:
    return date_format(month, "F Y")


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator as the page and the PDF show it, beside its definition."""

    result: IndicatorResult
    previous: Cell
    change: Figure
    unit: str


def indicator_rows(report: Report) -> tuple[IndicatorRow, ...]:
    return tuple(
        IndicatorRow(
            result=result,
            previous=cell(result.previous) if result.previous is not None else Cell(NOT_AVAILABLE),
            change=change(result),
            unit=unit_label(result.unit),
        )
        for result in report.indicators.values()
    )


def indicators_table(report: Report) -> Table:
    rows = tuple(
        (
            result.code,
            result.label,
            result.value,
            result.previous if result.previous is not None else NOT_AVAILABLE,
            change(result),
            unit_label(result.unit),
        )
        for result in report.indicators.values()
    )
    return Table(
        key="indicators",
        title=_("Indicators"),
        header=(
            _("Code"),
            _("Indicator"),
            _("Value"),
            _("Previous period"),
            _("Change from the previous period"),
            _("Unit"),
        ),
        rows=rows,
        units=(None, None, "", "", "", None),
    )


def definitions_table(report: Report) -> Table:
    rows = tuple(
        (result.code, result.label, result.definition, result.formula, unit_label(result.unit))
        for result in report.indicators.values()
    )
    return Table(
        key="definitions",
        title=_("Definitions"),
        header=(_("Code"), _("Indicator"), _("Definition"), _("Formula"), _("Unit")),
        rows=rows,
    )


def flows_table(report: Report) -> Table:
    return Table(
        key="flows",
        title=_("Referrals between structures"),
        header=(_("From"), _("To"), _("Referrals")),
        rows=tuple((flow.source, flow.target, flow.figure) for flow in report.flows),
        units=(None, None, "referrals"),
    )


def funnel_table(report: Report) -> Table:
    return Table(
        key="funnel",
        title=_("Persons who reached each stage"),
        header=(_("Stage"), _("Persons")),
        rows=tuple((stage, figure) for stage, figure in report.funnel),
        units=(None, "persons"),
    )


def acts_table(report: Report) -> Table:
    return Table(
        key="acts",
        title=_("Acts per month"),
        header=(_("Month"), _("Acts"), _("Hours")),
        rows=tuple((month_label(row.month), row.acts, row.hours) for row in report.acts_per_month),
        units=(None, "acts", "hours"),
    )


def outcomes_table(report: Report) -> Table:
    return Table(
        key="outcomes",
        title=_("Outcomes by type"),
        header=(_("Outcome"), _("Outcomes")),
        rows=tuple((label, figure) for label, figure in report.outcomes_by_type),
        units=(None, "outcomes"),
    )


def assessment_results_table(report: Report) -> Table:
    """Before/after assessments of the scope's cohorts: per instrument and criterion, who
    progressed (issue 19)."""
    return Table(
        key="assessment-results",
        title=_("Assessment results"),
        header=(
            _("Instrument"),
            _("Criterion"),
            _("People assessed before and after"),
            _("People who progressed"),
            _("Share who progressed"),
        ),
        rows=tuple(
            (row.instrument, row.criterion, row.assessed, row.progressed, row.share)
            for row in report.assessment_results
        ),
        units=(None, None, "persons", "persons", "percent"),
    )


@dataclass(frozen=True)
class IndicatorBreakdowns:
    """The breakdown tables of one indicator, for the page and the PDF."""

    indicator: IndicatorResult
    tables: tuple[Table, ...]


def breakdown_tables(report: Report) -> tuple[IndicatorBreakdowns, ...]:
    out = []
    for result in report.indicators.values():
        tables = tuple(
            Table(
                key=f"{result.code}-{breakdown.dimension}",
                title=breakdown.label,
                header=(breakdown.label, result.label),
                rows=tuple((label, figure) for label, figure in breakdown.rows),
                units=(None, result.unit),
            )
            for breakdown in result.breakdowns
        )
        if tables:
            out.append(IndicatorBreakdowns(indicator=result, tables=tables))
    return tuple(out)


def breakdowns_by_dimension(report: Report) -> tuple[Table, ...]:
    """One table per dimension with every indicator split by it (a sheet each in the XLSX)."""
    by_dimension: dict[str, list] = {}
    labels: dict[str, str] = {}
    for result in report.indicators.values():
        for breakdown in result.breakdowns:
            labels.setdefault(breakdown.dimension, breakdown.label)
            by_dimension.setdefault(breakdown.dimension, []).extend(
                (result.code, result.label, label, figure) for label, figure in breakdown.rows
            )
    return tuple(
        Table(
            key=f"by-{dimension}",
            title=labels[dimension],
            header=(_("Code"), _("Indicator"), labels[dimension], _("Value")),
            rows=tuple(rows),
            units=(None, None, None, ""),
        )
        for dimension, rows in by_dimension.items()
    )


def period_text(report: Report) -> str:
    filters = report.filters
    previous = filters.previous()
    return _("From %(start)s to %(end)s, compared with %(previous_start)s to %(previous_end)s") % {
        "start": formats.date_format(filters.date_from, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(filters.date_to, "SHORT_DATE_FORMAT"),
        "previous_start": formats.date_format(previous.date_from, "SHORT_DATE_FORMAT"),
        "previous_end": formats.date_format(previous.date_to, "SHORT_DATE_FORMAT"),
    }


def scope_lines(report: Report) -> tuple[tuple[str, str], ...]:
    """(label, value) of each filter in force, for the page header, the exports and the PDF."""
    filters = report.filters
    lines = [(_("Network"), str(filters.network))]
    for label, value in (
        (_("Structure"), filters.structure),
        (_("Offer"), filters.offer),
        (_("Stage"), filters.stage),
        (_("Territory"), filters.territory),
    ):
        if value is not None:
            lines.append((label, str(value)))
    lines.append((_("Period"), period_text(report)))
    return tuple(lines)
