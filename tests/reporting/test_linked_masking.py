"""Masking across the months of a period and its neighbours (docs/masking.md §3), on figures
built by hand: what a reader can work out from a period, its months and the periods one month
shorter, for counts, rates and medians."""

from datetime import date

from maillage.reporting.computation import Raw, RawIndicator, RawPeriod
from maillage.reporting.masking import HIDDEN, SHOWN, SMALL, Cell, MaskedPeriod, protect
from maillage.reporting.report import ReportFilters

Q1 = (date(2025, 1, 1), date(2025, 3, 31))
MONTHS = [
    (date(2025, 1, 1), date(2025, 1, 31)),
    (date(2025, 2, 1), date(2025, 2, 28)),
    (date(2025, 3, 1), date(2025, 3, 31)),
]


def period(days, **indicators) -> RawPeriod:
    """A raw period: each indicator as (total, {dimension: {key: value}}) or a Raw."""
    raw = RawPeriod(ReportFilters(network=None, date_from=days[0], date_to=days[1]))
    for code, figure in indicators.items():
        if isinstance(figure, Raw):
            raw.indicators[code] = RawIndicator(code, figure)
            continue
        value, breakdowns = figure
        raw.indicators[code] = RawIndicator(
            code,
            Raw(value, value),
            {d: [(k, Raw(v, v)) for k, v in rows.items()] for d, rows in breakdowns.items()},
        )
    return raw


def acts(days, **by_type) -> RawPeriod:
    return period(days, acts=(sum(by_type.values()), {"act_type": by_type}))


def linked(current: RawPeriod, months, neighbours=()) -> MaskedPeriod:
    return MaskedPeriod(
        current, True, tuple(neighbours), tuple(MaskedPeriod(m, True) for m in months)
    )


def state_of(masked: MaskedPeriod, key) -> str:
    return masked.indicators["acts"].cell("act_type", key).state


def test_a_cell_hidden_by_a_months_secondary_suppression_stays_hidden_over_the_quarter():
    """February: 2 interviews ("<5"), 5 workshops (hidden to protect them), 8 receptions.
    January and March: 20 workshops and 5 receptions each. Were the quarter's workshops (45)
    shown, 45 - 20 - 20 = 5 would give February's workshops back, then 15 - 5 - 8 = 2 its
    interviews: a count hidden in any month is hidden over the quarter, not only a "<5"."""
    months = [
        acts(MONTHS[0], interview=0, workshop=20, reception=5),
        acts(MONTHS[1], interview=2, workshop=5, reception=8),
        acts(MONTHS[2], interview=0, workshop=20, reception=5),
    ]
    february = MaskedPeriod(months[1], True)
    assert state_of(february, "interview") == SMALL
    assert state_of(february, "workshop") == HIDDEN
    quarter = linked(acts(Q1, interview=2, workshop=45, reception=18), months)
    assert state_of(quarter, "workshop") != SHOWN
    assert state_of(quarter, "interview") == SMALL


def test_a_quarter_whose_months_show_everything_is_shown_whole():
    months = [acts(m, interview=6, workshop=20) for m in MONTHS]
    quarter = linked(acts(Q1, interview=18, workshop=60), months)
    item = quarter.indicators["acts"]
    assert item.total.state == SHOWN
    assert all(cell.state == SHOWN for _k, cell in item.breakdowns["act_type"])


def test_a_linked_table_that_still_pins_a_cell_hides_no_single_other_cell():
    """Over several months, hiding one more cell does not protect (adding up the months gives
    it back): a table linked to its months that still pins a hidden cell is refused whole
    (`protect` returns False and the caller hides the indicator), never patched."""
    row = [Cell(Raw(v, v), "acts") for v in (2, 20, 30)]
    row[0].state = SMALL
    assert not protect(row, Cell(Raw(52, 52), "acts"), spare=False)
    assert [c.state for c in row] == [SMALL, SHOWN, SHOWN]
    assert protect(row, Cell(Raw(52, 52), "acts"))
    assert [c.state for c in row] == [SMALL, HIDDEN, SHOWN]  # the next smallest


def test_a_median_on_fewer_than_five_values_is_hidden():
    for n, expected in ((4, HIDDEN), (5, SHOWN)):
        month = period(MONTHS[0], median_days_to_answer=Raw(3.5, n))
        masked = MaskedPeriod(month, True)
        assert masked.indicators["median_days_to_answer"].total.state == expected


def test_a_median_whose_period_differs_by_a_few_values_from_a_neighbour_is_hidden():
    """Two medians of 12 and of 10 values: the two added values' place against the median
    would be read from the comparison."""
    quarter = period(Q1, median_days_to_answer=Raw(4.0, 12))
    shorter = period((Q1[0], MONTHS[1][1]), median_days_to_answer=Raw(3.0, 10))
    masked = MaskedPeriod(quarter, True, (shorter,))
    assert masked.indicators["median_days_to_answer"].total.state == HIDDEN
    far = period((Q1[0], MONTHS[1][1]), median_days_to_answer=Raw(3.0, 6))
    masked = MaskedPeriod(quarter, True, (far,))
    assert masked.indicators["median_days_to_answer"].total.state == SHOWN


def test_a_rate_whose_numerator_differs_by_a_few_from_a_neighbour_is_hidden():
    """40 % of 50 against 36 % of 45 would say that 2 of the last month's 5 loops closed."""
    quarter = period(Q1, loop_closure_rate=Raw(40.0, 50, 20))
    shorter = period((Q1[0], MONTHS[1][1]), loop_closure_rate=Raw(40.0, 45, 18))
    masked = MaskedPeriod(quarter, True, (shorter,))
    assert masked.indicators["loop_closure_rate"].total.state == HIDDEN
    far = period((Q1[0], MONTHS[1][1]), loop_closure_rate=Raw(37.5, 40, 15))
    masked = MaskedPeriod(quarter, True, (far,))
    assert masked.indicators["loop_closure_rate"].total.state == SHOWN


def test_a_selection_rate_is_hidden_with_the_count_of_not_selected_it_would_give_back():
    """9 selected, 6 not selected (60 %); the 6 are hidden to protect a "<5" status: with the
    rate shown and the selected known, 6 would come back (9 / 0.6 - 9)."""
    raw = period(
        MONTHS[0],
        applications=(
            17,
            {"application_status": {"selected": 9, "not_selected": 6, "waitlisted": 2}},
        ),
        not_selected=(6, {"offer": {1: 6}}),
        selection_rate=Raw(60.0, 15, 9),
    )
    raw.indicators["selection_rate"].breakdowns = {"offer": [(1, Raw(60.0, 15, 9))]}
    masked = MaskedPeriod(raw, True)
    applications = masked.indicators["applications"]
    assert applications.cell("application_status", "not_selected").state == HIDDEN
    assert masked.indicators["not_selected"].total.state == HIDDEN
    rate = masked.indicators["selection_rate"]
    assert rate.total.state == HIDDEN
    assert rate.cell("offer", 1).state == HIDDEN
