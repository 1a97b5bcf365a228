"""Acts and hours of acts: the acts of the scope's structures in the period, and their minutes.

Whole months are read from `ActMonth` (acts and minutes by structure, offer, type and month),
the days of partial months from `Act`; with a territory filter, every day from `Act` (an act
counts when one of its attendees lives in the territory). One statement each; the acts by month
of the period also feed the report's chart (`RawPeriod.months`).
"""

from collections import Counter
from datetime import date

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Sum, Value, When

from maillage.pathways.models import Act, ActParticipant

from ..models import ActMonth
from ..refresh import month_of
from ..scope import NONE
from .family import Family
from .figures import CURRENT, PREVIOUS, count, hours, ordered
from .months import full_months, month_index


class Acts(Family):
    name = "acts"
    codes = ("acts", "act_hours")

    def fetches(self):
        return [self.fetch_acts]

    def fetch_acts(self):
        """Acts by month, type, structure and offer: whole months from ActMonth, the days of
        partial months (every day, with a territory filter) from Act."""
        s = self.scope
        territory = s.filters.territory is not None
        monthly, daily = Q(pk__in=[]), Q(pk__in=[])
        for filters in self.periods:
            if territory:
                daily |= Q(occurred_on__gte=filters.date_from, occurred_on__lte=filters.date_to)
                continue
            first, last, edges = full_months(filters.date_from, filters.date_to)
            if first <= last:
                monthly |= Q(month__gte=first, month__lte=last)
            for start, end in edges:
                daily |= Q(occurred_on__gte=start, occurred_on__lte=end)
        cur_first = full_months(self.cur.date_from, self.cur.date_to)[0]
        months = (
            ActMonth.objects.filter(monthly, structure_id__in=s.structure_ids)
            .filter(s.offer_q())
            .annotate(
                per=Case(
                    When(month__gte=cur_first, then=Value(CURRENT)),
                    default=Value(PREVIOUS),
                    output_field=IntegerField(),
                )
            )
            .values_list(
                "per", "month", "act_type_id", "structure_id", "offer_id", "acts", "minutes"
            )
            .order_by()
        )
        acts = Act.objects.filter(daily, structure_id__in=s.structure_ids).filter(s.offer_q())
        if territory:
            acts = acts.filter(
                Exists(
                    ActParticipant.objects.filter(act=OuterRef("pk"), attended=True).filter(
                        s.person_in("person_id")
                    )
                )
            )
        days = (
            acts.annotate(per=self.period_case("occurred_on"), m=month_of("occurred_on"))
            .values("per", "m", "act_type_id", "structure_id", "offer_id")
            .annotate(n=Count("id"), minutes=Sum("duration_minutes"))
            .values_list("per", "m", "act_type_id", "structure_id", "offer_id", "n", "minutes")
            .order_by()
        )
        self.act_groups = [*months, *days]

    def take(self, source):
        by_month = source.by_month("acts", source.act_groups, lambda row: row[1])
        self.act_groups = [row for month in self.months() for row in by_month.get(month, ())]

    def build(self):
        s = self.scope
        totals = [[0, 0] for _ in self.periods]
        numbers = {d: Counter() for d in ("act_type", "structure", "offer", "stage", "month")}
        durations = {d: Counter() for d in numbers}
        stages = {}
        for p, month, act_type, structure, offer, n, total in self.act_groups:
            totals[p][0] += n
            totals[p][1] += total
            if p != CURRENT:
                continue
            for dimension, key in (
                ("act_type", act_type),
                ("structure", structure),
                ("offer", offer if offer is not None else NONE),
                ("month", month),
            ):
                numbers[dimension][key] += n
                durations[dimension][key] += total
            if offer not in stages:
                stages[offer] = s.stages_of_offer(offer)
            for stage in stages[offer]:
                numbers["stage"][stage] += n
                durations["stage"][stage] += total
        for period, filters in enumerate(self.periods):
            acts, minutes = totals[period]
            counts, hour_rows = {}, {}
            if period == CURRENT:
                order = {"structure": s.network_structure_ids}
                for dimension in ("act_type", "structure", "offer", "stage"):
                    keys = (
                        list(s.stage_ids)
                        if dimension == "stage"
                        else [
                            k
                            for k, _n in ordered(
                                dimension, numbers[dimension], order.get(dimension)
                            )
                        ]
                    )
                    counts[dimension] = [(k, count(numbers[dimension].get(k, 0))) for k in keys]
                    hour_rows[dimension] = [
                        (k, hours(durations[dimension].get(k, 0), numbers[dimension].get(k, 0)))
                        for k in keys
                    ]
                first, last = month_index(filters.date_from), month_index(filters.date_to)
                self.result[period].months = [
                    (
                        date(m // 12, m % 12 + 1, 1),
                        numbers["month"].get(m, 0),
                        durations["month"].get(m, 0),
                    )
                    for m in range(first, last + 1)
                ]
            self.put(period, "acts", count(acts), counts)
            self.put(period, "act_hours", hours(minutes, acts), hour_rows)
