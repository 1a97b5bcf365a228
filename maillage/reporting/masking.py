"""Small counts: who reads "<5", and why a hidden figure cannot be worked out from the others.

The rule (`masking_rule_text()` says it to readers):

1. Primary: a count from 1 to 4 (persons, acts, applications, referrals, outcomes) is shown
   "<5". A rate, ratio or median standing on fewer than 5 people or rows is hidden; so is a
   rate whose numerator, or whose denominator minus its numerator, is from 1 to 4 (it would give
   a small count back). Hours follow their acts: hidden where the number of acts is.
2. Secondary: in a table whose rows add up to a total that is shown, hidden cells must not be
   recoverable: while the total minus the visible cells pins one hidden cell to a single value
   (each "<5" cell lies between 1 and 4, each other hidden cell is at least 5), the smallest
   visible non-zero cell is hidden too. When no such cell is left, the indicator is hidden
   whole (its value and every breakdown). Tables are: each breakdown that is a partition, the
   months of the acts, the referral flows (each structure's row and column against its sent
   and received referrals), and the figures that are one row of another (new people,
   accepted/declined/redirected/expired referrals, not-selected applications).
3. Zero is shown (nobody is behind it); a figure over nothing is "—".
4. Across reports (a masked reader's period of several months): a count that adds up over
   months is hidden where it is hidden in any of its months, and such a table is hidden whole
   rather than patched with one more hidden cell; people, rates and medians are checked
   against the periods one month shorter at either end (`MaskedPeriod.against_months`,
   `against_neighbours`; docs/masking.md §3).

Readers who see small counts (a structure's administrators, on their structure's report) get
every figure; the other readers (coordinators, funders) get the masked report.
"""

from dataclasses import dataclass

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .catalogue import COUNT_UNITS, INDICATORS, indicator
from .computation import Raw, RawPeriod
from .computation.figures import hours as hours_of
from .numbers import decimal_text, places_of

SHOWN, SMALL, HIDDEN = "shown", "small", "hidden"
SMALL_DISPLAY = "<5"
NOT_COMPUTABLE = "—"
INFINITY = float("inf")
THRESHOLD = 5


def masking_rule_text() -> str:
    """The sentence shown next to every masked report and export."""
    return gettext(
        "Privacy: counts from 1 to 4 are shown as “<5”. Rates, ratios, medians and hours resting "
        "on fewer than 5 people, acts or rows are marked “hidden”, and so are rates that would "
        "give back a count under 5. In a table with a total, when a hidden figure could be "
        "worked out from the total and the other rows, the next smallest row is hidden too "
        "(“hidden”); if that is not enough, the whole indicator is hidden. Zero is shown. "
        "Against comparisons between reports: periods are whole months; over several months, "
        "a count of acts, applications, referrals or outcomes is hidden when it is hidden in "
        "one of the months, and a count of people, a rate or a median that differs by 1 to 4 "
        "people or rows from the same figure without the period's first or last month is "
        "hidden too; filters keeping or leaving out fewer than 5 of the network's people, "
        "applications, referrals or outcomes are refused."
    )


def hidden_display() -> str:
    return gettext("hidden")


@dataclass
class Cell:
    raw: Raw
    unit: str
    state: str = SHOWN

    @property
    def masked(self) -> bool:
        return self.state != SHOWN

    @property
    def value(self):
        return self.raw.value


def primary_state(raw: Raw, unit: str) -> str:
    if unit in COUNT_UNITS:
        return SMALL if 1 <= raw.n < THRESHOLD else SHOWN
    if unit == "hours":
        return HIDDEN if 1 <= raw.n < THRESHOLD else SHOWN
    if unit == "percent":
        if raw.n == 0:
            return SHOWN
        small_num = 1 <= (raw.num or 0) < THRESHOLD
        small_rest = 1 <= raw.n - (raw.num or 0) < THRESHOLD
        return HIDDEN if raw.n < THRESHOLD or small_num or small_rest else SHOWN
    # ratios and medians
    return HIDDEN if 1 <= raw.n < THRESHOLD else SHOWN


def bounds(cell: Cell) -> tuple[float, float]:
    if cell.state == SHOWN:
        return cell.value, cell.value
    if cell.state == SMALL:
        return 1, THRESHOLD - 1
    return THRESHOLD, INFINITY


def pinned(cells: list[Cell], total: int) -> bool:
    """Whether the total and the visible cells pin a hidden cell to one value."""
    hidden = [c for c in cells if c.masked]
    if not hidden:
        return False
    rest = total - sum(c.value for c in cells if not c.masked)
    lows = [bounds(c)[0] for c in hidden]
    highs = [bounds(c)[1] for c in hidden]
    low_sum, high_sum = sum(lows), sum(highs)
    for low, high in zip(lows, highs, strict=True):
        least = max(low, rest - (high_sum - high))
        most = min(high, rest - (low_sum - low))
        if least >= most:
            return True
    return False


def protect(cells: list[Cell], total: Cell, spare: bool = True) -> bool:
    """Hide more cells until none can be worked out from the total; False if impossible.

    With `spare=False` no other cell is hidden: the table is safe as it is, or not at all
    (a table of several months whose every shown cell is also shown month by month: hiding one
    more cell there would be undone by adding up the months)."""
    if total.masked:
        return True
    while pinned(cells, total.value):
        if not spare:
            return False
        candidates = [c for c in cells if not c.masked and c.value]
        if not candidates:
            return False
        min(candidates, key=lambda c: c.value).state = HIDDEN
    return True


# --- A period's figures ----------------------------------------------------------------------


class MaskedIndicator:
    def __init__(self, code: str, total: Cell, breakdowns: dict[str, list[tuple[object, Cell]]]):
        self.code = code
        self.total = total
        self.breakdowns = breakdowns

    def hide_all(self) -> None:
        if self.total.state == SHOWN:
            self.total.state = HIDDEN
        for rows in self.breakdowns.values():
            for _key, cell in rows:
                if cell.state == SHOWN:
                    cell.state = HIDDEN

    def cell(self, dimension: str, key) -> Cell | None:
        for k, cell in self.breakdowns.get(dimension, ()):
            if k == key:
                return cell
        return None


def adds_over_months(unit: str, dimension: str | None, filters) -> bool:
    """Whether a count of a period is the sum of the same count over its months.

    Counts of rows (acts, applications, referrals, outcomes, the flows between structures) do:
    each row belongs to one day. Counts of distinct people do not (a person met in two months
    is one person of the period). An age band is read in the year of the period's last day, so
    a row's age band is the same in the period and in its months only within one calendar year.
    """
    if unit not in COUNT_UNITS or unit == "persons":
        return False
    return dimension != "age_band" or filters.date_from.year == filters.date_to.year


class MaskedPeriod:
    """A period's figures with their masking states (all SHOWN for readers of small counts).

    For a masked reader's period of several months, `months` are the masked figures of each of
    its months (as the reader would read each month alone) and `neighbours` the raw figures of
    the period one month shorter at either end: see `against_months`, `against_neighbours`
    and docs/masking.md.
    """

    def __init__(
        self,
        raw: RawPeriod,
        masked: bool,
        neighbours: tuple[RawPeriod, ...] = (),
        months: tuple["MaskedPeriod", ...] = (),
    ):
        self.raw = raw
        self.neighbours = neighbours
        self.months_read = months
        self.masked = masked
        self.indicators = {}
        for item in INDICATORS:
            found = raw.indicators.get(item.code)
            if found is None:
                continue
            self.indicators[item.code] = MaskedIndicator(
                item.code,
                Cell(found.total, item.unit),
                {
                    dimension: [(key, Cell(value, item.unit)) for key, value in rows]
                    for dimension, rows in found.breakdowns.items()
                },
            )
        self.months = [
            (month, Cell(Raw(n, n), "acts"), Cell(hours_of(minutes, n), "hours"))
            for month, n, minutes in raw.months
        ]
        self.flows = [
            (source, target, Cell(Raw(n, n), "referrals")) for source, target, n in raw.flows
        ]
        if masked:
            self.apply()

    def _cells(self):
        for item in self.indicators.values():
            yield item.total
            for rows in item.breakdowns.values():
                for _key, cell in rows:
                    yield cell
        for _month, acts, hours in self.months:
            yield acts
            yield hours
        for _s, _t, cell in self.flows:
            yield cell

    def apply(self) -> None:
        for cell in self._cells():
            cell.state = primary_state(cell.raw, cell.unit)
        self.against_months()
        self.against_neighbours()
        self.secondary()
        self.link_hours()
        self.link_rates()

    @property
    def linked(self) -> bool:
        """Whether this period's tables are linked to its months' (a masked period of several
        months, read beside the months a reader may read alone)."""
        return bool(self.months_read)

    def additive(self, unit: str, dimension: str | None) -> bool:
        return adds_over_months(unit, dimension, self.raw.filters)

    def _figures(self):
        """(key, cell, dimension) of every figure of the period, keyed alike in any period's
        figures (dimension None for a total, a month of acts or a flow)."""
        for code, item in self.indicators.items():
            yield (code,), item.total, None
            for dimension, rows in item.breakdowns.items():
                for key, cell in rows:
                    yield (code, dimension, key), cell, dimension
        for month, acts, _hours in self.months:
            yield ("month", month), acts, None
        for source, target, cell in self.flows:
            yield ("flow", source, target), cell, None

    def _counts(self):
        """(key, cell, whether it adds up over months) of every count of the period."""
        for key, cell, dimension in self._figures():
            if cell.unit in COUNT_UNITS:
                yield key, cell, self.additive(cell.unit, dimension)

    @staticmethod
    def _raw_parts(raw: RawPeriod) -> dict:
        """key → (n, num) of every figure of a raw period (a count: itself)."""
        found = {}
        for code, item in raw.indicators.items():
            found[(code,)] = (item.total.n, item.total.num or 0)
            for dimension, rows in item.breakdowns.items():
                for key, value in rows:
                    found[(code, dimension, key)] = (value.n, value.num or 0)
        for month, n, _minutes in raw.months:
            found[("month", month)] = (n, 0)
        for source, target, n in raw.flows:
            found[("flow", source, target)] = (n, 0)
        return found

    def against_months(self) -> None:
        """Linked tables across months (hierarchical consistency): a count that adds up over
        months is hidden when the same count is hidden in any month of the period, as the
        reader reads that month alone ("<5", or hidden by that month's own secondary
        suppression).

        A count left shown is then the sum of counts each shown in its month: no sum or
        difference of shown periods (a quarter minus its first and last months, say) can give
        back a month's hidden count.
        """
        if not self.linked:
            return
        hidden = set()
        for month in self.months_read:
            hidden |= {key for key, cell, _additive in month._counts() if cell.masked}
        for key, cell, additive in self._counts():
            if additive and cell.state == SHOWN and cell.value and key in hidden:
                cell.state = HIDDEN

    def against_neighbours(self) -> None:
        """Differencing of figures that do not add up over months: a count of people (or a
        rate, ratio or median) is hidden when its people or rows differ by 1 to 4 from the same
        figure over a neighbouring period (the period one month shorter at its start or at its
        end), which a reader may request too: the difference would be a handful of people of
        that one month (or the place of a handful of values against the median). A rate is
        also hidden when its numerator, or its denominator minus its numerator, differs by 1
        to 4. Counts that add up over months are protected by `against_months`, which holds
        all the more."""
        for neighbour in self.neighbours:
            other = self._raw_parts(neighbour)
            for key, cell, dimension in self._figures():
                if cell.state != SHOWN or not cell.raw.n:
                    continue
                if cell.unit in COUNT_UNITS and self.linked and self.additive(cell.unit, dimension):
                    continue
                n, num = other.get(key, (0, 0))
                differences = [cell.raw.n - n]
                if cell.unit == "percent":
                    num_here = cell.raw.num or 0
                    differences += [num_here - num, (cell.raw.n - num_here) - (n - num)]
                if any(1 <= abs(d) < THRESHOLD for d in differences):
                    cell.state = HIDDEN

    @staticmethod
    def adds_up(spec, dimension: str, rows, total: Cell) -> bool:
        """Whether a breakdown's rows add up to the total, as declared or as the data fall.

        A breakdown declared overlapping (an offer on several stages, a person at several
        structures) is still a table with a total when, in this report, no row overlaps: its
        rows then add up to the total and a hidden row could be recovered by subtraction.
        """
        if spec.is_partition(dimension):
            return True
        if not spec.is_count or total.value is None:
            return False
        return sum(cell.value or 0 for _k, cell in rows) == total.value

    def spare(self, unit: str, dimension: str | None) -> bool:
        """Whether secondary suppression may hide one more cell of this table: not in a table
        linked to its months, whose shown cells are each a sum of cells shown month by month
        (the reader would add the months up and get the cell back); such a table is hidden
        whole instead when it pins a hidden cell."""
        return not (self.linked and self.additive(unit, dimension))

    def protect_indicator(self, code: str) -> bool:
        """Protect every breakdown of an indicator whose rows add up to its total."""
        item, spec = self.indicators[code], indicator(code)
        return all(
            protect([c for _k, c in rows], item.total, self.spare(spec.unit, dimension))
            for dimension, rows in item.breakdowns.items()
            if self.adds_up(spec, dimension, rows, item.total)
        )

    def secondary(self) -> None:
        acts = self.indicators.get("acts")
        for code, item in self.indicators.items():
            spec = indicator(code)
            if not spec.is_count or spec.part_of is not None:
                continue
            ok = self.protect_indicator(code)
            if ok and item is acts:
                ok = protect([cell for _m, cell, _h in self.months], item.total, not self.linked)
            if not ok:
                item.hide_all()
                if item is acts:
                    for _m, cell, _h in self.months:
                        if cell.state == SHOWN:
                            cell.state = HIDDEN
        self.follow_rows()
        self.protect_flows()
        self.follow_rows()

    def follow_rows(self) -> None:
        """Figures that are one row of another indicator take that row's state; their own
        breakdowns are then protected against them (or hidden with them)."""
        for code, item in self.indicators.items():
            spec = indicator(code)
            if spec.part_of is None:
                continue
            parent_code, dimension, key = spec.part_of
            parent = self.indicators.get(parent_code)
            row = parent.cell(dimension, key) if parent else None
            if row is not None:
                item.total.state = row.state
            if item.total.masked:
                item.hide_all()
                continue
            if not self.protect_indicator(code):
                item.hide_all()

    def protect_flows(self) -> None:
        """The flow matrix as a table with totals: each structure's row of flows against its
        referrals sent, each column against its referrals received.

        A line is protected like any table (`protect`); when it cannot be (every flow of the
        structure is "<5", say 13 flows of 1 against 13 referrals sent), its total is hidden
        instead, and that total's own table (referrals sent or received by structure) is
        protected in turn. Repeated until nothing changes.
        """
        sent = self.indicators.get("referrals_sent")
        received = self.indicators.get("referrals_received")
        if not self.flows or sent is None or received is None:
            return
        lines = []
        for index, code in ((0, "referrals_sent"), (1, "referrals_received")):
            margins = self.indicators[code]
            groups = {}
            for flow in self.flows:
                groups.setdefault(flow[index], []).append(flow[2])
            for key, cells in groups.items():
                margin = margins.cell("structure", key)
                if margin is not None and sum(c.value for c in cells) == margin.value:
                    lines.append((cells, margin, code))

        def masked_cells() -> int:
            return sum(cell.masked for cell in self._cells())

        for _round in range(len(self.flows) + len(lines) + 1):
            before = masked_cells()
            for cells, margin, code in lines:
                if protect(cells, margin, not self.linked):
                    continue
                if self.linked:
                    # Over several months, a hidden margin would be given back by the months'
                    # margins: the period's flows are hidden whole instead.
                    for _s, _t, cell in self.flows:
                        if cell.state == SHOWN:
                            cell.state = HIDDEN
                    return
                margin.state = HIDDEN
                if not self.protect_indicator(code):
                    self.indicators[code].hide_all()
            if masked_cells() == before:
                return

    def link_hours(self) -> None:
        acts, hours = self.indicators.get("acts"), self.indicators.get("act_hours")
        if acts and hours:
            pairs = [(acts.total, hours.total)]
            for dimension, rows in acts.breakdowns.items():
                pairs += [
                    (cell, hours.cell(dimension, key))
                    for key, cell in rows
                    if hours.cell(dimension, key) is not None
                ]
            for count_cell, hour_cell in pairs:
                if count_cell.masked:
                    hour_cell.state = HIDDEN
        for _month, count_cell, hour_cell in self.months:
            if count_cell.masked:
                hour_cell.state = HIDDEN

    # A rate → the count shown elsewhere that is one of its parts (its denominator, or its
    # denominator minus its numerator), by the same breakdowns.
    RATE_PARTS = {
        "not_selected_referred_rate": "not_selected",  # denominator
        "selection_rate": "not_selected",  # denominator minus numerator
    }

    def link_rates(self) -> None:
        """A rate is hidden where a part of it shown as a count is hidden (with the rate, the
        reader would work the part out from the other one): its total with the part's total,
        each row with the same row of the part."""
        for code, part_code in self.RATE_PARTS.items():
            rate, part = self.indicators.get(code), self.indicators.get(part_code)
            if rate is None or part is None:
                continue
            if part.total.masked:
                rate.total.state = HIDDEN
            for dimension, rows in rate.breakdowns.items():
                for key, cell in rows:
                    other = part.cell(dimension, key)
                    if other is not None and other.masked:
                        cell.state = HIDDEN
        rate, refused = (
            self.indicators.get("not_selected_referred_rate"),
            self.indicators.get("not_selected"),
        )
        if rate and refused:
            referral = refused.cell("next_step", "referral")  # its numerator
            if referral is not None and referral.masked:
                rate.total.state = HIDDEN


# --- Figures -------------------------------------------------------------------------------


class Formatter:
    """Figures as text in the current language (read once: a report has thousands of them).

    Gives what `django.utils.formats.number_format(value, places, force_grouping=True)` gives.
    """

    def __init__(self):
        self.decimal = get_format("DECIMAL_SEPARATOR")
        self.thousand = get_format("THOUSAND_SEPARATOR")
        self.grouping = get_format("NUMBER_GROUPING")
        self.hidden = hidden_display()

    def number(self, value, places: int) -> str:
        if self.grouping != 3:  # pragma: no cover - no such locale in Maillage
            return number_format(value, places, force_grouping=True)
        text = decimal_text(value, places)
        return text.replace(",", "\x00").replace(".", self.decimal).replace("\x00", self.thousand)

    def display(self, cell: Cell) -> str:
        if cell.state == SMALL:
            return SMALL_DISPLAY
        if cell.state == HIDDEN:
            return self.hidden
        value = cell.value
        if value is None:
            return NOT_COMPUTABLE
        text = self.number(value, places_of(cell.unit))
        return f"{text} %" if cell.unit == "percent" else text


def display(cell: Cell) -> str:
    return Formatter().display(cell)


UNMASKED_NOTE = _("Every figure is shown: you read your own structure's report.")
