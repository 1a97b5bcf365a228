# ruff: noqa: S608 - SQL text is built from table names and constants; values are parameters.
"""Referrals sent and received, their answers, loops closed, medians of the days to an answer
and to a first meeting; the flows between structures (`RawPeriod.flows`).

A referral sent in the period counts as sent by the scope when it comes from one of its
structures (offer filters: the offer of the not-selected application it follows), as received
when it goes to one of them (offer filters: the offer it was sent to). One statement for the
period, one for the previous period's statuses, and one that reads the delays (the medians are
taken in Python, the same on both databases).
"""

from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import (
    BigIntegerField,
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate

from maillage.pathways.models import Application, Referral, ReferralOrigin, ReferralStatus

from ..numbers import MICROSECOND, MICROSECONDS_A_DAY, days
from ..periods import day_start
from ..report import ReportFilters
from ..sql import as_int, placeholders
from .family import Family
from .figures import CURRENT, PREVIOUS, as_counts, count, keyed, median_of, ordered, rate
from .profiles import PROFILE_COLUMNS, profile, profile_branches

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


def received_referrals(scope, start, end):
    """Referrals sent from `start` to `end` (days in local time, both included) to the
    scope's structures (offer filters: the offer they were sent to), of persons who count.
    The time to answer is read from them, here and on a structure's public page
    (`reporting.public`)."""
    return (
        Referral.objects.filter(
            sent_at__gte=day_start(start), sent_at__lt=day_start(end + timedelta(days=1))
        )
        .filter(to_structure_id__in=scope.structure_ids)
        .filter(scope.offer_q("to_offer"))
        .filter(scope.person_in("person_id"))
    )


def answer_delay():
    return ExpressionWrapper(F("answered_at") - F("sent_at"), DurationField())


def answer_days(answer):
    """An answer's delay in days, exactly (an answer recorded before the sending: 0)."""
    return max(days(answer), 0)


def answer_microseconds(answer) -> int:
    """The same delay in microseconds (whole numbers sort fast; `median_of(…, unit=…)`)."""
    return max(answer // MICROSECOND, 0)


class Referrals(Family):
    name = "referrals"
    codes = (
        "referrals_sent",
        "referrals_received",
        "referrals_accepted",
        "referrals_declined",
        "referrals_redirected",
        "referrals_expired",
        "loop_closure_rate",
        "median_days_to_answer",
        "median_days_to_first_meeting",
    )

    def long_fetches(self):
        return [self.fetch_referrals]

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
        sent_offer, sent_params = self.offer_sql("b.oof")
        received_offer, received_params = self.offer_sql("b.tof")
        grouped = self.grouped(base, "sent_at", moment=True)
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
        rows = self.run("referrals", grouped)
        if not self.slots:
            self.collect_sides(rows)
        # The delays, for the medians (computed here, the same on both databases).
        self.delay_rows = list(
            received_referrals(s, self.start, self.cur.date_to)
            .filter(Q(answered_at__isnull=False) | Q(first_meeting_on__isnull=False))
            .annotate(
                # Reading by month: each delay's month, taken by its period (`take`).
                per=(
                    self.slots.of_moment("sent_at")
                    if self.slots
                    else self.period_case("sent_at", moment=True)
                ),
                answer=answer_delay(),
                meeting=ExpressionWrapper(
                    F("first_meeting_on") - TruncDate("sent_at"), DurationField()
                ),
            )
            .values_list("per", "to_structure_id", "answer", "meeting")
            .order_by()
        )

    def collect_sides(self, rows) -> None:
        for side in ("sent", "received"):
            self.profiles.collect(
                {k.removeprefix(f"{side}:"): v for k, v in rows.items() if k.startswith(f"{side}:")}
            )

    def take(self, source):
        self.collect_sides(self.taken(source, "referrals"))
        by_month = source.by_month("delays", source.delay_rows, lambda row: row[0])
        self.delay_rows = [
            (CURRENT, target, answer, meeting)
            for month in self.months()
            for _month, target, answer, meeting in by_month.get(month, ())
        ]

    def build(self):
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
        delays = [defaultdict(list) for _ in self.periods]
        meetings = [defaultdict(list) for _ in self.periods]
        for period, target, answer, meeting in self.delay_rows:
            if period >= len(self.periods):
                continue
            if answer is not None:
                value = answer_microseconds(answer)
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
                    (k, median_of(delays[period][k], MICROSECONDS_A_DAY))
                    for k in order
                    if k in delays[period]
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
            self.put(
                period,
                "median_days_to_answer",
                median_of(delays[period]["all"], MICROSECONDS_A_DAY),
                answer_rows,
            )
            self.put(
                period,
                "median_days_to_first_meeting",
                median_of(meetings[period]["all"]),
                meeting_rows,
            )
