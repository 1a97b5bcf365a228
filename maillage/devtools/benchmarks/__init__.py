"""`make bench`: each module measures one thing beside its peer and returns plain figures.

`maillage/devtools/management/commands/bench.py` runs them on one database, prints one table and
writes it into `docs/benchmarks.md`. A module raises `BenchFailed` when a product figure differs
from its peer's: the bench then fails loudly instead of printing a time for a wrong answer.
"""


class BenchFailed(Exception):
    """A figure of the product differs from the one its peer computed from the same rows."""


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
