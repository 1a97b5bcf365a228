"""Application pages: recording an application, its status changes (with the next step a
"not selected" decision needs), and the applicants of a session."""

import pytest
from django.urls import reverse

from maillage.pathways.applications import services as application_services
from maillage.pathways.models import (
    Application,
    ApplicationStatus,
    EndReason,
    NoNextStepReason,
    PersonAccess,
    Referral,
)
from maillage.pathways.persons import services as person_services
from tests.factories import NetworkRoleFactory, OfferSessionFactory
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def new_person(net, first_name="Camille", last_name="Durand"):
    return person_services.create_person(
        structure=net.intermade,
        user=net.intermade_advisor,
        first_name=first_name,
        last_name=last_name,
    )


def apply(net, person=None, session=None):
    return application_services.submit_application(
        person=person or new_person(net),
        offer=net.starter,
        session=session or net.starter_session,
        user=net.intermade_advisor,
    )


def status_url(application):
    return reverse("pathways:application_status", kwargs={"uuid": application.uuid})


def detail_url(application):
    return reverse("pathways:application_detail", kwargs={"uuid": application.uuid})


def reloaded(application):
    return Application.objects.get(pk=application.pk)


# --- Recording ---------------------------------------------------------------------------------


def test_an_advisor_records_an_application_to_a_session_of_their_offer(net, login):
    person = new_person(net)
    client = login(net.intermade_advisor)
    url = reverse("pathways:application_create", kwargs={"uuid": person.uuid})
    page = page_text(client.get(url))
    assert "Enregistrer une candidature de Camille Durand" in page
    assert "PILES" not in page  # another structure's offer is not offered
    response = client.post(
        url,
        {
            "offer": net.starter.pk,
            "session": net.starter_session.pk,
            "submitted_on": "2025-03-03",
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(application)
    assert (application.offer, application.session) == (net.starter, net.starter_session)
    assert application.status == ApplicationStatus.SUBMITTED


def test_bad_input_is_refused_with_translated_errors_and_nothing_saved(net, login):
    person = new_person(net)
    client = login(net.intermade_advisor)
    url = reverse("pathways:application_create", kwargs={"uuid": person.uuid})
    future = client.post(url, {"offer": net.starter.pk, "submitted_on": "2999-01-01"})
    assert "Cette date est dans le futur" in page_text(future)
    foreign = client.post(url, {"offer": net.piles.pk, "submitted_on": "2025-03-03"})
    assert "Sélectionnez un choix valide" in page_text(foreign)
    other_session = OfferSessionFactory()
    wrong = client.post(
        url,
        {"offer": net.starter.pk, "session": other_session.pk, "submitted_on": "2025-03-03"},
    )
    assert wrong.status_code == 200
    assert not Application.objects.exists()


def test_recording_for_a_person_one_may_not_see_is_refused_and_logged(net, login):
    person = new_person(net)
    url = reverse("pathways:application_create", kwargs={"uuid": person.uuid})
    assert login(net.apeas_advisor).get(url).status_code == 404
    assert PersonAccess.objects.filter(person=person, granted=False).exists()
    funder = NetworkRoleFactory(network=net.network, funder=True).user
    assert login(funder).get(url).status_code == 404


# --- Detail and status -------------------------------------------------------------------------


def test_the_offering_structure_sees_the_application_and_its_history(net, login):
    application = apply(net)
    text = page_text(login(net.intermade_advisor).get(detail_url(application)))
    assert "Candidature à Starter" in text
    assert "Camille Durand" in text
    assert "Déposée" in text


@pytest.mark.parametrize("role", ["apeas_advisor", "coordinator", "funder"])
def test_others_get_a_404_on_the_application(net, login, role):
    application = apply(net)
    users = {
        "apeas_advisor": net.apeas_advisor,
        "coordinator": NetworkRoleFactory(network=net.network).user,
        "funder": NetworkRoleFactory(network=net.network, funder=True).user,
    }
    client = login(users[role])
    assert client.get(detail_url(application)).status_code == 404
    assert client.post(status_url(application), {"to_status": "selected"}).status_code == 404
    assert reloaded(application).status == ApplicationStatus.SUBMITTED


def test_the_form_offers_only_the_next_allowed_statuses(net, login):
    application = apply(net)
    client = login(net.intermade_advisor)
    text = page_text(client.get(status_url(application)))
    assert 'value="under_review"' in text and 'value="completed"' not in text
    response = client.post(
        status_url(application), {"version": application.version, "to_status": "completed"}
    )
    assert "Sélectionnez un choix valide" in page_text(response)
    assert reloaded(application).status == ApplicationStatus.SUBMITTED


def test_moving_along_the_state_machine(net, login):
    application = apply(net)
    client = login(net.intermade_advisor)
    response = client.post(
        status_url(application), {"version": application.version, "to_status": "selected"}
    )
    assert response.status_code == 302
    application = reloaded(application)
    assert application.status == ApplicationStatus.SELECTED
    text = page_text(client.get(detail_url(application)))
    assert "Retenue" in text


def test_not_selected_without_a_next_step_is_refused_and_keeps_the_input(net, login):
    application = apply(net)
    client = login(net.intermade_advisor)
    response = client.post(
        status_url(application),
        {
            "version": application.version,
            "to_status": "not_selected",
            "note": "Commission du 3 mars",
        },
    )
    text = page_text(response)
    assert response.status_code == 200
    assert "Indiquez une suite avant de marquer la candidature « non retenue »" in text
    assert "Commission du 3 mars" in text
    application = reloaded(application)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.version == 1
    assert not Referral.objects.exists()


def test_not_selected_with_a_reason_for_no_next_step(net, login):
    application = apply(net)
    reason = NoNextStepReason.objects.filter(requires_note=False).first()
    login(net.intermade_advisor).post(
        status_url(application),
        {
            "version": application.version,
            "to_status": "not_selected",
            "no_next_step_reason": reason.pk,
        },
    )
    application = reloaded(application)
    assert application.status == ApplicationStatus.NOT_SELECTED
    assert application.no_next_step_reason == reason


def test_not_selected_with_a_referral_sends_it_in_the_same_step(net, login):
    application = apply(net)
    login(net.intermade_advisor).post(
        status_url(application),
        {
            "version": application.version,
            "to_status": "not_selected",
            "refer_to_structure": net.apeas.pk,
            "refer_to_offer": net.piles.pk,
            "referral_reason": "PILES conviendra mieux",
        },
    )
    application = reloaded(application)
    assert application.status == ApplicationStatus.NOT_SELECTED
    referral = Referral.objects.get()
    assert application.next_step_referral == referral
    assert (referral.to_structure, referral.to_offer) == (net.apeas, net.piles)


def test_both_next_steps_at_once_are_refused(net, login):
    application = apply(net)
    response = login(net.intermade_advisor).post(
        status_url(application),
        {
            "version": application.version,
            "to_status": "not_selected",
            "refer_to_structure": net.apeas.pk,
            "no_next_step_reason": NoNextStepReason.objects.first().pk,
        },
    )
    assert "pas les deux" in page_text(response)
    assert reloaded(application).status == ApplicationStatus.SUBMITTED
    assert not Referral.objects.exists()


def test_dropping_out_records_the_reason(net, login):
    application = apply(net)
    reason = EndReason.objects.filter(requires_note=False).first()
    login(net.intermade_advisor).post(
        status_url(application),
        {"version": application.version, "to_status": "dropped_out", "end_reason": reason.pk},
    )
    application = reloaded(application)
    assert (application.status, application.end_reason) == (ApplicationStatus.DROPPED_OUT, reason)


def test_a_stale_version_is_refused_with_a_message(net, login):
    application = apply(net)
    response = login(net.intermade_advisor).post(
        status_url(application),
        {"version": application.version + 1, "to_status": "selected"},
        follow=True,
    )
    assert "Quelqu'un d'autre a enregistré" in page_text(response)
    assert reloaded(application).status == ApplicationStatus.SUBMITTED


# --- Applicants of a session -------------------------------------------------------------------


def test_the_session_page_lists_its_applicants_with_quick_decisions(
    net, login, django_assert_max_num_queries
):
    for number in range(4):
        apply(net, new_person(net, first_name=f"Personne{number}"))
    client = login(net.intermade_advisor)
    url = reverse("pathways:session_applicants", kwargs={"uuid": net.starter_session.uuid})
    with django_assert_max_num_queries(12):
        response = client.get(url)
    text = page_text(response)
    assert "Candidatures à Starter" in text
    assert text.count("Personne") >= 4
    assert "?statut=selected" in text
    assert login(net.apeas_advisor).get(url).status_code == 404


def test_the_application_pages_cost_a_bounded_number_of_queries(
    net, login, django_assert_max_num_queries
):
    application = apply(net)
    for status in ("under_review", "waitlisted", "selected", "in_progress"):
        application = application_services.change_application_status(
            application=application, user=net.intermade_advisor, to_status=status
        )
    client = login(net.intermade_advisor)
    with django_assert_max_num_queries(15):
        assert client.get(detail_url(application)).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(status_url(application)).status_code == 200
