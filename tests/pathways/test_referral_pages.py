"""The referral pages: inbox, sending, the detail as sender or receiver, and every answer."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.models import (
    ConsentMethod,
    ConsentScope,
    DeclineReason,
    Notification,
    Person,
    PersonAccess,
    Referral,
    ReferralOrigin,
    ReferralStatus,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services
from tests.directory.test_contact_requests import contact_url, valid_data
from tests.factories import (
    NetworkRoleFactory,
    OfferFactory,
    StructureFactory,
    StructureMembershipFactory,
)
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def new_person(net, *, sharing=True, **extra):
    fields = {"first_name": "Camille", "last_name": "Durand", **extra}
    person = person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, **fields
    )
    if sharing:
        person_services.give_consent(
            person=person,
            user=net.intermade_advisor,
            structure=net.intermade,
            scope=ConsentScope.NETWORK_SHARING,
            method=ConsentMethod.WRITTEN,
        )
    return Person.objects.get(pk=person.pk)


def refer(net, person=None, **extra):
    person = person or new_person(net)
    return referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
        to_offer=net.piles,
        reason="Projet collectif à faire émerger",
        **extra,
    )


def detail_url(referral, action="detail"):
    return reverse(f"pathways:referral_{action}", kwargs={"uuid": referral.uuid})


def reloaded(referral):
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def outsider(net):
    """An advisor of a third structure of the same network."""
    place = StructureFactory(name="Place", networks=[net.network])
    return StructureMembershipFactory(structure=place).user


@pytest.fixture
def coordinator(net):
    return NetworkRoleFactory(network=net.network).user


@pytest.fixture
def funder(net):
    return NetworkRoleFactory(network=net.network, funder=True).user


# --- Inbox -------------------------------------------------------------------------------------


def test_the_receiver_sees_waiting_referrals_first_with_the_persons_name(net, login):
    answered = refer(net, new_person(net, first_name="Alix", last_name="Bernard"))
    referral_services.accept_referral(referral=answered, user=net.apeas_advisor)
    refer(net)  # waiting, sent later
    response = login(net.apeas_advisor).get(reverse("pathways:referral_inbox"))
    text = page_text(response)
    assert response.status_code == 200
    assert "Reçues par mes structures" in text
    assert text.index("Camille Durand") < text.index("Alix Bernard")
    assert "Acceptée" in text


def test_the_sender_sees_the_answer_and_the_first_meeting_in_the_sent_box(net, login):
    referral = refer(net)
    referral_services.record_first_meeting(
        referral=referral, user=net.apeas_advisor, met_on=timezone.localdate()
    )
    client = login(net.intermade_advisor)
    received = page_text(client.get(reverse("pathways:referral_inbox")))
    assert "Camille Durand" not in received
    sent = page_text(client.get(reverse("pathways:referral_inbox") + "?box=sent"))
    assert "Camille Durand" in sent
    assert "Premier rendez-vous tenu" in sent
    assert timezone.localdate().strftime("%d/%m/%Y") in sent


def test_the_status_filter_narrows_the_list(net, login):
    declined = refer(net, new_person(net, first_name="Alix", last_name="Bernard"))
    referral_services.decline_referral(
        referral=declined, user=net.apeas_advisor, reason=DeclineReason.objects.first()
    )
    refer(net)
    client = login(net.apeas_advisor)
    text = page_text(client.get(reverse("pathways:referral_inbox") + "?status=declined"))
    assert "Alix Bernard" in text and "Camille Durand" not in text


def test_an_anonymous_referral_shows_no_name_in_the_inbox(net, login):
    refer(net, new_person(net, sharing=False))
    text = page_text(login(net.apeas_advisor).get(reverse("pathways:referral_inbox")))
    assert "Camille Durand" not in text
    assert "Orientation anonyme" in text


@pytest.mark.parametrize("role", ["coordinator", "funder"])
def test_network_roles_have_no_referral_inbox(net, login, role, request):
    user = request.getfixturevalue(role)
    client = login(user)
    assert client.get(reverse("pathways:referral_inbox")).status_code == 403
    assert client.get(reverse("pathways:referral_inbox_csv")).status_code == 403


@pytest.mark.parametrize("count", [2, 30])
def test_the_inbox_costs_a_bounded_number_of_queries(
    net, login, django_assert_max_num_queries, count
):
    for number in range(count):
        refer(net, new_person(net, first_name=f"Personne{number}"))
    client = login(net.apeas_advisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("pathways:referral_inbox"))
    assert page_text(response).count("Personne") >= min(count, 2)
    with django_assert_max_num_queries(12):
        client.get(reverse("pathways:referral_inbox") + "?box=sent")


def test_the_csv_export_lists_the_referrals_of_the_box(net, login):
    refer(net)
    refer(net, new_person(net, sharing=False, first_name="Secret", last_name="Caché"))
    response = login(net.apeas_advisor).get(reverse("pathways:referral_inbox_csv"))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "Camille Durand" in text
    assert "Secret" not in text and "Orientation anonyme" in text
    assert "Intermade" in text


# --- Sending -----------------------------------------------------------------------------------


def test_an_advisor_refers_a_person_they_follow(net, login):
    person = new_person(net)
    client = login(net.intermade_advisor)
    url = reverse("pathways:referral_create", kwargs={"uuid": person.uuid})
    page = page_text(client.get(url))
    assert "vers une structure partenaire" in page
    assert ">APEAS<" in page and ">Intermade<" not in page
    response = client.post(
        url,
        {
            "to_structure": net.apeas.pk,
            "to_offer": net.piles.pk,
            "reason": "Projet collectif",
            "shared_info": "Disponible le mardi",
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(referral)
    assert (referral.to_structure, referral.to_offer) == (net.apeas, net.piles)
    assert referral.shared_info == "Disponible le mardi"
    assert Notification.objects.filter(recipient=net.apeas_advisor).exists()


def test_without_consent_the_form_says_the_referral_will_be_anonymous(net, login):
    person = new_person(net, sharing=False)
    client = login(net.intermade_advisor)
    url = reverse("pathways:referral_create", kwargs={"uuid": person.uuid})
    assert "orientation anonyme" in page_text(client.get(url))
    client.post(url, {"to_structure": net.apeas.pk, "shared_info": "Ne pas transmettre"})
    referral = Referral.objects.get()
    assert referral.is_anonymous and referral.shared_info == ""


def test_an_offer_of_another_structure_is_refused_and_nothing_is_sent(net, login):
    person = new_person(net)
    other = StructureFactory(name="Place", networks=[net.network])
    client = login(net.intermade_advisor)
    url = reverse("pathways:referral_create", kwargs={"uuid": person.uuid})
    response = client.post(url, {"to_structure": other.pk, "to_offer": net.piles.pk})
    assert response.status_code == 200
    assert "Cette offre appartient à une autre structure." in page_text(response)
    assert not Referral.objects.exists()


def test_a_second_waiting_referral_to_the_same_structure_is_refused(net, login):
    referral = refer(net)
    client = login(net.intermade_advisor)
    url = reverse("pathways:referral_create", kwargs={"uuid": referral.person.uuid})
    response = client.post(url, {"to_structure": net.apeas.pk})
    assert "a déjà une orientation en attente" in page_text(response)
    assert Referral.objects.count() == 1


def test_referring_a_person_one_may_not_see_is_refused_and_logged(net, login, coordinator):
    person = new_person(net, sharing=False)
    url = reverse("pathways:referral_create", kwargs={"uuid": person.uuid})
    assert login(net.apeas_advisor).get(url).status_code == 404
    assert PersonAccess.objects.filter(
        person=person, user=net.apeas_advisor, granted=False
    ).exists()
    assert login(coordinator).get(url).status_code == 404
    assert not Referral.objects.exists()


# --- Detail ------------------------------------------------------------------------------------


def test_the_receiver_opening_the_referral_changes_nothing(net, login):
    referral = refer(net)
    client = login(net.apeas_advisor)
    for _ in range(2):
        text = page_text(client.get(detail_url(referral)))
    assert "Orientation d'Intermade vers APEAS" in text
    assert "Camille Durand" in text
    assert "Accepter l'orientation" in text and "Annuler l'orientation" not in text
    assert "Marquer comme vue" in text
    after = reloaded(referral)
    assert (after.status, after.version, after.status_changed_at) == (
        ReferralStatus.SENT,
        referral.version,
        referral.status_changed_at,
    )
    assert after.transitions.count() == 1


def test_the_receiver_marks_the_referral_seen_and_the_sender_sees_it(net, login):
    referral = refer(net)
    client = login(net.apeas_advisor)
    assert client.get(detail_url(referral, "mark_received")).status_code == 405
    response = client.post(detail_url(referral, "mark_received"))
    assert response.status_code == 302 and response.url == detail_url(referral)
    assert reloaded(referral).status == ReferralStatus.RECEIVED
    assert "Marquer comme vue" not in page_text(client.get(detail_url(referral)))
    # The sender cannot mark it; they read it in the history (labels, not codes).
    sender = login(net.intermade_advisor)
    assert sender.post(detail_url(referral, "mark_received")).status_code == 403
    text = page_text(sender.get(detail_url(referral)))
    assert "Vue par la structure" in text and ">received<" not in text
    assert "Marquer comme vue" not in text


def test_the_sender_sees_the_referral_without_the_receivers_actions(net, login):
    referral = refer(net)
    text = page_text(login(net.intermade_advisor).get(detail_url(referral)))
    assert "Annuler l'orientation" in text and "Accepter l'orientation" not in text
    assert reloaded(referral).status == ReferralStatus.SENT


def test_an_anonymous_referral_hides_the_name_and_asks_for_it_at_the_first_meeting(net, login):
    # A name no generated account can carry (the sender's name is shown, and fake).
    person = new_person(net, sharing=False, first_name="Zéphyrine", last_name="Quintanilla")
    referral = refer(net, person)
    text = page_text(login(net.apeas_advisor).get(detail_url(referral)))
    assert "Zéphyrine" not in text and "Quintanilla" not in text
    assert "Orientation anonyme" in text
    assert 'name="first_meeting-first_name"' in text


@pytest.mark.parametrize("role", ["outsider", "coordinator", "funder"])
def test_others_get_a_404(net, login, request, role):
    referral = refer(net)
    client = login(request.getfixturevalue(role))
    assert client.get(detail_url(referral)).status_code == 404
    response = client.post(detail_url(referral, "accept"), {"accept-version": 1})
    assert response.status_code == 404
    assert reloaded(referral).status == ReferralStatus.SENT


# --- Answers -----------------------------------------------------------------------------------


def test_the_receiver_accepts_and_the_sender_sees_it(net, login):
    referral = refer(net)
    client = login(net.apeas_advisor)
    response = client.post(
        detail_url(referral, "accept"), {"accept-version": referral.version, "accept-note": "OK"}
    )
    assert response.status_code == 302
    assert reloaded(referral).status == ReferralStatus.ACCEPTED
    text = page_text(login(net.intermade_advisor).get(detail_url(referral)))
    assert "Acceptée" in text and "OK" in text


def test_the_sender_cannot_answer_and_the_receiver_cannot_cancel(net, login):
    referral = refer(net)
    response = login(net.intermade_advisor).post(
        detail_url(referral, "accept"), {"accept-version": referral.version}
    )
    assert response.status_code == 403
    response = login(net.apeas_advisor).post(
        detail_url(referral, "cancel"), {"cancel-version": referral.version}
    )
    assert response.status_code == 403
    assert reloaded(referral).status == ReferralStatus.SENT


def test_a_stale_version_changes_nothing_and_says_so(net, login):
    referral = refer(net)
    client = login(net.apeas_advisor)
    response = client.post(
        detail_url(referral, "accept"), {"accept-version": referral.version + 5}, follow=True
    )
    assert "Quelqu'un d'autre a enregistré" in page_text(response)
    # Nothing changed.
    assert reloaded(referral).status == ReferralStatus.SENT
    assert reloaded(referral).answered_at is None


def test_declining_needs_a_reason_and_keeps_the_input(net, login):
    referral = refer(net)
    client = login(net.apeas_advisor)
    response = client.post(
        detail_url(referral, "decline"),
        {"decline-version": referral.version, "decline-decline_note": "Complet jusqu'en juin"},
    )
    text = page_text(response)
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text
    assert "Complet jusqu'en juin" in text
    assert reloaded(referral).status == ReferralStatus.SENT
    reason = DeclineReason.objects.first()
    response = client.post(
        detail_url(referral, "decline"),
        {
            "decline-version": referral.version,
            "decline-decline_reason": reason.pk,
            "decline-decline_note": "Complet jusqu'en juin",
            "decline-share_reason_with_person": "on",
        },
    )
    declined = reloaded(referral)
    assert declined.status == ReferralStatus.DECLINED
    assert declined.decline_reason == reason and declined.reason_shared_with_person


def test_an_action_the_status_does_not_allow_is_refused_with_a_message(net, login):
    referral = refer(net)
    referral_services.decline_referral(
        referral=referral, user=net.apeas_advisor, reason=DeclineReason.objects.first()
    )
    response = login(net.apeas_advisor).post(
        detail_url(referral, "accept"), {"accept-version": reloaded(referral).version}
    )
    assert "n'est plus possible" in page_text(response)
    assert reloaded(referral).status == ReferralStatus.DECLINED


def test_the_receiver_redirects_to_a_better_placed_structure(net, login):
    referral = refer(net)
    place = StructureFactory(name="Place", networks=[net.network])
    offer = OfferFactory(structure=place, title="Dynamiques de gouvernance")
    client = login(net.apeas_advisor)
    bad = client.post(
        detail_url(referral, "redirect"),
        {
            "redirect-version": referral.version,
            "redirect-to_structure": place.pk,
            "redirect-to_offer": net.starter.pk,
        },
    )
    assert "Cette offre appartient à une autre structure." in page_text(bad)
    client.post(
        detail_url(referral, "redirect"),
        {
            "redirect-version": referral.version,
            "redirect-to_structure": place.pk,
            "redirect-to_offer": offer.pk,
            "redirect-note": "Plutôt la gouvernance",
        },
    )
    old = reloaded(referral)
    assert old.status == ReferralStatus.REDIRECTED
    assert (old.redirected_to.to_structure, old.redirected_to.to_offer) == (place, offer)


def test_the_first_meeting_of_an_anonymous_referral_matches_the_person(net, login):
    person = new_person(net, sharing=False, birth_date=datetime.date(1990, 1, 1))
    referral = refer(net, person)
    client = login(net.apeas_advisor)
    url = detail_url(referral, "first_meeting")
    today = timezone.localdate()
    data = {
        "first_meeting-version": referral.version,
        "first_meeting-first_meeting_on": today.isoformat(),
        "first_meeting-first_name": "Dominique",
        "first_meeting-last_name": "Durand",
    }
    response = client.post(url, data)
    assert "ne correspondent pas" in page_text(response)
    assert 'value="Dominique"' in page_text(response)
    assert reloaded(referral).status == ReferralStatus.SENT
    data.update({"first_meeting-first_name": "camille", "first_meeting-last_name": "DURAND"})
    assert client.post(url, data).status_code == 302
    met = reloaded(referral)
    assert (met.status, met.first_meeting_on) == (ReferralStatus.FIRST_MEETING, today)


def test_a_first_meeting_in_the_future_is_refused(net, login):
    referral = refer(net)
    response = login(net.apeas_advisor).post(
        detail_url(referral, "first_meeting"),
        {
            "first_meeting-version": referral.version,
            "first_meeting-first_meeting_on": (
                timezone.localdate() + datetime.timedelta(days=3)
            ).isoformat(),
        },
    )
    assert "Cette date est dans le futur" in page_text(response)
    assert reloaded(referral).first_meeting_on is None


def test_the_receiver_closes_and_the_sender_cancels(net, login):
    first = refer(net)
    referral_services.accept_referral(referral=first, user=net.apeas_advisor)
    login(net.apeas_advisor).post(
        detail_url(first, "close"), {"close-version": reloaded(first).version}
    )
    assert reloaded(first).status == ReferralStatus.CLOSED
    second = refer(net, new_person(net, first_name="Alix"))
    login(net.intermade_advisor).post(
        detail_url(second, "cancel"), {"cancel-version": second.version, "cancel-note": "Erreur"}
    )
    assert reloaded(second).status == ReferralStatus.CANCELLED


def test_actions_are_post_only(net, login):
    referral = refer(net)
    assert login(net.apeas_advisor).get(detail_url(referral, "accept")).status_code == 405


# --- Contact requests from the public site ------------------------------------------------------


def test_a_contact_request_becomes_a_referral_for_the_structures_advisors(net, client):
    cache.clear()
    response = client.post(contact_url(net.apeas, offre=net.piles.slug), valid_data())
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.origin == ReferralOrigin.PUBLIC_FORM
    assert (referral.to_structure, referral.to_offer) == (net.apeas, net.piles)
    assert referral.contact_request is not None
    assert referral.person.first_name == "Camille"
    assert Notification.objects.filter(recipient=net.apeas_advisor).exists()
    cache.clear()


def test_a_contact_request_with_a_first_name_only_still_becomes_a_referral(net, client):
    cache.clear()
    response = client.post(contact_url(net.apeas), valid_data(last_name=""))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert (referral.person.first_name, referral.person.last_name) == ("Camille", "")
    cache.clear()


@pytest.mark.parametrize("as_receiver", [True, False])
def test_the_detail_costs_a_bounded_number_of_queries(
    net, login, django_assert_max_num_queries, as_receiver
):
    referral = refer(net)
    referral_services.accept_referral(referral=referral, user=net.apeas_advisor)
    client = login(net.apeas_advisor if as_receiver else net.intermade_advisor)
    client.get(detail_url(referral))  # the first opening marks it seen
    with django_assert_max_num_queries(20):
        response = client.get(detail_url(referral))
    assert response.status_code == 200
