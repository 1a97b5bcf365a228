"""Every page about one person refuses those who may not see them (acceptance 3).

The list of URLs is read from the URL configuration, so a new person page is covered as soon as
it exists. Funders and coordinators never see a named person; an advisor of another structure
without consent and referral does not either. They get the 404 of a person who does not exist
(the answer does not reveal the person). Nothing is written, and each refusal of a page that
reads the person is logged.
"""

import uuid

import pytest
from django.urls import reverse

from maillage.pathways import urls as pathways_urls
from maillage.pathways.models import Person, PersonAccess
from maillage.pathways.persons import services
from tests.factories import NetworkRoleFactory

pytestmark = pytest.mark.django_db

PERSON_PAGES = sorted(
    pattern.name
    for pattern in pathways_urls.urlpatterns
    if str(pattern.pattern).startswith("personnes/<uuid:uuid>/")
    and "<int:pk>" not in str(pattern.pattern)
)


def test_the_person_pages_are_found():
    assert {"person_detail", "person_edit", "referral_create", "person_export_json"} <= set(
        PERSON_PAGES
    )


@pytest.mark.parametrize("name", PERSON_PAGES)
@pytest.mark.parametrize("who", ["funder", "coordinator", "other_advisor"])
def test_person_pages_refuse_who_may_not_see_the_person(net, login, name, who):
    person = services.create_person(
        structure=net.intermade,
        user=net.intermade_advisor,
        first_name="Camille",
        last_name="Durand",
        email="camille@exemple.test",
    )
    user = {
        "funder": lambda: NetworkRoleFactory(network=net.network, funder=True).user,
        "coordinator": lambda: NetworkRoleFactory(network=net.network).user,
        "other_advisor": lambda: net.apeas_advisor,
    }[who]()
    client = login(user)
    path = reverse(f"pathways:{name}", kwargs={"uuid": person.uuid})
    data = {"first_name": "Intrus", "body": "note", "confirm": "x"}
    got = client.get(path)
    posted = client.post(path, data)
    assert got.status_code in (404, 405), (name, got.status_code)
    assert posted.status_code in (404, 405), (name, posted.status_code)
    assert 404 in (got.status_code, posted.status_code)
    # The same answers as for a person who does not exist: nothing tells that this one does.
    nobody = reverse(f"pathways:{name}", kwargs={"uuid": uuid.uuid4()})
    assert (client.get(nobody).status_code, client.post(nobody, data).status_code) == (
        got.status_code,
        posted.status_code,
    )
    for response in (got, posted):
        assert "Durand" not in response.content.decode(errors="ignore")
    person.refresh_from_db()
    assert person.first_name == "Camille" and person.version == 1
    assert not person.notes.exists()
    assert not PersonAccess.objects.filter(person=person, granted=True).exists()
    assert PersonAccess.objects.filter(person=person, user=user, granted=False).exists()
    assert Person.objects.count() == 1
