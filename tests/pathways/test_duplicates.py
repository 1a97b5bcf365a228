"""Probable duplicates, shown before a person is recorded: the advisor opens or confirms."""

import datetime

import pytest
from django.urls import reverse

from maillage.pathways.models import ConsentMethod, ConsentScope, Person
from maillage.pathways.persons import services
from maillage.pathways.persons.selectors import probable_duplicates, within_one_edit

pytestmark = pytest.mark.django_db

BORN = datetime.date(1987, 4, 12)


@pytest.fixture
def helene(net):
    return services.create_person(
        structure=net.intermade,
        user=net.intermade_advisor,
        first_name="Hélène",
        last_name="Lefèvre-Dupont",
        birth_date=BORN,
        email="helene.lefevre@exemple.test",
        phone="06 12 34 56 78",
    )


def found(net, **probe):
    fields = {"first_name": "", "last_name": "", "birth_date": None, "email": "", "phone": ""}
    return probable_duplicates(net.intermade_advisor, **{**fields, **probe})


@pytest.mark.parametrize(
    ("first_name", "last_name"),
    [
        ("helene", "lefevre dupont"),  # accents, case, hyphen
        ("HÉLÈNE", "LEFÈVRE-DUPONT"),
        ("Helene", "Lefevre-Dupond"),  # one typo
        ("Hélène", "Lefèvre-Dupon"),  # one letter missing
        ("Lefèvre-Dupont", "Hélène"),  # first and last names swapped
    ],
)
@pytest.mark.sqlite
def test_the_same_person_is_found_despite_accents_case_hyphens_typos_and_swaps(
    net, helene, first_name, last_name
):
    assert found(net, first_name=first_name, last_name=last_name, birth_date=BORN) == [helene]


@pytest.mark.sqlite
def test_a_homonym_born_another_year_is_not_a_duplicate(net, helene):
    other_year = datetime.date(1990, 4, 12)
    assert found(net, first_name="Hélène", last_name="Lefèvre-Dupont", birth_date=other_year) == []


@pytest.mark.sqlite
def test_two_typos_are_another_person(net, helene):
    assert found(net, first_name="Helena", last_name="Lefebre-Dupont", birth_date=BORN) == []


@pytest.mark.sqlite
def test_the_same_email_is_a_duplicate_whatever_the_name(net, helene):
    (person,) = found(net, first_name="H.", last_name="L.", email="Helene.Lefevre@Exemple.test")
    assert person == helene
    assert "même adresse électronique" in [str(reason) for reason in person.duplicate_reasons]


@pytest.mark.parametrize("phone", ["0612345678", "06.12.34.56.78", "+33 6 12 34 56 78"])
@pytest.mark.sqlite
def test_the_same_phone_compares_digits_only(net, helene, phone):
    (person,) = found(net, first_name="Autre", last_name="Nom", phone=phone)
    assert person == helene
    assert "même téléphone" in [str(reason) for reason in person.duplicate_reasons]


@pytest.mark.sqlite
def test_only_persons_visible_to_the_advisor_are_proposed(net, helene):
    hidden = probable_duplicates(
        net.apeas_advisor,
        first_name="Hélène",
        last_name="Lefèvre-Dupont",
        birth_date=BORN,
        email="helene.lefevre@exemple.test",
        phone="06 12 34 56 78",
    )
    assert hidden == []


def test_the_search_costs_one_query_beyond_the_roles(net, helene, django_assert_max_num_queries):
    for n in range(20):
        services.create_person(
            structure=net.intermade,
            user=net.intermade_advisor,
            first_name=f"Prénom{n}",
            last_name="Lefèvre",
            birth_date=BORN,
        )
    found(net)  # loads the roles
    with django_assert_max_num_queries(1):
        assert found(net, first_name="Helene", last_name="Lefevre Dupont", birth_date=BORN)


def test_within_one_edit():
    assert within_one_edit("durand camille", "durand camile")
    assert within_one_edit("durand camille", "durant camille")
    assert within_one_edit("durand camille", "durand camillle")
    assert not within_one_edit("durand camille", "dupont camille")


# --- The page ----------------------------------------------------------------------------------


def form_data(**extra):
    return {
        "first_name": "Helene",
        "last_name": "Lefevre Dupont",
        "birth_date": BORN.isoformat(),
        "gender": "female",
        "email": "",
        "phone": "",
        "postal_code": "13001",
        **extra,
    }


def test_duplicates_are_shown_first_and_nothing_is_saved(net, helene, login):
    client = login(net.intermade_advisor)
    response = client.post(reverse("pathways:person_create"), form_data())
    assert response.status_code == 200
    assert "Cette personne est peut-être déjà enregistrée" in response.text
    assert reverse("pathways:person_detail", kwargs={"uuid": helene.uuid}) in response.text
    assert 'value="13001"' in response.text  # the input is kept
    assert Person.objects.count() == 1


def test_create_anyway_records_the_person_after_the_duplicates_were_seen(net, helene, login):
    client = login(net.intermade_advisor)
    first = client.post(reverse("pathways:person_create"), form_data())
    signature = first.context["signature"]
    response = client.post(reverse("pathways:person_create"), form_data(confirm=signature))
    assert response.status_code == 302
    assert Person.objects.count() == 2
    # A confirmation given for other data does not skip the search.
    again = client.post(
        reverse("pathways:person_create"), form_data(confirm=signature, email="autre@exemple.test")
    )
    assert "Cette personne est peut-être déjà enregistrée" in again.text
    assert Person.objects.count() == 2


def test_a_new_person_without_duplicate_is_recorded_with_the_sharing_consent(net, login):
    client = login(net.intermade_advisor)
    response = client.post(
        reverse("pathways:person_create"),
        form_data(share_with_network="on", consent_method=ConsentMethod.ORAL),
    )
    person = Person.objects.get()
    assert response.url == reverse("pathways:person_detail", kwargs={"uuid": person.uuid})
    assert person.shares_with_network
    assert person.consents.get().scope == ConsentScope.NETWORK_SHARING
    assert person.accompaniments.get().structure == net.intermade


def test_sharing_without_saying_how_is_refused(net, login):
    response = login(net.intermade_advisor).post(
        reverse("pathways:person_create"), form_data(share_with_network="on")
    )
    assert response.status_code == 200
    assert "Indiquez comment la personne a donné son consentement" in response.text
    assert not Person.objects.exists()
