"""Applications, selection rate, not selected, not selected then referred: the applications
submitted to the scope's offers in the period, by status.

One statement for the period (by status, offer, structure and every person breakdown) and one
for the previous period's statuses. An application counts as selected once when it is selected,
in progress or completed, or dropped out after a transition to "selected".
"""

from collections import Counter, defaultdict

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When

from maillage.pathways.models import Application, ApplicationStatus, ApplicationTransition

from ..sql import Grouped, as_int
from .family import Family
from .figures import CURRENT, PREVIOUS, as_counts, count, ordered, rate
from .profiles import PROFILE_COLUMNS, profile, profile_branches

APPLICATION_SUMS = ("COUNT(*)", "SUM(sel)", "SUM(ns)", "SUM(ref)")
SELECTED_ONCE = (
    ApplicationStatus.SELECTED,
    ApplicationStatus.IN_PROGRESS,
    ApplicationStatus.COMPLETED,
)


class Applications(Family):
    name = "applications"
    codes = ("applications", "selection_rate", "not_selected", "not_selected_referred_rate")

    def long_fetches(self):
        return [self.fetch_applications]

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
        grouped = self.grouped(base, "submitted_on")
        grouped.branch("status", ["per", "st"], APPLICATION_SUMS)
        return grouped

    def fetch_applications(self):
        grouped = self._applications(CURRENT, detail=True)
        grouped.branch("offer", ["oid"], APPLICATION_SUMS)
        grouped.branch("structure", ["sid"], APPLICATION_SUMS)
        profile_branches(grouped, "b")
        rows = self.run("applications", grouped)
        if len(self.periods) > 1:
            rows["status"] += self._applications(PREVIOUS, detail=False).run().get("status", [])

    def take(self, source):
        self.taken(source, "applications")

    def build(self):
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
