"""Statistics count people, not records (issue 16, acceptance 1).

One human recorded on their own by three structures of the network (walk-ins, no referral)
is three `Person` records; the network's person-based indicators count them once, through
their person-group (`pathways.NetworkPerson`: same normalised name in either order and same
birth date). Namesakes born on other days stay apart; a withdrawn network-sharing consent does
not change the statistics; an erased record is its own person from then on.
"""

from datetime import date, datetime

import pytest
from django.utils import timezone

from maillage.pathways.gdpr.services import anonymise_person
from maillage.pathways.models import (
    Act,
    ActParticipant,
    Consent,
    ConsentScope,
    NetworkPerson,
)
from maillage.pathways.persons.services import update_person, withdraw_consent
from maillage.reporting.computation import compute
from maillage.reporting.refresh import ensure_fresh
from maillage.reporting.report import ReportFilters
from tests.factories import (
    NetworkFactory,
    PersonFactory,
    StructureFactory,
    StructureMembershipFactory,
    act_type,
)

from .reference import Reference

pytestmark = pytest.mark.sqlite

BIRTH = date(1987, 3, 14)


@pytest.fixture
def network(db):
    network = NetworkFactory()
    network.intermade = StructureFactory(name="Intermade", networks=[network])
    network.apeas = StructureFactory(name="APEAS", networks=[network])
    network.third = StructureFactory(name="Tremplin", networks=[network])
    network.filters = ReportFilters(
        network=network, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)
    )
    return network


def seen(person, structure, day: date) -> None:
    made = Act.objects.create(
        act_type=act_type("individual_interview"),
        structure=structure,
        occurred_on=day,
        duration_minutes=60,
    )
    ActParticipant.objects.create(act=made, person=person, attended=True)


def figure(network, code: str) -> int:
    """The raw network figure of 2025 (before masking), checked against the reference reading
    of the raw tables."""
    ensure_fresh()
    value = compute(network.filters, compare=False)[0].indicators[code].total.value
    assert value == Reference(network.filters).indicator(code)["value"], code
    return value


def walk_in(structure, first_name="Hélène", last_name="Lefèvre", birth_date=BIRTH, **fields):
    """A record made by a structure on its own (no referral carried the person there)."""
    return PersonFactory(
        first_name=first_name,
        last_name=last_name,
        birth_date=birth_date,
        accompanied_by=[structure],
        **fields,
    )


def test_a_person_recorded_by_three_structures_without_referral_is_one_wanderer(network):
    # Intermade follows Hélène; she walks into APEAS, who records her again (capitals, no
    # accents), then into a third structure, which writes her names the other way round.
    at_intermade = walk_in(network.intermade)
    at_apeas = walk_in(network.apeas, first_name="HELENE", last_name="LEFEVRE")
    at_third = walk_in(network.third, first_name="Lefèvre", last_name="Hélène")
    seen(at_intermade, network.intermade, date(2025, 2, 3))
    seen(at_apeas, network.apeas, date(2025, 5, 5))
    seen(at_third, network.third, date(2025, 8, 8))
    # Before issue 16's person-groups: three records, each seen by one structure, no wanderer.
    assert figure(network, "wandering_many_structures") == 1
    assert figure(network, "persons_accompanied") == 1


def test_namesakes_born_on_other_days_stay_two_people(network):
    first = walk_in(network.intermade)
    also_first = walk_in(network.apeas)
    namesake = walk_in(network.third, birth_date=date(1987, 3, 15))
    seen(first, network.intermade, date(2025, 2, 3))
    seen(also_first, network.apeas, date(2025, 5, 5))
    seen(namesake, network.third, date(2025, 8, 8))
    assert figure(network, "persons_accompanied") == 2
    # One Hélène seen by two structures, another by one: nobody was seen by three.
    assert figure(network, "wandering_many_structures") == 0


def test_a_record_without_birth_date_is_its_own_person(network):
    for structure in (network.intermade, network.apeas, network.third):
        seen(walk_in(structure, birth_date=None), structure, date(2025, 3, 3))
    assert not NetworkPerson.objects.exists()
    assert figure(network, "persons_accompanied") == 3


def test_withdrawing_network_sharing_keeps_the_person_counted_once(network):
    at_intermade = walk_in(network.intermade, consents=[ConsentScope.NETWORK_SHARING])
    at_apeas = walk_in(network.apeas)
    seen(at_intermade, network.intermade, date(2025, 2, 3))
    seen(at_apeas, network.apeas, date(2025, 5, 5))
    assert figure(network, "persons_accompanied") == 1
    advisor = StructureMembershipFactory(structure=network.intermade).user
    withdraw_consent(
        consent=Consent.objects.get(person=at_intermade, scope=ConsentScope.NETWORK_SHARING),
        user=advisor,
    )
    at_intermade.refresh_from_db()
    assert not at_intermade.shares_with_network
    assert figure(network, "persons_accompanied") == 1


def test_a_corrected_name_joins_the_records_at_the_next_report(network):
    """The person-group follows the identity: the reports recompute the record's rows."""
    at_intermade = walk_in(network.intermade)
    at_apeas = walk_in(network.apeas, first_name="Hélèna")
    seen(at_intermade, network.intermade, date(2025, 2, 3))
    seen(at_apeas, network.apeas, date(2025, 5, 5))
    assert figure(network, "persons_accompanied") == 2
    advisor = StructureMembershipFactory(structure=network.apeas).user
    update_person(person=at_apeas, user=advisor, expected_version=None, first_name="Hélène")
    assert figure(network, "persons_accompanied") == 1


def test_an_erased_record_leaves_its_group_and_counts_as_itself(network):
    at_intermade = walk_in(network.intermade)
    at_apeas = walk_in(network.apeas)
    seen(at_intermade, network.intermade, date(2025, 2, 3))
    seen(at_apeas, network.apeas, date(2025, 5, 5))
    assert figure(network, "persons_accompanied") == 1
    admin = StructureMembershipFactory(structure=network.apeas, admin=True).user
    anonymise_person(person=at_apeas, user=admin, reason="Asked by the person")
    # Nothing links the erased record to the identified one any more, even for statistics.
    assert not NetworkPerson.objects.filter(person=at_apeas).exists()
    assert NetworkPerson.objects.filter(person=at_intermade).exists()
    # Two people from then on, in every figure alike (new + ongoing = accompanied).
    assert figure(network, "persons_accompanied") == 2
    assert figure(network, "persons_new") + figure(network, "persons_ongoing") == 2


# --- Pathways that crossed structures without a referral (issue 16) --------------------------


def crossings(network) -> dict:
    ensure_fresh()
    item = compute(network.filters, compare=False)[0].indicators["crossed_without_referral"]
    reference = Reference(network.filters).indicator("crossed_without_referral")
    assert item.total.value == reference["value"]
    return dict(item.breakdowns["crossing"])


def test_walking_from_one_structure_to_the_next_is_a_crossing_without_referral(network):
    at_intermade = walk_in(network.intermade)
    at_apeas = walk_in(network.apeas, first_name="HELENE", last_name="LEFEVRE")
    at_third = walk_in(network.third)
    seen(at_intermade, network.intermade, date(2025, 2, 3))
    seen(at_apeas, network.apeas, date(2025, 5, 5))
    seen(at_third, network.third, date(2025, 8, 8))
    pairs = crossings(network)
    assert figure(network, "crossed_without_referral") == 1  # one human
    i, a, t = network.intermade.pk, network.apeas.pk, network.third.pk
    assert {key: raw.value for key, raw in pairs.items()} == {
        f"{i}>{a}": 1,
        f"{i}>{t}": 1,
        f"{a}>{t}": 1,
    }


def test_an_arrival_after_a_referral_is_not_a_crossing_without_referral(network):
    from tests.factories import ReferralFactory

    at_intermade = walk_in(network.intermade)
    at_apeas = walk_in(network.apeas)
    seen(at_intermade, network.intermade, date(2025, 2, 3))
    seen(at_apeas, network.apeas, date(2025, 5, 5))
    ReferralFactory(
        person=at_intermade,
        from_structure=network.intermade,
        to_structure=network.apeas,
        sent_at=timezone.make_aware(datetime(2025, 4, 1, 10)),
        status_changed_at=timezone.make_aware(datetime(2025, 4, 1, 10)),
    )
    assert figure(network, "crossed_without_referral") == 0
