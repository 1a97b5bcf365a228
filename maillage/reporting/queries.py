# ruff: noqa: S608 - SQL text is built from table names and constants; values are parameters.
"""Every indicator of a report, computed from the pathways tables, before any masking.

People are counted from `models.Presence` (who was present where, by month, with a bit per day)
and acts from `models.ActMonth` (plus the `Act` rows of a period's partial months); both are
brought back to the raw tables before every report (`refresh.ensure_fresh`). Applications,
referrals, outcomes and accompaniments are read from their own tables. Each family of figures
is one statement: a base query built with the ORM (the filters of `scope.Scope`) and the GROUP
BYs of its breakdowns in a `UNION ALL` (`sql.Grouped`); Python only adds up and labels small
result sets. The period gets every breakdown; the previous period gets its totals and the
breakdowns whose rows are figures of their own (new people, answers to referrals, statuses).

`compute(filters)` returns the `RawPeriod` of the period (and of the previous one).
"""

import calendar
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from statistics import median
from time import perf_counter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractDay, TruncDate
from django.db.models.lookups import GreaterThan

from maillage.directory.models import Offer, OfferSession
from maillage.pathways.models import (
    Accompaniment,
    Act,
    ActParticipant,
    Application,
    ApplicationStatus,
    ApplicationTransition,
    Outcome,
    OutcomeFamily,
    Person,
    Referral,
    ReferralOrigin,
    ReferralStatus,
)

from .models import ActMonth, Presence
from .periods import age_band, day_start, window_start
from .refresh import month_of
from .report import ReportFilters
from .scope import NONE, Scope, departement_of_postal_code, postal_code_map
from .sql import Grouped, as_bool, as_int, placeholders

CURRENT, PREVIOUS = 0, 1
PERSON = Person._meta.db_table
OFFER_STAGES = Offer.stages.through._meta.db_table
ACCOMPANIMENT = Accompaniment._meta.db_table
ALL_DAYS = (1 << 31) - 1


@dataclass
class Raw:
    """A figure before masking. `n`: how many people or rows it stands on (a count: itself;
    hours: the acts summed; a rate: its denominator; a median: its values). `num`: a rate's
    numerator."""

    value: int | float | None
    n: int
    num: int | None = None


def count(n: int) -> Raw:
    return Raw(n, n)


def rate(num: int, den: int) -> Raw:
    return Raw(round(100 * num / den, 1) if den else None, den, num)


def median_of(values: list) -> Raw:
    return Raw(round(median(values), 1) if values else None, len(values))


def hours(minutes: int, acts: int) -> Raw:
    return Raw(round(minutes / 60, 1), acts)


@dataclass
class RawIndicator:
    code: str
    total: Raw
    # dimension → [(category key, raw figure)] in display order
    breakdowns: dict[str, list[tuple[object, Raw]]] = field(default_factory=dict)


@dataclass
class RawPeriod:
    filters: ReportFilters
    indicators: dict[str, RawIndicator] = field(default_factory=dict)
    # (source key, target key, referrals): the source key is a structure id or "public"
    flows: list[tuple[object, int, int]] = field(default_factory=list)
    months: list[tuple[date, int, int]] = field(default_factory=list)  # (month, acts, minutes)


# --- Categories -----------------------------------------------------------------------------

PERSON_DIMENSIONS = ("gender", "age_band", "situation", "priority_neighbourhood", "territory")
GENDERS = ("female", "male", "other", "unknown")
AGE_BANDS = ("under_26", "26_35", "36_45", "46_55", "over_55", "unknown")
ANSWERS = ("waiting", "accepted", "declined", "redirected", "expired", "cancelled")
ANSWER_OF = {
    ReferralStatus.SENT: "waiting",
    ReferralStatus.RECEIVED: "waiting",
    ReferralStatus.ACCEPTED: "accepted",
    ReferralStatus.FIRST_MEETING: "accepted",
    ReferralStatus.CLOSED: "accepted",
    ReferralStatus.DECLINED: "declined",
    ReferralStatus.REDIRECTED: "redirected",
    ReferralStatus.EXPIRED: "expired",
    ReferralStatus.CANCELLED: "cancelled",
}
CLOSED_LOOP = (
    ReferralStatus.DECLINED,
    ReferralStatus.REDIRECTED,
    ReferralStatus.FIRST_MEETING,
    ReferralStatus.CLOSED,
)
APPLICATION_SUMS = ("COUNT(*)", "SUM(sel)", "SUM(ns)", "SUM(ref)")
SELECTED_ONCE = (
    ApplicationStatus.SELECTED,
    ApplicationStatus.IN_PROGRESS,
    ApplicationStatus.COMPLETED,
)
FIXED = {
    "gender": GENDERS,
    "age_band": AGE_BANDS,
    "priority_neighbourhood": ("yes", "no"),
    "accompaniment": ("new", "ongoing"),
    "application_status": tuple(ApplicationStatus.values),
    "referral_answer": ANSWERS,
    "next_step": ("referral", "no_next_step"),
    "outcome_family": tuple(OutcomeFamily.values),
}


def ordered(dimension: str, counter: Counter, order=None) -> list[tuple[object, int]]:
    """Categories of a breakdown in display order: fixed lists whole (zeros included), the
    others as met, in `order` when given."""
    keys = FIXED.get(dimension)
    if keys is not None:
        extra = [k for k in counter if k not in keys]
        return [(k, counter.get(k, 0)) for k in (*keys, *extra)]
    rank = {k: i for i, k in enumerate(order or ())}
    return sorted(
        ((k, n) for k, n in counter.items() if n),
        key=lambda item: (rank.get(item[0], len(rank)), str(item[0])),
    )


def as_counts(breakdowns: dict) -> dict:
    return {d: [(k, count(n)) for k, n in rows] for d, rows in breakdowns.items()}


# --- Periods on the Presence table ------------------------------------------------------------


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def day_mask(first: int, last: int) -> int:
    """Bits of the days first…last of a month."""
    return ((1 << last) - 1) ^ ((1 << (first - 1)) - 1)


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def any_day(mask: int) -> Q:
    return Q(GreaterThan(F("days").bitand(Value(mask)), 0)) if mask != ALL_DAYS else Q()


def active(start: date, end: date) -> Q:
    """Presence rows with a day between `start` and `end` (both included)."""
    first, last = month_index(start), month_index(end)
    start_mask = day_mask(start.day, 31) if start.day > 1 else ALL_DAYS
    end_mask = day_mask(1, end.day) if end.day < days_in_month(end) else ALL_DAYS
    if first == last:
        return Q(month=first) & any_day(start_mask & end_mask)
    return (
        Q(month__gt=first, month__lt=last)
        | (Q(month=first) & any_day(start_mask))
        | (Q(month=last) & any_day(end_mask))
    )


def full_months(start: date, end: date) -> tuple[int, int, list[tuple[date, date]]]:
    """The whole months of a period (first and last month index, maybe empty) and the day
    ranges left at its edges."""
    first, last = month_index(start), month_index(end)
    edges = []
    if start.day > 1:
        edge_end = min(end, start.replace(day=days_in_month(start)))
        edges.append((start, edge_end))
        first += 1
    if end.day < days_in_month(end) and month_index(end) >= first:
        edges.append((max(start, end.replace(day=1)), end))
        last -= 1
    return first, last, edges


# --- Persons in SQL ---------------------------------------------------------------------------

PROFILE_BRANCHES = (
    ("gender", ["pg"]),
    ("birth_year", ["pb"]),
    ("situation", ["ps"]),
    ("qpv", ["pq"]),
    ("place", ["pc", "pp"]),
)


def profile(prefix: str = "person__") -> dict:
    """The person's recorded profile, as columns of a base query (pg, pb, ps, pq, pc, pp)."""
    return {
        "pg": F(f"{prefix}gender"),
        "pb": F(f"{prefix}birth_year"),
        "ps": F(f"{prefix}situation_id"),
        "pq": F(f"{prefix}priority_neighbourhood"),
        "pc": F(f"{prefix}commune_id"),
        "pp": F(f"{prefix}postal_code"),
    }


PROFILE_COLUMNS = ("pg", "pb", "ps", "pq", "pc", "pp")
PROFILE_SQL = ", ".join(PROFILE_COLUMNS)


def profile_cte(grouped: Grouped, name: str, pids_sql: str, params=()) -> None:
    """A CTE of the profiles of some persons (their ids: `pids_sql`), one row each."""
    grouped.cte(
        name,
        f"SELECT p.id AS pid, p.gender AS pg, p.birth_year AS pb, p.situation_id AS ps, "
        f"p.priority_neighbourhood AS pq, p.commune_id AS pc, p.postal_code AS pp "
        f"FROM {PERSON} p WHERE p.id IN ({pids_sql})",
        params,
    )


def profile_branches(grouped: Grouped, source, aggregate="COUNT(*)", where="", prefix=""):
    """Breakdowns by the persons' recorded profile (turned into categories by `Profiles`)."""
    for tag, keys in PROFILE_BRANCHES:
        grouped.branch(f"{prefix}profile:{tag}", keys, [aggregate], source=source, where=where)


class Profiles:
    """Turn the profile branches (gender, birth year, situation, QPV, commune or postal code)
    into the person breakdowns; territories found from postal codes with one query at most."""

    def __init__(self):
        self.places = set()

    def collect(self, rows: dict) -> None:
        for commune, postal_code, *_n in rows.get("profile:place", ()):
            if commune is None and postal_code:
                self.places.add(postal_code)

    def resolve(self) -> None:
        departements = set()
        for code in self.places:
            departements.update(departement_of_postal_code(code))
        self.postal = postal_code_map(departements) if departements else {}

    def territory(self, commune, postal_code):
        if commune is not None:
            return as_int(commune)
        return self.postal.get(postal_code or "", NONE)

    def breakdowns(self, rows: dict, end: date, column: int = 0) -> dict:
        """Person dimensions → Counter, from the profile rows (aggregate at `column`)."""
        result = {d: Counter() for d in PERSON_DIMENSIONS}
        for key, _k2, *values in rows.get("profile:gender", ()):
            result["gender"][key if key in GENDERS else "unknown"] += values[column]
        for key, _k2, *values in rows.get("profile:birth_year", ()):
            result["age_band"][age_band(as_int(key), end)] += values[column]
        for key, _k2, *values in rows.get("profile:situation", ()):
            result["situation"][as_int(key) if key is not None else NONE] += values[column]
        for key, _k2, *values in rows.get("profile:qpv", ()):
            result["priority_neighbourhood"]["yes" if as_bool(key) else "no"] += values[column]
        for commune, postal_code, *values in rows.get("profile:place", ()):
            result["territory"][self.territory(commune, postal_code)] += values[column]
        return {d: ordered(d, c) for d, c in result.items()}


# --- The computation --------------------------------------------------------------------------


class Computation:
    def __init__(self, filters: ReportFilters, scope: Scope | None = None, compare=True):
        self.cur = filters
        self.scope = scope or Scope(filters)
        self.periods = (filters, filters.previous()) if compare else (filters,)
        self.start = min(p.date_from for p in self.periods)
        self.result = tuple(RawPeriod(p) for p in self.periods)
        self.profiles = Profiles()
        self.timings = {}
        self.rows = {}
        self.wandering, self.declined, self.stalled = {}, {}, {}

    def run(self) -> tuple[RawPeriod, ...]:
        if not self.scope.structure_ids:
            return self.result
        # The longest first: when they run side by side, the short ones fill the gaps.
        steps = [
            self.fetch_persons,
            self.fetch_referrals,
            self.fetch_applications,
            self.fetch_outcomes,
            self.fetch_persons_before,
            self.fetch_sessions,
            self.fetch_acts,
        ]
        for period in range(len(self.periods)):
            steps[period:period] = [
                partial_step(self.fetch_stalled, period),
                partial_step(self.fetch_wandering, period),
            ]
            steps.append(partial_step(self.fetch_declined, period))
        workers = parallel_workers()
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for future in [pool.submit(self.in_thread, step) for step in steps]:
                    future.result()
        else:
            with without_jit():
                for step in steps:
                    self.timed(step)
        self.timed(self.profiles.resolve)
        for builder in (
            self.build_persons,
            self.build_acts,
            self.build_applications,
            self.build_sessions,
            self.build_referrals,
            self.build_outcomes,
            self.build_wandering,
        ):
            self.timed(builder)
        return self.result

    def in_thread(self, step) -> None:
        """Run a step on this thread's own connection, closed afterwards."""
        try:
            with without_jit(side_by_side=True):
                self.timed(step)
        finally:
            connection.close()

    def timed(self, step) -> None:
        """Run a step and note its time in `timings` (printed by `manage.py bench_reports`)."""
        started = perf_counter()
        step()
        self.timings[step.__name__] = perf_counter() - started

    def put(self, period: int, code: str, total: Raw, breakdowns=None):
        self.result[period].indicators[code] = RawIndicator(code, total, breakdowns or {})

    def _period_case(self, field: str, *, moment: bool = False):
        start = day_start(self.cur.date_from) if moment else self.cur.date_from
        return Case(
            When(**{f"{field}__gte": start}, then=Value(CURRENT)),
            default=Value(PREVIOUS),
            output_field=IntegerField(),
        )

    def stages_from_offers(self, offers: Counter) -> Counter:
        """Rows by stage from rows by offer (each row has one offer: exact)."""
        stages = Counter()
        for offer, n in offers.items():
            for stage in self.scope.stages_of_offer(offer if offer != NONE else None):
                stages[stage] += n
        return stages

    def _run(self, key: str, grouped: Grouped) -> dict:
        self.rows[key] = rows = grouped.run()
        self.profiles.collect(rows)
        return rows

    # --- people accompanied ---------------------------------------------------------------

    def presences(self, start: date, end: date, structures=None):
        """Presence rows of persons who count (filters of the scope), active in [start, end]."""
        s = self.scope
        return (
            Presence.objects.filter(
                structure_id__in=structures or s.structure_ids,
                month__gte=month_index(start),
                month__lte=month_index(end),
            )
            .filter(active(start, end))
            .filter(merged=False)
            .filter(s.territory_q(prefix=""))
        )

    def _people(self, period: int, columns, **annotations):
        s = self.scope
        filters = self.periods[period]
        return (
            self.presences(filters.date_from, filters.date_to)
            .filter(s.offer_q())
            .annotate(pid=F("person_id"), **annotations, **profile(prefix=""))
            .values("pid", *columns, *PROFILE_COLUMNS)
            .distinct()
        )

    def _new_people(self, grouped: Grouped, period: int) -> None:
        """How many of the people of a period had their first contact with the scope in it."""
        s = self.scope
        grouped.branch(
            f"new:{period}",
            source="people",
            where=(
                f"pid IN (SELECT person_id FROM {ACCOMPANIMENT} WHERE structure_id IN "
                f"({placeholders(s.structure_ids)}) GROUP BY person_id "
                "HAVING MIN(started_on) >= %s)"
            ),
            params=[*s.structure_ids, self.periods[period].date_from],
        )

    def fetch_persons(self):
        """People of the period, by structure and offer (one row per person, structure, offer)."""
        s = self.scope
        grouped = Grouped(
            self._people(CURRENT, ("sid", "oid"), sid=F("structure_id"), oid=F("offer_id"))
        )
        grouped.cte("people", f"SELECT DISTINCT pid, {PROFILE_SQL} FROM b")
        grouped.branch("total", source="people")
        self._new_people(grouped, CURRENT)
        profile_branches(grouped, "people")
        # COUNT(DISTINCT) sorts; a DISTINCT then a COUNT hash, which is faster here.
        grouped.branch("structure", ["x.sid"], source="(SELECT DISTINCT sid, pid FROM b) x")
        grouped.branch("offer", ["x.oid"], source="(SELECT DISTINCT oid, pid FROM b) x")
        flags, params = [], []
        for index, stage in enumerate(s.stage_ids):
            offers = sorted(o for o, stages in s.offer_stages.items() if stage in stages)
            condition = f"oid IN ({placeholders(offers)})"
            if stage == s.first_stage:
                condition = f"({condition} OR oid IS NULL)"
            flags.append(f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END) AS s{index}")
            params += offers
        if flags:
            grouped.branch(
                "stages",
                aggregates=[f"SUM(x.s{index})" for index in range(len(flags))],
                source=f"(SELECT pid, {', '.join(flags)} FROM b GROUP BY pid) x",
                params=params,
            )
        self._run("persons", grouped)

    def fetch_persons_before(self):
        """People of the previous period: how many, and how many new."""
        if len(self.periods) < 2:
            return
        grouped = Grouped(self._people(PREVIOUS, ()))
        grouped.cte("people", "SELECT DISTINCT pid FROM b")
        grouped.branch("total", source="people")
        self._new_people(grouped, PREVIOUS)
        self.rows["persons:previous"] = grouped.run()

    def build_persons(self):
        s = self.scope
        rows = self.rows["persons"]
        for period, filters in enumerate(self.periods):
            found = rows if period == CURRENT else self.rows["persons:previous"]
            total = first_value(found, "total")
            fresh = first_value(found, f"new:{period}")
            breakdowns = {
                "accompaniment": [("new", count(fresh)), ("ongoing", count(total - fresh))]
            }
            if period == CURRENT:
                by = {tag: keyed(rows, tag) for tag in ("structure", "offer")}
                found = rows.get("stages")
                stage_counts = [n or 0 for n in found[0][2:]] if found else [0] * len(s.stage_ids)
                breakdowns.update(
                    as_counts(
                        {
                            **self.profiles.breakdowns(rows, filters.date_to),
                            "stage": list(zip(s.stage_ids, stage_counts, strict=True)),
                            "structure": ordered(
                                "structure", by["structure"], s.network_structure_ids
                            ),
                            "offer": ordered("offer", by["offer"]),
                        }
                    )
                )
            self.put(period, "persons_accompanied", count(total), breakdowns)
            self.put(period, "persons_new", count(fresh))
            self.put(period, "persons_ongoing", count(total - fresh))

    # --- acts -------------------------------------------------------------------------------

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
            acts.annotate(per=self._period_case("occurred_on"), m=month_of("occurred_on"))
            .values("per", "m", "act_type_id", "structure_id", "offer_id")
            .annotate(n=Count("id"), minutes=Sum("duration_minutes"))
            .values_list("per", "m", "act_type_id", "structure_id", "offer_id", "n", "minutes")
            .order_by()
        )
        self.act_groups = [*months, *days]

    def build_acts(self):
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

    # --- applications -----------------------------------------------------------------------

    def _applications(self, period: int, *, detail: bool) -> Grouped:
        s = self.scope
        filters = self.periods[period]
        selected = Exists(
            ApplicationTransition.objects.filter(
                application=OuterRef("pk"), to_status=ApplicationStatus.SELECTED
            )
        )
        base = (
            Application.objects.filter(
                structure_id__in=s.structure_ids,
                submitted_on__gte=filters.date_from,
                submitted_on__lte=filters.date_to,
            )
            .filter(s.offer_q())
            .filter(s.person_q() if detail else s.person_in("person_id"))
            .annotate(
                per=Value(period),
                oid=F("offer_id"),
                sid=F("structure_id"),
                st=F("status"),
                sel=Case(
                    When(status__in=SELECTED_ONCE, then=Value(1)),
                    When(Q(status=ApplicationStatus.DROPPED_OUT) & selected, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
                ns=Case(
                    When(status=ApplicationStatus.NOT_SELECTED, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
                ref=Case(
                    When(
                        status=ApplicationStatus.NOT_SELECTED,
                        next_step_referral__isnull=False,
                        then=Value(1),
                    ),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
                **(profile() if detail else {}),
            )
            .values(
                "per", "oid", "sid", "st", "sel", "ns", "ref", *(PROFILE_COLUMNS if detail else ())
            )
            .order_by()
        )
        grouped = Grouped(base)
        grouped.branch("status", ["per", "st"], APPLICATION_SUMS)
        return grouped

    def fetch_applications(self):
        grouped = self._applications(CURRENT, detail=True)
        grouped.branch("offer", ["oid"], APPLICATION_SUMS)
        grouped.branch("structure", ["sid"], APPLICATION_SUMS)
        profile_branches(grouped, "b")
        rows = self._run("applications", grouped)
        if len(self.periods) > 1:
            rows["status"] += self._applications(PREVIOUS, detail=False).run().get("status", [])

    def build_applications(self):
        s = self.scope
        rows = self.rows["applications"]
        totals = defaultdict(lambda: [0, 0, 0, 0])
        statuses = defaultdict(Counter)
        for per, status, *values in rows.get("status", ()):
            statuses[as_int(per)][status] = values[0]
            for index in range(4):
                totals[as_int(per)][index] += values[index] or 0
        for period, filters in enumerate(self.periods):
            n, chosen, refused, referred = totals[period]
            breakdowns = {"application_status": ordered("application_status", statuses[period])}
            steps = {"next_step": [("referral", referred), ("no_next_step", refused - referred)]}
            rates, referrals = {}, {}
            if period == CURRENT:
                by = {
                    tag: {as_int(k): v for k, _k2, *v in rows.get(tag, ())}
                    for tag in ("offer", "structure")
                }
                order = {"structure": s.network_structure_ids}
                offers = Counter({k: v[0] for k, v in by["offer"].items()})
                breakdowns.update(
                    {
                        "offer": ordered("offer", offers),
                        "structure": ordered(
                            "structure",
                            Counter({k: v[0] for k, v in by["structure"].items()}),
                            order["structure"],
                        ),
                        "stage": [
                            (st, self.stages_from_offers(offers).get(st, 0)) for st in s.stage_ids
                        ],
                        **self.profiles.breakdowns(rows, filters.date_to),
                    }
                )
                for tag in ("offer", "structure"):
                    keys = [
                        k
                        for k, _n in ordered(
                            tag, Counter(dict.fromkeys(by[tag], 1)), order.get(tag)
                        )
                    ]
                    rates[tag] = [
                        (k, rate(by[tag][k][1], by[tag][k][1] + by[tag][k][2]))
                        for k in keys
                        if by[tag][k][1] + by[tag][k][2]
                    ]
                    steps[tag] = [(k, by[tag][k][2]) for k in keys if by[tag][k][2]]
                    referrals[tag] = [
                        (k, rate(by[tag][k][3], by[tag][k][2])) for k in keys if by[tag][k][2]
                    ]
            self.put(period, "applications", count(n), as_counts(breakdowns))
            self.put(period, "selection_rate", rate(chosen, chosen + refused), rates)
            self.put(period, "not_selected", count(refused), as_counts(steps))
            self.put(period, "not_selected_referred_rate", rate(referred, refused), referrals)

    def fetch_sessions(self):
        s = self.scope
        applicants = (
            Application.objects.filter(session_id=OuterRef("pk"))
            .filter(s.person_in("person_id"))
            .order_by()
            .values("session_id")
            .annotate(n=Count("id"))
            .values("n")
        )
        sessions = (
            OfferSession.objects.filter(
                offer__structure_id__in=s.structure_ids,
                starts_on__gte=self.start,
                starts_on__lte=self.cur.date_to,
                capacity__gt=0,
            )
            .filter(s.offer_q())
            .annotate(n=Subquery(applicants))
            .values_list("starts_on", "offer_id", "offer__structure_id", "capacity", "n")
            .order_by()
        )
        self.session_rows = [
            (p, offer, structure, capacity, n or 0)
            for starts, offer, structure, capacity, n in sessions
            for p, f in enumerate(self.periods)
            if f.date_from <= starts <= f.date_to
        ]

    def build_sessions(self):
        for period in range(len(self.periods)):
            places, applicants = Counter(), Counter()
            for p, offer, structure, capacity, n in self.session_rows:
                if p != period:
                    continue
                for key in ("all", ("offer", offer), ("structure", structure)):
                    places[key] += capacity
                    applicants[key] += n

            def per_place(key, places=places, applicants=applicants):
                value = round(applicants[key] / places[key], 2) if places[key] else None
                return Raw(value, applicants[key])

            breakdowns = {}
            if period == CURRENT:
                for dimension in ("offer", "structure"):
                    keys = Counter({k[1]: 1 for k in places if k != "all" and k[0] == dimension})
                    order = self.scope.network_structure_ids if dimension == "structure" else None
                    breakdowns[dimension] = [
                        (k, per_place((dimension, k))) for k, _n in ordered(dimension, keys, order)
                    ]
            self.put(period, "applicants_per_place", per_place("all"), breakdowns)

    # --- referrals --------------------------------------------------------------------------

    def _offer_sql(self, column: str) -> tuple[str, list]:
        """The offer and stage filters on a column of offer ids, as SQL."""
        s = self.scope
        parts, params = [], []
        if s.offer_id is not None:
            parts.append(f"{column} = %s")
            params.append(s.offer_id)
        if s.stage_id is not None:
            stage = f"{column} IN ({placeholders(s.stage_offer_ids)})"
            params += s.stage_offer_ids
            if s.stage_id == s.first_stage:
                stage = f"({stage} OR {column} IS NULL)"
            parts.append(stage)
        return (" AND ".join(parts) or "1 = 1"), params

    def _referrals(self, filters: ReportFilters, *, detail: bool):
        """Referrals sent in a period from or to the scope, flagged `ss` (sent by the scope,
        offer filter on the offer of the not-selected application it follows) and `rr`
        (received by the scope, offer filter on the offer it was sent to)."""
        s = self.scope
        needs_origin = detail or s.filters_offer
        origin_offer = (
            Subquery(
                Application.objects.filter(next_step_referral=OuterRef("pk"))
                .order_by("-submitted_on", "-pk")
                .values("offer_id")[:1]
            )
            if needs_origin
            else Cast(Value(None), BigIntegerField())
        )
        base = (
            Referral.objects.filter(
                sent_at__gte=day_start(filters.date_from),
                sent_at__lt=day_start(filters.date_to + timedelta(days=1)),
            )
            .filter(
                Q(from_structure_id__in=s.structure_ids) | Q(to_structure_id__in=s.structure_ids)
            )
            .filter(s.person_q() if detail else s.person_in("person_id"))
            .annotate(
                src=Case(
                    When(origin=ReferralOrigin.PUBLIC_FORM, then=Value(None)),
                    default=F("from_structure_id"),
                    output_field=IntegerField(),
                ),
                tgt=F("to_structure_id"),
                tof=F("to_offer_id"),
                oof=origin_offer,
                st=F("status"),
                **(profile() if detail else {}),
            )
            .values("src", "tgt", "tof", "oof", "st", *(PROFILE_COLUMNS if detail else ()))
            .order_by()
        )
        ids = placeholders(s.structure_ids)
        sent_offer, sent_params = self._offer_sql("b.oof")
        received_offer, received_params = self._offer_sql("b.tof")
        grouped = Grouped(base)
        grouped.cte(
            "r",
            f"SELECT b.*, CASE WHEN b.src IN ({ids}) AND {sent_offer} THEN 1 ELSE 0 END AS ss, "
            f"CASE WHEN b.tgt IN ({ids}) AND {received_offer} THEN 1 ELSE 0 END AS rr FROM b",
            [*s.structure_ids, *sent_params, *s.structure_ids, *received_params],
        )
        closed = ", ".join(f"'{status}'" for status in CLOSED_LOOP)
        grouped.branch(
            "status",
            ["st"],
            ["SUM(ss)", "SUM(rr)", f"SUM(CASE WHEN st IN ({closed}) THEN ss ELSE 0 END)"],
            source="r",
        )
        return grouped, closed

    def fetch_referrals(self):
        s = self.scope
        if len(self.periods) > 1:
            grouped, _closed = self._referrals(self.periods[PREVIOUS], detail=False)
            self.rows["referrals:previous"] = grouped.run()
        grouped, closed = self._referrals(self.cur, detail=True)
        loop = [
            "COUNT(*)",
            "SUM(CASE WHEN st <> 'cancelled' THEN 1 ELSE 0 END)",
            f"SUM(CASE WHEN st IN ({closed}) THEN 1 ELSE 0 END)",
        ]
        grouped.branch("sent:structure", ["src"], loop, source="r", where="ss = 1")
        grouped.branch("sent:offer", ["oof"], source="r", where="ss = 1")
        grouped.branch("received:structure", ["tgt"], source="r", where="rr = 1")
        grouped.branch("received:offer", ["tof"], source="r", where="rr = 1")
        grouped.branch("flows", ["src", "tgt"], source="r", where="ss = 1 OR rr = 1")
        profile_branches(grouped, "r", aggregate="SUM(ss)", prefix="sent:")
        profile_branches(grouped, "r", aggregate="SUM(rr)", prefix="received:")
        end = day_start(self.cur.date_to + timedelta(days=1))
        rows = self._run("referrals", grouped)
        for side in ("sent", "received"):
            self.profiles.collect(
                {k.removeprefix(f"{side}:"): v for k, v in rows.items() if k.startswith(f"{side}:")}
            )
        # The delays, for the medians (computed here, the same on both databases).
        self.delay_rows = list(
            Referral.objects.filter(sent_at__gte=day_start(self.start), sent_at__lt=end)
            .filter(to_structure_id__in=s.structure_ids)
            .filter(s.offer_q("to_offer"))
            .filter(s.person_in("person_id"))
            .filter(Q(answered_at__isnull=False) | Q(first_meeting_on__isnull=False))
            .annotate(
                per=self._period_case("sent_at", moment=True),
                answer=ExpressionWrapper(F("answered_at") - F("sent_at"), DurationField()),
                meeting=ExpressionWrapper(
                    F("first_meeting_on") - TruncDate("sent_at"), DurationField()
                ),
            )
            .values_list("per", "to_structure_id", "answer", "meeting")
            .order_by()
        )

    def build_referrals(self):
        s = self.scope
        rows = self.rows["referrals"]
        order = s.network_structure_ids
        sent, received = defaultdict(lambda: [0, 0, 0]), defaultdict(Counter)
        statuses = [(CURRENT, row) for row in rows.get("status", ())] + [
            (PREVIOUS, row) for row in self.rows.get("referrals:previous", {}).get("status", ())
        ]
        for period, (status, _key, n_sent, n_received, n_closed, *_) in statuses:
            received[period][ANSWER_OF[status]] += n_received or 0
            sent[period][0] += n_sent or 0
            if status != ReferralStatus.CANCELLED:
                sent[period][1] += n_sent or 0
            sent[period][2] += n_closed or 0
        day = timedelta(days=1)
        delays = [defaultdict(list) for _ in self.periods]
        meetings = [defaultdict(list) for _ in self.periods]
        for period, target, answer, meeting in self.delay_rows:
            if period >= len(self.periods):
                continue
            if answer is not None:
                value = max(answer / day, 0)
                delays[period]["all"].append(value)
                delays[period][target].append(value)
            if meeting is not None:
                meetings[period]["all"].append(meeting.days)
                meetings[period][target].append(meeting.days)
        for period, filters in enumerate(self.periods):
            n_sent, open_loops, closed_loops = sent[period]
            answers = received[period]
            sent_rows = {}
            received_rows = {"referral_answer": ordered("referral_answer", answers)}
            loop_rows, answer_rows, meeting_rows = {}, {}, {}
            if period == CURRENT:
                for side, target in (("sent", sent_rows), ("received", received_rows)):
                    offers = keyed(rows, f"{side}:offer")
                    profile_rows = {
                        k.removeprefix(f"{side}:"): v
                        for k, v in rows.items()
                        if k.startswith(f"{side}:profile")
                    }
                    stages = self.stages_from_offers(offers)
                    target.update(
                        {
                            "structure": ordered(
                                "structure", keyed(rows, f"{side}:structure"), order
                            ),
                            "offer": ordered("offer", offers),
                            "stage": [(st, stages.get(st, 0)) for st in s.stage_ids],
                            **self.profiles.breakdowns(profile_rows, filters.date_to),
                        }
                    )
                loops = {as_int(k): v for k, _k2, *v in rows.get("sent:structure", ())}
                loop_rows["structure"] = [
                    (k, rate(loops[k][2], loops[k][1])) for k in order if k in loops and loops[k][1]
                ]
                answer_rows["structure"] = [
                    (k, median_of(delays[period][k])) for k in order if k in delays[period]
                ]
                meeting_rows["structure"] = [
                    (k, median_of(meetings[period][k])) for k in order if k in meetings[period]
                ]
                self.result[period].flows = sorted(
                    (
                        (as_int(source) if source is not None else "public", as_int(target), n)
                        for source, target, n, *_ in rows.get("flows", ())
                    ),
                    key=lambda row: (-row[2], str(row[0]), str(row[1])),
                )
            self.put(period, "referrals_sent", count(n_sent), as_counts(sent_rows))
            self.put(
                period,
                "referrals_received",
                count(sum(answers.values())),
                as_counts(received_rows),
            )
            for code, key in (
                ("referrals_accepted", "accepted"),
                ("referrals_declined", "declined"),
                ("referrals_redirected", "redirected"),
                ("referrals_expired", "expired"),
            ):
                self.put(period, code, count(answers.get(key, 0)))
            self.put(period, "loop_closure_rate", rate(closed_loops, open_loops), loop_rows)
            self.put(period, "median_days_to_answer", median_of(delays[period]["all"]), answer_rows)
            self.put(
                period,
                "median_days_to_first_meeting",
                median_of(meetings[period]["all"]),
                meeting_rows,
            )

    # --- outcomes ---------------------------------------------------------------------------

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
        grouped = Grouped(base)
        profile_branches(grouped, "b")
        self._run("outcomes", grouped)

    def build_outcomes(self):
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

    # --- wandering --------------------------------------------------------------------------

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
        first, last = month_index(start), month_index(end)
        window_days = Case(
            When(month=first, then=F("days").bitand(Value(day_mask(start.day, 31)))),
            When(month=last, then=F("days").bitand(Value(day_mask(1, end.day)))),
            default=F("days"),
            output_field=IntegerField(),
        )
        base = (
            self.presences(start, end, s.network_structure_ids)
            .annotate(
                pid=F("person_id"),
                sid=F("structure_id"),
                mon=F("month"),
                wd=window_days,
                rk=rank,
                ins=scope_case,
            )
            .values("pid", "sid", "mon", "wd", "rk", "ins")
            .order_by()
        )
        grouped = Grouped(base)
        # The first day of the window as one sortable number: month * 2^31 + its lowest day
        # bit, then * 16 + the stage rank; its minimum gives the first day and the lowest
        # rank of the acts of that day.
        key = "((CAST(b.mon AS BIGINT) * 2147483648 + (b.wd & -b.wd)) * 16 + b.rk)"
        grouped.cte(
            "w",
            "SELECT s.pid, MIN(s.first_key) AS first_key, MAX(s.top) AS top, MAX(s.ins) AS ins "
            f"FROM (SELECT b.pid, b.sid, MIN({key}) AS first_key, MAX(b.rk) AS top, "
            "MAX(b.ins) AS ins FROM b WHERE b.wd <> 0 GROUP BY b.pid, b.sid) s "
            "GROUP BY s.pid HAVING COUNT(*) >= 3",
        )
        grouped.cte(
            "wanderers",
            "SELECT pid FROM w WHERE ins = 1 AND top <= (first_key - (first_key / 16) * 16)",
        )
        grouped.branch("total", source="wanderers")
        if period == CURRENT:
            profile_cte(grouped, "prof", "SELECT pid FROM wanderers")
            profile_branches(grouped, "prof")
        self.wandering[period] = self._run(f"wandering:{period}", grouped)

    def fetch_declined(self, period: int):
        """People with 2+ referrals declined by structures of the network in the 12 months."""
        s = self.scope
        offer_sql, offer_params = self._offer_sql("b.tof")
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
                pid=F("person_id"),
                src=F("from_structure_id"),
                tgt=F("to_structure_id"),
                tof=F("to_offer_id"),
            )
            .values("pid", "src", "tgt", "tof")
            .order_by()
        )
        grouped = Grouped(base)
        grouped.cte(
            "d",
            "SELECT b.pid FROM b GROUP BY b.pid HAVING COUNT(*) >= 2 AND "
            f"MAX(CASE WHEN (b.src IN ({ids}) OR b.tgt IN ({ids})) AND {offer_sql} "
            "THEN 1 ELSE 0 END) = 1",
            [*s.structure_ids, *s.structure_ids, *offer_params],
        )
        grouped.branch("total", source="d")
        if period == CURRENT:
            profile_cte(grouped, "prof", "SELECT pid FROM d")
            profile_branches(grouped, "prof")
        self.declined[period] = self._run(f"declined:{period}", grouped)

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
        base = rows.annotate(pid=F("person_id"), sid=F("structure_id"), **profile()).values(
            "pid", "sid", *PROFILE_COLUMNS
        )
        grouped = Grouped(base.order_by())
        grouped.cte("people", f"SELECT DISTINCT pid, {PROFILE_SQL} FROM b")
        grouped.branch("total", source="people")
        if period == CURRENT:
            grouped.branch("structure", ["x.sid"], source="(SELECT DISTINCT sid, pid FROM b) x")
            profile_branches(grouped, "people")
        self.stalled[period] = self._run(f"stalled:{period}", grouped)

    def build_wandering(self):
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


def pair_key(person: str, structure: str):
    """(person, structure) as one integer (structure ids stay below 2^20)."""
    return Cast(F(person), BigIntegerField()) * 1048576 + F(structure)


@contextmanager
def without_jit(side_by_side: bool = False):
    """On PostgreSQL, a transaction without JIT compilation: compiling the grouped statements
    took longer (about 60 ms each) than running them."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            if side_by_side:
                # The statements already run side by side: no parallel workers on top.
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def partial_step(method, period: int):
    """A step bound to one period, named after both (for `timings`)."""
    step = partial(method, period)
    step.__name__ = f"{method.__name__}[{period}]"
    return step


def parallel_workers() -> int:
    """How many statements run at once: `REPORT_PARALLEL_QUERIES` (default 3) connections on
    PostgreSQL, one on SQLite or inside a transaction (other connections would not see its
    rows, e.g. in the tests)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(getattr(settings, "REPORT_PARALLEL_QUERIES", 3)))


def first_value(rows: dict, tag: str) -> int:
    """The first aggregate of a branch without keys (0 when it has no row)."""
    found = rows.get(tag)
    return (found[0][2] or 0) if found else 0


def keyed(rows: dict, tag: str) -> Counter:
    """The first aggregate of a one-key branch, by key (NULL: "none")."""
    return Counter(
        {(as_int(k) if k is not None else NONE): n or 0 for k, _k2, n, *_ in rows.get(tag, ())}
    )


def compute(
    filters: ReportFilters, scope: Scope | None = None, *, compare: bool = True
) -> tuple[RawPeriod, ...]:
    """The raw figures of the period (and of the previous one, with `compare`)."""
    return Computation(filters, scope, compare).run()
