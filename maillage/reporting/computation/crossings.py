# ruff: noqa: S608 - SQL text is built from table names and constants; values are parameters.
"""Pathways that crossed structures without a referral (issue 16): people who arrived at a
structure of the network in the period, having been met by another structure of the network
before, with no referral to it.

Read from `Presence` by human (`Presence.human`): the records of one human at two structures
are one pathway. Over the 12 months ending on the period's last day, a human *arrives* at a
structure on the first day they were present at one of its acts; the arrival counts when it
falls in the period, the human was present at an act of another structure of the network on
an earlier day of those 12 months (each such structure is a crossing "from → to"), and no
referral of that human (any of their records) to the arriving structure was sent by that day.
One statement lists the crossings; the referrals of those humans are read once and compared in
Python (their day in France's time zone, as every moment of the reports, read as a date).
"""

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.db import connections
from django.db.models import F
from django.db.models.functions import TruncDate

from maillage.core.db_routing import read_alias
from maillage.pathways.models import Referral

from ..periods import day_start, window_start
from ..refresh import human_of
from ..sql import compiled
from .family import Family
from .figures import CURRENT, as_counts, count, ordered
from .months import days_between, month_index, presences

DAY_BITS = 2147483648  # 2^31: month * 2^31 + the bit of a day, ordered like the days


def day_key(day: date) -> int:
    return month_index(day) * DAY_BITS + (1 << (day.day - 1))


def day_of(key: int) -> date:
    month, bit = divmod(key, DAY_BITS)
    return date(month // 12, month % 12 + 1, bit.bit_length())


def crossing_key(source: int, target: int) -> str:
    """A crossing as a breakdown key: "<from structure id>>" + "<to structure id>"."""
    return f"{source}>{target}"


class Crossings(Family):
    name = "crossings"
    codes = ("crossed_without_referral",)

    def __init__(self, computation):
        super().__init__(computation)
        self.crossings = {}
        self.shared = computation.shared

    def long_fetches(self):
        return [self.fetch_crossings]

    def fetch_crossings(self):
        for period in range(len(self.periods)):
            self.crossings[period] = self._crossings(period)

    def reuse(self, other):
        """A period ending on the same day as one of the other computation's periods, starting
        no earlier (a neighbour period one month shorter at its start): the same window, and
        its arrivals are those of the other's rows from its first day on."""
        if len(self.periods) != 1 or other.scope is not self.scope:
            return False
        end = self.cur.date_to
        start = window_start(end, 12)
        low = day_key(max(start, self.cur.date_from))
        for period, filters in enumerate(other.periods):
            if filters.date_to != end or period not in other.crossings:
                continue
            if low < day_key(max(start, filters.date_from)):
                continue
            self.crossings[CURRENT] = [row for row in other.crossings[period] if int(row[3]) >= low]
            return True
        return False

    def _crossings(self, period: int) -> list[tuple]:
        """[(human, from structure, to structure, arrival key, offer of an arrival act)]."""
        s = self.scope
        filters = self.periods[period]
        start, end = window_start(filters.date_to, 12), filters.date_to
        window_days = days_between(start, end)
        base = (
            presences(s, start, end, s.network_structure_ids)
            .annotate(pid=F("human"), sid=F("structure_id"), oid=F("offer_id"), wd=window_days)
            .values("pid", "sid", "oid", "month", "wd")
            .order_by()
        )
        base_sql, params = compiled(base)
        lowest = "(CAST(b.month AS BIGINT) * 2147483648 + (b.wd & -b.wd))"
        sql = (
            f"WITH b AS ({base_sql}), "
            f"firsts AS (SELECT b.pid, b.sid, MIN({lowest}) AS fk FROM b WHERE b.wd <> 0 "
            "GROUP BY b.pid, b.sid), "
            "arrivals AS (SELECT pid, sid, fk FROM firsts WHERE fk >= %s AND fk <= %s) "
            "SELECT DISTINCT t.pid, a.sid, t.sid, t.fk, x.oid FROM arrivals t "
            "JOIN firsts a ON a.pid = t.pid AND a.sid <> t.sid AND a.fk < t.fk "
            "JOIN b x ON x.pid = t.pid AND x.sid = t.sid "
            "AND CAST(x.month AS BIGINT) = t.fk / 2147483648 "
            "AND (x.wd & CAST(t.fk - (t.fk / 2147483648) * 2147483648 AS INTEGER)) <> 0"
        )
        params += [day_key(max(start, filters.date_from)), day_key(end)]
        with connections[read_alias()].cursor() as cursor:
            cursor.execute(sql, params)
            return [tuple(row) for row in cursor.fetchall()]

    def build(self):
        s = self.scope
        rows_by_period = self.crossings
        humans = {int(row[0]) for rows in rows_by_period.values() for row in rows}
        referred = self.referred(humans)
        in_scope = set(s.structure_ids)
        for period, _filters in enumerate(self.periods):
            moves = defaultdict(set)  # (human, from, to, arrival) → offers of the arrival day
            for human, source, target, key, offer in rows_by_period.get(period, ()):
                moves[(int(human), int(source), int(target), int(key))].add(
                    int(offer) if offer is not None else None
                )
            people, by_pair, by_stage = set(), defaultdict(set), defaultdict(set)
            for (human, source, target, key), offers in moves.items():
                if source not in in_scope and target not in in_scope:
                    continue
                if not any(s.offer_matches(offer) for offer in offers):
                    continue
                arrival = day_of(key)
                if any(day <= arrival for day in referred.get((human, target), ())):
                    continue
                people.add(human)
                by_pair[crossing_key(source, target)].add(human)
                stage = min(
                    (st for offer in offers for st in s.stages_of_offer(offer)[:1]),
                    key=lambda st: s.stage_rank.get(st, 0),
                    default=None,
                )
                if stage is not None:
                    by_stage[stage].add(human)
            breakdowns = {}
            if period == CURRENT:
                breakdowns = as_counts(
                    {
                        "crossing": ordered(
                            "crossing", Counter({k: len(v) for k, v in by_pair.items()})
                        ),
                        "stage": [(stage, len(by_stage.get(stage, ()))) for stage in s.stage_ids],
                    }
                )
            self.put(period, "crossed_without_referral", count(len(people)), breakdowns)

    def referred(self, humans: set[int]) -> dict:
        """(human, structure) → the local days referrals of that human to it were sent, up to
        the period's last day at least: read once for the computations of one report (its
        neighbour periods end no later than its period, and only the days up to an arrival
        count), each reading only the humans not read yet."""
        known = self.shared.get("crossings:referred")
        if known is None or known["end"] < self.cur.date_to or known["scope"] is not self.scope:
            known = {
                "end": self.cur.date_to,
                "scope": self.scope,
                "humans": set(),
                "days": defaultdict(list),
            }
            self.shared["crossings:referred"] = known
        missing = humans - known["humans"]
        if missing:
            for key, days in self._referrals(missing, known["end"]).items():
                known["days"][key].extend(days)
            known["humans"] |= missing
        return known["days"]

    def _referrals(self, humans: set[int], until: date) -> dict:
        """(human, structure) → the local days referrals of that human to it were sent, until
        `until` (included)."""
        if not humans:
            return {}
        found = defaultdict(list)
        end = day_start(until + timedelta(days=1))
        rows = (
            Referral.objects.filter(
                to_structure_id__in=self.scope.network_structure_ids, sent_at__lt=end
            )
            .annotate(h=human_of("person"), day=TruncDate("sent_at"))
            .filter(h__in_array=sorted(humans))  # one array parameter, not 18,000
            .values_list("h", "to_structure_id", "day")
            .order_by()
        )
        # The local day, read as a date (TruncDate: the current time zone, as
        # `timezone.localtime` would give): 36,000 aware datetimes made and converted in Python
        # took 2.7 s of the 3.5 s of this read at regional scale.
        for human, structure, day in rows:
            found[(human, structure)].append(day)
        return found
