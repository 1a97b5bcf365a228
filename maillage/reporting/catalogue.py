"""The indicator catalogue, as data: what each figure of a report counts, in words.

The indicators live in `indicators/indicators.json` (code, French and English label, definition
and formula, unit, breakdowns), in report order. A figure shown anywhere (page, JSON, XLSX, CSV,
PDF) comes with the definition written here, so that a funder reads the same words as the test
that recomputes it (`tests/reporting/test_indicators.py`).

`INDICATORS` (ordered) and `indicator(code)`; `DIMENSIONS` (code → translated label) for the
breakdowns; `GENERAL_RULES`, the rules every indicator follows (scope, period, filters, persons).
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DATA = Path(__file__).parent / "indicators" / "indicators.json"

UNITS = {
    "persons": _("persons"),
    "acts": _("acts"),
    "hours": _("hours"),
    "applications": _("applications"),
    "referrals": _("referrals"),
    "outcomes": _("outcomes"),
    "percent": _("%"),
    "ratio": _("applicants per place"),
    "days": _("days"),
}
# Units whose figures are counts of rows or persons: 1 to 4 is shown as "<5" to masked readers.
COUNT_UNITS = frozenset({"persons", "acts", "applications", "referrals", "outcomes"})

DIMENSIONS = {
    "accompaniment": _("New or ongoing"),
    "act_type": _("Type of act"),
    "application_status": _("Status of the application"),
    "next_step": _("Next step"),
    "referral_answer": _("Answer"),
    "outcome_family": _("Kind of outcome"),
    "gender": _("Gender"),
    "age_band": _("Age band"),
    "situation": _("Situation"),
    "priority_neighbourhood": _("Priority neighbourhood"),
    "territory": _("Territory"),
    "stage": _("Stage"),
    "structure": _("Structure"),
    "offer": _("Offer"),
    "crossing": _("From one structure to another"),
}

# Breakdowns where one person or row may fall in several categories (a person accompanied by two
# structures, an offer placed on two stages): their rows do not add up to the total.
# Every other breakdown is a partition: its rows add up to the indicator's value.
OVERLAPPING = {
    ("persons_accompanied", "stage"),
    ("persons_accompanied", "structure"),
    ("persons_accompanied", "offer"),
    ("stalled_pathways", "structure"),
    ("acts", "stage"),
    ("act_hours", "stage"),
    ("applications", "stage"),
    ("referrals_sent", "stage"),
    ("referrals_received", "stage"),
    ("crossed_without_referral", "crossing"),
    ("crossed_without_referral", "stage"),
}
# Breakdowns of rates and medians: each row is a figure of its own, not a part of a total.
NOT_ADDITIVE_UNITS = frozenset({"percent", "ratio", "days"})

GENERAL_RULES = (
    _(
        "Scope: the structures that are members of the chosen network, or the chosen structure. "
        "Rows of other structures count only as the other end of a referral."
    ),
    _(
        "Period: from the first day to the last day, both included. Each definition says which "
        "date decides; the comparison is the period of the same length just before (the same "
        "number of months for a period of whole months). A moment (a referral sent or "
        "answered) belongs to its day in France's time zone (Europe/Paris, summer time "
        "included): a referral sent at 00:30 on 1 January, Paris time, is of the new year."
    ),
    _(
        "Persons: a person is a human, not a record. Records with the same first and last names "
        "(in either order, whatever the accents and capitals) and the same full birth date count "
        "once, whichever structures recorded them, with or without a referral; a person recorded "
        "twice and merged is counted once (the duplicate never). Namesakes born on other days, "
        "or records without a full birth date, count apart. A person whose data were erased is "
        "still counted, as a person of their own (only their identity is gone, and with it the "
        "link to their other records). A person is present at an act when listed as a "
        "participant and not marked absent."
    ),
    _(
        "Offer filter: acts and applications of that offer, referrals sent to it (received) or "
        "following a not-selected application to it (sent); people present at an act of it."
    ),
    _(
        "Stage filter: rows whose offer is placed on that stage; acts, referrals and "
        "applications without an offer belong to the network's first stage."
    ),
    _(
        "Territory filter: people living in the territory (their commune, or else their postal "
        "code when it names a single commune or arrondissement); an act counts when one of the "
        "people present lives there. A person with a postal code shared by several communes and "
        "no commune has no territory: “not given” in the breakdowns, outside every "
        "territory filter, even one containing all those communes."
    ),
    _(
        "Breakdowns: gender and situation as recorded; age band from the birth year, at the last "
        "day of the period; territory is the person's commune."
    ),
    _(
        "Rounding: rates to one decimal, applicants per place to two, hours and days to one. "
        "Each figure is computed exactly from whole numbers (minutes, counts, delays to the "
        "microsecond) and rounded once, half up: 56.25 % gives 56.3 %, 1.775 applicants per "
        "place gives 1.78. The change from the previous period is the difference of the two "
        "rounded figures. Pages, JSON, CSV, XLSX and PDF show the same digits."
    ),
)


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    unit: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    formula_fr: str
    formula_en: str
    breakdowns: tuple[str, ...]
    # (parent indicator, dimension, category): this figure is one row of the parent's breakdown
    part_of: tuple[str, str, str] | None = None

    def _text(self, name: str) -> str:
        english = (get_language() or "fr").startswith("en")
        return getattr(self, f"{name}_{'en' if english else 'fr'}")

    @property
    def label(self) -> str:
        return self._text("label")

    @property
    def definition(self) -> str:
        return self._text("definition")

    @property
    def formula(self) -> str:
        return self._text("formula")

    @property
    def unit_label(self) -> str:
        return str(UNITS[self.unit])

    @property
    def is_count(self) -> bool:
        return self.unit in COUNT_UNITS

    def is_partition(self, dimension: str) -> bool:
        """Whether the rows of this breakdown add up to the indicator's value."""
        return self.unit not in NOT_ADDITIVE_UNITS and (self.code, dimension) not in OVERLAPPING


def _load() -> tuple[Indicator, ...]:
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    indicators = []
    for row in rows:
        row = dict(row)
        row["breakdowns"] = tuple(row.get("breakdowns", ()))
        row["part_of"] = tuple(row["part_of"]) if row.get("part_of") else None
        unknown = [d for d in row["breakdowns"] if d not in DIMENSIONS]
        if unknown or row["unit"] not in UNITS:
            raise ValueError(f"Indicator {row['code']}: unknown dimension or unit {unknown}")
        indicators.append(Indicator(**row))
    return tuple(indicators)


INDICATORS: tuple[Indicator, ...] = _load()
_BY_CODE = {item.code: item for item in INDICATORS}


def indicator(code: str) -> Indicator:
    """The indicator of that code (KeyError for an unknown code)."""
    return _BY_CODE[code]
