"""Input that once crashed the pathways API (found by fuzzing it with schemathesis against the demo
data): each is now refused with a 4xx and field errors where there is a field, never a 500, and
nothing is saved."""

import pytest

from maillage.pathways.models import (
    Act,
    Application,
    ApplicationStatus,
    Outcome,
    Person,
    Project,
    Referral,
    ReferralStatus,
)
from tests.pathways.api_helpers import build_pathway, client_for, create_payloads, url

pytestmark = pytest.mark.django_db

NUL = "a\x00b"


@pytest.fixture
def pathway(net):
    return build_pathway(net)


# --- A NUL character in a referential's code -----------------------------------------------------
# PostgreSQL refuses NUL in a text query: the code has to be refused before it reaches the database.
# (SQLite accepts NUL, so these only crashed on PostgreSQL: they are not marked `sqlite`.)


@pytest.mark.parametrize(
    ("endpoint", "field", "model"),
    [
        ("persons", "situation", Person),
        ("persons", "commune", Person),
        ("projects", "sector", Project),
        ("projects", "envisaged_legal_form", Project),
        ("acts", "act_type", Act),
        ("outcomes", "outcome_type", Outcome),
        ("outcomes", "legal_form", Outcome),
    ],
)
def test_a_nul_character_in_a_code_is_a_field_error(pathway, endpoint, field, model):
    client = client_for(pathway.intermade_advisor)
    payload = {**create_payloads(pathway)[endpoint], field: NUL}
    before = model.objects.count()
    for response in (
        client.post(url(endpoint), payload, format="json"),
        client.post(url(endpoint), payload, format="multipart"),
    ):
        assert response.status_code == 400, response.content
        assert list(response.json()) == [field]
        assert "caractère nul" in response.json()[field][0]
    assert model.objects.count() == before
    patched = client.patch(url(endpoint, pathway.rows[endpoint]), {field: NUL}, format="json")
    assert patched.status_code == 400, patched.content
    assert list(patched.json()) == [field]


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "not_selected", "no_next_step_reason": NUL},
        {"status": "dropped_out", "end_reason": NUL},
    ],
)
def test_a_nul_character_in_a_reason_of_a_transition(pathway, payload):
    client = client_for(pathway.intermade_advisor)
    uuid = pathway.rows["applications"]
    response = client.post(
        url("applications", uuid, "transition"), {**payload, "version": 1}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == [next(name for name in payload if name != "status")]
    assert Application.objects.get(uuid=uuid).status == ApplicationStatus.SUBMITTED


def test_a_nul_character_in_a_decline_reason(pathway):
    client = client_for(pathway.intermade_advisor)
    uuid = pathway.rows["referrals"]
    response = client.post(
        url("referrals", uuid, "decline"), {"decline_reason": NUL, "version": 1}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["decline_reason"]
    assert Referral.objects.get(uuid=uuid).status == ReferralStatus.SENT


@pytest.mark.parametrize("key", ["mlg_\x00abcdef.secret", "mlg_0000\x00000.secret"])
def test_a_nul_character_in_an_api_key_is_refused(pathway, key):
    client = client_for()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.get(url("persons"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


# --- Malformed bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["persons", "acts"])
def test_a_too_deeply_nested_json_body_is_a_parse_error(pathway, endpoint):
    client = client_for(pathway.intermade_advisor)
    before = Person.objects.count(), Act.objects.count()
    body = "[" * 100_000 + "]" * 100_000
    for response in (
        client.post(url(endpoint), body, content_type="application/json"),
        client.patch(url(endpoint, pathway.rows[endpoint]), body, content_type="application/json"),
    ):
        assert response.status_code == 400, response.content
        assert "detail" in response.json()
    assert (Person.objects.count(), Act.objects.count()) == before


# --- Rules the services enforce, on every path ---------------------------------------------------


def test_a_forbidden_move_is_a_translated_403(pathway):
    """Not the name of the internal rule ("answer_referral"), but DRF's French sentence."""
    client = client_for(pathway.intermade_advisor)
    response = client.post(
        url("referrals", pathway.rows["referrals"], "accept"), {"version": 1}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Vous n'avez pas la permission d'effectuer cette action."}


def test_correcting_an_individual_act_keeps_its_person_present(pathway):
    """As when recording it: an individual act is for the person who came."""
    client = client_for(pathway.intermade_advisor)
    uuid = pathway.rows["acts"]
    person = str(pathway.person.uuid)
    response = client.patch(
        url("acts", uuid), {"persons": [person], "absent": [person], "version": 1}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["persons"]
    assert Act.objects.get(uuid=uuid).participants.get().attended
