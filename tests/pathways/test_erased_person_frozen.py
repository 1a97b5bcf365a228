"""An erased (anonymised) person accepts nothing new (issue 17, point 8).

Every service that writes about a person refuses them with one translated message, the bulk
writer of the imports refuses them, and the person page offers no action on them.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.acts import services as act_services
from maillage.pathways.acts.bulk import NewAct, bulk_record_acts
from maillage.pathways.applications import services as application_services
from maillage.pathways.gdpr import services as gdpr_services
from maillage.pathways.models import (
    Act,
    Consent,
    ConsentMethod,
    ConsentScope,
    OutcomeType,
    Person,
    ProjectKind,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services
from tests.factories import PersonFactory, StructureMembershipFactory, act_type

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def erased(net):
    """A person Intermade follows, who had agreed to share with the network, then was erased."""
    person = PersonFactory(accompanied_by=[net.intermade])
    person_services.give_consent(
        person=person,
        user=net.intermade_advisor,
        structure=net.intermade,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.WRITTEN,
    )
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    gdpr_services.anonymise_person(person=person, user=admin, reason="Demande de la personne")
    return Person.objects.get(pk=person.pk)


def writes(net, person):
    user, structure = net.intermade_advisor, net.intermade
    return {
        "referral": lambda: referral_services.refer_person(
            person=person, from_structure=structure, user=user, to_structure=net.apeas
        ),
        "act": lambda: act_services.record_act(
            structure=structure,
            user=user,
            act_type=act_type(),
            occurred_on=TODAY(),
            duration_minutes=30,
            persons=[person],
        ),
        "outcome": lambda: act_services.record_outcome(
            person=person,
            structure=structure,
            user=user,
            outcome_type=OutcomeType.objects.get(code="training"),
            occurred_on=TODAY(),
        ),
        "application": lambda: application_services.submit_application(
            person=person, offer=net.starter, user=user
        ),
        "consent": lambda: person_services.give_consent(
            person=person,
            user=user,
            structure=structure,
            scope=ConsentScope.STATISTICS,
            method=ConsentMethod.ORAL,
        ),
        "consent withdrawn": lambda: person_services.withdraw_consent(
            consent=Consent.objects.get(person=person), user=user
        ),
        "note": lambda: person_services.add_note(
            person=person, structure=structure, user=user, body="Rappeler"
        ),
        "project": lambda: person_services.create_project(
            structure=structure,
            user=user,
            persons=[person],
            title="Épicerie",
            kind=ProjectKind.INDIVIDUAL,
        ),
    }


WRITES = [
    "referral",
    "act",
    "outcome",
    "application",
    "consent",
    "consent withdrawn",
    "note",
    "project",
]


@pytest.mark.parametrize("write", WRITES)
def test_an_erased_person_accepts_nothing_new(net, erased, write):
    with pytest.raises(ValidationError) as error:
        writes(net, erased)[write]()
    [refusal] = next(iter(error.value.error_dict.values()))
    assert refusal.code == "anonymised"
    assert "données de cette personne ont été effacées" in str(error.value.messages[0])


def test_the_bulk_writer_of_the_imports_refuses_an_erased_person(net, erased):
    acts = [
        NewAct(
            act_type_id=act_type().pk,
            occurred_on=TODAY(),
            duration_minutes=30,
            participants=((erased.pk, True),),
        )
    ]
    with pytest.raises(ValidationError):
        bulk_record_acts(structure=net.intermade, user=net.intermade_advisor, acts=acts)
    assert not Act.objects.filter(structure=net.intermade).exists()


def test_an_erased_participant_stays_on_a_collective_act_that_is_corrected(net):
    other = PersonFactory(accompanied_by=[net.intermade])
    person = PersonFactory(accompanied_by=[net.intermade])
    act = act_services.record_act(
        structure=net.intermade,
        user=net.intermade_advisor,
        act_type=act_type("collective_workshop"),
        occurred_on=TODAY(),
        duration_minutes=90,
        persons=[other, person],
    )
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    gdpr_services.anonymise_person(person=person, user=admin, reason="Demande")
    person.refresh_from_db()
    act.refresh_from_db()
    act_services.update_act(
        act=act,
        user=net.intermade_advisor,
        expected_version=act.version,
        persons=[other, person],
        title="Atelier corrigé",
    )
    assert set(act.participants.values_list("person_id", flat=True)) == {other.pk, person.pk}


def test_the_page_of_an_erased_person_offers_no_action(net, erased, login):
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    response = login(admin).get(reverse("pathways:person_detail", args=[erased.uuid]))
    assert response.status_code == 200
    html = response.content.decode()
    for name in [
        "pathways:consent_withdraw",
        "pathways:consent_add",
        "pathways:referral_create",
        "pathways:application_create",
        "pathways:person_act_create",
        "pathways:note_add",
        "pathways:outcome_create",
        "pathways:project_create",
        "pathways:person_edit",
        "pathways:person_erase",
        "pathways:plan_edit",
    ]:
        kwargs = {"uuid": erased.uuid}
        if name == "pathways:consent_withdraw":
            kwargs["pk"] = Consent.objects.get(person=erased).pk
        assert reverse(name, kwargs=kwargs) not in html, name
