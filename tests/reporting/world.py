"""A small network with a seeded, random history around the periods of the report tests.

The report tests look at 2025 (and 2024 for the comparison). Rows are spread from 2023 to early
2026, plus rows placed on purpose on the boundaries (first and last day of each period, the day
after, referrals sent at 23:30 and 00:15 local time), a merged duplicate with rows of its own,
an anonymised person, people with and without a commune, a wanderer and someone who moved on.
Rows are written directly (bulk), not through the services: the tests compare two readings of
the same tables, not the services' rules.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from maillage.directory.models import OfferSession, Territory, TerritoryKind
from maillage.pathways.models import (
    Accompaniment,
    Act,
    ActParticipant,
    ActType,
    Application,
    ApplicationStatus,
    ApplicationTransition,
    DeclineReason,
    Gender,
    NoNextStepReason,
    Outcome,
    OutcomeType,
    Person,
    Referral,
    ReferralOrigin,
    ReferralStatus,
    Situation,
)
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    OfferFactory,
    StageFactory,
    StructureFactory,
    StructureMembershipFactory,
    TerritoryFactory,
)

START = date(2023, 1, 1)
END = date(2026, 3, 31)
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))
BOUNDARY_DAYS = (
    date(2024, 1, 1),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 12, 31),
    date(2026, 1, 1),
    date(2023, 12, 31),
)


@dataclass
class World:
    network: object = None
    stages: list = field(default_factory=list)
    structures: list = field(default_factory=list)  # the network's, in name order
    outside: object = None  # a structure outside the network
    offers: dict = field(default_factory=dict)
    territories: dict = field(default_factory=dict)
    persons: list = field(default_factory=list)
    coordinator: object = None
    funder: object = None
    admins: dict = field(default_factory=dict)  # structure slug → its administrator


def local(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def build_world(seed: int = 7, persons: int = 70) -> World:
    rng = random.Random(seed)
    w = World()
    w.network = NetworkFactory(name="Réseau des rapports", slug="reseau-rapports")
    w.stages = [
        StageFactory(network=w.network, position=i, name=name, slug=slug)
        for i, (name, slug) in enumerate(
            [
                ("Accueil", "accueil"),
                ("Émergence", "emergence"),
                ("Faisabilité", "faisabilite"),
                ("Test d'activité", "test"),
            ],
            start=1,
        )
    ]
    apeas = StructureFactory(name="APEAS", slug="apeas", networks=[w.network])
    intermade = StructureFactory(name="Intermade", slug="intermade", networks=[w.network])
    place = StructureFactory(name="Place", slug="place", networks=[w.network])
    w.structures = [apeas, intermade, place]
    w.outside = StructureFactory(name="Hors réseau", slug="hors-reseau")
    s1, s2, s3 = w.structures
    w.offers = {
        "piles": OfferFactory(structure=apeas, title="PILES", slug="piles", stages=[w.stages[1]]),
        "starter": OfferFactory(
            structure=intermade, title="Starter", slug="starter", stages=[w.stages[2]]
        ),
        "couveuse": OfferFactory(
            structure=intermade, title="Couveuse", slug="couveuse", stages=[w.stages[3]]
        ),
        # On two stages: counted at both in stage breakdowns.
        "gouvernance": OfferFactory(
            structure=place,
            title="Gouvernance",
            slug="gouvernance",
            stages=[w.stages[1], w.stages[2]],
        ),
        # Same slug as another structure's offer: named "place/accueil" in filters.
        "accueil-place": OfferFactory(structure=place, title="Accueil", slug="accueil", stages=[]),
        "accueil-apeas": OfferFactory(structure=apeas, title="Accueil", slug="accueil", stages=[]),
    }
    w.offers["accueil-place"].stages.set([w.stages[0]])
    w.offers["accueil-apeas"].stages.set([w.stages[0]])
    w.offers["dehors"] = OfferFactory(structure=w.outside, title="Dehors", slug="dehors")
    by_structure = {
        s1.pk: [w.offers["piles"], w.offers["accueil-apeas"]],
        s2.pk: [w.offers["starter"], w.offers["couveuse"]],
        s3.pk: [w.offers["gouvernance"], w.offers["accueil-place"]],
        w.outside.pk: [w.offers["dehors"]],
    }
    # Territories: the département, Marseille and two of its arrondissements, Aix.
    dep = TerritoryFactory(departement=True)
    marseille = TerritoryFactory(
        code="13055",
        name="Marseille",
        epci_code="200054807",
        postal_codes=["13001", "13002", "13003"],
    )
    m1 = TerritoryFactory(
        kind=TerritoryKind.ARRONDISSEMENT,
        code="13201",
        name="Marseille 1er",
        commune_code="13055",
        epci_code="200054807",
        postal_codes=["13001"],
    )
    m2 = TerritoryFactory(
        kind=TerritoryKind.ARRONDISSEMENT,
        code="13202",
        name="Marseille 2e",
        commune_code="13055",
        epci_code="200054807",
        postal_codes=["13002"],
    )
    aix = TerritoryFactory(
        code="13001", name="Aix-en-Provence", epci_code="200054807", postal_codes=["13090", "13100"]
    )
    # Two communes sharing a postal code: that postal code names neither.
    TerritoryFactory(code="13040", name="Fos", postal_codes=["13270"])
    TerritoryFactory(code="13041", name="Port-Saint-Louis", postal_codes=["13270"])
    epci = TerritoryFactory(
        kind=TerritoryKind.EPCI, code="200054807", name="Métropole", epci_code="200054807"
    )
    w.territories = {
        "13": dep,
        "marseille": marseille,
        "m1": m1,
        "m2": m2,
        "aix": aix,
        "epci": epci,
    }
    Territory.objects.filter(pk=dep.pk).update(departement_code="13")

    situations = list(Situation.objects.filter(network__isnull=True))
    act_types = list(ActType.objects.filter(network__isnull=True))
    outcome_types = list(OutcomeType.objects.filter(network__isnull=True))
    decline = DeclineReason.objects.filter(network__isnull=True).first()
    no_next = NoNextStepReason.objects.filter(network__isnull=True).first()

    def rand_day(start=START, end=END) -> date:
        if rng.random() < 0.12:
            day = rng.choice(BOUNDARY_DAYS)
            if start <= day <= end:
                return day
        return start + timedelta(days=rng.randint(0, (end - start).days))

    def arrival(person) -> date:
        """A third of the people arrive late: in mid-2024 or during 2025."""
        index = people.index(person) if isinstance(person, Person) else person
        if index % 3 == 1:
            return date(2024, 6, 1) + timedelta(days=index % 90)
        if index % 3 == 2:
            return date(2025, 1, 1) + timedelta(days=(index * 7) % 330)
        return START

    places = [
        {"commune": m1},
        {"commune": aix},
        {"commune": marseille},
        {"postal_code": "13002"},  # → Marseille 2e
        {"postal_code": "13100"},  # → Aix
        {"postal_code": "13270"},  # ambiguous → not given
        {},
    ]
    people = []
    for index in range(persons):
        place_fields = rng.choice(places)
        birth_year = rng.choice([None, 1960, 1972, 1985, 1990, 1999, 2001, 2003])
        people.append(
            Person(
                first_name=f"Prénom{index}",
                last_name=f"Nom{index}",
                name_key=f"nom{index} prenom{index}",
                birth_year=birth_year,
                gender=rng.choice(Gender.values),
                situation=rng.choice([None, *situations]),
                priority_neighbourhood=rng.random() < 0.3,
                **place_fields,
            )
        )
    Person.objects.bulk_create(people)
    # An anonymised person (commune replaced by the département) and a merged duplicate.
    anonymised = people[0]
    Person.objects.filter(pk=anonymised.pk).update(
        anonymised_at=local(date(2025, 6, 1)), commune=dep, postal_code=""
    )
    duplicate = people[1]
    Person.objects.filter(pk=duplicate.pk).update(merged_into=people[2])
    w.persons = people

    network_ids = [s.pk for s in w.structures]
    all_structures = [*network_ids, w.outside.pk]
    accompaniment_start = {}

    def touch(pid, sid, day):
        key = (pid, sid)
        if key not in accompaniment_start or day < accompaniment_start[key]:
            accompaniment_start[key] = day

    # Acts, individual and collective.
    acts, participants = [], []
    for _ in range(520):
        sid = rng.choice(all_structures if rng.random() < 0.1 else network_ids)
        offer = rng.choice(by_structure[sid]) if rng.random() < 0.6 else None
        act_type = rng.choice(act_types)
        collective = act_type.is_collective
        acts.append(
            Act(
                act_type=act_type,
                structure_id=sid,
                offer=offer,
                occurred_on=rand_day(),
                duration_minutes=rng.choice([30, 45, 60, 90, 120, 180]),
                is_collective=collective,
            )
        )
    Act.objects.bulk_create(acts)
    for act in acts:
        count = rng.randint(3, 7) if act.is_collective else 1
        arrived = [p for i, p in enumerate(people) if arrival(i) <= act.occurred_on]
        chosen = rng.sample(arrived, min(count, len(arrived)))
        for person in chosen:
            attended = rng.random() < 0.85
            participants.append(ActParticipant(act=act, person=person, attended=attended))
            touch(
                person.pk,
                act.structure_id,
                max(arrival(person), act.occurred_on - timedelta(days=rng.randint(0, 40))),
            )

    # A wanderer (3 structures in 2025, first and only stage) and someone who moved on.
    def act_for(person, sid, day, offer=None):
        act = Act.objects.create(
            act_type=act_types[0],
            structure_id=sid,
            offer=offer,
            occurred_on=day,
            duration_minutes=60,
        )
        participants.append(ActParticipant(act=act, person=person, attended=True))
        touch(person.pk, sid, day)

    wanderer, mover = people[3], people[4]
    for sid, day in (
        (s1.pk, date(2025, 2, 3)),
        (s2.pk, date(2025, 5, 6)),
        (s3.pk, date(2025, 9, 9)),
    ):
        act_for(wanderer, sid, day)
        act_for(mover, sid, day)
    act_for(mover, s2.pk, date(2025, 10, 1), w.offers["couveuse"])
    ActParticipant.objects.bulk_create(participants)

    # Referrals of every status, some at midnight's edges.
    referrals = []
    for index in range(160):
        person = rng.choice(people)
        public = rng.random() < 0.1
        source = None if public else rng.choice(all_structures)
        target = rng.choice([s for s in all_structures if s != source])
        if index < 4:
            sent_at = [
                local(date(2024, 12, 31), 23, 30),
                local(date(2025, 1, 1), 0, 15),
                local(date(2025, 12, 31), 23, 45),
                local(date(2026, 1, 1), 0, 5),
            ][index]
        else:
            sent_at = local(rand_day(arrival(person)), rng.randint(0, 23), rng.randint(0, 59))
        status = rng.choice(ReferralStatus.values)
        referral = Referral(
            person=person,
            origin=ReferralOrigin.PUBLIC_FORM if public else ReferralOrigin.STRUCTURE,
            from_structure_id=source,
            to_structure_id=target,
            to_offer=rng.choice(by_structure[target]) if rng.random() < 0.5 else None,
            status=status,
            sent_at=sent_at,
            status_changed_at=sent_at,
        )
        unanswered = (ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.EXPIRED)
        # A cancelled referral may have been accepted before (then it was answered).
        answered = status != ReferralStatus.CANCELLED or rng.random() < 0.5
        if status not in unanswered and answered:
            referral.answered_at = sent_at + timedelta(hours=rng.randint(1, 400))
        if status in (ReferralStatus.FIRST_MEETING, ReferralStatus.CLOSED) and rng.random() < 0.8:
            referral.first_meeting_on = timezone.localtime(sent_at).date() + timedelta(
                days=rng.randint(0, 30)
            )
            touch(person.pk, target, referral.first_meeting_on)
        if status == ReferralStatus.DECLINED:
            referral.decline_reason = decline
        referrals.append(referral)
    # Two declines within 12 months for one person; one decline only for another.
    for person, days in (
        (people[5], (date(2025, 3, 1), date(2025, 8, 1))),
        (people[6], (date(2025, 3, 1),)),
    ):
        for day in days:
            referrals.append(
                Referral(
                    person=person,
                    from_structure_id=s1.pk,
                    to_structure_id=s2.pk,
                    status=ReferralStatus.DECLINED,
                    decline_reason=decline,
                    sent_at=local(day - timedelta(days=3)),
                    status_changed_at=local(day),
                    answered_at=local(day),
                )
            )
    Referral.objects.bulk_create(referrals)

    # Applications, with their transitions and next steps.
    sessions = []
    for offer in (w.offers["piles"], w.offers["starter"], w.offers["gouvernance"]):
        for year in (2024, 2025):
            for month in (2, 9):
                starts = date(year, month, 1 if month == 2 else 15)
                sessions.append(
                    OfferSession(
                        offer=offer,
                        starts_on=starts,
                        ends_on=starts + timedelta(days=60),
                        capacity=rng.choice([None, 6, 8, 10]),
                    )
                )
    sessions.append(
        OfferSession(
            offer=w.offers["starter"],
            starts_on=date(2025, 12, 31),
            ends_on=date(2026, 2, 1),
            capacity=5,
        )
    )
    OfferSession.objects.bulk_create(sessions)
    applications, transitions = [], []
    paths = [
        [ApplicationStatus.SUBMITTED],
        [ApplicationStatus.UNDER_REVIEW],
        [ApplicationStatus.SELECTED],
        [ApplicationStatus.SELECTED, ApplicationStatus.IN_PROGRESS],
        [ApplicationStatus.SELECTED, ApplicationStatus.IN_PROGRESS, ApplicationStatus.COMPLETED],
        [ApplicationStatus.SELECTED, ApplicationStatus.DROPPED_OUT],
        [ApplicationStatus.DROPPED_OUT],
        [ApplicationStatus.WAITLISTED],
        [ApplicationStatus.WAITLISTED, ApplicationStatus.DROPPED_OUT],
        [ApplicationStatus.WAITLISTED, ApplicationStatus.SELECTED],
        [ApplicationStatus.NOT_SELECTED],
        [ApplicationStatus.NOT_SELECTED],
        [ApplicationStatus.WAITLISTED, ApplicationStatus.NOT_SELECTED],
    ]
    offers = [w.offers[k] for k in ("piles", "starter", "couveuse", "gouvernance")]
    session_by_offer = {}
    for session in sessions:
        session_by_offer.setdefault(session.offer_id, []).append(session)
    next_steps = []
    for _ in range(150):
        person = rng.choice(people)
        offer = rng.choice(offers)
        session = rng.choice(session_by_offer.get(offer.pk, [None]))
        submitted = rand_day(arrival(person))
        path = rng.choice(paths)
        at = local(submitted, 11)
        application = Application(
            person=person,
            offer=offer,
            session=session,
            structure_id=offer.structure_id,
            status=path[-1],
            submitted_on=submitted,
            status_changed_at=at,
        )
        if path[-1] == ApplicationStatus.NOT_SELECTED:
            if rng.random() < 0.6:
                target = rng.choice([s for s in all_structures if s != offer.structure_id])
                referral = Referral.objects.create(
                    person=person,
                    from_structure_id=offer.structure_id,
                    to_structure_id=target,
                    sent_at=at + timedelta(days=5),
                    status_changed_at=at + timedelta(days=5),
                )
                application.next_step_referral = referral
            else:
                application.no_next_step_reason = no_next
        applications.append(application)
        touch(person.pk, offer.structure_id, submitted)
        next_steps.append(path)
    Application.objects.bulk_create(applications)
    for application, path in zip(applications, next_steps, strict=True):
        previous = ""
        for step, status in enumerate([ApplicationStatus.SUBMITTED, *path]):
            if status == previous:
                continue
            transitions.append(
                ApplicationTransition(
                    application=application,
                    from_status=previous,
                    to_status=status,
                    at=local(application.submitted_on, 11) + timedelta(days=step),
                )
            )
            previous = status
    ApplicationTransition.objects.bulk_create(transitions)

    # Outcomes of every kind.
    outcomes = []
    for _ in range(90):
        person = rng.choice(people)
        sid = rng.choice(network_ids)
        day = rand_day(arrival(person))
        outcomes.append(
            Outcome(
                person=person,
                structure_id=sid,
                outcome_type=rng.choice(outcome_types),
                occurred_on=day,
            )
        )
        touch(person.pk, sid, max(arrival(person), day - timedelta(days=rng.randint(0, 300))))
    Outcome.objects.bulk_create(outcomes)

    Accompaniment.objects.bulk_create(
        [
            Accompaniment(
                person_id=pid,
                structure_id=sid,
                started_on=day,
                ended_on=(day + timedelta(days=400)) if rng.random() < 0.1 else None,
            )
            for (pid, sid), day in sorted(accompaniment_start.items())
        ]
    )

    w.coordinator = NetworkRoleFactory(network=w.network).user
    w.funder = NetworkRoleFactory(network=w.network, funder=True).user
    w.admins = {
        s.slug: StructureMembershipFactory(structure=s, admin=True).user for s in w.structures
    }
    return w
