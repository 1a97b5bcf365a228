"""The indicators of the catalogue, recomputed the plain way: every row loaded, then loops.

This is the second reading of `docs/indicators.md` that the engine (`maillage.reporting`) is
checked against. It shares nothing with the engine but the labels of fixed categories: no query
but `Model.objects.all()`, no grouping in SQL, dates compared one row at a time.

`Reference(filters).indicator(code)` → {"value": …, "breakdowns": {dimension: {label: value}}}.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from django.utils import timezone

from maillage.directory.models import Offer, Stage, Structure, Territory, TerritoryKind
from maillage.pathways.models import (
    Accompaniment,
    Act,
    ActParticipant,
    ActType,
    Application,
    ApplicationTransition,
    NetworkPerson,
    Outcome,
    OutcomeFamily,
    Person,
    Referral,
    Situation,
)
from maillage.reporting.labels import FIXED_LABELS

MICROSECOND = timedelta(microseconds=1)
MICROSECONDS_A_DAY = 86_400_000_000


def half_up(value: Decimal, places: int) -> float:
    """The rule of the catalogue, written again: half up (56.25 → 56.3, 1.775 → 1.78)."""
    return float(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def months_back(day: date, months: int) -> date:
    year, month = day.year, day.month - months
    while month < 1:
        month += 12
        year -= 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    return date(year, month, min(day.day, last[month - 1]))


def age_label(birth_year, end: date) -> str:
    if birth_year is None:
        key = "unknown"
    else:
        age = end.year - birth_year
        key = (
            "under_26"
            if age <= 25
            else "26_35"
            if age <= 35
            else "36_45"
            if age <= 45
            else "46_55"
            if age <= 55
            else "over_55"
        )
    return str(FIXED_LABELS["age_band"][key])


NOT_GIVEN = "Non renseigné"
NO_OFFER = "Aucune offre"


class Data:
    """Every row of the tables the reports read, once."""

    def __init__(self):
        self.persons = {p.pk: p for p in Person.objects.all()}
        # The human each record belongs to: its person-group, else its own id.
        self.human = {pk: pk for pk in self.persons}
        self.human.update(NetworkPerson.objects.values_list("person_id", "human"))
        self.structures = {s.pk: s for s in Structure.objects.all()}
        self.members = defaultdict(set)
        for s in Structure.objects.prefetch_related("networks"):
            for n in s.networks.all():
                self.members[n.pk].add(s.pk)
        self.offers = {o.pk: o for o in Offer.objects.all()}
        self.offer_stage_ids = defaultdict(set)
        for o in Offer.objects.prefetch_related("stages"):
            self.offer_stage_ids[o.pk] = {s.pk for s in o.stages.all()}
        self.stages = list(Stage.objects.order_by("network_id", "position"))
        self.territories = {t.pk: t for t in Territory.objects.all()}
        self.acts = {a.pk: a for a in Act.objects.all()}
        self.participants = list(ActParticipant.objects.all())
        self.participations_of = defaultdict(list)  # person id → their participant rows
        for part in self.participants:
            self.participations_of[part.person_id].append(part)
        self.applications = list(Application.objects.all())
        self.selected_ids = {
            t.application_id
            for t in ApplicationTransition.objects.all()
            if t.to_status == "selected"
        }
        self.referrals = list(Referral.objects.all())
        self.outcomes = list(Outcome.objects.select_related("outcome_type"))
        self.accompaniments = list(Accompaniment.objects.all())
        self.act_types = {t.pk: t.label for t in ActType.objects.all()}
        self.situations = {s.pk: s.label for s in Situation.objects.all()}
        from maillage.directory.models import OfferSession

        self.sessions = list(OfferSession.objects.all())


class Reference:
    def __init__(self, filters, data: Data | None = None):
        self.f = filters
        self.d = data or Data()
        d = self.d
        network = filters.network
        self.network_ids = d.members[network.pk]
        self.scope = (
            {filters.structure.pk} & self.network_ids
            if filters.structure
            else set(self.network_ids)
        )
        self.net_stages = [s for s in d.stages if s.network_id == network.pk]
        self.first_stage = self.net_stages[0].pk if self.net_stages else None
        self.rank = {s.pk: i for i, s in enumerate(self.net_stages, start=1)}

    # --- helpers ------------------------------------------------------------------------------

    def stages(self, offer_id):
        if offer_id is None:
            return {self.first_stage} if self.first_stage else set()
        return {s for s in self.d.offer_stage_ids.get(offer_id, set()) if s in self.rank}

    def act_rank(self, offer_id):
        stages = self.stages(offer_id)
        return min(self.rank[s] for s in stages) if stages and offer_id is not None else 1

    def offer_ok(self, offer_id):
        if self.f.offer is not None and offer_id != self.f.offer.pk:
            return False
        return self.f.stage is None or self.f.stage.pk in self.stages(offer_id)

    def territory_of(self, person):
        if person.commune_id is not None:
            return person.commune_id
        if not person.postal_code:
            return None
        arrondissements = [
            t
            for t in self.d.territories.values()
            if t.kind == TerritoryKind.ARRONDISSEMENT
            and person.postal_code in (t.postal_codes or [])
        ]
        communes = [
            t
            for t in self.d.territories.values()
            if t.kind == TerritoryKind.COMMUNE and person.postal_code in (t.postal_codes or [])
        ]
        for found in (arrondissements, communes):
            if found:
                return found[0].pk if len(found) == 1 else None
        return None

    def inside(self, territory_id):
        x = self.f.territory
        if territory_id is None:
            return False
        t = self.d.territories[territory_id]
        if t.pk == x.pk:
            return True
        return {
            TerritoryKind.REGION: t.region_code == x.code,
            TerritoryKind.DEPARTEMENT: t.departement_code == x.code,
            TerritoryKind.EPCI: t.epci_code == x.code,
            TerritoryKind.COMMUNE: t.commune_code == x.code,
        }.get(x.kind, False)

    def person_ok(self, pid):
        person = self.d.persons[pid]
        if person.merged_into_id is not None:
            return False
        return self.f.territory is None or self.inside(self.territory_of(person))

    def person_labels(self, pid, end):
        p = self.d.persons[pid]
        territory = self.territory_of(p)
        return {
            "gender": str(FIXED_LABELS["gender"][p.gender]),
            "age_band": age_label(p.birth_year, end),
            "situation": self.d.situations[p.situation_id] if p.situation_id else NOT_GIVEN,
            "priority_neighbourhood": str(
                FIXED_LABELS["priority_neighbourhood"]["yes" if p.priority_neighbourhood else "no"]
            ),
            "territory": str(self.d.territories[territory]) if territory else NOT_GIVEN,
        }

    def offer_label(self, offer_id):
        if offer_id is None:
            return NO_OFFER
        o = self.d.offers[offer_id]
        return f"{o.title} — {self.d.structures[o.structure_id].name}"

    def stage_labels(self, offer_id):
        return [s.name for s in self.net_stages if s.pk in self.stages(offer_id)]

    def name(self, sid):
        return self.d.structures[sid].name

    @staticmethod
    def within(day, period):
        return period.date_from <= day <= period.date_to

    @staticmethod
    def local_day(moment):
        return timezone.localtime(moment).date()

    # --- indicators ----------------------------------------------------------------------------

    def indicator(self, code, period=None):
        period = period or self.f
        return getattr(self, code)(period)

    def _persons(self, humans, end, extra=None):
        """`humans`: human → the ids of their records that count; the profile is that of the
        record with the highest id."""
        result = {"value": len(humans), "breakdowns": defaultdict(lambda: defaultdict(int))}
        for records in humans.values():
            for dim, label in self.person_labels(max(records), end).items():
                result["breakdowns"][dim][label] += 1
        for dim, rows in (extra or {}).items():
            for label, people in rows.items():
                result["breakdowns"][dim][label] = len(people)
        return result

    def presences(self, period):
        for part in self.d.participants:
            act = self.d.acts[part.act_id]
            if (
                part.attended
                and act.structure_id in self.scope
                and self.within(act.occurred_on, period)
                and self.offer_ok(act.offer_id)
                and self.person_ok(part.person_id)
            ):
                yield part.person_id, act

    def persons_accompanied(self, period):
        humans = defaultdict(set)
        extra = {d: defaultdict(set) for d in ("stage", "structure", "offer", "accompaniment")}
        for pid, act in self.presences(period):
            human = self.d.human[pid]
            humans[human].add(pid)
            extra["structure"][self.name(act.structure_id)].add(human)
            extra["offer"][self.offer_label(act.offer_id)].add(human)
            for label in self.stage_labels(act.offer_id):
                extra["stage"][label].add(human)
        for human in humans:
            starts = [
                a.started_on
                for a in self.d.accompaniments
                if self.d.human[a.person_id] == human and a.structure_id in self.scope
            ]
            new = not starts or min(starts) >= period.date_from
            extra["accompaniment"][
                str(FIXED_LABELS["accompaniment"]["new" if new else "ongoing"])
            ].add(human)
        return self._persons(humans, period.date_to, extra)

    def persons_new(self, period):
        label = str(FIXED_LABELS["accompaniment"]["new"])
        return {"value": self.persons_accompanied(period)["breakdowns"]["accompaniment"][label]}

    def persons_ongoing(self, period):
        label = str(FIXED_LABELS["accompaniment"]["ongoing"])
        return {"value": self.persons_accompanied(period)["breakdowns"]["accompaniment"][label]}

    def _acts(self, period):
        present = defaultdict(list)
        for part in self.d.participants:
            if part.attended:
                present[part.act_id].append(part.person_id)
        for act in self.d.acts.values():
            if (
                act.structure_id in self.scope
                and self.within(act.occurred_on, period)
                and self.offer_ok(act.offer_id)
                and (
                    self.f.territory is None or any(self.person_ok(pid) for pid in present[act.pk])
                )
            ):
                yield act

    def _act_figures(self, period, weigh):
        total = 0
        dims = defaultdict(lambda: defaultdict(int))
        for act in self._acts(period):
            w = weigh(act)
            total += w
            dims["act_type"][self.d.act_types[act.act_type_id]] += w
            dims["structure"][self.name(act.structure_id)] += w
            dims["offer"][self.offer_label(act.offer_id)] += w
            for label in self.stage_labels(act.offer_id):
                dims["stage"][label] += w
        return total, dims

    def acts(self, period):
        total, dims = self._act_figures(period, lambda act: 1)
        return {"value": total, "breakdowns": dims}

    def act_hours(self, period):
        total, dims = self._act_figures(period, lambda act: act.duration_minutes)
        return {
            "value": half_up(Decimal(total) / 60, 1),
            "breakdowns": {
                d: {label: half_up(Decimal(m) / 60, 1) for label, m in rows.items()}
                for d, rows in dims.items()
            },
        }

    def _applications(self, period):
        for a in self.d.applications:
            if (
                a.structure_id in self.scope
                and self.within(a.submitted_on, period)
                and self.offer_ok(a.offer_id)
                and self.person_ok(a.person_id)
            ):
                yield a

    def applications(self, period):
        dims = defaultdict(lambda: defaultdict(int))
        total = 0
        for a in self._applications(period):
            total += 1
            dims["application_status"][str(FIXED_LABELS["application_status"][a.status])] += 1
            dims["offer"][self.offer_label(a.offer_id)] += 1
            dims["structure"][self.name(a.structure_id)] += 1
            for label in self.stage_labels(a.offer_id):
                dims["stage"][label] += 1
            for dim, label in self.person_labels(a.person_id, period.date_to).items():
                dims[dim][label] += 1
        return {"value": total, "breakdowns": dims}

    def ever_selected(self, a):
        return a.status in ("selected", "in_progress", "completed") or (
            a.status == "dropped_out" and a.pk in self.d.selected_ids
        )

    @staticmethod
    def pct(num, den):
        return half_up(Decimal(100 * num) / den, 1) if den else None

    def _rate(self, rows, numerator, denominator):
        num, den = defaultdict(int), defaultdict(int)
        for a in rows:
            keys = [
                "all",
                ("offer", self.offer_label(a.offer_id)),
                ("structure", self.name(a.structure_id)),
            ]
            for key in keys:
                if denominator(a):
                    den[key] += 1
                    if numerator(a):
                        num[key] += 1
        breakdowns = defaultdict(dict)
        for key in den:
            if key != "all":
                breakdowns[key[0]][key[1]] = self.pct(num[key], den[key])
        return {"value": self.pct(num["all"], den["all"]), "breakdowns": breakdowns}

    def selection_rate(self, period):
        return self._rate(
            self._applications(period),
            self.ever_selected,
            lambda a: self.ever_selected(a) or a.status == "not_selected",
        )

    def not_selected(self, period):
        dims = defaultdict(lambda: defaultdict(int))
        total = 0
        for a in self._applications(period):
            if a.status != "not_selected":
                continue
            total += 1
            step = "referral" if a.next_step_referral_id else "no_next_step"
            dims["next_step"][str(FIXED_LABELS["next_step"][step])] += 1
            dims["offer"][self.offer_label(a.offer_id)] += 1
            dims["structure"][self.name(a.structure_id)] += 1
        return {"value": total, "breakdowns": dims}

    def not_selected_referred_rate(self, period):
        return self._rate(
            self._applications(period),
            lambda a: a.next_step_referral_id is not None,
            lambda a: a.status == "not_selected",
        )

    def applicants_per_place(self, period):
        places, applicants = defaultdict(int), defaultdict(int)
        for s in self.d.sessions:
            offer = self.d.offers[s.offer_id]
            if not (
                offer.structure_id in self.scope
                and self.within(s.starts_on, period)
                and s.capacity
                and self.offer_ok(offer.pk)
            ):
                continue
            n = sum(
                1
                for a in self.d.applications
                if a.session_id == s.pk and self.person_ok(a.person_id)
            )
            for key in (
                "all",
                ("offer", self.offer_label(offer.pk)),
                ("structure", self.name(offer.structure_id)),
            ):
                places[key] += s.capacity
                applicants[key] += n
        breakdowns = defaultdict(dict)
        for key in places:
            if key != "all":
                breakdowns[key[0]][key[1]] = half_up(Decimal(applicants[key]) / places[key], 2)
        value = half_up(Decimal(applicants["all"]) / places["all"], 2) if places["all"] else None
        return {"value": value, "breakdowns": breakdowns}

    # referrals

    def origin_offer(self, referral):
        for a in self.d.applications:
            if a.next_step_referral_id == referral.pk:
                return a.offer_id
        return None

    def _referrals(self, period, side):
        for r in self.d.referrals:
            if not self.within(self.local_day(r.sent_at), period) or not self.person_ok(
                r.person_id
            ):
                continue
            if side == "sent":
                if r.from_structure_id in self.scope and self.offer_ok(self.origin_offer(r)):
                    yield r
            elif r.to_structure_id in self.scope and self.offer_ok(r.to_offer_id):
                yield r

    def referrals_sent(self, period):
        dims = defaultdict(lambda: defaultdict(int))
        total = 0
        for r in self._referrals(period, "sent"):
            total += 1
            offer = self.origin_offer(r)
            dims["structure"][self.name(r.from_structure_id)] += 1
            dims["offer"][self.offer_label(offer)] += 1
            for label in self.stage_labels(offer):
                dims["stage"][label] += 1
            for dim, label in self.person_labels(r.person_id, period.date_to).items():
                dims[dim][label] += 1
        return {"value": total, "breakdowns": dims}

    ANSWER = {
        "sent": "waiting",
        "received": "waiting",
        "accepted": "accepted",
        "first_meeting": "accepted",
        "closed": "accepted",
        "declined": "declined",
        "redirected": "redirected",
        "expired": "expired",
        "cancelled": "cancelled",
    }

    def referrals_received(self, period):
        dims = defaultdict(lambda: defaultdict(int))
        total = 0
        for r in self._referrals(period, "received"):
            total += 1
            dims["referral_answer"][
                str(FIXED_LABELS["referral_answer"][self.ANSWER[r.status]])
            ] += 1
            dims["structure"][self.name(r.to_structure_id)] += 1
            dims["offer"][self.offer_label(r.to_offer_id)] += 1
            for label in self.stage_labels(r.to_offer_id):
                dims["stage"][label] += 1
            for dim, label in self.person_labels(r.person_id, period.date_to).items():
                dims[dim][label] += 1
        return {"value": total, "breakdowns": dims}

    def _answered(self, period, answer):
        return {
            "value": sum(
                1 for r in self._referrals(period, "received") if self.ANSWER[r.status] == answer
            )
        }

    def referrals_accepted(self, period):
        return self._answered(period, "accepted")

    def referrals_declined(self, period):
        return self._answered(period, "declined")

    def referrals_redirected(self, period):
        return self._answered(period, "redirected")

    def referrals_expired(self, period):
        return self._answered(period, "expired")

    def loop_closure_rate(self, period):
        num, den = defaultdict(int), defaultdict(int)
        for r in self._referrals(period, "sent"):
            if r.status == "cancelled":
                continue
            for key in ("all", self.name(r.from_structure_id)):
                den[key] += 1
                num[key] += r.status in ("declined", "redirected", "first_meeting", "closed")
        return {
            "value": self.pct(num["all"], den["all"]),
            "breakdowns": {"structure": {k: self.pct(num[k], den[k]) for k in den if k != "all"}},
        }

    def _median(self, values):
        return half_up(median(Decimal(v) for v in values), 1) if values else None

    def _delays(self, period, delay):
        values = defaultdict(list)
        for r in self._referrals(period, "received"):
            value = delay(r)
            if value is not None:
                values["all"].append(value)
                values[self.name(r.to_structure_id)].append(value)
        return {
            "value": self._median(values["all"]),
            "breakdowns": {
                "structure": {k: self._median(v) for k, v in values.items() if k != "all"}
            },
        }

    def median_days_to_answer(self, period):
        return self._delays(
            period,
            lambda r: (
                max(Decimal((r.answered_at - r.sent_at) // MICROSECOND), 0) / MICROSECONDS_A_DAY
                if r.answered_at
                else None
            ),
        )

    def median_days_to_first_meeting(self, period):
        return self._delays(
            period,
            lambda r: (
                (r.first_meeting_on - self.local_day(r.sent_at)).days
                if r.first_meeting_on
                else None
            ),
        )

    # outcomes

    def _outcomes(self, period):
        for o in self.d.outcomes:
            if not (
                o.structure_id in self.scope
                and self.within(o.occurred_on, period)
                and self.person_ok(o.person_id)
            ):
                continue
            if (self.f.offer is not None or self.f.stage is not None) and not any(
                p.attended
                and p.person_id == o.person_id
                and self.d.acts[p.act_id].structure_id == o.structure_id
                and self.d.acts[p.act_id].occurred_on <= o.occurred_on
                and self.offer_ok(self.d.acts[p.act_id].offer_id)
                for p in self.d.participants
            ):
                continue
            yield o

    def outcomes(self, period):
        dims = defaultdict(lambda: defaultdict(int))
        total = 0
        for o in self._outcomes(period):
            total += 1
            dims["outcome_family"][str(OutcomeFamily(o.outcome_type.family).label)] += 1
            dims["structure"][self.name(o.structure_id)] += 1
            for dim, label in self.person_labels(o.person_id, period.date_to).items():
                dims[dim][label] += 1
        return {"value": total, "breakdowns": dims}

    def median_days_to_outcome(self, period):
        values = defaultdict(list)
        for o in self._outcomes(period):
            starts = [
                a.started_on
                for a in self.d.accompaniments
                if a.person_id == o.person_id and a.structure_id in self.network_ids
            ]
            if not starts:
                continue
            delay = max((o.occurred_on - min(starts)).days, 0)
            values["all"].append(delay)
            values[("outcome_family", str(OutcomeFamily(o.outcome_type.family).label))].append(
                delay
            )
            values[("structure", self.name(o.structure_id))].append(delay)
        breakdowns = defaultdict(dict)
        for key, v in values.items():
            if key != "all":
                breakdowns[key[0]][key[1]] = self._median(v)
        return {"value": self._median(values["all"]), "breakdowns": breakdowns}

    # wandering

    def wandering_many_structures(self, period):
        end = period.date_to
        start = months_back(end, 12) + timedelta(days=1)
        seen = defaultdict(list)
        for part in self.d.participants:
            act = self.d.acts[part.act_id]
            if (
                part.attended
                and act.structure_id in self.network_ids
                and start <= act.occurred_on <= end
                and self.person_ok(part.person_id)
            ):
                seen[self.d.human[part.person_id]].append((part.person_id, act))
        humans = {}
        for human, records in seen.items():
            acts = [act for _pid, act in records]
            if len({a.structure_id for a in acts}) < 3:
                continue
            first_day = min(a.occurred_on for a in acts)
            first_rank = min(self.act_rank(a.offer_id) for a in acts if a.occurred_on == first_day)
            if max(self.act_rank(a.offer_id) for a in acts) > first_rank:
                continue
            if any(a.structure_id in self.scope and self.offer_ok(a.offer_id) for a in acts):
                humans[human] = {pid for pid, _act in records}
        return self._persons(humans, end)

    def wandering_declined_twice(self, period):
        end = period.date_to
        start = months_back(end, 12) + timedelta(days=1)
        declined = defaultdict(list)
        for r in self.d.referrals:
            if (
                r.status == "declined"
                and r.to_structure_id in self.network_ids
                and r.answered_at is not None
                and start <= self.local_day(r.answered_at) <= end
                and self.person_ok(r.person_id)
            ):
                declined[self.d.human[r.person_id]].append(r)
        humans = {
            human: {r.person_id for r in rows}
            for human, rows in declined.items()
            if len(rows) >= 2
            and any(
                (r.from_structure_id in self.scope or r.to_structure_id in self.scope)
                and self.offer_ok(r.to_offer_id)
                for r in rows
            )
        }
        return self._persons(humans, end)

    def crossed_without_referral(self, period):
        end = period.date_to
        start = months_back(end, 12) + timedelta(days=1)
        seen = defaultdict(list)  # human → their acts at structures of the network
        for part in self.d.participants:
            act = self.d.acts[part.act_id]
            if (
                part.attended
                and act.structure_id in self.network_ids
                and start <= act.occurred_on <= end
                and self.person_ok(part.person_id)
            ):
                seen[self.d.human[part.person_id]].append(act)
        referred = defaultdict(list)
        for r in self.d.referrals:
            referred[(self.d.human[r.person_id], r.to_structure_id)].append(
                self.local_day(r.sent_at)
            )
        result = {"value": 0, "breakdowns": defaultdict(dict)}
        humans, pairs, stages = set(), defaultdict(set), defaultdict(set)
        for human, acts in seen.items():
            first = {}
            for a in acts:
                first[a.structure_id] = min(first.get(a.structure_id, a.occurred_on), a.occurred_on)
            for target, arrival in first.items():
                if not max(start, period.date_from) <= arrival <= end:
                    continue
                offers = {
                    a.offer_id
                    for a in acts
                    if a.structure_id == target and a.occurred_on == arrival
                }
                if not any(self.offer_ok(o) for o in offers):
                    continue
                if any(day <= arrival for day in referred.get((human, target), ())):
                    continue
                for source, day in first.items():
                    if source == target or day >= arrival:
                        continue
                    if source not in self.scope and target not in self.scope:
                        continue
                    humans.add(human)
                    pairs[f"{self.name(source)} → {self.name(target)}"].add(human)
                    ranked = [
                        min(self.stages(o), key=self.rank.__getitem__)
                        for o in offers
                        if self.stages(o)
                    ]
                    if ranked:
                        earliest = min(ranked, key=self.rank.__getitem__)
                        name = next(st.name for st in self.net_stages if st.pk == earliest)
                        stages[name].add(human)
        result["value"] = len(humans)
        result["breakdowns"]["crossing"] = {k: len(v) for k, v in pairs.items()}
        result["breakdowns"]["stage"] = {k: len(v) for k, v in stages.items()}
        return result

    def stalled_pathways(self, period):
        end = period.date_to
        cut = months_back(end, 6)
        humans = defaultdict(set)
        by_structure = defaultdict(set)
        for acc in self.d.accompaniments:
            if not (
                acc.structure_id in self.scope
                and acc.started_on <= cut
                and (acc.ended_on is None or acc.ended_on > end)
                and self.person_ok(acc.person_id)
            ):
                continue
            mine = [
                self.d.acts[p.act_id]
                for p in self.d.participations_of[acc.person_id]
                if p.attended and self.d.acts[p.act_id].structure_id == acc.structure_id
            ]
            if any(cut < a.occurred_on <= end for a in mine):
                continue
            if any(
                o.person_id == acc.person_id
                and o.structure_id == acc.structure_id
                and o.occurred_on <= end
                for o in self.d.outcomes
            ):
                continue
            if (self.f.offer is not None or self.f.stage is not None) and not any(
                a.occurred_on <= cut and self.offer_ok(a.offer_id) for a in mine
            ):
                continue
            humans[self.d.human[acc.person_id]].add(acc.person_id)
            by_structure[self.name(acc.structure_id)].add(self.d.human[acc.person_id])
        return self._persons(humans, end, {"structure": by_structure})
