"""The pathways API: who reads and writes what (role by endpoint), the access log, sessions with
CSRF and structure tokens."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maillage.pathways.acts import services as act_services
from maillage.pathways.applications import services as application_services
from maillage.pathways.models import (
    ApiToken,
    ConsentMethod,
    ConsentScope,
    OutcomeType,
    Person,
    PersonAccess,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services
from maillage.pathways.tokens import services as token_services
from tests.factories import StructureMembershipFactory, act_type
from tests.pathways.api_helpers import (
    ENDPOINTS,
    build_pathway,
    client_for,
    create_payloads,
    token_client,
    url,
    uuids,
)

# On SQLite too (make test): every test but the refused roles of the matrix, whose 401 or 403
# comes from the permission layer before any query of the records, the same on either engine.
pytestmark = pytest.mark.django_db


@pytest.fixture
def pathway(net):
    return build_pathway(net)


def new_token(net, structure=None, user=None):
    structure = structure or net.intermade
    user = user or net.intermade_admin
    token, raw_key = token_services.create_api_token(structure=structure, user=user, name="CRM")
    return token, raw_key


def client_as(net, role):
    if role == "token":
        return token_client(new_token(net)[1])
    user = {
        "intermade": net.intermade_advisor,
        "apeas": net.apeas_advisor,
        "coordinator": net.coordinator,
        "funder": net.funder,
        "anonymous": None,
    }[role]
    return client_for(user)


# --- Role by endpoint matrix -----------------------------------------------------------------

SEES_CAMILLE = {"intermade", "token"}
REFUSED = {"coordinator": 403, "funder": 403, "anonymous": 401}
ROLE_NAMES = ["intermade", "apeas", "coordinator", "funder", "anonymous", "token"]
# On reads, the roles that reach the records' visibility queries run on SQLite too.
ROLES = [
    role if role in REFUSED else pytest.param(role, marks=pytest.mark.sqlite) for role in ROLE_NAMES
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_lists_show_only_what_the_caller_may_see(pathway, role, endpoint):
    response = client_as(pathway, role).get(url(endpoint))
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
        return
    listed = uuids(response)
    assert (str(pathway.rows[endpoint]) in listed) is (role in SEES_CAMILLE)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_details_answer_404_to_whoever_may_not_see_them(pathway, role, endpoint):
    response = client_as(pathway, role).get(url(endpoint, pathway.rows[endpoint]))
    expected = REFUSED.get(role, 200 if role in SEES_CAMILLE else 404)
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["uuid"] == str(pathway.rows[endpoint])


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_creations_by_role(pathway, role, endpoint):
    payload = create_payloads(pathway)[endpoint]
    response = client_as(pathway, role).post(url(endpoint), payload, format="json")
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
    elif role in SEES_CAMILLE or endpoint == "persons":
        assert response.status_code == 201, response.content
        assert response.json()["uuid"]
    else:
        # APEAS may not name Camille: to them, she does not exist.
        assert response.status_code == 400
        field = "persons" if endpoint in ("projects", "acts") else "person"
        assert field in response.json()


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_updates_by_role(pathway, role, method):
    payload = {"first_name": "Camille", "last_name": "Durand-Roux", "version": 1}
    response = getattr(client_as(pathway, role), method)(
        url("persons", pathway.person.uuid), payload, format="json"
    )
    if role in REFUSED:
        assert response.status_code == REFUSED[role]
    elif role in SEES_CAMILLE:
        assert response.status_code == 200
        assert response.json()["last_name"] == "Durand-Roux"
    else:
        assert response.status_code == 404
    expected = "Durand-Roux" if role in SEES_CAMILLE else "Durand"
    assert Person.objects.get(pk=pathway.person.pk).last_name == expected


def test_the_funder_is_refused_on_every_endpoint_and_action(pathway):
    client = client_for(pathway.funder)
    row = pathway.rows
    calls = [("get", url(endpoint)) for endpoint in ENDPOINTS]
    calls += [("get", url(endpoint, row[endpoint])) for endpoint in ENDPOINTS]
    calls += [("post", url(endpoint)) for endpoint in ENDPOINTS]
    calls += [("patch", url("persons", row["persons"])), ("put", url("projects", row["projects"]))]
    calls += [("post", url("applications", row["applications"], "transition"))]
    for action in ("accept", "decline", "redirect", "first-meeting", "close", "cancel"):
        calls.append(("post", url("referrals", row["referrals"], action)))
    for method, path in calls:
        response = getattr(client, method)(path, {}, format="json")
        assert response.status_code == 403, (method, path)
        assert "Camille" not in response.content.decode()
    assert not PersonAccess.objects.filter(user=pathway.funder, granted=True).exists()


# --- The access log ----------------------------------------------------------------------------


def test_reading_a_person_is_logged(pathway):
    client = client_for(pathway.intermade_advisor)
    response = client.get(url("persons", pathway.person.uuid))
    assert response.json()["first_name"] == "Camille"
    access = PersonAccess.objects.get(person=pathway.person)
    assert (access.user, access.granted, access.channel) == (
        pathway.intermade_advisor,
        True,
        PersonAccess.Channel.API,
    )


def test_a_refused_read_answers_404_and_is_logged(pathway):
    """Acceptance 3 on the API: APEAS has no consent and no referral about Camille."""
    client = client_for(pathway.apeas_advisor)
    response = client.get(url("persons", pathway.person.uuid))
    assert response.status_code == 404
    assert "Camille" not in response.content.decode()
    access = PersonAccess.objects.get(person=pathway.person)
    assert (access.user, access.granted, access.channel) == (
        pathway.apeas_advisor,
        False,
        PersonAccess.Channel.API,
    )
    # A uuid that names nobody: 404 too, and nothing to log.
    assert client.get(url("persons", "6f1c0b4e-0000-4000-8000-000000000000")).status_code == 404
    assert PersonAccess.objects.count() == 1


def add_history(net, count):
    """`count` more persons, each with a project, application, act, outcome and referral."""
    for _ in range(count):
        add_person_with_history(net, Person.objects.count())


def add_person_with_history(net, number):
    advisor = net.intermade_advisor
    today = timezone.localdate()
    person = person_services.create_person(
        structure=net.intermade, user=advisor, first_name="Alex", last_name=f"Martin {number}"
    )
    person_services.give_consent(
        person=person,
        user=advisor,
        structure=net.intermade,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.WRITTEN,
    )
    person_services.create_project(
        structure=net.intermade, user=advisor, persons=[person], title="P"
    )
    application_services.submit_application(person=person, offer=net.starter, user=advisor)
    act_services.record_act(
        structure=net.intermade,
        user=advisor,
        act_type=act_type("collective_workshop"),
        occurred_on=today,
        duration_minutes=90,
        persons=[person, net.person],
    )
    act_services.record_outcome(
        person=person,
        structure=net.intermade,
        user=advisor,
        outcome_type=OutcomeType.objects.get(code="training"),
        occurred_on=today,
    )
    referral_services.refer_person(
        person=person, from_structure=net.intermade, user=advisor, to_structure=net.apeas
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_lists_run_the_same_queries_for_few_or_many_rows(pathway, endpoint):
    """Only the list of persons reads persons' records: it logs one access per person listed
    (one bulk insert, inside the same query budget); the other lists log nothing."""
    client = client_for(pathway.intermade_advisor)
    counts = []
    for count in (2, 12):
        add_history(pathway, count if not counts else count - 2)
        PersonAccess.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(endpoint), {"page_size": 50})
        results = response.json()["results"]
        assert len(results) >= count
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10, counts
    if endpoint == "persons":
        logged = PersonAccess.objects.filter(channel="api", granted=True)
        assert sorted(str(uuid) for uuid in logged.values_list("person__uuid", flat=True)) == (
            sorted(row["uuid"] for row in results)
        )
    else:
        assert not PersonAccess.objects.exists()


@pytest.mark.sqlite
def test_a_referral_without_consent_keeps_the_person_anonymous_to_the_receiver(pathway):
    referral = referral_services.refer_person(
        person=pathway.person,
        from_structure=pathway.intermade,
        user=pathway.intermade_advisor,
        to_structure=pathway.apeas,
        reason="Projet collectif",
    )
    received = client_for(pathway.apeas_advisor).get(url("referrals", referral.uuid)).json()
    assert received["person"] is None
    assert received["reason"] == "Projet collectif"
    sent = client_for(pathway.intermade_advisor).get(url("referrals", referral.uuid)).json()
    assert sent["person"] == str(pathway.person.uuid)


# --- Sessions need CSRF on writes ---------------------------------------------------------------


def test_session_writes_need_the_csrf_token(pathway):
    client = client_for(pathway.intermade_advisor, csrf=True)
    payload = create_payloads(pathway)["persons"]
    response = client.post(url("persons"), payload, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert client.get(url("persons")).status_code == 200
    assert not Person.objects.filter(first_name="Sacha").exists()


# --- Structure tokens --------------------------------------------------------------------------


def test_a_token_stores_only_a_hash_and_works_as_a_bearer(pathway):
    token, raw_key = new_token(pathway)
    assert raw_key.startswith(token.prefix + ".")
    assert raw_key not in token.key_hash
    response = token_client(raw_key).get(url("persons"))
    assert str(pathway.person.uuid) in uuids(response)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(pathway):
    token, raw_key = new_token(pathway)
    client = token_client(raw_key)
    client.get(url("outcomes"))
    token.refresh_from_db()
    first_use = token.last_used_at
    client.get(url("outcomes"))
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=first_use - datetime.timedelta(minutes=2)
    )
    client.get(url("outcomes"))
    token.refresh_from_db()
    assert token.last_used_at > first_use - datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer mlg_00000000.not-a-real-secret",
        "Bearer not-even-shaped-like-a-key",
        "Bearer",
        "Bearer two words",
    ],
)
def test_unknown_keys_are_refused(pathway, header):
    new_token(pathway)
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(url("persons"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_key_with_a_known_prefix_and_a_wrong_secret_is_refused(pathway):
    token = new_token(pathway)[0]
    response = token_client(f"{token.prefix}.{'x' * 43}").get(url("persons"))
    assert response.status_code == 401


def test_a_revoked_token_is_refused(pathway):
    token, raw_key = new_token(pathway)
    token_services.revoke_api_token(token=token, user=pathway.intermade_admin)
    response = token_client(raw_key).get(url("persons"))
    assert response.status_code == 401
    assert "révoquée" in response.json()["detail"]


def test_a_token_dies_with_its_authors_membership(pathway):
    raw_key = new_token(pathway)[1]
    pathway.intermade_admin.structure_memberships.all().delete()
    assert token_client(raw_key).get(url("persons")).status_code == 401


def test_a_token_is_limited_to_its_structure(pathway):
    """Its author also works for APEAS; the Intermade token sees and acts for Intermade only."""
    author = pathway.intermade_admin
    StructureMembershipFactory(user=author, structure=pathway.apeas)
    apeas_person = person_services.create_person(
        structure=pathway.apeas, user=pathway.apeas_advisor, first_name="Lou", last_name="Petit"
    )
    raw_key = new_token(pathway, user=author)[1]
    client = token_client(raw_key)
    listed = uuids(client.get(url("persons")))
    assert str(pathway.person.uuid) in listed
    assert str(apeas_person.uuid) not in listed
    assert client.get(url("persons", apeas_person.uuid)).status_code == 404
    # Writes are for the token's structure, implicitly; another one is refused.
    created = client.post(url("persons"), {"first_name": "Noa", "last_name": "Roux"})
    assert created.status_code == 201
    assert Person.objects.get(uuid=created.json()["uuid"]).created_by_structure == (
        pathway.intermade
    )
    refused = client.post(
        url("persons"),
        {"first_name": "Noa", "last_name": "Roux", "structure": str(pathway.apeas.uuid)},
    )
    assert refused.status_code == 400
    assert "structure" in refused.json()
    # With a browser session, the same person works for both structures and must say which.
    session = client_for(author)
    assert str(apeas_person.uuid) in uuids(session.get(url("persons")))
    ambiguous = session.post(url("persons"), {"first_name": "Noa", "last_name": "Roux"})
    assert ambiguous.status_code == 400
    assert "structure" in ambiguous.json()
    chosen = session.post(
        url("persons"),
        {"first_name": "Noa", "last_name": "Roux", "structure": str(pathway.apeas.uuid)},
    )
    assert chosen.status_code == 201


def test_a_token_does_not_carry_network_roles(pathway):
    """A coordinator who is also staff of Intermade: their token is Intermade's advisor only."""
    from tests.factories import NetworkRoleFactory

    NetworkRoleFactory(network=pathway.network, user=pathway.intermade_admin)
    raw_key = new_token(pathway)[1]
    response = token_client(raw_key).get(url("me"))
    roles = response.json()["roles"]
    assert roles["coordinator_of"] == []
    assert roles["structure_admin_of"] == [pathway.intermade.pk]


def test_token_use_needs_no_csrf_and_is_not_a_session(pathway):
    raw_key = new_token(pathway)[1]
    client = token_client(raw_key)
    response = client.post(url("persons"), {"first_name": "Noa", "last_name": "Roux"})
    assert response.status_code == 201
    assert "sessionid" not in response.cookies
