"""What a report is, as plain values: the contract between the computation and its readers.

`selectors.build_report(user=…, filters=…)` returns a `Report`; the pages, the JSON API and the
XLSX, CSV and PDF exports only read it, so a figure is the same wherever it is shown. Masking is
already applied in a `Report`: a `Figure` whose `masked` is true must be shown as its `display`
("<5" or "—") and its `value` is None.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta


@dataclass(frozen=True)
class ReportFilters:
    """The scope of a report. `network` is required; the rest narrows it."""

    network: object  # directory.Network
    date_from: date
    date_to: date  # inclusive
    structure: object | None = None  # directory.Structure
    offer: object | None = None  # directory.Offer
    stage: object | None = None  # directory.Stage
    territory: object | None = None  # directory.Territory (a département, EPCI or commune)

    @property
    def whole_months(self) -> bool:
        """Whether the period runs from the first day of a month to the last day of one."""
        after = self.date_to + timedelta(days=1)
        return self.date_from.day == 1 and after.day == 1

    @property
    def months(self) -> int:
        """How many months the period touches."""
        return (self.date_to.year - self.date_from.year) * 12 + (
            self.date_to.month - self.date_from.month + 1
        )

    def with_period(self, date_from: date, date_to: date) -> "ReportFilters":
        return replace(self, date_from=date_from, date_to=date_to)

    def previous(self) -> "ReportFilters":
        """The period of the same length just before this one, with the same filters: the same
        number of whole months for a period of whole months, else the same number of days."""
        end = self.date_from - timedelta(days=1)
        if self.whole_months:
            index = self.date_from.year * 12 + self.date_from.month - 1 - self.months
            return self.with_period(date(index // 12, index % 12 + 1, 1), end)
        length = self.date_to - self.date_from
        return ReportFilters(
            network=self.network,
            date_from=end - length,
            date_to=end,
            structure=self.structure,
            offer=self.offer,
            stage=self.stage,
            territory=self.territory,
        )


@dataclass(frozen=True)
class Figure:
    """One number as a reader may see it."""

    value: int | float | None  # None when masked or not computable (e.g. a rate over zero)
    display: str  # "12", "37.5 %", "<5", "—"
    masked: bool = False


@dataclass(frozen=True)
class Breakdown:
    """An indicator split by one dimension (gender, age band, structure…), masked as a whole."""

    dimension: str  # code of the dimension: "gender", "age_band", "structure", …
    label: str  # translated name of the dimension
    rows: tuple[tuple[str, Figure], ...]  # (translated label of the category, figure)


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    label: str
    definition: str
    formula: str
    unit: str  # "persons", "acts", "hours", "percent", "days", "referrals", …
    value: Figure
    previous: Figure | None = None  # the same figure over `ReportFilters.previous()`
    breakdowns: tuple[Breakdown, ...] = ()


@dataclass(frozen=True)
class Flow:
    """People moving from one structure to another (referrals), for the Sankey chart."""

    source: str  # structure name
    target: str
    figure: Figure


@dataclass(frozen=True)
class MonthActs:
    month: date  # first day of the month
    acts: Figure
    hours: Figure


@dataclass(frozen=True)
class AssessmentResult:
    """One criterion of an instrument family: the people of the scope's cohorts assessed before
    and after in the period, how many progressed, and their share (issue 19)."""

    instrument: str  # the instrument's title
    criterion: str
    assessed: Figure  # people with a score before and after on the criterion
    progressed: Figure
    share: Figure  # percent of `assessed`


@dataclass
class Report:
    filters: ReportFilters
    # True when small counts are masked for this reader (coordinators and funders).
    masked: bool
    indicators: dict[str, IndicatorResult] = field(default_factory=dict)  # by code, catalogue order
    flows: tuple[Flow, ...] = ()  # referrals between structures of the period
    funnel: tuple[tuple[str, Figure], ...] = ()  # (stage name, persons who reached it), in order
    acts_per_month: tuple[MonthActs, ...] = ()
    outcomes_by_type: tuple[tuple[str, Figure], ...] = ()  # (outcome type label, count)
    assessment_results: tuple[AssessmentResult, ...] = ()  # before/after, per criterion
