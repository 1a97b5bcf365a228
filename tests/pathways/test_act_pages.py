"""Act pages: one person's act, and a collective act recorded once with its attendance list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.applications import services as application_services
from maillage.pathways.models import Act, ActParticipant, PersonAccess
from maillage.pathways.persons import services as person_services
from tests.factories import NetworkRoleFactory, act_type
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def new_person(net, first_name="Camille", last_name="Durand"):
    return person_services.create_person(
        structure=net.intermade,
        user=net.intermade_advisor,
        first_name=first_name,
        last_name=last_name,
    )


def act_data(**overrides):
    data = {
        "act_type": act_type("individual_interview").pk,
        "occurred_on": timezone.localdate().isoformat(),
        "duration_hours": "1",
        "duration_minutes": "30",
        "notes": "Point sur le budget",
    }
    data.update(overrides)
    return data


# --- One person --------------------------------------------------------------------------------


def test_an_advisor_records_an_interview_with_a_person(net, login):
    person = new_person(net)
    client = login(net.intermade_advisor)
    url = reverse("pathways:person_act_create", kwargs={"uuid": person.uuid})
    assert "Enregistrer un acte avec Camille Durand" in page_text(client.get(url))
    response = client.post(url, act_data(offer=net.starter.pk))
    assert response.status_code == 302
    act = Act.objects.get()
    assert (act.duration_minutes, act.structure, act.offer) == (90, net.intermade, net.starter)
    assert not act.is_collective
    assert list(act.participants.values_list("person_id", "attended")) == [(person.pk, True)]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"occurred_on": (timezone.localdate() + datetime.timedelta(days=2)).isoformat()},
            "occurred_on",
            "Cette date est dans le futur",
        ),
        ({"duration_hours": "0", "duration_minutes": "0"}, "duration_minutes", "supérieure à zéro"),
        ({"duration_hours": "-1"}, "duration_hours", "La durée ne peut pas être négative."),
        ({"duration_minutes": "-15"}, "duration_minutes", "La durée ne peut pas être négative."),
        ({"occurred_on": "pas une date"}, "occurred_on", "Saisissez une date valide."),
    ],
)
def test_bad_input_gives_a_translated_error_and_saves_nothing(
    net, login, overrides, field, message
):
    person = new_person(net)
    url = reverse("pathways:person_act_create", kwargs={"uuid": person.uuid})
    response = login(net.intermade_advisor).post(url, act_data(**overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert not Act.objects.exists()


def test_an_act_for_a_person_one_may_not_see_is_refused(net, login):
    person = new_person(net)
    url = reverse("pathways:person_act_create", kwargs={"uuid": person.uuid})
    assert login(net.apeas_advisor).post(url, act_data()).status_code == 404
    assert PersonAccess.objects.filter(person=person, granted=False).exists()
    coordinator = NetworkRoleFactory(network=net.network).user
    assert login(coordinator).get(url).status_code == 404
    assert not Act.objects.exists()


# --- Collective acts ---------------------------------------------------------------------------


def test_a_collective_workshop_is_recorded_once_with_who_came(net, login):
    applicants = [new_person(net, first_name=name) for name in ("Alix", "Bastien", "Chloé")]
    for person in applicants:
        application_services.submit_application(
            person=person,
            offer=net.starter,
            session=net.starter_session,
            user=net.intermade_advisor,
        )
    client = login(net.intermade_advisor)
    url = reverse("pathways:act_create") + f"?session={net.starter_session.uuid}"
    page = page_text(client.get(url))
    assert "Enregistrer un acte collectif" in page
    for person in applicants:
        assert f'value="{person.pk}"' in page
    response = client.post(
        url,
        {
            "act_type": act_type("collective_workshop").pk,
            "title": "Atelier budget",
            "occurred_on": timezone.localdate().isoformat(),
            "duration_hours": "3",
            "duration_minutes": "0",
            "session": net.starter_session.pk,
            "attendees": [applicants[0].pk, applicants[1].pk],
            "record_absent": "on",
        },
    )
    assert response.status_code == 302
    act = Act.objects.get()
    assert act.is_collective and act.offer == net.starter and act.duration_minutes == 180
    attendance = dict(
        ActParticipant.objects.filter(act=act).values_list("person__first_name", "attended")
    )
    assert attendance == {"Alix": True, "Bastien": True, "Chloé": False}


def test_a_collective_act_without_anyone_ticked_is_refused(net, login):
    new_person(net)
    response = login(net.intermade_advisor).post(
        reverse("pathways:act_create"),
        {
            "act_type": act_type("collective_workshop").pk,
            "occurred_on": timezone.localdate().isoformat(),
            "duration_hours": "2",
        },
    )
    assert response.status_code == 200
    assert "Choisissez au moins une personne." in " ".join(
        response.context["form"].errors["attendees"]
    )
    assert not Act.objects.exists()


def test_a_person_of_another_structure_cannot_be_ticked(net, login):
    stranger = person_services.create_person(
        structure=net.apeas, user=net.apeas_advisor, first_name="Inconnue", last_name="Ailleurs"
    )
    client = login(net.intermade_advisor)
    assert "Inconnue" not in page_text(client.get(reverse("pathways:act_create")))
    response = client.post(
        reverse("pathways:act_create"),
        {
            "act_type": act_type("collective_workshop").pk,
            "occurred_on": timezone.localdate().isoformat(),
            "duration_hours": "2",
            "attendees": [stranger.pk],
        },
    )
    assert response.status_code == 200
    assert not Act.objects.exists()


@pytest.mark.parametrize("funder", [False, True])
def test_network_roles_cannot_record_acts(net, login, funder):
    user = NetworkRoleFactory(network=net.network, funder=funder).user
    assert login(user).get(reverse("pathways:act_create")).status_code == 403


def test_a_funder_is_refused_and_the_attempt_is_logged(net, login):
    person = new_person(net)
    funder = NetworkRoleFactory(network=net.network, funder=True).user
    url = reverse("pathways:person_act_create", kwargs={"uuid": person.uuid})
    assert login(funder).get(url).status_code == 404
    assert PersonAccess.objects.filter(person=person, user=funder, granted=False).exists()


# --- The attendee picker (issue 17 point 6) ----------------------------------------------------

ATTENDEES = reverse("pathways:act_attendees")


def test_the_attendee_search_tells_namesakes_apart_and_keeps_the_ticked_persons(net, login):
    """As one types (htmx): the matches the user may see, each with birth year and file number;
    the persons already ticked stay first and ticked; a person of another structure is not
    found."""
    first = person_services.create_person(
        structure=net.intermade,
        user=net.intermade_advisor,
        first_name="Camille",
        last_name="Martin",
        birth_date=datetime.date(1990, 5, 1),
    )
    second = new_person(net, first_name="Camille", last_name="Martin")
    first.accompaniments.update(file_number="INT-042")
    ticked = new_person(net, first_name="Zoé", last_name="Arnaud")
    person_services.create_person(
        structure=net.apeas, user=net.apeas_advisor, first_name="Camille", last_name="Martinez"
    )
    response = login(net.intermade_advisor).get(
        ATTENDEES, {"attendee_search": "camille mar", "attendees": [ticked.pk]}
    )
    text = page_text(response)
    assert "<html" not in text
    assert text.index("Zoé Arnaud") < text.index("Camille Martin")
    assert f'value="{ticked.pk}" checked' in text
    assert f'value="{first.pk}">' in text and f'value="{second.pk}">' in text
    assert "né·e en 1990" in text
    assert "dossier n° INT-042" in text
    assert "Martinez" not in text


def test_without_javascript_the_search_button_shows_the_matches_and_records_nothing(net, login):
    """The plain form: "Search" posts the form, which comes back with the matches, the ticked
    persons and what was typed; then "Record the act" records the attendance."""
    kept = new_person(net, first_name="Zoé", last_name="Arnaud")
    found = new_person(net, first_name="Noa", last_name="Petit")
    client = login(net.intermade_advisor)
    url = reverse("pathways:act_create")
    data = {
        "act_type": act_type("collective_workshop").pk,
        "title": "Atelier budget",
        "occurred_on": timezone.localdate().isoformat(),
        "duration_hours": "2",
        "attendees": [kept.pk],
        "attendee_search": "petit",
    }
    response = client.post(url, {**data, "find_attendees": "1"})
    assert response.status_code == 200 and not Act.objects.exists()
    text = page_text(response)
    assert f'value="{kept.pk}" checked' in text and f'value="{found.pk}">' in text
    assert 'value="Atelier budget"' in text and 'value="petit"' in text
    assert "Ce champ est obligatoire" not in text
    response = client.post(url, {**data, "attendees": [kept.pk, found.pk]})
    assert response.status_code == 302
    assert set(Act.objects.get().participants.values_list("person_id", flat=True)) == {
        kept.pk,
        found.pk,
    }


def test_the_attendee_picker_runs_a_fixed_number_of_queries(
    net, login, django_assert_max_num_queries
):
    """10 or 60 persons in the caseload: the same queries for the page and for a search."""
    from tests.pathways.person_history import add_caseload, count_queries

    client = login(net.intermade_advisor)
    kwargs = {
        "structure": net.intermade,
        "partner": net.apeas,
        "user": net.intermade_advisor,
        "session_offer": net.starter,
    }
    page = reverse("pathways:act_create")
    search = f"{ATTENDEES}?attendee_search=nom"
    add_caseload(**kwargs, events=10)
    small = (count_queries(client, page), count_queries(client, search))
    add_caseload(**kwargs, events=50)
    assert (count_queries(client, page), count_queries(client, search)) == small
    with django_assert_max_num_queries(25):
        client.get(page)
    with django_assert_max_num_queries(12):
        client.get(search)
