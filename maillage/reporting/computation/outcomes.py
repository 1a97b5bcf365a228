"""Outcomes and the median days to an outcome: the outcomes recorded by the scope's structures
in the period, and the days from the person's first accompaniment in the network to each.

One statement for the rows of both periods (date, structure, family, first contact), one for
the person breakdowns of the period. With an offer or stage filter, an outcome counts when the
person was present at an act of that offer in its structure on or before its day.
"""

from collections import Counter, defaultdict

from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, ExtractDay
from django.db.models.lookups import GreaterThan

from maillage.pathways.models import Accompaniment, Outcome, OutcomeFamily

from ..models import Presence
from ..refresh import month_of
from .family import Family
from .figures import CURRENT, PREVIOUS, as_counts, count, median_of, ordered
from .months import month_index
from .profiles import PROFILE_COLUMNS, profile, profile_branches


class Outcomes(Family):
    name = "outcomes"
    codes = ("outcomes", "median_days_to_outcome")

    def long_fetches(self):
        return [self.fetch_outcomes]

    def fetch_outcomes(self):
        s = self.scope
        first_contact = Subquery(
            Accompaniment.objects.filter(
                person_id=OuterRef("person_id"), structure_id__in=s.network_structure_ids
            )
            .order_by("started_on")
            .values("started_on")[:1]
        )
        outcomes = Outcome.objects.filter(
            structure_id__in=s.structure_ids,
            occurred_on__gte=self.start,
            occurred_on__lte=self.cur.date_to,
        ).filter(s.person_q())
        if s.filters_offer:
            day = Cast(ExtractDay(OuterRef("occurred_on")), IntegerField())
            until = Value(1).bitleftshift(day) - 1
            outcomes = outcomes.filter(
                Exists(
                    Presence.objects.filter(
                        person_id=OuterRef("person_id"), structure_id=OuterRef("structure_id")
                    )
                    .filter(s.offer_q())
                    .filter(
                        Q(month__lt=month_of(OuterRef("occurred_on")))
                        | (
                            Q(month=month_of(OuterRef("occurred_on")))
                            & Q(GreaterThan(F("days").bitand(until), 0))
                        )
                    )
                )
            )
        self.outcome_rows = list(
            outcomes.annotate(first_contact=first_contact)
            .values_list("occurred_on", "structure_id", "outcome_type__family", "first_contact")
            .order_by()
        )
        base = (
            outcomes.filter(occurred_on__gte=self.cur.date_from)
            .annotate(**profile())
            .values(*PROFILE_COLUMNS)
            .order_by()
        )
        grouped = self.grouped(base, "occurred_on")
        profile_branches(grouped, "b")
        self.run("outcomes", grouped)

    def take(self, source):
        by_month = source.by_month("outcomes", source.outcome_rows, lambda row: month_index(row[0]))
        self.outcome_rows = [row for month in self.months() for row in by_month.get(month, ())]
        self.taken(source, "outcomes")

    def build(self):
        s = self.scope
        totals = [0 for _ in self.periods]
        everyone = [[] for _ in self.periods]
        numbers = defaultdict(Counter)
        delays = defaultdict(list)
        start = self.cur.date_from
        for day, structure, family, first in self.outcome_rows:
            period = CURRENT if day >= start else PREVIOUS
            totals[period] += 1
            delay = max((day - first).days, 0) if first is not None else None
            if delay is not None:
                everyone[period].append(delay)
            if period != CURRENT:
                continue
            numbers["outcome_family"][family] += 1
            numbers["structure"][structure] += 1
            if delay is not None:
                delays[("outcome_family", family)].append(delay)
                delays[("structure", structure)].append(delay)
        for period, filters in enumerate(self.periods):
            total = totals[period]
            breakdowns, median_rows = {}, {}
            if period == CURRENT:
                breakdowns = as_counts(
                    {
                        "outcome_family": ordered("outcome_family", numbers["outcome_family"]),
                        "structure": ordered(
                            "structure", numbers["structure"], s.network_structure_ids
                        ),
                        **self.profiles.breakdowns(self.rows["outcomes"], filters.date_to),
                    }
                )
                median_rows = {
                    "outcome_family": [
                        (f, median_of(delays[("outcome_family", f)]))
                        for f in OutcomeFamily.values
                        if ("outcome_family", f) in delays
                    ],
                    "structure": [
                        (k, median_of(delays[("structure", k)]))
                        for k in s.network_structure_ids
                        if ("structure", k) in delays
                    ],
                }
            self.put(period, "outcomes", count(total), breakdowns)
            self.put(period, "median_days_to_outcome", median_of(everyone[period]), median_rows)
