"""Rights to write come from the accompaniment (issue 13, point 4).

Recording an act, an outcome or an application needs the structure to accompany the person, or
to have accepted their referral: reading through a referral (even declined or expired) is not
enough. Referrals and redirections stay inside the networks both structures share, on the pages,
the API and in the services alike.
"""

import contextlib
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.accounts.rules import can, forget_roles
from maillage.pathways.acts import services as act_services
from maillage.pathways.acts.bulk import NewAct, bulk_record_acts
from maillage.pathways.applications import services as application_services
from maillage.pathways.models import (
    Accompaniment,
    Act,
    Application,
    ConsentMethod,
    ConsentScope,
    DeclineReason,
    Outcome,
    OutcomeType,
    Referral,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services
from maillage.pathways.referrals.forms import ReferralCreateForm
from tests.factories import (
    NetworkFactory,
    OfferFactory,
    StructureFactory,
    StructureMembershipFactory,
    act_type,
)
from tests.pathways.api_helpers import client_for, url

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@contextlib.contextmanager
def refused_as_not_followed(field="person"):
    with pytest.raises(ValidationError) as error:
        yield
    [refusal] = error.value.error_dict[field]
    assert refusal.code == "not_followed"
    # Translated, and says what to do next.
    assert "acceptez l'orientation" in str(error.value.messages[0]).lower()


def referred_to_apeas(net):
    """Camille, accompanied by Intermade, shares with the network and is referred to APEAS."""
    person = person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Camille", last_name="D"
    )
    person_services.give_consent(
        person=person,
        user=net.intermade_advisor,
        structure=net.intermade,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.WRITTEN,
    )
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
    )
    return person, referral


def answer(net, referral, how):
    if how == "declined":
        referral_services.decline_referral(
            referral=referral,
            user=net.apeas_advisor,
            reason=DeclineReason.objects.get(code="session_full"),
            expected_version=referral.version,
        )
    elif how == "expired":
        referral_services.expire_referrals(now=timezone.now() + datetime.timedelta(days=365))
    referral.refresh_from_db()


def write_attempts(net, person):
    """Each write the receiving structure might try, as a callable."""
    return {
        "act": lambda: act_services.record_act(
            structure=net.apeas,
            user=net.apeas_advisor,
            act_type=act_type(),
            occurred_on=TODAY(),
            duration_minutes=30,
            persons=[person],
        ),
        "outcome": lambda: act_services.record_outcome(
            person=person,
            structure=net.apeas,
            user=net.apeas_advisor,
            outcome_type=OutcomeType.objects.get(code="training"),
            occurred_on=TODAY(),
        ),
        "application": lambda: application_services.submit_application(
            person=person, offer=net.piles, user=net.apeas_advisor
        ),
    }


@pytest.mark.parametrize("how", ["unanswered", "declined", "expired"])
@pytest.mark.parametrize("write", ["act", "outcome", "application"])
def test_a_referral_not_accepted_gives_no_right_to_write(net, how, write):
    person, referral = referred_to_apeas(net)
    answer(net, referral, how)
    # APEAS still reads the record the referral brought…
    assert can(net.apeas_advisor, "view_person", person)
    # …but may not write in it, nor start accompanying the person by the side door.
    with refused_as_not_followed("persons" if write == "act" else "person"):
        write_attempts(net, person)[write]()
    assert not Accompaniment.objects.filter(person=person, structure=net.apeas).exists()
    assert not Act.objects.filter(structure=net.apeas).exists()
    assert not Outcome.objects.filter(structure=net.apeas).exists()
    assert not Application.objects.filter(structure=net.apeas).exists()


@pytest.mark.parametrize("write", ["act", "outcome", "application"])
def test_an_accepted_referral_lets_the_structure_write_and_accompany(net, write):
    person, referral = referred_to_apeas(net)
    referral_services.accept_referral(
        referral=referral, user=net.apeas_advisor, expected_version=referral.version
    )
    write_attempts(net, person)[write]()
    assert Accompaniment.objects.filter(person=person, structure=net.apeas).exists()


def test_a_collective_act_needs_every_participant_followed(net):
    person, _referral = referred_to_apeas(net)
    own = person_services.create_person(
        structure=net.apeas, user=net.apeas_advisor, first_name="Lou", last_name="P"
    )
    with refused_as_not_followed("persons"):
        act_services.record_act(
            structure=net.apeas,
            user=net.apeas_advisor,
            act_type=act_type("collective_workshop"),
            occurred_on=TODAY(),
            duration_minutes=90,
            persons=[own, person],
            absent={person.pk},
        )
    assert not Act.objects.filter(structure=net.apeas).exists()
    act = act_services.record_act(
        structure=net.apeas,
        user=net.apeas_advisor,
        act_type=act_type("collective_workshop"),
        occurred_on=TODAY(),
        duration_minutes=90,
        persons=[own],
    )
    with refused_as_not_followed("persons"):
        act_services.update_act(
            act=act, user=net.apeas_advisor, expected_version=act.version, persons=[own, person]
        )


def test_bulk_acts_follow_the_same_rule(net):
    """Imports record acts in bulk: the rule of `record_act` holds there too."""
    person, _referral = referred_to_apeas(net)
    acts = [
        NewAct(
            act_type_id=act_type().pk,
            occurred_on=TODAY(),
            duration_minutes=30,
            participants=((person.pk, True),),
        )
    ]
    with refused_as_not_followed("persons"):
        bulk_record_acts(structure=net.apeas, user=net.apeas_advisor, acts=acts)
    assert not Act.objects.filter(structure=net.apeas).exists()


def test_the_api_refuses_the_side_door_with_the_same_message(net):
    person, referral = referred_to_apeas(net)
    answer(net, referral, "declined")
    response = client_for(net.apeas_advisor).post(
        url("outcomes"),
        {"person": str(person.uuid), "outcome_type": "training", "occurred_on": str(TODAY())},
        format="json",
    )
    assert response.status_code == 400
    assert "acceptez l'orientation" in response.json()["person"][0].lower()


# --- Referrals stay inside the networks both structures share --------------------------------


@pytest.fixture
def elsewhere(net):
    """A structure of another network, and an Intermade advisor who also works for a structure
    of that network (so their referral choices include it, from that structure only)."""
    other_network = NetworkFactory(name="Autre réseau")
    outside = StructureFactory(name="Ailleurs", networks=[other_network])
    OfferFactory(structure=outside, title="Ailleurs-offre")
    second = StructureFactory(name="Seconde", networks=[other_network])
    StructureMembershipFactory(structure=second, user=net.intermade_advisor)
    forget_roles(net.intermade_advisor)
    return outside


def test_a_referral_outside_the_senders_networks_is_refused(net, elsewhere):
    person, _referral = referred_to_apeas(net)
    with pytest.raises(ValidationError) as error:
        referral_services.refer_person(
            person=person,
            from_structure=net.intermade,
            user=net.intermade_advisor,
            to_structure=elsewhere,
        )
    assert "to_structure" in error.value.error_dict
    assert not Referral.objects.filter(to_structure=elsewhere).exists()


def test_a_redirection_outside_the_receivers_networks_is_refused(net, elsewhere):
    _person, referral = referred_to_apeas(net)
    with pytest.raises(ValidationError) as error:
        referral_services.redirect_referral(
            referral=referral,
            user=net.apeas_advisor,
            to_structure=elsewhere,
            expected_version=referral.version,
        )
    assert "to_structure" in error.value.error_dict
    referral.refresh_from_db()
    assert referral.status == "sent"
    # Through the API: the structure is not among the choices ("does not exist").
    response = client_for(net.apeas_advisor).post(
        url("referrals", referral.uuid, "redirect"),
        {"to_structure": str(elsewhere.uuid), "version": referral.version},
        format="json",
    )
    assert response.status_code == 400
    assert "to_structure" in response.json()


def test_the_api_offers_the_choices_of_the_referral_form(net, elsewhere):
    stranger = StructureFactory(name="Isolée", networks=[NetworkFactory()])
    form = ReferralCreateForm(user=net.intermade_advisor)
    from maillage.pathways.referrals.api import ReferralSerializer

    request = type("Request", (), {"user": net.intermade_advisor})()
    serializer = ReferralSerializer(context={"request": request})
    assert set(serializer.fields["to_structure"].get_queryset()) == set(
        form.fields["to_structure"].queryset
    )
    assert set(serializer.fields["to_offer"].get_queryset()) == set(
        form.fields["to_offer"].queryset
    )
    person, _referral = referred_to_apeas(net)
    client = client_for(net.intermade_advisor)
    refused = client.post(
        url("referrals"),
        {
            "person": str(person.uuid),
            "to_structure": str(stranger.uuid),
            "structure": str(net.intermade.uuid),
        },
        format="json",
    )
    assert refused.status_code == 400 and "to_structure" in refused.json()
    # Offered (the advisor's other structure shares its network) but not from Intermade.
    outside = client.post(
        url("referrals"),
        {
            "person": str(person.uuid),
            "to_structure": str(elsewhere.uuid),
            "structure": str(net.intermade.uuid),
        },
        format="json",
    )
    assert outside.status_code == 400 and "to_structure" in outside.json()
    assert not Referral.objects.filter(to_structure__in=[stranger, elsewhere]).exists()
