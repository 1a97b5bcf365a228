"""The leaks the channels had (issue 13 points 3 and 5), each shown closed.

Intermade and APEAS both accompany Camille, who does not share with the network: each structure
sees only what it recorded, on the page, through the API and in the right-of-access export.
Bulk reads (API lists, CSV exports) log one access per person read.
"""

import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.models import (
    Act,
    ActParticipant,
    Application,
    Outcome,
    OutcomeType,
    PersonAccess,
    PersonNote,
    Project,
    Referral,
    ReferralOrigin,
    ReferralStatus,
)
from maillage.pathways.persons.selectors import persons_export
from maillage.pathways.referrals.selectors import referral_inbox_export
from tests.factories import OfferFactory, PersonFactory, StructureFactory, act_type
from tests.pathways.api_helpers import client_for, url, uuids

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 2, 9)
ASKED = {"requested_by": "person_by_mail"}


def act(structure, persons, notes=""):
    row = Act.objects.create(
        act_type=act_type(),
        structure=structure,
        occurred_on=DAY,
        duration_minutes=45,
        is_collective=len(persons) > 1,
        notes=notes,
    )
    for person in persons:
        ActParticipant.objects.create(act=row, person=person)
    return row


def apeas_records(net, person):
    """What APEAS recorded about the person: Intermade must not read it unless shared."""
    third = StructureFactory(name="Tiers-lieu", networks=[net.network])
    project = Project.objects.create(title="Projet APEAS", created_by_structure=net.apeas)
    project.persons.add(person)
    return {
        "project": project,
        "application": Application.objects.create(
            person=person,
            offer=net.piles,
            structure=net.apeas,
            submitted_on=DAY,
            status_changed_at=timezone.now(),
        ),
        "act": act(net.apeas, [person], notes="Confidence APEAS sur la santé"),
        "outcome": Outcome.objects.create(
            person=person,
            structure=net.apeas,
            outcome_type=OutcomeType.objects.get(code="training"),
            occurred_on=DAY,
            details="Détail APEAS de la sortie",
        ),
        "note": PersonNote.objects.create(
            person=person, structure=net.apeas, body="Note interne APEAS", is_shared=True
        ),
        "referral": Referral.objects.create(
            person=person,
            origin=ReferralOrigin.STRUCTURE,
            from_structure=net.apeas,
            to_structure=third,
            to_offer=OfferFactory(structure=third),
            reason="Motif APEAS vers le tiers-lieu",
            status=ReferralStatus.SENT,
            sent_at=timezone.now(),
            status_changed_at=timezone.now(),
        ),
    }


SECRETS = (
    "Projet APEAS",
    "Confidence APEAS",
    "Détail APEAS",
    "Note interne APEAS",
    "Motif APEAS",
    "Tiers-lieu",
)


# --- The API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["projects", "applications", "acts", "outcomes", "referrals"])
def test_the_api_hides_another_structures_records_of_a_person_who_does_not_share(net, endpoint):
    person = PersonFactory(accompanied_by=[net.intermade, net.apeas])
    hidden = apeas_records(net, person)
    key = {"projects": "project", "applications": "application"}.get(endpoint, endpoint[:-1])
    client = client_for(net.intermade_advisor)
    listed = uuids(client.get(url(endpoint)))
    by_person = uuids(client.get(url(endpoint), {"person": str(person.uuid)}))
    assert str(hidden[key].uuid) not in listed | by_person
    assert client.get(url(endpoint, hidden[key].uuid)).status_code == 404
    # The structure that recorded it sees it.
    assert str(hidden[key].uuid) in uuids(client_for(net.apeas_advisor).get(url(endpoint)))


def test_the_api_shows_them_when_the_person_shares(net):
    person = PersonFactory(accompanied_by=[net.intermade, net.apeas], sharing=True)
    shown = apeas_records(net, person)
    client = client_for(net.intermade_advisor)
    for endpoint, key in [("outcomes", "outcome"), ("referrals", "referral"), ("acts", "act")]:
        assert str(shown[key].uuid) in uuids(
            client.get(url(endpoint), {"person": str(person.uuid)})
        )
    # Act notes stay with the structure that wrote them, even when the person shares.
    row = client.get(url("acts", shown["act"].uuid)).json()
    assert row["notes"] == ""


def test_a_collective_act_does_not_reveal_who_else_attended_without_consent(net):
    """APEAS's workshop with Ana (shares) and Bruno (does not): Intermade, which follows both,
    sees the workshop through Ana only; Bruno is neither listed nor found by the filter."""
    ana = PersonFactory(accompanied_by=[net.intermade, net.apeas], sharing=True)
    bruno = PersonFactory(accompanied_by=[net.intermade, net.apeas])
    workshop = act(net.apeas, [ana, bruno])
    client = client_for(net.intermade_advisor)
    row = client.get(url("acts", workshop.uuid)).json()
    assert [p["person"] for p in row["participants"]] == [str(ana.uuid)]
    assert uuids(client.get(url("acts"), {"person": str(bruno.uuid)})) == set()
    assert uuids(client.get(url("acts"), {"person": str(ana.uuid)})) == {str(workshop.uuid)}


def test_a_project_lists_only_the_carriers_it_is_seen_through(net):
    ana = PersonFactory(accompanied_by=[net.intermade, net.apeas], sharing=True)
    bruno = PersonFactory(accompanied_by=[net.intermade, net.apeas])
    project = Project.objects.create(title="Coopérative", created_by_structure=net.apeas)
    project.persons.add(ana, bruno)
    client = client_for(net.intermade_advisor)
    assert client.get(url("projects", project.uuid)).json()["persons"] == [str(ana.uuid)]
    assert uuids(client.get(url("projects"), {"person": str(bruno.uuid)})) == set()
    own = client_for(net.apeas_advisor).get(url("projects", project.uuid)).json()
    assert sorted(own["persons"]) == sorted([str(ana.uuid), str(bruno.uuid)])


# --- The right-of-access export ----------------------------------------------------------------


# This machine's WeasyPrint warns that a system library (HarfBuzz-Subset) is missing.
@pytest.mark.filterwarnings("ignore:HarfBuzz-Subset:DeprecationWarning")
@pytest.mark.parametrize("extension", ["json", "pdf"])
def test_the_export_does_not_give_another_structures_hidden_records(net, login, extension):
    person = PersonFactory(accompanied_by=[net.intermade, net.apeas])
    apeas_records(net, person)
    PersonNote.objects.create(person=person, structure=net.intermade, body="Note Intermade")
    mine = act(net.intermade, [person], notes="Note d'entretien Intermade")
    response = login(net.intermade_advisor).post(
        reverse(f"pathways:person_export_{extension}", args=[person.uuid]), ASKED
    )
    assert response.status_code == 200
    if extension == "pdf":
        from pypdf import PdfReader

        pages = PdfReader(io.BytesIO(response.content)).pages
        text = " ".join(" ".join(page.extract_text().split()) for page in pages)
    else:
        text = response.content.decode()
        data = json.loads(text)
        assert [a["identifier"] for a in data["acts"]] == [str(mine.uuid)]
        assert data["acts"][0]["notes"] == "Note d'entretien Intermade"
        assert data["held_elsewhere"] == [
            {
                "structure": "APEAS",
                "records": [
                    {"kind": "accompagnements", "count": 1},
                    {"kind": "projets", "count": 1},
                    {"kind": "candidatures", "count": 1},
                    {"kind": "orientations", "count": 1},
                    {"kind": "actes professionnels", "count": 1},
                    {"kind": "sorties", "count": 1},
                    {"kind": "notes", "count": 1},
                ],
            },
            {"structure": "Tiers-lieu", "records": [{"kind": "orientations", "count": 1}]},
        ]
    for secret in SECRETS[:-1]:
        assert secret not in text, secret
    assert "Note Intermade" in text
    assert "APEAS" in text  # named as a structure to ask, with its counts


def test_the_export_never_gives_another_structures_act_notes(net, login):
    person = PersonFactory(accompanied_by=[net.intermade, net.apeas], sharing=True)
    apeas_records(net, person)
    data = json.loads(
        login(net.intermade_advisor)
        .post(reverse("pathways:person_export_json", args=[person.uuid]), ASKED)
        .content
    )
    # Shared: APEAS's records are given in full, except its act notes.
    assert {o["details"] for o in data["outcomes"]} == {"Détail APEAS de la sortie"}
    assert [a["notes"] for a in data["acts"]] == [""]
    assert "Confidence APEAS" not in json.dumps(data, ensure_ascii=False)
    assert data["held_elsewhere"] == []


def test_the_export_is_made_for_the_person_who_asked_and_logged(net, login):
    person = PersonFactory(accompanied_by=[net.intermade])
    client = login(net.intermade_advisor)
    path = reverse("pathways:person_export_json", args=[person.uuid])
    form = client.get(path)
    assert form.status_code == 200 and "Qui a demandé les données" in form.content.decode()
    assert not PersonAccess.objects.filter(granted=True).exists()

    nobody = client.post(path, {})
    assert nobody.status_code == 200 and "Ce champ est obligatoire" in nobody.content.decode()
    unnamed = client.post(path, {"requested_by": "legal_representative"})
    assert "Indiquez le nom du représentant légal" in unnamed.content.decode()
    assert not PersonAccess.objects.filter(granted=True).exists()

    response = client.post(
        path, {"requested_by": "legal_representative", "requester_name": "Me Tutelle"}
    )
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["request"]["requested_by"] == "Un représentant légal de la personne"
    assert data["request"]["requester_name"] == "Me Tutelle"
    assert data["request"]["produced_by_structures"] == ["Intermade"]
    logged = PersonAccess.objects.get(granted=True)
    assert logged.channel == "export" and logged.user == net.intermade_advisor
    assert (logged.requested_by, logged.requester_name) == ("legal_representative", "Me Tutelle")


# --- Bulk reads are logged ---------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 20])
def test_each_page_of_the_api_person_list_logs_its_persons(
    net, django_assert_max_num_queries, count
):
    persons = [PersonFactory(accompanied_by=[net.intermade]) for _ in range(count)]
    PersonFactory(accompanied_by=[net.apeas])  # not Intermade's: neither listed nor logged
    client = client_for(net.intermade_advisor)
    with django_assert_max_num_queries(10):
        first = client.get(url("persons"), {"page_size": 15})
    second = client.get(url("persons"), {"page_size": 15, "page": 2}) if count > 15 else None
    read = [row["uuid"] for row in first.json()["results"]]
    if second is not None:
        read += [row["uuid"] for row in second.json()["results"]]
    logged = PersonAccess.objects.filter(channel="api", granted=True, user=net.intermade_advisor)
    assert sorted(str(u) for u in logged.values_list("person__uuid", flat=True)) == sorted(read)
    assert sorted(read) == sorted(str(p.uuid) for p in persons)


@pytest.mark.parametrize("count", [2, 20])
def test_the_referral_inbox_csv_logs_each_person_it_names(
    net, login, django_assert_max_num_queries, count
):
    named = []
    for number in range(count):
        person = PersonFactory(first_name=f"Nommée{number}", sharing=True)
        named.append(person)
        Referral.objects.create(
            person=person,
            from_structure=net.intermade,
            to_structure=net.apeas,
            shares_person_data=True,
            status=ReferralStatus.SENT,
            sent_at=timezone.now(),
            status_changed_at=timezone.now(),
        )
    anonymous = PersonFactory(first_name="Anonyme")
    Referral.objects.create(
        person=anonymous,
        from_structure=net.intermade,
        to_structure=net.apeas,
        status=ReferralStatus.SENT,
        sent_at=timezone.now(),
        status_changed_at=timezone.now(),
    )
    client = login(net.apeas_advisor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("pathways:referral_inbox_csv"))
    text = response.content.decode("utf-8-sig")
    assert "Nommée1" in text and "Anonyme" not in text
    logged = PersonAccess.objects.filter(channel="export", granted=True, user=net.apeas_advisor)
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(p.pk for p in named)


def test_the_export_selectors_log_each_person_they_name(net):
    """The rows of the referral inbox's file and of the person list's file log their reads
    themselves (issue 14): whatever serves them, each person named is in the access log."""
    now = timezone.now()
    named = PersonFactory(first_name="Nommée", sharing=True)
    anonymous = PersonFactory(first_name="Anonyme")
    for person, shares in ((named, True), (anonymous, False)):
        Referral.objects.create(
            person=person,
            from_structure=net.intermade,
            to_structure=net.apeas,
            shares_person_data=shares,
            status=ReferralStatus.SENT,
            sent_at=now,
            status_changed_at=now,
        )
    rows = referral_inbox_export(net.apeas_advisor)
    assert {row.person_id for row in rows if row.shows_person} == {named.pk}
    logged = PersonAccess.objects.filter(channel="export", granted=True, user=net.apeas_advisor)
    assert list(logged.values_list("person_id", flat=True)) == [named.pk]

    own = PersonFactory(accompanied_by=[net.intermade])
    exported = persons_export(net.intermade_advisor)
    assert own in exported
    logged = PersonAccess.objects.filter(channel="export", granted=True, user=net.intermade_advisor)
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(p.pk for p in exported)


def test_every_referral_the_person_page_lists_opens(net, login):
    """A person who shares: the page lists a referral between two other structures; its link
    opens it (it answered 404), without any answer to give."""
    person = PersonFactory(accompanied_by=[net.intermade, net.apeas], sharing=True)
    referral = apeas_records(net, person)["referral"]
    client = login(net.intermade_advisor)
    page = client.get(reverse("pathways:person_detail", args=[person.uuid]))
    assert referral in page.context["page"].referrals
    detail = client.get(reverse("pathways:referral_detail", args=[referral.uuid]))
    assert detail.status_code == 200
    assert detail.context["actions"] == {} and not detail.context["is_receiver"]
