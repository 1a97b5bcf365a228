"""The journeys of the generated people, planned in plain Python (no database access).

`Planner.persons()` yields one `PersonPlan` at a time, in order of arrival: the person's fields
and the dated events of their journey (consents, referrals and answers, applications and their
decisions, individual acts, outcomes), sorted by time. Collective acts (workshops of a session,
admission committees, information meetings) gather several persons: the planner fills their
attendance lists while it plans each person, and `Planner.collective_acts()` yields them once
every person is planned. Writers (`generator_services`, `generator_bulk`) turn both into data.

Everything comes from one `random.Random` and one seeded Faker, in a fixed order: the same seed
and reference day give the same plan.
"""

import unicodedata
from datetime import date, datetime, timedelta

from maillage.pathways.models import ApplicationStatus as A

MINUTE = timedelta(minutes=1)

GENDERS = (("female", 52), ("male", 45), ("other", 1), ("unknown", 2))
SITUATIONS = (
    ("job_seeker", 40),
    ("rsa", 20),
    ("employee", 15),
    ("inactive", 7),
    ("student", 5),
    ("self_employed", 5),
    ("retired", 3),
    ("other", 5),
)
POSTAL_CODES = (
    *(f"130{n:02d}" for n in range(1, 17)),
    "13100",
    "13090",
    "13127",
    "13200",
    "13300",
    "13400",
    "13500",
    "13600",
    "13700",
    "13800",
)
PRIORITY_POSTAL = {"13002", "13003", "13013", "13014", "13015", "13016"}
PROJECT_NOUNS = {
    "food": ("Épicerie solidaire", "Cantine de quartier", "Maraîchage bio", "Traiteur"),
    "culture": ("Compagnie de théâtre", "Atelier d'artistes", "Café culturel", "Studio photo"),
    "services": ("Service d'aide à domicile", "Garde d'enfants", "Conciergerie solidaire"),
    "environment": ("Recyclerie", "Atelier vélo", "Ressourcerie", "Compostage collectif"),
    "digital": ("Médiation numérique", "Agence web coopérative", "Réparation informatique"),
    "crafts": ("Menuiserie", "Atelier couture", "Éco-construction", "Céramique"),
    "trade": ("Boutique de créateurs", "Friperie", "Librairie", "Vente en vrac"),
    "education": ("Soutien scolaire", "Formation aux premiers secours", "Ateliers de langue"),
    "mobility": ("Auto-école solidaire", "Transport à la demande", "Location de vélos"),
    "other": ("Tiers-lieu", "Projet collectif", "Habitat partagé"),
}
COMPLETED_HIGH = (
    ("activity_created", 35),
    ("repositioning", 13),
    ("salaried_job", 12),
    ("training", 8),
    ("paused", 10),
    ("accompanied_stop", 12),
    ("lost_contact", 10),
)
COMPLETED_LOW = (
    ("repositioning", 25),
    ("training", 15),
    ("activity_created", 10),
    ("accompanied_stop", 20),
    ("salaried_job", 15),
    ("paused", 15),
)
DROPPED = (("lost_contact", 35), ("salaried_job", 30), ("paused", 20), ("accompanied_stop", 15))
STAYED = (
    ("accompanied_stop", 20),
    ("repositioning", 20),
    ("salaried_job", 18),
    ("training", 14),
    ("lost_contact", 12),
    ("paused", 10),
    ("activity_created", 6),
)
LEGAL_FORMS = (
    ("association", 35),
    ("micro-entreprise", 30),
    ("scop", 10),
    ("scic", 8),
    ("company", 10),
    ("sole_trader", 7),
)
MONTH_WEIGHT = {1: 1.2, 2: 1.1, 3: 1.1, 4: 1.0, 5: 0.9, 6: 0.9, 7: 0.6, 8: 0.3, 9: 1.3, 10: 1.2}
ACT_MINUTES = {
    "reception": 30,
    "individual_interview": 60,
    "diagnostic": 90,
    "individual_follow_up": 60,
    "bringing_into_contact": 30,
    "review": 60,
    "information_meeting": 120,
    "collective_workshop": 180,
    "admission_committee": 120,
}


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def weighted(rng, pairs):
    total = sum(w for _v, w in pairs)
    pick = rng.random() * total
    for value, weight in pairs:
        pick -= weight
        if pick < 0:
            return value
    return pairs[-1][0]


class PersonPlan:
    __slots__ = (
        "created_at",
        "creator",
        "entry",
        "events",
        "fields",
        "key",
        "last_activity",
        "referent",
        "seen",
    )

    def __init__(self, key, fields, entry, creator, referent, created_at):
        self.key = key
        self.fields = fields
        self.entry = entry
        self.creator = creator
        self.referent = referent
        self.created_at = created_at
        self.events = []  # (at, kind, data), sorted by `at` once planned
        # structure id → first day it touched the person; and the person's last activity day
        self.seen = {}
        self.last_activity = None


class Journey:
    """One person's pathway, planned forward in time on a clock that only moves on."""

    def __init__(self, planner, plan: PersonPlan, arrival: date):
        self.p = planner
        self.ctx = planner.ctx
        self.rng = planner.rng
        self.plan = plan
        self.clock = self.ctx.at(arrival, 8, 30)
        self.referred = set()
        self.open_referrals = {}  # structure id → referral key met there, to close later
        self.shares_from = None
        self.shares_until = None
        self.project = None
        self.level = 1
        self.last_sid = plan.entry
        self.last_day = arrival
        self.activity = None
        self.sessions = set()
        self.sources = {}  # referral key → sending structure
        self.redirect_target = None
        self.outcome_done = False

    # --- primitives -----------------------------------------------------------------------

    def when(self, day: date, hour: int) -> datetime:
        at = max(self.ctx.at(day, hour, self.rng.randint(0, 50)), self.clock + MINUTE)
        self.clock = at
        return at

    def emit(self, at: datetime, event: str, /, **data) -> None:
        self.plan.events.append((at, event, data))

    def touch(self, sid: int, day: date, activity: bool = True) -> None:
        seen = self.plan.seen
        if sid not in seen or day < seen[sid]:
            seen[sid] = day
        if activity and (self.activity is None or day > self.activity):
            self.activity = day

    def user(self, sid: int) -> int:
        info = self.ctx.by_id[sid]
        if info.referents and self.rng.random() < 0.5:
            return self.rng.choice(info.referents)
        return self.rng.choice(info.staff)

    def shares(self, at: datetime) -> bool:
        if self.shares_from is None or at < self.shares_from:
            return False
        return self.shares_until is None or at < self.shares_until

    def ok(self, day: date) -> bool:
        return day <= self.ctx.last

    def act(self, sid, code, day, *, offer=None, session=None) -> None:
        if not self.ok(day):
            return
        at = self.when(day, self.rng.randint(9, 16))
        self.emit(
            at,
            "act",
            structure=sid,
            user=self.user(sid),
            type=code,
            day=at.date(),
            minutes=ACT_MINUTES[code] + 15 * self.rng.randint(-1, 2),
            offer=offer,
            session=session,
        )
        self.touch(sid, at.date())

    def follow_ups(self, sid, start: date, end: date, *, offer=None) -> None:
        step = self.ctx.scale.follow_up_days
        day = start + timedelta(days=self.rng.randint(step // 2, step))
        count = 0
        while day <= min(end, self.ctx.last) and count < self.ctx.scale.max_follow_ups:
            code = "individual_follow_up" if self.rng.random() < 0.85 else "bringing_into_contact"
            self.act(sid, code, day, offer=offer)
            day += timedelta(days=self.rng.randint(step - step // 3, step + step // 3))
            count += 1

    def outcome(self, sid, day, table, *, details="") -> None:
        if not self.ok(day):
            return
        code = weighted(self.rng, table)
        legal_form = None
        if code == "activity_created":
            form = weighted(self.rng, LEGAL_FORMS)
            legal_form = self.ctx.legal_form_ids.get(form)
        at = self.when(day, self.rng.randint(9, 17))
        self.emit(
            at,
            "outcome",
            structure=sid,
            user=self.user(sid),
            type=code,
            day=at.date(),
            legal_form=legal_form,
            details=details,
            project=self.project,
        )
        self.touch(sid, at.date())

    # --- referrals ------------------------------------------------------------------------

    def sender(self) -> int:
        """The structure that sends the person on: the last one that met them."""
        return self.last_sid if self.last_sid in self.plan.seen else self.plan.entry

    def other_structure(self, *exclude) -> int | None:
        choices = [
            s.id
            for s in self.ctx.structures
            if s.id not in exclude and s.id not in self.referred and s.id not in self.plan.seen
        ]
        return self.rng.choice(choices) if choices else None

    def refer(self, to_sid, day, *, offer=None, reason="", user=None) -> int | None:
        from_sid = self.sender()
        if to_sid == from_sid or to_sid in self.referred or not self.ok(day):
            return None
        at = self.when(day, self.rng.randint(9, 12))
        key = self.p.next_key("referral")
        self.referred.add(to_sid)
        self.sources[key] = from_sid
        self.emit(
            at,
            "refer",
            key=key,
            source=from_sid,
            target=to_sid,
            offer=offer,
            user=user or self.user(from_sid),
            reason=reason or self.rng.choice(self.p.REASONS),
            shares=self.shares(at),
            project=self.project,
        )
        return key

    def answer(self, key, to_sid, day, *, force=None, depth=0) -> date | None:
        """The receiving structure answers; returns the day of the first meeting, if any."""
        rng = self.rng
        last = self.ctx.last
        if force == "pending" or (
            force is None and day >= last - timedelta(days=12) and rng.random() < 0.6
        ):
            seen_on = day + timedelta(days=rng.randint(0, 2))
            if rng.random() < 0.5 and self.ok(seen_on):
                self.emit(self.when(seen_on, 13), "received", key=key, user=self.user(to_sid))
            return None
        roll = (
            rng.random()
            if force is None
            else {"decline": 0.05, "redirect": 0.15, "accept": 0.9}[force]
        )
        answered_on = day + timedelta(days=rng.randint(1, 9))
        if not self.ok(answered_on):
            return None
        if roll < 0.02:
            self.emit(
                self.when(answered_on, 9), "cancel", key=key, user=self.user(self.sources[key])
            )
            return None
        if rng.random() < 0.5:
            self.emit(self.when(answered_on, 9), "received", key=key, user=self.user(to_sid))
        if roll < 0.13:
            code = rng.choice(sorted(self.ctx.decline_reasons))
            requires_note = self.ctx.decline_reasons[code][1]
            self.emit(
                self.when(answered_on, 14),
                "decline",
                key=key,
                user=self.user(to_sid),
                reason=code,
                note="Précision donnée à la structure qui oriente." if requires_note else "",
            )
            return None
        if roll < 0.19 and depth == 0:
            onward = self.other_structure(to_sid)
            if onward is not None:
                at = self.when(answered_on, 14)
                new_key = self.p.next_key("referral")
                self.referred.add(onward)
                self.sources[new_key] = to_sid
                self.emit(
                    at,
                    "redirect",
                    key=key,
                    new_key=new_key,
                    target=onward,
                    user=self.user(to_sid),
                    note="Structure mieux placée pour ce projet.",
                    shares=self.shares(at),
                )
                return self.answer(
                    new_key,
                    onward,
                    at.date(),
                    force=None if force != "redirect" else "accept",
                    depth=1,
                )
        self.emit(self.when(answered_on, 15), "accept", key=key, user=self.user(to_sid))
        met_on = answered_on + timedelta(days=rng.randint(2, 18))
        if not self.ok(met_on):
            return None
        at = self.when(met_on, rng.randint(9, 16))
        self.emit(at, "meet", key=key, user=self.user(to_sid), day=at.date())
        self.touch(to_sid, at.date())
        self.open_referrals[to_sid] = key
        self.redirect_target = to_sid
        return at.date()

    def reach(self, to_sid, day, *, offer=None, force=None) -> date | None:
        """Be met by `to_sid`: at once when it already accompanies the person, else referred."""
        self.redirect_target = to_sid
        if to_sid in self.plan.seen:
            return day
        key = self.refer(to_sid, day, offer=offer)
        if key is None:
            return None
        self.redirect_target = to_sid
        met = self.answer(key, to_sid, day, force=force)
        if met is not None:
            self.last_sid = self.redirect_target
        return met

    def leave(self, sid, day) -> None:
        key = self.open_referrals.pop(sid, None)
        if key is not None and self.ok(day) and self.rng.random() < 0.7:
            self.emit(self.when(day, 17), "close", key=key, user=self.user(sid))

    # --- applications ---------------------------------------------------------------------

    def status(self, key, to, day, sid, **extra) -> datetime:
        at = self.when(day, self.rng.randint(9, 17))
        self.emit(at, "status", key=key, to=to, user=self.user(sid), **extra)
        self.touch(sid, at.date())
        return at

    def apply(self, offer, day, session=None) -> int:
        sid = offer.structure_id
        at = self.when(day, self.rng.randint(9, 17))
        key = self.p.next_key("application")
        self.emit(
            at,
            "apply",
            key=key,
            offer=offer.id,
            session=session.id if session else None,
            structure=sid,
            user=self.user(sid),
            day=at.date(),
            project=self.project,
        )
        self.touch(sid, at.date())
        return key

    def not_selected(self, key, sid, day) -> str:
        """A 'not selected' decision always comes with a next step."""
        target = self.other_structure(sid) if self.rng.random() < 0.65 else None
        if target is not None:
            at = self.when(day, self.rng.randint(9, 17))
            referral = self.p.next_key("referral")
            self.referred.add(target)
            self.sources[referral] = sid
            self.emit(
                at,
                "status",
                key=key,
                to=A.NOT_SELECTED,
                user=self.user(sid),
                refer_to=target,
                referral=referral,
                reason="Réorientation après la sélection.",
                shares=self.shares(at),
            )
            self.touch(sid, at.date())
            if self.rng.random() < 0.3:
                self.outcome(sid, at.date(), (("reorientation", 1),))
            self.last_sid = sid
            met = self.answer(referral, target, at.date())
            if met is not None:
                self.last_sid = self.redirect_target
                self.stay(self.last_sid, met)
            return "reoriented"
        code = self.rng.choice(sorted(self.ctx.no_next_step_reasons))
        note = "Précision notée par la structure." if self.ctx.no_next_step_reasons[code][1] else ""
        self.status(key, A.NOT_SELECTED, day, sid, no_next_step=code, note=note)
        return "no_next_step"

    def programme(self, offer, day) -> str | None:
        sid = offer.structure_id
        session = next(
            (
                s
                for s in offer.sessions
                if s.deadline >= day + timedelta(days=2)
                and s.deadline <= day + timedelta(days=200)
                and s.applicants < s.target
                and s.id not in self.sessions
            ),
            None,
        )
        if session is None:
            return None
        met = self.reach(sid, day, offer=offer.id)
        if met is None or self.redirect_target != sid:
            return self.stay(self.redirect_target, met) if met else None
        if met > session.deadline:
            self.stay(sid, met)
            return "stayed"
        apply_on = min(session.deadline, met + timedelta(days=self.rng.randint(0, 10)))
        self.sessions.add(session.id)
        key = self.apply(offer, apply_on, session)
        session.applicants += 1
        if offer.selection == "committee":
            session.committee.append(self.plan.key)
            self.touch(sid, session.decided_on)
        if session.deadline > apply_on and self.rng.random() < 0.5:
            self.status(key, A.UNDER_REVIEW, session.deadline, sid)
        rng = self.rng
        if (
            session.selected < session.capacity
            and rng.random() < session.capacity / session.target * 1.15
        ):
            session.selected += 1
            self.status(key, A.SELECTED, session.decided_on, sid)
        elif session.waitlisted < 3 and rng.random() < 0.4:
            session.waitlisted += 1
            self.status(key, A.WAITLISTED, session.decided_on, sid)
            later = session.starts_on - timedelta(days=2)
            if session.selected < session.capacity:
                session.selected += 1
                self.status(key, A.SELECTED, later, sid)
            else:
                return self.not_selected(key, sid, later)
        else:
            return self.not_selected(key, sid, session.decided_on)
        if rng.random() < 0.04:
            self.status(
                key,
                A.DROPPED_OUT,
                session.starts_on - timedelta(days=1),
                sid,
                end=self.end_reason(),
            )
            return "dropped"
        self.status(key, A.IN_PROGRESS, session.starts_on, sid)
        end = session.ends_on
        dropped_on = None
        if rng.random() < 0.12:
            span = max((end - session.starts_on).days, 1)
            dropped_on = session.starts_on + timedelta(days=rng.randint(1, span))
        stop = min(dropped_on or end, self.ctx.last)
        for workshop_day in self.p.workshop_days(session, offer):
            if workshop_day > stop:
                break
            attended = rng.random() < 0.88
            session.workshops.setdefault(workshop_day, []).append((self.plan.key, attended))
            if attended:
                self.touch(sid, workshop_day)
        self.follow_ups(sid, session.starts_on, stop, offer=offer.id)
        self.level = max(self.level, offer.stage + 1)
        self.last_sid = sid
        if dropped_on is not None:
            if not self.ok(dropped_on):
                return "ongoing"
            self.status(key, A.DROPPED_OUT, dropped_on, sid, end=self.end_reason())
            self.leave(sid, dropped_on)
            self.last_day = dropped_on
            return "dropped"
        if not self.ok(end):
            return "ongoing"
        self.status(key, A.COMPLETED, end, sid)
        self.act(sid, "review", end + timedelta(days=rng.randint(0, 7)))
        self.leave(sid, end + timedelta(days=1))
        self.last_day = end
        return "completed_high" if offer.stage >= 3 else "completed_low"

    def end_reason(self) -> dict:
        code = self.rng.choice(sorted(self.ctx.end_reasons))
        note = "Précision notée par la structure." if self.ctx.end_reasons[code][1] else ""
        return {"code": code, "note": note}

    def individual(self, offer, day, *, cae=False) -> str | None:
        sid = offer.structure_id
        met = self.reach(sid, day, offer=offer.id)
        if met is None or self.redirect_target != sid:
            return self.stay(self.redirect_target, met) if met else None
        rng = self.rng
        apply_on = met + timedelta(days=rng.randint(0, 7))
        if not self.ok(apply_on):
            return "ongoing"
        key = self.apply(offer, apply_on)
        decided = apply_on + timedelta(days=rng.randint(3, 14))
        if not self.ok(decided):
            return "ongoing"
        if rng.random() < 0.15:
            return self.not_selected(key, sid, decided)
        self.status(key, A.SELECTED, decided, sid)
        start = decided + timedelta(days=rng.randint(0, 7))
        if not self.ok(start):
            return "ongoing"
        self.status(key, A.IN_PROGRESS, start, sid)
        end = start + timedelta(days=rng.randint(60, 240))
        self.follow_ups(sid, start, end, offer=offer.id)
        self.last_sid = sid
        if cae:
            became = start + timedelta(days=rng.randint(30, 150))
            if self.ok(became):
                self.outcome(sid, became, (("cae_entrepreneur", 1),))
                self.outcome_done = True
        if not self.ok(end):
            return "ongoing"
        if rng.random() < 0.2:
            self.status(key, A.DROPPED_OUT, end, sid, end=self.end_reason())
            self.leave(sid, end)
            self.last_day = end
            return "dropped"
        self.status(key, A.COMPLETED, end, sid)
        self.leave(sid, end)
        self.last_day = end
        return "cae" if cae else "stayed"

    def stay(self, sid, met) -> str:
        """Accompanied for a while by a structure, without an application."""
        end = met + timedelta(days=self.rng.randint(30, 180))
        self.follow_ups(sid, met, end)
        self.last_sid = sid
        if not self.ok(end):
            return "ongoing"
        self.leave(sid, end)
        self.last_day = end
        return "stayed"

    def cae(self, day) -> str | None:
        caes = [s for s in self.ctx.structures if s.is_cae and s.id not in self.referred]
        if not caes:
            return None
        cae = self.rng.choice(caes)
        met = self.reach(cae.id, day)
        if met is None or self.redirect_target != cae.id:
            return self.stay(self.redirect_target, met) if met else None
        meetings = [o for o in cae.offers if o.kind == "meeting"]
        if meetings:
            meeting_day = self.p.next_meeting(meetings[0], met)
            if meeting_day is not None and self.ok(meeting_day):
                self.p.meeting(meetings[0], meeting_day).append((self.plan.key, True))
                self.touch(cae.id, meeting_day)
                met = meeting_day
        conventions = [o for o in cae.offers if o.kind == "individual" and o.selection != "none"]
        if conventions:
            return self.individual(conventions[0], met + timedelta(days=1), cae=True)
        return self.stay(cae.id, met)


class Planner:
    REASONS = (
        "Projet à l'étape correspondant à cette offre.",
        "Besoin d'un accompagnement collectif.",
        "Demande de la personne après la réunion d'information.",
        "Suite du parcours après le diagnostic.",
        "Structure proche du domicile de la personne.",
    )

    def __init__(self, ctx, *, fake, rng):
        self.ctx = ctx
        self.fake = fake
        self.rng = rng
        self.counters = {}
        self.meetings = {}  # (offer id, day) → [(person key, attended)]
        self._workshop_days = {}
        self._meeting_days = {}
        self.session_offers = [o for o in ctx.offers if o.kind == "session" and o.sessions]
        self.individual_offers = [
            o
            for o in ctx.offers
            if o.kind == "individual"
            and o.selection != "none"
            and not ctx.by_id[o.structure_id].is_cae
        ]
        weights = ctx.scale.move_weights
        total = sum(weights)
        # Cumulative bounds of a move's roll: programme, CAE, individual offer (else: referral).
        self.move_bounds = tuple(sum(weights[: i + 1]) / total for i in range(3))

    def next_key(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    # --- collective acts ------------------------------------------------------------------

    def workshop_days(self, session, offer) -> list[date]:
        days = self._workshop_days.get(session.id)
        if days is None:
            span = max((session.ends_on - session.starts_on).days, 0)
            count = max(1, min(24, round(span / 30 * self.ctx.scale.workshops_per_month)))
            step = span / count if count else 0
            days = sorted(
                {session.starts_on + timedelta(days=round(i * step)) for i in range(count)}
            )
            self._workshop_days[session.id] = days
        return days

    def next_meeting(self, offer, day) -> date | None:
        every = self.ctx.scale.info_meetings_every
        first = self.ctx.start + timedelta(days=(1 - self.ctx.start.weekday()) % 7)  # Tuesdays
        if day < first:
            return first
        steps = -(-(day - first).days // every)
        return first + timedelta(days=steps * every)

    def meeting(self, offer, day) -> list:
        return self.meetings.setdefault((offer.id, day), [])

    def collective_acts(self):
        """Workshops, admission committees and information meetings, with their attendance."""
        ctx = self.ctx
        for offer in self.session_offers:
            sid = offer.structure_id
            for session in offer.sessions:
                if session.committee and session.decided_on <= ctx.last:
                    yield self._collective(
                        sid,
                        offer.id,
                        session.id,
                        "admission_committee",
                        session.decided_on,
                        [(k, True) for k in session.committee],
                        "Comité d'admission",
                    )
                for day in sorted(session.workshops):
                    yield self._collective(
                        sid,
                        offer.id,
                        session.id,
                        "collective_workshop",
                        day,
                        session.workshops[day],
                        "Atelier collectif",
                    )
        for offer_id, day in sorted(self.meetings):
            offer = ctx.offer_by_id[offer_id]
            yield self._collective(
                offer.structure_id,
                offer_id,
                None,
                "information_meeting",
                day,
                self.meetings[(offer_id, day)],
                "Réunion d'information",
            )

    def _collective(self, sid, offer, session, code, day, participants, title):
        info = self.ctx.by_id[sid]
        return {
            "structure": sid,
            "user": self.rng.choice(info.staff),
            "type": code,
            "day": day,
            "minutes": ACT_MINUTES[code],
            "offer": offer,
            "session": session,
            "title": title,
            "participants": participants,
        }

    # --- persons --------------------------------------------------------------------------

    def arrivals(self) -> list[date]:
        ctx = self.ctx
        rng = self.rng
        span = (ctx.last - ctx.start).days - 2
        days = []
        while len(days) < ctx.scale.persons - ctx.scale.fresh_pending - ctx.scale.fresh_sent:
            day = ctx.start + timedelta(days=rng.randint(0, span))
            if rng.random() * 1.3 < MONTH_WEIGHT.get(day.month, 1.0):
                days.append(day)
        days.sort()
        return days

    def person_fields(self) -> dict:
        rng = self.rng
        fake = self.fake
        gender = weighted(rng, GENDERS)
        first = fake.first_name_female() if gender == "female" else fake.first_name_male()
        last = fake.last_name()
        age = rng.choice(
            (rng.randint(20, 30), rng.randint(26, 45), rng.randint(26, 45), rng.randint(40, 62))
        )
        birth = self.ctx.today - timedelta(days=365 * age + rng.randint(0, 364))
        postal = rng.choice(POSTAL_CODES)
        fields = {
            "first_name": first,
            "last_name": last,
            "birth_date": birth,
            "gender": gender,
            "email": (
                f"{ascii_slug(first)}.{ascii_slug(last)}{rng.randint(1, 99)}@exemple.test"
                if rng.random() < 0.8
                else ""
            ),
            "phone": (
                f"0{rng.choice('67')} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
                if rng.random() < 0.7
                else ""
            ),
            "postal_code": postal,
            "situation": self.ctx.situations.get(weighted(rng, SITUATIONS)),
            "priority_neighbourhood": rng.random() < (0.6 if postal in PRIORITY_POSTAL else 0.08),
        }
        return fields

    def persons(self):
        ctx = self.ctx
        rng = self.rng
        weights = [(s.id, s.weight) for s in ctx.structures]
        plans = [(day, None) for day in self.arrivals()]
        for _ in range(ctx.scale.fresh_pending):
            plans.append((ctx.last - timedelta(days=rng.randint(6, 20)), "pending"))
        for _ in range(ctx.scale.fresh_sent):
            plans.append((ctx.last - timedelta(days=rng.randint(8, 25)), "sent"))
        for index, (arrival, fresh) in enumerate(plans, start=1):
            entry = ctx.fresh_from if fresh else weighted(rng, weights)
            yield self.plan_person(index, arrival, entry, fresh)

    def plan_person(self, key, arrival, entry, fresh) -> PersonPlan:
        ctx = self.ctx
        rng = self.rng
        info = ctx.by_id[entry]
        creator = (
            rng.choice(info.referents)
            if info.referents and rng.random() < 0.6
            else rng.choice(info.staff)
        )
        referent = rng.choice(info.referents) if info.referents and rng.random() < 0.6 else creator
        created_at = ctx.at(arrival, 9, rng.randint(0, 59))
        plan = PersonPlan(key, self.person_fields(), entry, creator, referent, created_at)
        journey = Journey(self, plan, arrival)
        journey.clock = created_at
        journey.touch(entry, arrival, activity=False)
        journey.outcome_done = False
        # Consents: most people agree to share within the network; a few withdraw later.
        if rng.random() < 0.82:
            at = journey.when(arrival, 9)
            journey.shares_from = at
            journey.emit(
                at,
                "consent",
                key=self.next_key("consent"),
                scope="network_sharing",
                method=rng.choice(("written", "oral", "online")),
                structure=entry,
                user=creator,
            )
            if rng.random() < 0.05:
                withdrawn = arrival + timedelta(days=rng.randint(20, 400))
                if withdrawn <= ctx.last:
                    journey.shares_until = ctx.at(withdrawn, 7, 30)
                    plan.events.append(
                        (
                            journey.shares_until,
                            "withdraw",
                            {"scope": "network_sharing", "user": creator},
                        )
                    )
        if rng.random() < 0.6:
            journey.emit(
                journey.when(arrival, 9),
                "consent",
                key=self.next_key("consent"),
                scope="statistics",
                method="written",
                structure=entry,
                user=creator,
            )
        if rng.random() < 0.6:
            sector = rng.choice(sorted(ctx.sectors))
            city = "Marseille" if ctx.scale.name == "demo" else self.fake.city()
            journey.project = self.next_key("project")
            journey.emit(
                journey.when(arrival, 10),
                "project",
                key=journey.project,
                title=f"{rng.choice(PROJECT_NOUNS.get(sector, PROJECT_NOUNS['other']))} à {city}",
                kind="collective" if rng.random() < 0.2 else "individual",
                sector=ctx.sectors[sector],
                legal_form=ctx.legal_form_ids.get(weighted(rng, LEGAL_FORMS)),
                structure=entry,
                user=creator,
            )
        journey.act(entry, "reception", arrival)
        meetings = [o for o in info.offers if o.kind == "meeting"]
        if meetings and rng.random() < 0.5:
            meeting_day = self.next_meeting(meetings[0], arrival)
            if meeting_day is not None and meeting_day <= ctx.last:
                self.meeting(meetings[0], meeting_day).append((key, True))
                journey.touch(entry, meeting_day)
        if rng.random() < 0.5:
            journey.act(entry, "individual_interview", arrival + timedelta(days=rng.randint(3, 15)))
        if rng.random() < 0.3:
            journey.act(entry, "diagnostic", arrival + timedelta(days=rng.randint(10, 30)))
        if fresh:
            self.plan_fresh(journey, fresh)
        else:
            self.plan_moves(journey, arrival)
        plan.events.sort(key=lambda e: e[0])
        if journey.project is not None and ctx.stage_ids:
            # The project ends where the journey got to (no draw: the rest stays the same).
            stage = ctx.stage_ids[min(journey.level, len(ctx.stage_ids)) - 1]
            at = plan.events[-1][0] + MINUTE
            journey.emit(at, "project_stage", key=journey.project, stage=stage, user=creator)
        plan.last_activity = journey.activity
        return plan

    def plan_fresh(self, journey, fresh) -> None:
        ctx = self.ctx
        rng = self.rng
        sender = ctx.by_id[ctx.fresh_from]
        user = rng.choice(sender.referents or sender.staff)
        if fresh == "pending":
            day = ctx.last - timedelta(days=rng.randint(0, 6))
            key = journey.refer(ctx.fresh_to, day, user=user)
            if key is not None:
                journey.answer(key, ctx.fresh_to, day, force="pending")
            return
        day = ctx.last - timedelta(days=rng.randint(2, 7))
        target = journey.other_structure(ctx.fresh_from, ctx.fresh_to)
        key = journey.refer(target, day, user=user) if target is not None else None
        if key is not None and rng.random() < 0.5:
            answered = day + timedelta(days=1)
            if answered <= ctx.last:
                journey.emit(
                    journey.when(answered, 15), "accept", key=key, user=journey.user(target)
                )

    def plan_moves(self, journey, arrival) -> None:
        ctx = self.ctx
        rng = self.rng
        day = arrival + timedelta(days=rng.randint(7, 40))
        result = None
        wanderer = rng.random() < 0.04
        for move in range(rng.choice(ctx.scale.moves)):
            if day > ctx.last:
                break
            if wanderer and move == 0:
                first = journey.other_structure(journey.plan.entry)
                if first is not None and journey.reach(first, day, force="decline") is None:
                    day += timedelta(days=rng.randint(10, 25))
                second = journey.other_structure(journey.plan.entry)
                met = journey.reach(second, day, force="redirect") if second is not None else None
                result = journey.stay(journey.last_sid, met) if met else None
            else:
                roll = rng.random()
                seen = journey.plan.seen
                programmes = [o for o in self.session_offers if o.stage >= journey.level - 1]
                programmes = programmes or self.session_offers
                individuals = self.individual_offers
                if rng.random() < ctx.scale.known_first:
                    # Often the next door is in a structure that already knows the person.
                    programmes = [o for o in programmes if o.structure_id in seen] or programmes
                    individuals = [o for o in individuals if o.structure_id in seen] or individuals
                to_programme, to_cae, to_individual = self.move_bounds
                if roll < to_programme and programmes:
                    result = journey.programme(rng.choice(programmes), day)
                elif roll < to_cae:
                    result = journey.cae(day)
                elif roll < to_individual and individuals:
                    result = journey.individual(rng.choice(individuals), day)
                else:
                    target = journey.other_structure(journey.plan.entry)
                    met = journey.reach(target, day) if target is not None else None
                    result = journey.stay(journey.last_sid, met) if met else None
            if result is None:
                # Nothing opened: the structure that knows the person keeps following them.
                result = (
                    journey.stay(journey.last_sid, day)
                    if journey.last_sid in journey.plan.seen
                    else None
                )
            if result in ("ongoing",):
                break
            day = max(journey.last_day, journey.clock.date(), day) + timedelta(
                days=rng.randint(10, 60)
            )
        if result in (None, "ongoing") or journey.outcome_done:
            return
        table = {
            "completed_high": COMPLETED_HIGH,
            "completed_low": COMPLETED_LOW,
            "dropped": DROPPED,
            "cae": None,
        }.get(result, STAYED)
        if table and rng.random() < 0.9:
            journey.outcome(
                journey.last_sid, journey.last_day + timedelta(days=rng.randint(5, 60)), table
            )
