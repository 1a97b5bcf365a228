"""A public contact request is one record (issue 17, point 7): the referral in /suivi/ shows
how to reach the visitor and their orientation answers to those who may see the person, and
the consent ticked on the form is the person's consent record, with its text and date."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from maillage.directory import orientation
from maillage.pathways.gdpr.services import anonymise_person
from maillage.pathways.models import Consent, ConsentScope, Referral
from tests.directory.test_contact_requests import contact_url, valid_data
from tests.factories import StructureFactory, StructureMembershipFactory
from tests.utils import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(net, client):
    cache.clear()
    answers = {"progress": "idea", "place": "13001"}
    token = orientation.answers_token(network_slug=net.network.slug, answers=answers)
    response = client.post(contact_url(net.apeas, reponses=token), valid_data(phone="0612345678"))
    assert response.status_code == 302
    cache.clear()
    return Referral.objects.select_related("person", "contact_request").get()


def referral_page(client, referral):
    return client.get(reverse("pathways:referral_detail", kwargs={"uuid": referral.uuid}))


def test_the_consent_ticked_on_the_form_is_the_persons_consent(net, login, referral):
    consent = Consent.objects.get(person=referral.person)
    request = referral.contact_request
    assert consent.scope == ConsentScope.CONTACT
    assert (consent.given_at, consent.text) == (request.consent_given_at, request.consent_text)
    assert consent.structure == net.apeas
    assert not referral.person.shares_with_network  # given to the structure asked only

    person_page = page_text(
        login(net.apeas_advisor).get(
            reverse("pathways:person_detail", kwargs={"uuid": referral.person.uuid})
        )
    )
    assert "Aucun consentement enregistré" not in person_page
    assert "Être recontacté·e par la structure sollicitée — Formulaire en ligne" in person_page
    assert request.consent_text in person_page


def test_the_referral_shows_the_contact_details_and_the_answers(net, login, referral):
    text = page_text(referral_page(login(net.apeas_advisor), referral))
    assert "La demande de contact" in text
    assert "camille@exemple.test" in text
    phone = referral.contact_request.phone
    assert phone.startswith("06") and phone in text
    assert "Où en est votre projet aujourd'hui ?" in text
    assert "J'ai une idée et je voudrais en faire un projet" in text
    assert referral.contact_request.consent_text in text


def test_those_who_may_not_see_the_person_see_none_of_it(net, login, referral):
    outsider = StructureMembershipFactory(
        structure=StructureFactory(name="Place", networks=[net.network])
    ).user
    assert referral_page(login(outsider), referral).status_code == 404

    anonymise_person(person=referral.person, user=None, reason="Demande de la personne")
    text = page_text(referral_page(login(net.apeas_advisor), referral))
    assert "La demande de contact" not in text
    assert "camille@exemple.test" not in text
