"""An offer page promises only what can be done (issue 17, point 9): "send an e-mail" needs an
address, and a session whose application deadline passed says that applications are closed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.directory.models import AccessMode
from tests.factories import OfferFactory, OfferSessionFactory, StructureFactory

pytestmark = pytest.mark.django_db

EMAIL_MODE = "Envoyer un courriel"


def offer_page(client, offer):
    response = client.get(reverse("directory:offer", args=[offer.structure.slug, offer.slug]))
    assert response.status_code == 200
    return response.content.decode()


def offer_applied_to_by_email(**structure_fields):
    structure = StructureFactory(**structure_fields)
    offer = OfferFactory(structure=structure)
    offer.access_modes.set(
        AccessMode.objects.filter(code__in=["envoyer-un-courriel", "se-presenter"])
    )
    return offer


def test_no_e_mail_is_promised_without_an_address(client):
    offer = offer_applied_to_by_email()
    html = offer_page(client, offer)
    assert EMAIL_MODE not in html
    assert "Se présenter sur place" in html
    assert "mailto:" not in html


def test_the_offer_s_address_backs_the_promise(client):
    offer = offer_applied_to_by_email()
    offer.contact_email = "starter@intermade.test"
    offer.save()
    html = offer_page(client, offer)
    assert EMAIL_MODE in html and "mailto:starter@intermade.test" in html


def test_the_structure_s_address_backs_the_promise_too(client):
    offer = offer_applied_to_by_email(email="contact@intermade.test")
    html = offer_page(client, offer)
    assert EMAIL_MODE in html and "mailto:contact@intermade.test" in html


def test_a_session_whose_deadline_passed_says_applications_are_closed(client):
    today = timezone.localdate()
    offer = OfferFactory()
    OfferSessionFactory(
        offer=offer,
        starts_on=today + datetime.timedelta(days=3),
        application_deadline=today - datetime.timedelta(days=1),
    )
    OfferSessionFactory(
        offer=offer,
        starts_on=today + datetime.timedelta(days=60),
        application_deadline=today + datetime.timedelta(days=30),
    )
    html = offer_page(client, offer)
    assert html.count("Candidatures closes") == 1
    deadline = today + datetime.timedelta(days=30)
    assert f"{deadline.day} " in html


def test_a_deadline_today_still_accepts_applications(client):
    today = timezone.localdate()
    offer = OfferFactory()
    OfferSessionFactory(
        offer=offer, starts_on=today + datetime.timedelta(days=3), application_deadline=today
    )
    assert "Candidatures closes" not in offer_page(client, offer)
