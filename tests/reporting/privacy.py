"""Acceptance 2, as a function: does a masked report leak a small count?

`privacy_problems(report)` reads a `Report` the way a funder's page, JSON or export shows it
and returns what is wrong (an empty list when nothing is):
- a count from 1 to 4 shown anywhere (headline, previous period, breakdown rows, flows, funnel,
  acts per month, outcomes by type);
- a masked figure that carries its value, or whose display is neither "<5" nor "masqué"
  (hidden);
- a hidden cell that can be worked out from a total and the visible cells: in each table whose
  rows add up to a total that is shown (breakdowns that are partitions, acts per month, the
  figures that are one row of another indicator, the referral flows of a structure against its
  referrals sent and received), each "<5" cell lies between 1 and 4 and each other hidden cell
  is at least 5; if those bounds leave a single possible value for a hidden cell, it leaks.

reports-ui reuses it on its pages and exports: build the `Report` they render, then
`assert_private(report)`.
"""

from maillage.reporting.catalogue import COUNT_UNITS, indicator
from maillage.reporting.labels import FIXED_LABELS
from maillage.reporting.masking import SMALL_DISPLAY, hidden_display

INFINITY = float("inf")


def _bounds(figure):
    if not figure.masked:
        return figure.value or 0, figure.value or 0
    if figure.display == SMALL_DISPLAY:
        return 1, 4
    return 5, INFINITY


def pinned_cells(cells, total) -> list[int]:
    """Indexes of the hidden cells that `total` and the visible cells pin to one value."""
    if total is None or total.masked or total.value is None:
        return []
    hidden = [i for i, figure in enumerate(cells) if figure.masked]
    if not hidden:
        return []
    rest = total.value - sum(figure.value or 0 for figure in cells if not figure.masked)
    lows = {i: _bounds(cells[i])[0] for i in hidden}
    highs = {i: _bounds(cells[i])[1] for i in hidden}
    low_sum, high_sum = sum(lows.values()), sum(highs.values())
    leaks = []
    for i in hidden:
        least = max(lows[i], rest - (high_sum - highs[i]))
        most = min(highs[i], rest - (low_sum - lows[i]))
        if least >= most:
            leaks.append(i)
    return leaks


def _figures(report):
    """(where, figure, is a count) for every figure of the report."""
    for code, item in report.indicators.items():
        count = item.unit in COUNT_UNITS
        yield code, item.value, count
        if item.previous is not None:
            yield f"{code} (previous)", item.previous, count
        for breakdown in item.breakdowns:
            for label, figure in breakdown.rows:
                yield f"{code} / {breakdown.dimension} / {label}", figure, count
    for flow in report.flows:
        yield f"flow {flow.source} → {flow.target}", flow.figure, True
    for label, figure in report.funnel:
        yield f"funnel {label}", figure, True
    for month in report.acts_per_month:
        yield f"acts {month.month:%Y-%m}", month.acts, True
        yield f"hours {month.month:%Y-%m}", month.hours, False
    for label, figure in report.outcomes_by_type:
        yield f"outcomes {label}", figure, True


def privacy_problems(report) -> list[str]:
    problems = []
    hidden = hidden_display()
    for where, figure, is_count in _figures(report):
        if figure.masked:
            if figure.value is not None:
                problems.append(f"{where}: masked but carries its value {figure.value}")
            if figure.display not in (SMALL_DISPLAY, hidden):
                problems.append(f"{where}: masked and shown as {figure.display!r}")
            if figure.display == SMALL_DISPLAY and not is_count:
                problems.append(f"{where}: '<5' on a figure that is not a count")
        elif is_count and figure.value is not None and 1 <= figure.value <= 4:
            problems.append(f"{where}: shows the small count {figure.value}")
    for code, item in report.indicators.items():
        spec = indicator(code)
        if not spec.is_count:
            continue
        tables = [
            (b.dimension, [f for _label, f in b.rows])
            for b in item.breakdowns
            if spec.is_partition(b.dimension)
        ]
        if code == "acts":
            tables.append(("month", [m.acts for m in report.acts_per_month]))
        for dimension, cells in tables:
            for index in pinned_cells(cells, item.value):
                problems.append(f"{code} / {dimension}: row {index + 1} can be worked out")
        if spec.part_of is not None:
            parent_code, dimension, key = spec.part_of
            parent = report.indicators.get(parent_code)
            wanted = str(FIXED_LABELS[dimension][key])
            row = next(
                (
                    figure
                    for b in (parent.breakdowns if parent else ())
                    if b.dimension == dimension
                    for label, figure in b.rows
                    if label == wanted
                ),
                None,
            )
            if row is not None and row != item.value:
                problems.append(f"{code}: differs from its row in {parent_code} / {dimension}")
    problems += _flow_problems(report)
    return problems


def _flow_problems(report) -> list[str]:
    """Each structure's flows against its referrals sent (as source) and received (target)."""
    problems = []
    margins = {}
    for code, side in (("referrals_sent", 0), ("referrals_received", 1)):
        item = report.indicators.get(code)
        if item is None:
            continue
        for breakdown in item.breakdowns:
            if breakdown.dimension == "structure":
                for label, figure in breakdown.rows:
                    margins[(side, label)] = figure
    if report.filters.offer is not None or report.filters.stage is not None:
        return problems  # with these filters a structure's flows need not add up to it
    for side in (0, 1):
        lines = {}
        for flow in report.flows:
            key = flow.source if side == 0 else flow.target
            lines.setdefault(key, []).append(flow.figure)
        for key, cells in lines.items():
            margin = margins.get((side, key))
            if margin is None:
                continue
            for index in pinned_cells(cells, margin):
                problems.append(
                    f"flows of {key} ({'sent' if side == 0 else 'received'}): "
                    f"flow {index + 1} can be worked out"
                )
    return problems


def assert_private(report) -> None:
    problems = privacy_problems(report)
    assert not problems, "\n".join(problems)
