"""A few indicators worked out by hand on small worlds: the definitions of `docs/indicators.md`
as examples, each figure written down with the reason for it.

Every example reads the report of one structure, "Ici", as its administrator reads it (no
masking), for 2025, compared with 2024; the network also has "Là-bas", and "Dehors" is outside
it. The reference reading of the raw tables (`reference.py`, checked against the engine on a
large seeded world in `test_indicators.py`) must give the same figure.
"""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from maillage.directory.models import Territory
from maillage.pathways.models import (
    Accompaniment,
    Act,
    ActParticipant,
    ApplicationStatus,
    ApplicationTransition,
    DeclineReason,
    NoNextStepReason,
    ReferralStatus,
)
from maillage.reporting.report import ReportFilters
from maillage.reporting.selectors import build_report
from tests.factories import (
    ApplicationFactory,
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    PersonFactory,
    ReferralFactory,
    StageFactory,
    StructureFactory,
    StructureMembershipFactory,
    TerritoryFactory,
    act_type,
)

from .reference import Reference

pytestmark = pytest.mark.sqlite

YEAR_2025 = (date(2025, 1, 1), date(2025, 12, 31))


@dataclass
class Here:
    structure: object  # "Ici": the structure whose report is read
    elsewhere: object  # "Là-bas": another structure of the network
    outside: object  # "Dehors": outside the network
    admin: object
    filters: ReportFilters


@pytest.fixture
def here(db):
    network = NetworkFactory(name="Réseau exemple", slug="reseau-exemple")
    structure = StructureFactory(name="Ici", networks=[network])
    elsewhere = StructureFactory(name="Là-bas", networks=[network])
    outside = StructureFactory(name="Dehors")
    return Here(
        structure=structure,
        elsewhere=elsewhere,
        outside=outside,
        admin=StructureMembershipFactory(structure=structure, admin=True).user,
        filters=ReportFilters(
            network=network, date_from=YEAR_2025[0], date_to=YEAR_2025[1], structure=structure
        ),
    )


def figures(here: Here, code: str) -> tuple:
    """(the figure of 2025, the figure of 2024) as the report shows them, after checking that
    the reference reading of the raw tables finds the same."""
    item = build_report(user=here.admin, filters=here.filters).indicators[code]
    shown = (item.value.value, item.previous.value)
    reference = Reference(here.filters)
    assert shown == (
        reference.indicator(code)["value"],
        reference.indicator(code, here.filters.previous())["value"],
    ), code
    return shown


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def act(structure, day: date, *present, absent=(), minutes: int = 60, collective=False) -> Act:
    kind = act_type("collective_workshop" if collective else "individual_interview")
    made = Act.objects.create(
        act_type=kind,
        structure=structure,
        occurred_on=day,
        duration_minutes=minutes,
        is_collective=collective,
    )
    for person in present:
        ActParticipant.objects.create(act=made, person=person, attended=True)
    for person in absent:
        ActParticipant.objects.create(act=made, person=person, attended=False)
    return made


def test_people_accompanied_count_each_person_present_once(here):
    alice, bruno, chloe, driss, emma = (PersonFactory() for _ in range(5))
    act(here.structure, date(2025, 3, 10), alice)
    act(here.structure, date(2025, 9, 2), alice)  # Alice twice: still one person
    act(here.elsewhere, date(2025, 4, 1), alice, bruno)  # another structure's act: not Ici's
    act(here.structure, date(2025, 5, 5), driss, absent=[chloe])  # Chloé was absent
    act(here.structure, date(2025, 12, 31), emma)  # the last day of the period counts
    act(here.structure, date(2024, 12, 31), bruno)  # the day before: 2024's
    act(here.structure, date(2026, 1, 1), chloe)  # the day after: neither
    # 2025: Alice, Driss, Emma. 2024: Bruno.
    assert figures(here, "persons_accompanied") == (3, 1)


def test_new_people_had_their_first_contact_with_the_structure_in_the_period(here):
    alice, bruno = PersonFactory(), PersonFactory()
    for person, since in ((alice, date(2024, 6, 1)), (bruno, date(2025, 2, 1))):
        Accompaniment.objects.create(person=person, structure=here.structure, started_on=since)
    act(here.structure, date(2025, 3, 10), alice, bruno)
    # Alice has been accompanied by Ici since June 2024: ongoing. Bruno since February 2025:
    # new. In 2024 nobody was present at one of Ici's acts.
    assert figures(here, "persons_new") == (1, 0)
    assert figures(here, "persons_ongoing") == (1, 0)


def test_hours_of_acts_add_up_durations_once_per_act(here):
    people = [PersonFactory() for _ in range(3)]
    act(here.structure, date(2025, 1, 1), people[0], minutes=60)
    # A workshop of 45 minutes for three people counts 45 minutes, not 135.
    act(here.structure, date(2025, 6, 15), *people, minutes=45, collective=True)
    act(here.structure, date(2025, 12, 31), people[1], minutes=45)
    act(here.structure, date(2024, 11, 30), people[2], minutes=30)
    act(here.elsewhere, date(2025, 6, 15), people[2], minutes=600)  # not Ici's
    # 2025: 60 + 45 + 45 = 150 minutes = 2.5 hours. 2024: 30 minutes = 0.5 hour.
    assert figures(here, "acts") == (3, 1)
    assert figures(here, "act_hours") == (2.5, 0.5)


def test_the_selection_rate_counts_applications_with_a_final_decision(here):
    offer = OfferFactory(structure=here.structure)
    no_next_step = NoNextStepReason.objects.filter(network__isnull=True).first()

    def application(*path):
        made = ApplicationFactory(
            offer=offer,
            status=path[-1],
            submitted_on=date(2025, 4, 1),
            no_next_step_reason=no_next_step if path[-1] == "not_selected" else None,
        )
        steps = [ApplicationStatus.SUBMITTED, *path]
        for before, after in pairwise(steps):
            ApplicationTransition.objects.create(
                application=made, from_status=before, to_status=after, at=at(date(2025, 4, 2))
            )

    application(ApplicationStatus.SELECTED)
    application(ApplicationStatus.SELECTED, ApplicationStatus.IN_PROGRESS)
    application(ApplicationStatus.SELECTED, ApplicationStatus.DROPPED_OUT)  # selected, then left
    application(ApplicationStatus.DROPPED_OUT)  # withdrew before a decision: left out
    application(ApplicationStatus.WAITLISTED)  # no decision yet: left out
    application(ApplicationStatus.NOT_SELECTED)
    application(ApplicationStatus.NOT_SELECTED)
    # Selected 3, not selected 2: 3 ÷ (3 + 2) = 60 %. No application in 2024: no rate.
    assert figures(here, "selection_rate") == (60.0, None)
    assert figures(here, "applications") == (7, 0)


def test_the_loop_closure_rate_counts_the_referrals_whose_sender_knows_what_became_of_them(
    here,
):
    decline = DeclineReason.objects.filter(network__isnull=True).first()
    sent = at(date(2025, 5, 1))
    for status in (
        ReferralStatus.SENT,  # no answer yet: open
        ReferralStatus.ACCEPTED,  # accepted, no meeting yet: open
        ReferralStatus.FIRST_MEETING,  # closed
        ReferralStatus.DECLINED,  # closed: the sender knows
        ReferralStatus.CANCELLED,  # cancelled by the sender: left out
    ):
        ReferralFactory(
            from_structure=here.structure,
            to_structure=here.elsewhere,
            status=status,
            sent_at=sent,
            decline_reason=decline if status == ReferralStatus.DECLINED else None,
        )
    # 2 closed of 5 - 1 cancelled = 4: 50 %. Nothing sent in 2024.
    assert figures(here, "referrals_sent") == (5, 0)
    assert figures(here, "loop_closure_rate") == (50.0, None)


def test_the_median_days_to_answer_counts_hours_as_fractions_of_a_day(here):
    sent = at(date(2025, 3, 1), 10)
    for waited in (timedelta(hours=12), timedelta(days=1), timedelta(days=2), timedelta(days=10)):
        ReferralFactory(
            from_structure=here.elsewhere,
            to_structure=here.structure,
            status=ReferralStatus.ACCEPTED,
            sent_at=sent,
            answered_at=sent + waited,
        )
    # Not answered yet: no delay to count.
    ReferralFactory(from_structure=here.outside, to_structure=here.structure, sent_at=sent)
    # Answers after 0.5, 1, 2 and 10 days: the median is halfway between 1 and 2, 1.5 days (the
    # 10 days of a forgotten referral do not pull it up as a mean would, 3.4 days).
    assert figures(here, "median_days_to_answer") == (1.5, None)
    assert figures(here, "referrals_received") == (5, 0)


# --- One reading per definition (issue 15.3): each choice the catalogue states, on a case built
# for it. The opposite reading would give the other figure written in the comment.


def test_a_person_present_without_an_accompaniment_is_new(here):
    """Acts recorded outside the services may lack the accompaniment the product records."""
    alice = PersonFactory()  # no Accompaniment row at all
    act(here.structure, date(2025, 3, 10), alice)
    # Read "no first contact known, so ongoing": (0, 0) new and (1, 0) ongoing.
    assert figures(here, "persons_accompanied") == (1, 0)
    assert figures(here, "persons_new") == (1, 0)
    assert figures(here, "persons_ongoing") == (0, 0)


def test_a_session_offering_no_place_is_left_out_with_its_applications(here):
    offer = OfferFactory(structure=here.structure)
    full = OfferSessionFactory(offer=offer, starts_on=date(2025, 9, 1), capacity=10)
    empty = OfferSessionFactory(offer=offer, starts_on=date(2025, 9, 15), capacity=0)
    for session, n in ((full, 15), (empty, 4)):
        for _ in range(n):
            ApplicationFactory(offer=offer, session=session, submitted_on=date(2025, 6, 1))
    # 15 applications for 10 places: 1.5. Counting the empty session's 4: 1.9.
    assert figures(here, "applicants_per_place") == (1.5, None)


def test_a_referral_answered_then_cancelled_counts_in_the_time_to_answer(here):
    sent = at(date(2025, 3, 3), 9)
    ReferralFactory(
        from_structure=here.elsewhere,
        to_structure=here.structure,
        status=ReferralStatus.ACCEPTED,
        sent_at=sent,
        answered_at=sent + timedelta(days=1),
    )
    ReferralFactory(  # accepted after 3 days, then cancelled by the sender
        from_structure=here.elsewhere,
        to_structure=here.structure,
        status=ReferralStatus.CANCELLED,
        sent_at=sent,
        answered_at=sent + timedelta(days=3),
    )
    # Median of 1 and 3 days: 2.0. Leaving the cancelled one out: 1.0.
    assert figures(here, "median_days_to_answer") == (2.0, None)


def test_a_moment_belongs_to_its_day_in_paris(here):
    """23:30 UTC on 31 December is 00:30 on 1 January in Paris."""
    utc = UTC
    for moment in (
        datetime(2024, 12, 31, 23, 30, tzinfo=utc),
        datetime(2025, 12, 31, 23, 30, tzinfo=utc),
    ):
        ReferralFactory(from_structure=here.elsewhere, to_structure=here.structure, sent_at=moment)
    # 2025 has the first (sent on 1 January 2025, Paris time), not the second (2026). Read in
    # UTC: (1, 1), the first belonging to 2024.
    assert figures(here, "referrals_received") == (1, 0)


def test_the_first_acts_stage_on_a_day_of_several_stages_is_the_earliest(here):
    network = here.filters.network
    third = StructureFactory(name="Troisième", networks=[network])
    early, late = (
        StageFactory(network=network, position=1),
        StageFactory(network=network, position=2),
    )
    at_early = OfferFactory(structure=here.structure, stages=[early])
    at_late = {
        s.pk: OfferFactory(structure=s, stages=[late])
        for s in (here.structure, here.elsewhere, third)
    }

    def seen(person, structure, day, offer):
        made = act(structure, day, person)
        Act.objects.filter(pk=made.pk).update(offer=offer)

    # Zoé: on her first day, an act of each stage; then the later stage at three structures.
    zoe = PersonFactory()
    seen(zoe, here.structure, date(2025, 2, 3), at_early)
    seen(zoe, here.structure, date(2025, 2, 3), at_late[here.structure.pk])
    seen(zoe, here.elsewhere, date(2025, 5, 5), at_late[here.elsewhere.pk])
    seen(zoe, third, date(2025, 8, 8), at_late[third.pk])
    # Yann: the later stage only, at three structures: he never got past his first stage.
    yann = PersonFactory()
    for structure, day in (
        (here.structure, date(2025, 2, 3)),
        (here.elsewhere, date(2025, 5, 5)),
        (third, date(2025, 8, 8)),
    ):
        seen(yann, structure, day, at_late[structure.pk])
    # Zoé's first stage is the earlier one, so she moved on: only Yann wanders. Taking the
    # later stage of her first day would count her too: 2.
    assert figures(here, "wandering_many_structures") == (1, 0)


def test_a_postal_code_shared_by_several_communes_gives_no_territory(here):
    departement = TerritoryFactory(departement=True)
    Territory.objects.filter(pk=departement.pk).update(departement_code="13")
    TerritoryFactory(code="13001", name="Aix-en-Provence", postal_codes=["13090", "13100"])
    TerritoryFactory(code="13040", name="Fos", postal_codes=["13270"])
    TerritoryFactory(code="13041", name="Port-Saint-Louis", postal_codes=["13270"])
    aix, fos_or_psl = PersonFactory(postal_code="13090"), PersonFactory(postal_code="13270")
    act(here.structure, date(2025, 4, 4), aix, fos_or_psl)
    report = build_report(user=here.admin, filters=here.filters)
    territory = next(
        b for b in report.indicators["persons_accompanied"].breakdowns if b.dimension == "territory"
    )
    assert {label: f.value for label, f in territory.rows if f.value} == {
        "Aix-en-Provence (13)": 1,
        "Non renseigné": 1,
    }
    # Outside the département's filter too, though both communes are in it.
    departement.refresh_from_db()
    in_13 = replace(here.filters, territory=departement)
    assert (
        build_report(user=here.admin, filters=in_13).indicators["persons_accompanied"].value.value
        == 1
    )
    assert Reference(in_13).indicator("persons_accompanied")["value"] == 1
