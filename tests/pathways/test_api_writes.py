"""The pathways API's writes: rules broken give 400 with field errors (never a 500), nothing is
saved; state machines through actions; optimistic locking; the OpenAPI document."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from maillage.pathways.models import (
    Act,
    Application,
    ApplicationStatus,
    ConsentMethod,
    ConsentScope,
    Outcome,
    Person,
    Referral,
    ReferralStatus,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services
from tests.factories import StructureMembershipFactory
from tests.pathways.api_helpers import (
    build_pathway,
    client_for,
    create_payloads,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pathway(net):
    return build_pathway(net)


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


def share(net, person):
    person_services.give_consent(
        person=person,
        user=net.intermade_advisor,
        structure=net.intermade,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.WRITTEN,
    )


# --- Bad input: 400 with field errors, nothing saved ---------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"email": "camille@"}, "email"),
        ({"phone": "appelez-moi"}, "phone"),
        ({"birth_date": TOMORROW}, "birth_date"),
        ({"situation": "astronaut"}, "situation"),
        ({"gender": "unicorn"}, "gender"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_bad_person_data_is_refused_field_by_field(pathway, extra, field):
    client = client_for(pathway.intermade_advisor)
    before = Person.objects.count()
    response = client.post(url("persons"), {"first_name": "Sacha", "last_name": "B", **extra})
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Person.objects.count() == before
    patched = client.patch(
        url("persons", pathway.person.uuid), {**extra, "version": 1}, format="json"
    )
    assert patched.status_code == 400
    assert field in patched.json()


def test_future_birth_date_message_is_translated(pathway):
    client = client_for(pathway.intermade_advisor)
    response = client.post(
        url("persons"), {"first_name": "Sacha", "last_name": "B", "birth_date": TOMORROW}
    )
    assert "futur" in response.json()["birth_date"][0]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"occurred_on": TOMORROW}, "occurred_on"),
        ({"duration_minutes": -30}, "duration_minutes"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"act_type": "séance-de-magie"}, "act_type"),
        ({"persons": []}, "persons"),
    ],
)
def test_bad_acts_are_refused_field_by_field(pathway, extra, field):
    client = client_for(pathway.intermade_advisor)
    payload = {**create_payloads(pathway)["acts"], **extra}
    before = Act.objects.count()
    response = client.post(url("acts"), payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Act.objects.count() == before


def test_future_outcomes_are_refused(pathway):
    client = client_for(pathway.intermade_advisor)
    payload = {**create_payloads(pathway)["outcomes"], "occurred_on": TOMORROW}
    response = client.post(url("outcomes"), payload, format="json")
    assert response.status_code == 400
    assert "occurred_on" in response.json()
    assert Outcome.objects.count() == 1


def test_a_collective_act_keeps_its_attendance_list(pathway):
    client = client_for(pathway.intermade_advisor)
    other = person_services.create_person(
        structure=pathway.intermade,
        user=pathway.intermade_advisor,
        first_name="Lou",
        last_name="Petit",
    )
    payload = {
        **create_payloads(pathway)["acts"],
        "act_type": "collective_workshop",
        "persons": [str(pathway.person.uuid), str(other.uuid)],
        "absent": [str(other.uuid)],
        "notes": "Atelier budget",
    }
    response = client.post(url("acts"), payload, format="json")
    assert response.status_code == 201, response.content
    act = response.json()
    assert act["is_collective"] is True
    assert sorted((p["person"], p["attended"]) for p in act["participants"]) == sorted(
        [(str(pathway.person.uuid), True), (str(other.uuid), False)]
    )
    stranger = client.post(
        url("acts"), {**payload, "absent": [str(pathway.rows["persons"])], "persons": []}
    )
    assert stranger.status_code == 400


def test_acts_of_another_structure_show_without_their_notes(pathway):
    """Camille shares with the network and is referred to APEAS: APEAS sees Intermade's acts."""
    share(pathway, pathway.person)
    referral_services.refer_person(
        person=pathway.person,
        from_structure=pathway.intermade,
        user=pathway.intermade_advisor,
        to_structure=pathway.apeas,
    )
    Act.objects.update(notes="Confidentiel")
    response = client_for(pathway.apeas_advisor).get(url("acts", pathway.rows["acts"]))
    assert response.status_code == 200
    assert response.json()["notes"] == ""
    own = client_for(pathway.intermade_advisor).get(url("acts", pathway.rows["acts"]))
    assert own.json()["notes"] == "Confidentiel"


# --- Applications: the state machine through /transition/ ----------------------------------------


def transition(client, application_uuid, **payload):
    """Change the status, stating the version saved now unless the payload says one."""
    version = Application.objects.get(uuid=application_uuid).version
    return client.post(
        url("applications", application_uuid, "transition"),
        {"version": version, **payload},
        format="json",
    )


def version_of(uuid):
    return Referral.objects.get(uuid=uuid).version


def test_not_selected_without_next_step_is_refused(pathway):
    """Acceptance 2 on the API."""
    client = client_for(pathway.intermade_advisor)
    uuid = pathway.rows["applications"]
    response = transition(client, uuid, status="not_selected")
    assert response.status_code == 400
    assert "Indiquez une suite" in response.json()["non_field_errors"][0]
    assert Application.objects.get(uuid=uuid).status == ApplicationStatus.SUBMITTED
    response = transition(client, uuid, status="not_selected", no_next_step_reason="next_session")
    assert response.status_code == 200
    assert response.json()["status"] == "not_selected"
    assert response.json()["no_next_step_reason"] == "next_session"


def test_not_selected_with_a_referral_sent_in_the_same_call(pathway):
    client = client_for(pathway.intermade_advisor)
    response = transition(
        client,
        pathway.rows["applications"],
        status="not_selected",
        refer_to_structure=str(pathway.apeas.uuid),
        refer_to_offer=str(pathway.piles.uuid),
        referral_reason="Émergence d'abord",
    )
    assert response.status_code == 200, response.content
    referral = Referral.objects.get(uuid=response.json()["next_step_referral"])
    assert (referral.to_structure, referral.to_offer) == (pathway.apeas, pathway.piles)


def test_invalid_transitions_and_unknown_statuses_are_400(pathway):
    client = client_for(pathway.intermade_advisor)
    uuid = pathway.rows["applications"]
    response = transition(client, uuid, status="completed")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert transition(client, uuid, status="teleported").json().keys() == {"status"}
    assert Application.objects.get(uuid=uuid).status == ApplicationStatus.SUBMITTED


def test_only_the_offering_structure_decides(pathway):
    share(pathway, pathway.person)
    referral_services.refer_person(
        person=pathway.person,
        from_structure=pathway.intermade,
        user=pathway.intermade_advisor,
        to_structure=pathway.apeas,
    )
    response = transition(
        client_for(pathway.apeas_advisor), pathway.rows["applications"], status="selected"
    )
    assert response.status_code == 403


def test_applications_go_to_the_offers_structure_only(pathway):
    payload = {"person": str(pathway.person.uuid), "offer": str(pathway.piles.uuid)}
    response = client_for(pathway.intermade_advisor).post(url("applications"), payload)
    assert response.status_code == 403


# --- Referrals: the closed loop through actions ---------------------------------------------------


def test_the_closed_loop_over_the_api(pathway):
    """Acceptance 1 on the API: refer, accept, first meeting; the sender sees the result."""
    share(pathway, pathway.person)
    intermade = client_for(pathway.intermade_advisor)
    apeas = client_for(pathway.apeas_advisor)
    sent = intermade.post(
        url("referrals"),
        {"person": str(pathway.person.uuid), "to_structure": str(pathway.apeas.uuid)},
        format="json",
    )
    assert sent.status_code == 201, sent.content
    uuid = sent.json()["uuid"]
    assert apeas.get(url("referrals", uuid)).json()["person"] == str(pathway.person.uuid)
    # The sender cannot answer in the receiver's place.
    assert intermade.post(url("referrals", uuid, "accept"), {"version": 1}).status_code == 403
    accepted = apeas.post(url("referrals", uuid, "accept"), {"version": 1}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    met_on = timezone.localdate().isoformat()
    met = apeas.post(
        url("referrals", uuid, "first-meeting"),
        {"first_meeting_on": met_on, "version": version_of(uuid)},
    )
    assert met.status_code == 200
    seen = intermade.get(url("referrals", uuid)).json()
    assert (seen["status"], seen["first_meeting_on"]) == ("first_meeting", met_on)
    assert seen["answered_at"]


def test_declining_needs_a_reason_and_finishes_the_loop(pathway):
    referral = Referral.objects.get(uuid=pathway.rows["referrals"])
    receiver = client_for(referral.to_structure.memberships.get().user)
    path = url("referrals", referral.uuid, "decline")
    assert receiver.post(path, {"version": 1}).json().keys() == {"decline_reason"}
    other = receiver.post(path, {"decline_reason": "other", "version": 1})
    assert other.status_code == 400
    assert "decline_note" in other.json()
    declined = receiver.post(path, {"decline_reason": "session_full", "version": 1})
    assert declined.status_code == 200
    assert declined.json()["decline_reason"] == "session_full"
    # Final: nothing moves any more.
    again = receiver.post(
        url("referrals", referral.uuid, "close"), {"version": declined.json()["version"]}
    )
    assert again.status_code == 400
    assert "non_field_errors" in again.json()


def test_a_redirect_sends_the_person_on(pathway):
    referral = Referral.objects.get(uuid=pathway.rows["referrals"])
    receiver = client_for(referral.to_structure.memberships.get().user)
    response = receiver.post(
        url("referrals", referral.uuid, "redirect"),
        {"to_structure": str(pathway.apeas.uuid), "note": "Mieux placé", "version": 1},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "redirected"
    onward = Referral.objects.get(uuid=response.json()["redirected_to"])
    assert onward.to_structure == pathway.apeas


def test_an_anonymous_orientation_is_matched_at_the_first_meeting(pathway):
    referral = Referral.objects.get(uuid=pathway.rows["referrals"])
    receiver = client_for(referral.to_structure.memberships.get().user)
    path = url("referrals", referral.uuid, "first-meeting")
    today = timezone.localdate().isoformat()
    wrong = receiver.post(
        path, {"first_meeting_on": today, "first_name": "Ana", "last_name": "X", "version": 1}
    )
    assert wrong.status_code == 400
    future = receiver.post(
        path, {"first_meeting_on": TOMORROW, "first_name": "Camille", "version": 1}
    )
    assert future.json().keys() == {"first_meeting_on"}
    right = receiver.post(
        path,
        {"first_meeting_on": today, "first_name": "camille", "last_name": "DURAND", "version": 1},
    )
    assert right.status_code == 200, right.content
    assert right.json()["person"] == str(pathway.person.uuid)


def test_the_sender_cancels(pathway):
    client = client_for(pathway.intermade_advisor)
    response = client.post(
        url("referrals", pathway.rows["referrals"], "cancel"), {"note": "Erreur", "version": 1}
    )
    assert response.status_code == 200
    assert Referral.objects.get(uuid=pathway.rows["referrals"]).status == ReferralStatus.CANCELLED


def test_a_structure_cannot_refer_to_itself(pathway):
    payload = {"person": str(pathway.person.uuid), "to_structure": str(pathway.intermade.uuid)}
    response = client_for(pathway.intermade_advisor).post(url("referrals"), payload)
    assert response.status_code == 400
    assert "to_structure" in response.json()


# --- Optimistic locking ---------------------------------------------------------------------------


def test_a_stale_version_is_a_409_and_changes_nothing(pathway):
    client = client_for(pathway.intermade_advisor)
    path = url("persons", pathway.person.uuid)
    version = client.get(path).json()["version"]
    first = client.patch(path, {"phone": "04 91 00 00 00", "version": version}, format="json")
    assert first.status_code == 200
    assert first.json()["version"] == version + 1
    stale = client.patch(path, {"phone": "06 00 00 00 00", "version": version}, format="json")
    assert stale.status_code == 409
    assert "version" in stale.json()
    assert stale.json()["current_version"] == version + 1
    assert Person.objects.get(pk=pathway.person.pk).phone == "04 91 00 00 00"
    # Without a version, nothing is overwritten blindly (issue 13, point 6).
    blind = client.patch(path, {"phone": "06 00 00 00 00"}, format="json")
    assert blind.status_code == 400
    assert "obligatoire" in blind.json()["version"][0]
    assert Person.objects.get(pk=pathway.person.pk).phone == "04 91 00 00 00"


def test_projects_are_updated_with_locking_too(pathway):
    client = client_for(pathway.intermade_advisor)
    path = url("projects", pathway.rows["projects"])
    project = client.get(path).json()
    payload = {**project, "title": "Épicerie coopérative", "sector": "food"}
    del payload["current_stage"], payload["envisaged_legal_form"]
    response = client.put(path, payload, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["sector"]) == ("Épicerie coopérative", "food")
    stale = client.put(path, payload, format="json")
    assert stale.status_code == 409


def test_collective_projects_list_only_the_persons_the_caller_sees(pathway):
    apeas_person = person_services.create_person(
        structure=pathway.apeas, user=pathway.apeas_advisor, first_name="Lou", last_name="Petit"
    )
    share(pathway, pathway.person)
    referral_services.refer_person(
        person=pathway.person,
        from_structure=pathway.intermade,
        user=pathway.intermade_advisor,
        to_structure=pathway.apeas,
    )
    created = client_for(pathway.apeas_advisor).post(
        url("projects"),
        {
            "title": "Tiers-lieu",
            "kind": "collective",
            "persons": [str(pathway.person.uuid), str(apeas_person.uuid)],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    seen = client_for(pathway.intermade_advisor).get(url("projects", created.json()["uuid"]))
    assert seen.json()["persons"] == [str(pathway.person.uuid)]


# --- Documentation --------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_pathways_api_without_warning(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/v1/persons/{uuid}/",
        "/api/v1/projects/",
        "/api/v1/applications/{uuid}/transition/",
        "/api/v1/referrals/{uuid}/first-meeting/",
        "/api/v1/acts/",
        "/api/v1/outcomes/{uuid}/",
    ):
        assert f"  {path}:" in schema
    assert "structureToken" in schema
    assert "scheme: bearer" in schema


def test_acts_are_corrected_with_locking_and_the_same_rules(pathway):
    client = client_for(pathway.intermade_advisor)
    path = url("acts", pathway.rows["acts"])
    act = client.get(path).json()
    fixed = client.patch(path, {"duration_minutes": 90, "version": act["version"]}, format="json")
    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["duration_minutes"] == 90
    stale = client.patch(path, {"duration_minutes": 45, "version": act["version"]}, format="json")
    assert stale.status_code == 409
    current = fixed.json()["version"]
    negative = client.patch(path, {"duration_minutes": -5, "version": current}, format="json")
    assert negative.status_code == 400 and "duration_minutes" in negative.json()
    future = client.patch(path, {"occurred_on": TOMORROW, "version": current}, format="json")
    assert future.status_code == 400 and "occurred_on" in future.json()
    assert Act.objects.get(uuid=pathway.rows["acts"]).duration_minutes == 90


def test_outcomes_are_corrected_by_their_structure_only(pathway):
    path = url("outcomes", pathway.rows["outcomes"])
    client = client_for(pathway.intermade_advisor)
    outcome = client.get(path).json()
    response = client.patch(
        path, {"outcome_type": "repositioning", "version": outcome["version"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["outcome_type"] == "repositioning"
    assert Outcome.objects.get(uuid=pathway.rows["outcomes"]).outcome_type.code == "repositioning"
    outsider = client_for(pathway.apeas_advisor).patch(
        path, {"outcome_type": "paused"}, format="json"
    )
    assert outsider.status_code == 404


def test_the_openapi_schema_says_a_referrals_person_may_be_null():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    person = schema["components"]["schemas"]["Referral"]["properties"]["person"]
    assert person["nullable"] is True
    assert person["format"] == "uuid"


# --- API writes are as safe as the forms (issue 13, point 6) -------------------------------------


def test_every_change_through_the_api_needs_the_version(pathway):
    """Without the version read, no update and no change of status: 400, nothing changed."""
    rows = pathway.rows
    intermade = client_for(pathway.intermade_advisor)
    referral = Referral.objects.get(uuid=rows["referrals"])
    receiver = client_for(referral.to_structure.memberships.get().user)
    today = timezone.localdate().isoformat()
    calls = [
        (intermade.patch, url("persons", rows["persons"]), {"last_name": "Autre"}),
        (intermade.put, url("persons", rows["persons"]), {"first_name": "A", "last_name": "B"}),
        (intermade.patch, url("projects", rows["projects"]), {"title": "Autre"}),
        (intermade.patch, url("acts", rows["acts"]), {"duration_minutes": 15}),
        (intermade.patch, url("outcomes", rows["outcomes"]), {"outcome_type": "paused"}),
        (
            intermade.post,
            url("applications", rows["applications"], "transition"),
            {"status": "selected"},
        ),
        (intermade.post, url("referrals", rows["referrals"], "cancel"), {}),
        (receiver.post, url("referrals", rows["referrals"], "accept"), {}),
        (
            receiver.post,
            url("referrals", rows["referrals"], "decline"),
            {"decline_reason": "session_full"},
        ),
        (
            receiver.post,
            url("referrals", rows["referrals"], "redirect"),
            {"to_structure": str(pathway.apeas.uuid)},
        ),
        (
            receiver.post,
            url("referrals", rows["referrals"], "first-meeting"),
            {"first_meeting_on": today, "first_name": "Camille", "last_name": "Durand"},
        ),
        (receiver.post, url("referrals", rows["referrals"], "close"), {}),
    ]
    for call, path, payload in calls:
        response = call(path, payload, format="json")
        assert response.status_code == 400, (path, response.content)
        assert list(response.json()) == ["version"], (path, response.json())
        assert "obligatoire" in response.json()["version"][0]
    assert Person.objects.get(uuid=rows["persons"]).version == 1
    assert Referral.objects.get(uuid=rows["referrals"]).status == ReferralStatus.SENT
    assert Application.objects.get(uuid=rows["applications"]).status == ApplicationStatus.SUBMITTED


def test_two_answers_from_the_same_version_cannot_both_succeed(pathway):
    referral = Referral.objects.get(uuid=pathway.rows["referrals"])
    receiver = client_for(referral.to_structure.memberships.get().user)
    colleague = client_for(StructureMembershipFactory(structure=referral.to_structure).user)
    version = receiver.get(url("referrals", referral.uuid)).json()["version"]
    accepted = receiver.post(
        url("referrals", referral.uuid, "accept"), {"version": version}, format="json"
    )
    assert accepted.status_code == 200
    declined = colleague.post(
        url("referrals", referral.uuid, "decline"),
        {"decline_reason": "session_full", "version": version},
        format="json",
    )
    assert declined.status_code == 409
    assert declined.json()["current_version"] == accepted.json()["version"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.transitions.count() == 2  # sent, accepted


def test_two_decisions_on_an_application_from_the_same_version(pathway):
    uuid = pathway.rows["applications"]
    client = client_for(pathway.intermade_advisor)
    first = transition(client, uuid, status="under_review", version=1)
    assert first.status_code == 200
    second = transition(client, uuid, status="selected", version=1)
    assert second.status_code == 409
    assert second.json()["current_version"] == 2
    assert Application.objects.get(uuid=uuid).status == ApplicationStatus.UNDER_REVIEW


def test_the_openapi_schema_documents_the_version_and_the_conflict(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    schema = target.read_text()
    assert "current_version" in schema
    assert "'409':" in schema
    assert "Required to change a record" in schema
