"""Fictional pathway data for demos and benchmarks: `manage.py generate --scale … --seed …`.

Three steps, in three modules:
- here: the scales, the network the data live in (structures, offers, past seasonal sessions and
  a few advisors per structure, created when missing) and the reference data, read in a fixed
  order (slugs, codes, e-mails: never database ids) so that a seed always gives the same data;
- `generator_plan`: the journeys, planned in plain Python from `random.Random(seed)` and a seeded
  `Faker("fr_FR")`, relative to a reference day (`today`): arrivals, consents, referrals and
  their answers, applications to sessions (about 10 places for 15 to 20 applicants), acts,
  workshops with attendance, outcomes;
- two ways of writing the plan: `generator_services` calls the pathways services (the demo and
  small scales: every rule is checked on the way), `generator_bulk` writes rows in batches
  (PostgreSQL COPY when available) keeping the same invariants (the regional scale).

Everyone in the data is fictional (Faker names, e-mails at exemple.test).
"""

import json
import logging
import random
import sys
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

GENERATED_DOMAIN = "generated.maillage.test"
DEMO_NETWORK_SLUG = "ramsess-13"
PATHWAY_FILE = Path(__file__).parents[1] / "directory" / "demo" / "pathway.json"


@dataclass(frozen=True)
class Scale:
    """How much to generate. `bulk` picks the writer: services (checked) or rows (fast)."""

    name: str
    persons: int
    years: float
    structures: int = 0  # at least this many structures in the network (created if missing)
    offers: int = 0  # at least this many offers
    advisors_per_structure: int = 2
    bulk: bool = False
    # Journeys: how many moves a person makes, and how dense the individual follow-ups are.
    moves: tuple[int, ...] = (1, 1, 2, 2, 3)
    follow_up_days: int = 21  # an individual follow-up every … days while accompanied
    max_follow_ups: int = 4  # per stay in a structure
    workshops_per_month: float = 2.0
    info_meetings_every: int = 14  # days between collective information meetings
    # Seasonal sessions: parallel groups per start (a week apart), each with its places.
    session_groups: int = 1
    # What a person's next move is, as weights: (a programme with sessions, a CAE, an
    # individual offer with an application, another structure without an application) …
    move_weights: tuple[float, ...] = (0.45, 0.08, 0.37, 0.10)
    # … and how often it is sought first in a structure that already knows the person.
    known_first: float = 0.7
    # Demo liveliness: recent referrals still waiting for an answer, recent ones sent.
    fresh_pending: int = 0
    fresh_sent: int = 0
    chunk: int = 2000  # persons planned and written at a time (bulk)
    # Networks the persons, structures and offers are spread over (national: twenty networks,
    # each planned on its own from the seed and its number).
    networks: int = 1


SCALES = {
    "tiny": Scale(
        name="tiny", persons=40, years=1, structures=3, offers=6, advisors_per_structure=1
    ),
    "demo": Scale(
        name="demo",
        persons=300,
        years=2,
        advisors_per_structure=2,
        follow_up_days=30,
        max_follow_ups=2,
        workshops_per_month=1.0,
        fresh_pending=5,
        fresh_sent=4,
    ),
    "regional": Scale(
        name="regional",
        persons=50_000,
        years=5,
        structures=50,
        offers=200,
        advisors_per_structure=3,
        bulk=True,
        moves=(2, 3, 3, 3, 4, 4),
        follow_up_days=13,
        max_follow_ups=12,
        workshops_per_month=6.0,
        info_meetings_every=7,
        # Tuned to the volumes (about 100,000 applications and 80,000 referrals for
        # 50,000 persons, a million acts, 40,000 outcomes) with 15 to 20 applicants a session.
        session_groups=2,
        move_weights=(0.55, 0.08, 0.30, 0.07),
        known_first=0.9,
    ),
}
# The national federation: twenty regional-sized networks (2,000 structures, 1,000,000 persons,
# about 20,000,000 acts over five years), written and resumable network by network.
SCALES["national"] = replace(
    SCALES["regional"],
    name="national",
    persons=1_000_000,
    structures=2_000,
    offers=8_000,
    networks=20,
)


def progress(message: str) -> None:
    """Phase names and counts, on stderr (stdout stays for results)."""
    print(f"[generate] {message}", file=sys.stderr, flush=True)


class ProgressBar:
    """A bar on stderr for long runs: persons written out of the total, time and time left.

    On a terminal the bar is redrawn in place; in a log (stderr is not a terminal) a line is
    written at most every ten seconds, so that a long run's log stays readable.
    """

    def __init__(self, total: int, *, label: str = "", done: int = 0):
        import time

        self.clock = time.monotonic
        self.total = total
        self.label = label
        self.base = done  # persons written before this part (earlier networks)
        self.started = self.clock()
        self.first = done  # persons counted as done without being written by this run
        self.last_line = 0.0
        self.tty = sys.stderr.isatty()

    def show(self, count: int, detail: str = "") -> None:
        done = self.base + count
        now = self.clock()
        if not self.tty and now - self.last_line < 10 and done < self.total:
            return
        self.last_line = now
        share = done / self.total if self.total else 1
        filled = round(24 * share)
        elapsed = now - self.started
        rate = (done - self.first) / elapsed if elapsed > 0 else 0
        left = (
            f"about {(self.total - done) / rate / 60:.0f} min left"
            if rate
            else "time left unknown yet"
        )
        line = (
            f"[generate] {self.label} |{'#' * filled}{'.' * (24 - filled)}| {share:4.0%} "
            f"{done:,}/{self.total:,} persons, {detail}, {elapsed / 60:.1f} min, {left}"
        )
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr)
        sys.stderr.flush()

    def skipped(self, persons: int) -> None:
        """Persons written by an earlier, interrupted run: done, but not in this run's rate."""
        self.first += persons

    def part(self, label: str, done: int) -> None:
        """The next part (a network) starts with `done` persons already written."""
        if self.tty:
            print(file=sys.stderr)
        self.label = label
        self.base = done


# --- Reference data, read in a fixed order --------------------------------------------------


@dataclass
class SessionInfo:
    id: int
    offer_id: int
    starts_on: date
    ends_on: date
    deadline: date
    decided_on: date
    capacity: int
    target: int  # applicants wanted (capacity x 1.5 to 2)
    applicants: int = 0
    selected: int = 0
    waitlisted: int = 0
    workshop_days: list = field(default_factory=list)
    # (person key, attended) per collective act, filled while planning.
    workshops: dict = field(default_factory=dict)
    committee: list = field(default_factory=list)


@dataclass
class OfferInfo:
    id: int
    slug: str
    structure_id: int
    kind: str  # "session", "individual" (application without session), "meeting" (collective)
    selection: str
    stage: int
    duration_days: int
    sessions: list = field(default_factory=list)


@dataclass
class StructureInfo:
    id: int
    slug: str
    name: str
    is_cae: bool
    weight: float
    staff: list  # user ids, acting users
    referents: list  # user ids preferred as referents (the demo advisors)
    offers: list = field(default_factory=list)


@dataclass
class Context:
    """Everything the planner needs, as plain values."""

    scale: Scale
    seed: int
    today: date
    start: date
    last: date  # the last day anything happens on: the day before the reference day
    tz: ZoneInfo
    network_id: int
    structures: list  # StructureInfo, sorted by slug
    offers: list  # OfferInfo, sorted by (structure slug, slug)
    act_types: dict  # code → (id, is_collective)
    outcome_types: dict  # code → id
    decline_reasons: dict  # code → (id, requires_note)
    no_next_step_reasons: dict
    end_reasons: dict
    situations: dict  # code → id
    sectors: dict
    legal_forms: dict  # code → code (LegalForm's primary key is its id; see below)
    legal_form_ids: dict  # code → id
    stage_ids: list
    by_id: dict = field(default_factory=dict)  # structure id → StructureInfo
    offer_by_id: dict = field(default_factory=dict)
    fresh_from: int | None = None  # structure ids for the demo's fresh referrals
    fresh_to: int | None = None

    def at(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)


def reference_day(value: date | None) -> date:
    real = timezone.localdate()
    if value is None:
        return real
    if value > real:
        raise ValueError("The reference day cannot be in the future.")
    return value


# --- The network: structures, offers, sessions, advisors -------------------------------------

OFFER_TEMPLATES = (
    # (slug, title, format, selection, capacity, weeks, stage slug, sessions a year)
    ("accueil", "Accueil et orientation", "individual-follow-up", "none", None, None, "accueil", 0),
    ("reunion", "Réunion d'information", "information-meeting", "none", 20, None, "accueil", 0),
    ("emergence", "Cycle émergence", "collective-cycle", "interview", 12, 5, "emergence", 4),
    (
        "faisabilite",
        "Parcours faisabilité",
        "collective-cycle",
        "committee",
        10,
        12,
        "faisabilite",
        3,
    ),
    (
        "suivi",
        "Accompagnement individuel",
        "individual-follow-up",
        "interview",
        None,
        None,
        "faisabilite",
        0,
    ),
    ("couveuse", "Test d'activité en couveuse", "legal-hosting", "committee", 15, 26, "test", 2),
    ("creation", "Atelier création", "workshop", "application", 10, 3, "creation", 4),
    (
        "gouvernance",
        "Dynamiques de gouvernance",
        "workshop",
        "application",
        10,
        3,
        "consolidation",
        3,
    ),
)
CAE_TEMPLATES = (
    (
        "reunion-cae",
        "Réunion d'information CAE",
        "information-meeting",
        "none",
        20,
        None,
        "test",
        0,
    ),
    (
        "convention-cae",
        "Convention d'entrepreneur·e-salarié·e",
        "legal-hosting",
        "interview",
        None,
        None,
        "test",
        0,
    ),
)
SESSION_MONTHS = {1: (9,), 2: (2, 9), 3: (1, 4, 10), 4: (1, 3, 6, 10), 5: (1, 3, 5, 9, 11)}
STRUCTURE_WORDS = (
    "Coopérative",
    "Pépinière",
    "Maison de l'initiative",
    "Atelier",
    "Boutique de gestion",
    "Réseau",
    "Fabrique",
    "Collectif",
    "Incubateur",
    "Comptoir",
)


def _session_dates(rng, *, offer_days: int, per_year: int, start: date, today: date):
    """Seasonal starts (no August): the given months of every year of the period, past only."""
    months = SESSION_MONTHS.get(per_year, (1, 4, 10))
    for year in range(start.year, today.year + 1):
        for month in months:
            first = date(year, month, 1)
            monday = first + timedelta(days=(7 - first.weekday()) % 7 + 7 * rng.randint(0, 2))
            if monday < start + timedelta(days=100) or monday >= today:
                continue
            yield monday, monday + timedelta(days=max(offer_days - 1, 0))


def ensure_network(*, scale: Scale, network_slug: str | None, rng, fake, today: date, start: date):
    """The network to fill: the one named, the demo's, or one of the generator's own."""
    from maillage.directory import services as directory
    from maillage.directory.models import Network

    slug = network_slug or (DEMO_NETWORK_SLUG if scale.name == "demo" else f"genere-{scale.name}")
    network = Network.objects.filter(slug=slug).first()
    if network is None:
        if scale.name == "demo" and not network_slug:
            raise ValueError("The demo network is missing: run `manage.py loaddemo` first.")
        network = directory.upsert_network(
            slug=slug,
            name=f"Réseau généré ({scale.name})",
            description="Réseau fictif créé par le générateur de données.",
        )
    stages = _ensure_stages(network)
    structures = sorted(network.structures.all(), key=lambda s: s.slug)
    missing = max(scale.structures - len(structures), 0)
    if missing:
        progress(f"network {slug}: creating {missing} structures")
    for index in range(len(structures), len(structures) + missing):
        is_cae = index % 8 == 1
        word = "Coopérative d'activité" if is_cae else STRUCTURE_WORDS[index % len(STRUCTURE_WORDS)]
        city = fake.city()
        structures.append(
            directory.upsert_structure(
                slug=f"{slug}-{index + 1:02d}",
                name=f"{word} {city} {index + 1}",
                legal_form="cae" if is_cae else ("scic" if index % 5 == 4 else "association"),
                postal_code=f"13{rng.randint(0, 99):03d}",
                city=city,
                summary="Structure fictive du générateur.",
                networks=[network],
            )
        )
    _ensure_offers(scale=scale, structures=structures, stages=stages, rng=rng)
    return network


def _ensure_stages(network) -> dict:
    from maillage.directory import services as directory
    from maillage.directory.models import Stage

    stages = {s.slug: s for s in Stage.objects.filter(network=network)}
    if stages:
        return stages
    data = json.loads(PATHWAY_FILE.read_text(encoding="utf-8"))
    for position, item in enumerate(data["stages"], start=1):
        stages[item["slug"]] = directory.upsert_stage(
            network=network,
            slug=item["slug"],
            position=position,
            name=item["name"],
            summary=item["summary"],
            questions=item["questions"],
            di_thematiques=item["di_thematiques"],
        )
    return stages


def _ensure_offers(*, scale, structures, stages, rng) -> None:
    from maillage.directory import services as directory
    from maillage.directory.models import Offer, OfferFormat

    existing = Offer.objects.filter(structure__in=structures).count()
    missing = max(scale.offers - existing, 0)
    if not missing:
        return
    progress(f"creating {missing} offers")
    formats = {f.code: f for f in OfferFormat.objects.all()}
    created = 0
    round_ = 0
    while created < missing:
        for index, structure in enumerate(structures):
            if created >= missing:
                break
            templates = CAE_TEMPLATES if structure.legal_form_id == "cae" else OFFER_TEMPLATES
            template = templates[(index + round_) % len(templates)]
            slug, title, fmt, selection, capacity, weeks, stage, _per_year = template
            if Offer.objects.filter(structure=structure, slug=slug).exists():
                slug = f"{slug}-{round_ + 1}"
            directory.upsert_offer(
                structure=structure,
                slug=slug,
                title=title,
                summary=f"{title} (offre fictive du générateur).",
                format=formats[fmt],
                selection_mode=selection,
                capacity=capacity,
                duration_weeks=weeks,
                stages=[stages[stage]],
            )
            created += 1
        round_ += 1


def _offer_kind(offer) -> str:
    if offer.format_id and offer.format.code == "information-meeting":
        return "meeting"
    if offer.selection_mode == "none":
        return "individual"
    if offer.capacity and offer.format.code in ("collective-cycle", "legal-hosting", "workshop"):
        return "session"
    return "individual"


def _offer_days(offer) -> int:
    if offer.duration_weeks:
        return offer.duration_weeks * 7
    return {"collective-cycle": 60, "legal-hosting": 180, "workshop": 15}.get(offer.format.code, 30)


def ensure_sessions(*, offers, rng, start: date, today: date, bulk: bool, groups: int = 1) -> None:
    """Past seasonal sessions for the offers with sessions, when the period has none yet."""
    from maillage.directory import services as directory
    from maillage.directory.models import OfferSession

    new = []
    for offer in offers:
        if _offer_kind(offer) != "session":
            continue
        if OfferSession.objects.filter(
            offer=offer, starts_on__gte=start, starts_on__lt=today
        ).exists():
            continue
        days = _offer_days(offer)
        per_year = 2 if days >= 80 else (3 if days >= 40 else 4)
        for first_start, first_end in _session_dates(
            rng, offer_days=days, per_year=per_year, start=start, today=today
        ):
            for group in range(groups):
                starts_on = first_start + timedelta(days=7 * group)
                if starts_on >= today:
                    break
                session = OfferSession(
                    offer=offer,
                    starts_on=starts_on,
                    ends_on=first_end + timedelta(days=7 * group),
                    place=f"{offer.structure.name}",
                    capacity=offer.capacity,
                    application_deadline=starts_on - timedelta(days=rng.randint(8, 15)),
                )
                if bulk:
                    new.append(session)
                else:
                    directory.save_session(session=session)
    if new:
        OfferSession.objects.bulk_create(new, batch_size=1000)
    progress(f"sessions ready ({len(new)} created in bulk)" if bulk else "sessions ready")


def ensure_staff(*, structures, per_structure: int, fake) -> dict:
    """A few advisors per structure (unusable passwords), plus the demo advisors if present."""
    from maillage.accounts import services as accounts
    from maillage.accounts.models import StructureMembership, StructureRole, User

    staff = {}
    for structure in structures:
        users = []
        for number in range(1, per_structure + 1):
            email = f"conseil{number}.{structure.slug}@{GENERATED_DOMAIN}"
            name = fake.name()
            user = User.objects.filter(email=email).first()
            if user is None:
                user = accounts.create_or_update_user(email=email, full_name=name)
                accounts.set_structure_role(
                    user=user, structure=structure, role=StructureRole.ADVISOR
                )
            users.append(user)
        others = (
            StructureMembership.objects.filter(structure=structure, user__is_active=True)
            .exclude(user__email__endswith=f"@{GENERATED_DOMAIN}")
            .select_related("user")
            .order_by("user__email")
        )
        demo_users = [m.user for m in others if m.user.email.startswith("conseil.")]
        staff[structure.pk] = (users, demo_users)
    return staff


def build_context(*, scale: Scale, seed: int, today: date, network_slug: str | None) -> tuple:
    """The network ready, and the plain-value context of the planner. Returns (ctx, fake, users)."""
    from faker import Faker

    from maillage.directory.models import LegalForm, Offer, OfferSession, Stage
    from maillage.pathways import models as m

    rng = random.Random(f"{seed}-network")  # noqa: S311 - fictional data, not secrets
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    start = today - timedelta(days=round(365 * scale.years))
    network = ensure_network(
        scale=scale, network_slug=network_slug, rng=rng, fake=fake, today=today, start=start
    )
    structures = sorted(network.structures.all(), key=lambda s: s.slug)
    offers = sorted(
        Offer.objects.filter(structure__in=structures).select_related("format", "structure"),
        key=lambda o: (o.structure.slug, o.slug),
    )
    ensure_sessions(
        offers=offers,
        rng=rng,
        start=start,
        today=today,
        bulk=scale.bulk,
        groups=scale.session_groups,
    )
    staff = ensure_staff(
        structures=structures, per_structure=scale.advisors_per_structure, fake=fake
    )
    users = {}
    stage_position = {
        s.pk: s.position for s in Stage.objects.filter(network=network).order_by("position")
    }
    offer_stages = {}
    for offer in offers:
        positions = [stage_position.get(pk) for pk in offer.stages.values_list("pk", flat=True)]
        offer_stages[offer.pk] = min([p for p in positions if p] or [1])
    infos = []
    for structure in structures:
        generated, demo_users = staff[structure.pk]
        for user in [*generated, *demo_users]:
            users[user.pk] = user
        weight = 1.0
        if structure.slug in ("intermade", "apeas"):
            weight = 4.0
        elif structure.legal_form_id == "cae":
            weight = 1.5
        infos.append(
            StructureInfo(
                id=structure.pk,
                slug=structure.slug,
                name=structure.name,
                is_cae=structure.legal_form_id == "cae",
                weight=weight,
                staff=[u.pk for u in [*demo_users, *generated]],
                referents=[u.pk for u in demo_users],
            )
        )
    by_id = {info.id: info for info in infos}
    offer_infos = []
    # The same whether the network was created by this run or not.
    rng = random.Random(f"{seed}-sessions")  # noqa: S311 - fictional data, not secrets
    sessions = OfferSession.objects.filter(
        offer__in=offers, starts_on__gte=start, starts_on__lt=today
    ).order_by("starts_on", "ends_on")
    sessions_by_offer = {}
    for session in sessions:
        sessions_by_offer.setdefault(session.offer_id, []).append(session)
    for offer in offers:
        info = OfferInfo(
            id=offer.pk,
            slug=offer.slug,
            structure_id=offer.structure_id,
            kind=_offer_kind(offer),
            selection=offer.selection_mode,
            stage=offer_stages[offer.pk],
            duration_days=_offer_days(offer),
        )
        for session in sessions_by_offer.get(offer.pk, []) if info.kind == "session" else []:
            capacity = session.capacity or offer.capacity or 10
            deadline = session.application_deadline or session.starts_on - timedelta(days=10)
            info.sessions.append(
                SessionInfo(
                    id=session.pk,
                    offer_id=offer.pk,
                    starts_on=session.starts_on,
                    ends_on=session.ends_on,
                    deadline=deadline,
                    decided_on=min(deadline + timedelta(days=rng.randint(2, 5)), session.starts_on),
                    capacity=capacity,
                    target=max(capacity + 2, round(capacity * rng.uniform(1.5, 2.0))),
                )
            )
        offer_infos.append(info)
        by_id[offer.structure_id].offers.append(info)

    def codes(model, extra=None):
        rows = model.objects.filter(is_active=True).order_by("code")
        return {r.code: (r.pk, *(getattr(r, e) for e in extra)) if extra else r.pk for r in rows}

    slugs = {s.pk: s.slug for s in structures}
    ctx = Context(
        scale=scale,
        seed=seed,
        today=today,
        start=start,
        last=today - timedelta(days=1),
        tz=ZoneInfo(settings.TIME_ZONE),
        network_id=network.pk,
        structures=infos,
        offers=offer_infos,
        act_types=codes(m.ActType, ["is_collective"]),
        outcome_types=codes(m.OutcomeType),
        decline_reasons=codes(m.DeclineReason, ["requires_note"]),
        no_next_step_reasons=codes(m.NoNextStepReason, ["requires_note"]),
        end_reasons=codes(m.EndReason, ["requires_note"]),
        situations=codes(m.Situation),
        sectors=codes(m.Sector),
        legal_forms={lf.code: lf.code for lf in LegalForm.objects.order_by("code")},
        legal_form_ids={lf.code: lf.pk for lf in LegalForm.objects.order_by("code")},
        stage_ids=list(stage_position),
        by_id=by_id,
        offer_by_id={o.id: o for o in offer_infos},
    )
    by_slug = {slugs[s.id]: s.id for s in infos}
    ctx.fresh_from = by_slug.get("intermade", infos[0].id)
    ctx.fresh_to = by_slug.get("apeas", infos[min(1, len(infos) - 1)].id)
    return ctx, fake, users


def generate(
    *,
    scale: Scale | str,
    seed: int,
    today: date | None = None,
    network_slug: str | None = None,
    **overrides,
) -> dict:
    """Generate the scale's people and their pathways; returns the counts written.

    A bulk scale (regional, national) is written network by network, each in batches that commit
    with their progress (`GenerationProgress`): the same command run again after an interruption
    resumes where it stopped, and a finished network is not written twice.
    """
    if isinstance(scale, str):
        scale = SCALES[scale]
    if overrides:
        scale = replace(scale, **overrides)
    today = reference_day(today)
    progress(f"scale {scale.name}: {scale.persons} persons over {scale.years} years, seed {seed}")
    if not scale.bulk:
        return _generate_one(scale=scale, seed=seed, today=today, network_slug=network_slug)
    if scale.networks > 1 and network_slug:
        raise ValueError(f"The {scale.name} scale fills networks of its own: drop --network.")
    parts = scale.networks
    part = replace(
        scale,
        persons=scale.persons // parts,
        structures=scale.structures // parts,
        offers=scale.offers // parts,
        networks=1,
    )
    bar = ProgressBar(scale.persons)
    totals: dict = {}
    for number in range(1, parts + 1):
        if parts == 1:
            slug, part_seed = network_slug or f"genere-{scale.name}", seed
        else:
            slug, part_seed = f"genere-{scale.name}-{number:02d}", seed * 1000 + number
        bar.part(f"{slug} ({number}/{parts})", (number - 1) * part.persons)
        counts = _generate_one(
            scale=part, seed=part_seed, today=today, network_slug=slug, bar=bar, label=scale.name
        )
        for name, value in counts.items():
            totals[name] = totals.get(name, 0) + value
    progress("done: " + ", ".join(f"{k} {v}" for k, v in totals.items()))
    return totals


def _generate_one(
    *, scale: Scale, seed: int, today: date, network_slug, bar=None, label=None
) -> dict:
    """One network: planned from its seed, written through the services or in bulk."""
    from django.db import transaction
    from faker import Faker

    from .generator_plan import Planner
    from .models import GenerationProgress

    record = None
    if scale.bulk:
        record, _created = GenerationProgress.objects.get_or_create(
            network_slug=network_slug or f"genere-{scale.name}",
            scale=label or scale.name,
            seed=seed,
            today=today,
            persons=scale.persons,
        )
        if record.finished_at is not None:
            progress(f"{record.network_slug}: already generated, nothing to do")
            if bar is not None:
                bar.skipped(scale.persons)
            return record.counts
    tasks_log = logging.getLogger("django_tasks")
    level = tasks_log.level
    # The services queue an e-mail task per notification, run at commit: they find nothing to
    # send (see quiet_notifications) and their log would drown the progress lines.
    tasks_log.setLevel(logging.WARNING)
    with transaction.atomic():
        ctx, _fake, users = build_context(
            scale=scale, seed=seed, today=today, network_slug=network_slug
        )
        people = Faker("fr_FR")
        people.seed_instance(seed)
        rng = random.Random(seed)  # noqa: S311 - fictional data, not secrets
        planner = Planner(ctx, fake=people, rng=rng)
        if not scale.bulk:
            from .generator_services import ServicesWriter

            counts = ServicesWriter(ctx, users).write(planner)
        transaction.on_commit(lambda: tasks_log.setLevel(level))
    if scale.bulk:
        from .generator_bulk import BulkWriter

        # Each batch commits on its own with the run's progress (bounded memory, resumable).
        counts = BulkWriter(ctx, record=record, bar=bar).write(planner)
        record.counts = counts
        record.finished_at = timezone.now()
        record.save(update_fields=["counts", "finished_at"])
    if bar is None:
        progress("done: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return counts
