"""Shared set-up of the pathways API tests (test_api.py, test_api_writes.py)."""

from django.utils import timezone
from rest_framework.test import APIClient

from maillage.accounts.rules import forget_roles
from maillage.pathways.acts import services as act_services
from maillage.pathways.applications import services as application_services
from maillage.pathways.models import OutcomeType
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services
from tests.factories import NetworkRoleFactory, StructureMembershipFactory, act_type

ENDPOINTS = ("persons", "projects", "applications", "referrals", "acts", "outcomes")


def client_for(user=None, *, csrf=False) -> APIClient:
    """An API client logged in with a browser session (or anonymous)."""
    client = APIClient(enforce_csrf_checks=csrf)
    if user is not None:
        forget_roles(user)
        client.force_login(user)
    return client


def token_client(raw_key: str) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def url(endpoint: str, uuid=None, action: str | None = None) -> str:
    path = f"/api/v1/{endpoint}/"
    if uuid is not None:
        path += f"{uuid}/"
    if action:
        path += f"{action}/"
    return path


def uuids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["uuid"] for row in response.json()["results"]}


def build_pathway(net):
    """Camille, accompanied by Intermade only (no consent, no referral): a row on each endpoint.

    Adds to `net`: coordinator, funder, intermade_admin, and `rows` (endpoint → row's uuid).
    """
    advisor = net.intermade_advisor
    today = timezone.localdate()
    person = person_services.create_person(
        structure=net.intermade, user=advisor, first_name="Camille", last_name="Durand"
    )
    project = person_services.create_project(
        structure=net.intermade, user=advisor, persons=[person], title="Épicerie solidaire"
    )
    application = application_services.submit_application(
        person=person, offer=net.starter, user=advisor
    )
    act = act_services.record_act(
        structure=net.intermade,
        user=advisor,
        act_type=act_type(),
        occurred_on=today,
        duration_minutes=60,
        persons=[person],
    )
    outcome = act_services.record_outcome(
        person=person,
        structure=net.intermade,
        user=advisor,
        outcome_type=OutcomeType.objects.get(code="training"),
        occurred_on=today,
    )
    # Sent to a third structure, so that APEAS has no referral about Camille.
    other = StructureMembershipFactory(structure__name="Place", structure__networks=[net.network])
    referral = referral_services.refer_person(
        person=person, from_structure=net.intermade, user=advisor, to_structure=other.structure
    )
    net.person = person
    net.rows = {
        "persons": person.uuid,
        "projects": project.uuid,
        "applications": application.uuid,
        "referrals": referral.uuid,
        "acts": act.uuid,
        "outcomes": outcome.uuid,
    }
    net.coordinator = NetworkRoleFactory(network=net.network).user
    net.funder = NetworkRoleFactory(network=net.network, funder=True).user
    net.intermade_admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    return net


def create_payloads(net) -> dict[str, dict]:
    """One valid creation per endpoint, about Camille (as Intermade)."""
    person = str(net.person.uuid)
    today = timezone.localdate().isoformat()
    return {
        "persons": {"first_name": "Sacha", "last_name": "Benali", "email": "sacha@exemple.test"},
        "projects": {"title": "Recyclerie", "persons": [person]},
        "applications": {"person": person, "offer": str(net.starter.uuid)},
        "referrals": {"person": person, "to_structure": str(net.apeas.uuid)},
        "acts": {
            "act_type": "individual_interview",
            "occurred_on": today,
            "duration_minutes": 45,
            "persons": [person],
        },
        "outcomes": {"person": person, "outcome_type": "repositioning", "occurred_on": today},
    }
