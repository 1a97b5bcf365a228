"""Every indicator of a report, computed from the pathways tables, before any masking.

`compute(filters)` returns the `RawPeriod` of the period (and of the previous one).

Where to find an indicator's query: one module per family of indicators, each a `Family` whose
`codes` name the indicators it produces (`docs/indicators.md` defines them):
- `persons.py`: persons_accompanied, persons_new, persons_ongoing
- `acts.py`: acts, act_hours
- `applications.py`: applications, selection_rate, not_selected, not_selected_referred_rate
- `sessions.py`: applicants_per_place
- `referrals.py`: referrals_sent, referrals_received, referrals_accepted/declined/redirected/
  expired, loop_closure_rate, median_days_to_answer, median_days_to_first_meeting
- `outcomes.py`: outcomes, median_days_to_outcome
- `wandering.py`: wandering_many_structures, wandering_declined_twice, stalled_pathways
- `crossings.py`: crossed_without_referral (pathways that crossed structures without a referral)

And what they share: `runner.py` (the statements side by side on their own connections,
timings, JIT), `family.py` (the base class: scope, periods, `put`), `figures.py` (raw figures
and categories), `profiles.py` (the person breakdowns), `months.py` (periods on `Presence`).

People are counted from `models.Presence` (who was present where, by month, with a bit per day)
and acts from `models.ActMonth` (plus the `Act` rows of a period's partial months); both are
brought back to the raw tables before every report (`refresh.ensure_fresh`). Applications,
referrals, outcomes and accompaniments are read from their own tables. Each family of figures
is one statement: a base query built with the ORM (the filters of `scope.Scope`) and the GROUP
BYs of its breakdowns in a `UNION ALL` (`sql.Grouped`); Python only adds up and labels small
result sets. The period gets every breakdown; the previous period gets its totals and the
breakdowns whose rows are figures of their own (new people, answers to referrals, statuses).
"""

from .figures import Raw, RawIndicator, RawPeriod
from .runner import FAMILIES, Computation, compute, parallel_workers

__all__ = [
    "FAMILIES",
    "Computation",
    "Raw",
    "RawIndicator",
    "RawPeriod",
    "compute",
    "parallel_workers",
]
