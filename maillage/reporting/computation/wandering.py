# ruff: noqa: S608 - SQL text is built from table names and constants; values are parameters.
"""Pathways that go nowhere: people seen by 3+ structures without getting past their first stage,
people declined twice, open accompaniments without an act for 6 months.

Each looks at a window ending on the period's last day (12 months; 6 for the stalled ones), so
every period has its own statements (one per indicator and period), started first by the runner
(the 12-month windows are the slowest).

People are humans (`Presence.human`, `pathways.NetworkPerson`): a human recorded by three
structures without any referral between them is one person seen by three structures.
"""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import (
    BigIntegerField,
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast

from maillage.pathways.models import Accompaniment, Outcome, Referral, ReferralStatus

from ..models import Presence
from ..periods import day_start, window_start
from ..refresh import human_of
from ..scope import Scope
from ..sql import Grouped, placeholders
from .family import Family, partial_step
from .figures import CURRENT, as_counts, count, first_value, keyed, ordered
from .months import active, days_between, month_index, presences
from .profiles import PROFILE_COLUMNS, per_human, profile, profile_branches, profile_cte


def pair_key(person: str, structure: str):
    """(person, structure) as one integer (structure ids stay below 2^20)."""
    return Cast(F(person), BigIntegerField()) * 1048576 + F(structure)


class Wandering(Family):
    name = "wandering"
    codes = ("wandering_many_structures", "wandering_declined_twice", "stalled_pathways")

    def __init__(self, computation):
        super().__init__(computation)
        self.wandering, self.declined, self.stalled = {}, {}, {}

    def long_fetches(self):
        return [
            partial_step(method, period)
            for period in range(len(self.periods))
            for method in (self.fetch_stalled, self.fetch_wandering)
        ]

    def fetches(self):
        return [partial_step(self.fetch_declined, period) for period in range(len(self.periods))]

    def reuse(self, other):
        """A period ending on the same day as the other computation's period (a neighbour period
        one month shorter at its start): the same windows, the same statements."""
        if len(self.periods) != 1 or other.cur.date_to != self.cur.date_to:
            return False
        if other.scope is not self.scope or CURRENT not in other.wandering:
            return False
        for mine, theirs in (
            (self.wandering, other.wandering),
            (self.declined, other.declined),
            (self.stalled, other.stalled),
        ):
            mine[CURRENT] = theirs[CURRENT]
            self.profiles.collect(mine[CURRENT])
        return True

    def _rank_case(self):
        """The rank of a Presence row's earliest stage, from its offer (1 without an offer)."""
        s = self.scope
        by_rank = defaultdict(list)
        for offer, stages in s.offer_stages.items():
            by_rank[s.stage_rank[stages[0]]].append(offer)
        whens = [
            When(offer_id__in=sorted(offers), then=Value(rank))
            for rank, offers in sorted(by_rank.items())
            if rank != 1
        ]
        return Case(*whens, default=Value(1), output_field=IntegerField()) if whens else Value(1)

    def fetch_wandering(self, period: int):
        """People present at acts of 3+ structures of the network in the 12 months ending on the
        period's last day, who never got past the stage of their first act of those months."""
        s = self.scope
        rank = self._rank_case()
        scope_case = Case(
            When(Q(structure_id__in=s.structure_ids) & s.offer_q(), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        filters = self.periods[period]
        start, end = window_start(filters.date_to, 12), filters.date_to
        window_days = days_between(start, end)
        base = (
            presences(s, start, end, s.network_structure_ids)
            .annotate(
                pid=F("human"),
                rid=F("person_id"),
                sid=F("structure_id"),
                mon=F("month"),
                wd=window_days,
                rk=rank,
                ins=scope_case,
            )
            .values("pid", "rid", "sid", "mon", "wd", "rk", "ins")
            .order_by()
        )
        grouped = Grouped(base)
        # The first day of the window as one sortable number: month * 2^31 + its lowest day
        # bit, then * 16 + the stage rank; its minimum gives the first day and the lowest
        # rank of the acts of that day.
        key = "((CAST(b.mon AS BIGINT) * 2147483648 + (b.wd & -b.wd)) * 16 + b.rk)"
        grouped.cte(
            "w",
            "SELECT s.pid, MIN(s.first_key) AS first_key, MAX(s.top) AS top, MAX(s.ins) AS ins, "
            "MAX(s.rid) AS rid "
            f"FROM (SELECT b.pid, b.sid, MIN({key}) AS first_key, MAX(b.rk) AS top, "
            "MAX(b.ins) AS ins, MAX(b.rid) AS rid FROM b WHERE b.wd <> 0 GROUP BY b.pid, b.sid) s "
            "GROUP BY s.pid HAVING COUNT(*) >= 3",
        )
        grouped.cte(
            "wanderers",
            "SELECT pid, rid FROM w WHERE ins = 1 AND top <= (first_key - (first_key / 16) * 16)",
        )
        grouped.branch("total", source="wanderers")
        if period == CURRENT:
            profile_cte(grouped, "prof", "SELECT rid FROM wanderers")
            profile_branches(grouped, "prof")
        self.wandering[period] = self.run(f"wandering:{period}", grouped)

    def fetch_declined(self, period: int):
        """People with 2+ referrals declined by structures of the network in the 12 months."""
        s = self.scope
        offer_sql, offer_params = self.offer_sql("b.tof")
        ids = placeholders(s.structure_ids)
        filters = self.periods[period]
        start, end = window_start(filters.date_to, 12), filters.date_to
        base = (
            Referral.objects.filter(
                status=ReferralStatus.DECLINED,
                to_structure_id__in=s.network_structure_ids,
                answered_at__gte=day_start(start),
                answered_at__lt=day_start(end + timedelta(days=1)),
            )
            .filter(s.person_in("person_id"))
            .annotate(
                pid=human_of("person"),
                rid=F("person_id"),
                src=F("from_structure_id"),
                tgt=F("to_structure_id"),
                tof=F("to_offer_id"),
            )
            .values("pid", "rid", "src", "tgt", "tof")
            .order_by()
        )
        grouped = Grouped(base)
        grouped.cte(
            "d",
            "SELECT b.pid, MAX(b.rid) AS rid FROM b GROUP BY b.pid HAVING COUNT(*) >= 2 AND "
            f"MAX(CASE WHEN (b.src IN ({ids}) OR b.tgt IN ({ids})) AND {offer_sql} "
            "THEN 1 ELSE 0 END) = 1",
            [*s.structure_ids, *s.structure_ids, *offer_params],
        )
        grouped.branch("total", source="d")
        if period == CURRENT:
            profile_cte(grouped, "prof", "SELECT rid FROM d")
            profile_branches(grouped, "prof")
        self.declined[period] = self.run(f"declined:{period}", grouped)

    def fetch_stalled(self, period: int):
        """Open accompaniments without an act of their structure for 6 months."""
        s = self.scope
        filters = self.periods[period]
        end = filters.date_to
        cut = Scope.six_months_cut(filters)
        # Who was met by which structure in the 6 months, as one number per (person,
        # structure): a NOT IN over it is one hash, where NOT EXISTS probed an index per row.
        recent = (
            Presence.objects.filter(
                structure_id__in=s.structure_ids,
                month__gte=month_index(cut),
                month__lte=month_index(end),
            )
            .filter(active(cut + timedelta(days=1), end))
            .annotate(pair=pair_key("person_id", "structure_id"))
            .values("pair")
        )
        closed = Outcome.objects.filter(
            person_id=OuterRef("person_id"),
            structure_id=OuterRef("structure_id"),
            occurred_on__lte=end,
        )
        rows = (
            Accompaniment.objects.filter(structure_id__in=s.structure_ids, started_on__lte=cut)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=end))
            .filter(s.person_q())
            .annotate(pair=pair_key("person_id", "structure_id"))
            .exclude(pair__in=recent)
            .exclude(Exists(closed))
        )
        if s.filters_offer:
            before = (
                Presence.objects.filter(
                    person_id=OuterRef("person_id"),
                    structure_id=OuterRef("structure_id"),
                    month__lte=month_index(cut),
                )
                .filter(s.offer_q())
                .filter(active(date(2000, 1, 1), cut))
            )
            rows = rows.filter(Exists(before))
        base = rows.annotate(
            pid=human_of("person"), rid=F("person_id"), sid=F("structure_id"), **profile()
        ).values("pid", "rid", "sid", *PROFILE_COLUMNS)
        grouped = Grouped(base.order_by())
        grouped.cte("people", per_human("b"))
        grouped.branch("total", source="people")
        if period == CURRENT:
            grouped.branch("structure", ["x.sid"], source="(SELECT DISTINCT sid, pid FROM b) x")
            profile_branches(grouped, "people")
        self.stalled[period] = self.run(f"stalled:{period}", grouped)

    def build(self):
        s = self.scope
        for period, filters in enumerate(self.periods):
            for code, rows in (
                ("wandering_many_structures", self.wandering[period]),
                ("wandering_declined_twice", self.declined[period]),
                ("stalled_pathways", self.stalled[period]),
            ):
                breakdowns = {}
                if period == CURRENT:
                    breakdowns = self.profiles.breakdowns(rows, filters.date_to)
                    if code == "stalled_pathways":
                        breakdowns["structure"] = ordered(
                            "structure", keyed(rows, "structure"), s.network_structure_ids
                        )
                self.put(period, code, count(first_value(rows, "total")), as_counts(breakdowns))
