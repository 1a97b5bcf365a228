"""Contact requests: the public "be contacted" form (spam protection, rate limit, consent) and
the advisors' inbox (who sees what, filters, "mark handled", CSV export)."""

import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from maillage.accounts.rules import can
from maillage.directory import contact_forms, inbox_selectors, orientation
from maillage.directory.models import ContactRequest, ContactRequestStatus
from tests.directory.test_orientation import build_pathway
from tests.factories import (
    ContactRequestFactory,
    NetworkFactory,
    NetworkRoleFactory,
    OfferFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)
from tests.utils import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_rate_limit_counters():
    cache.clear()
    yield
    cache.clear()


def contact_url(structure, **query):
    url = reverse("orientation:contact", kwargs={"slug": structure.slug})
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def valid_data(**overrides):
    data = {
        "first_name": "Camille",
        "last_name": "Martin",
        "email": "camille@exemple.test",
        "phone": "",
        "postal_code": "13001",
        "message": "J'ai un projet de recyclerie.",
        "consent": "on",
        "website": "",
        # Shown ten seconds ago: a person, not a robot.
        "form_token": contact_forms.form_token(now=time.time() - 10),
    }
    data.update(overrides)
    return data


@pytest.fixture
def structure():
    return StructureFactory(name="Intermade", networks=[NetworkFactory()])


# --- The form ----------------------------------------------------------------------------------


def test_the_form_asks_for_consent_unticked_and_names_the_offer(client, structure):
    offer = OfferFactory(structure=structure, title="Starter")
    response = client.get(contact_url(structure, offre=offer.slug))
    assert response.status_code == 200
    text = page_text(response)
    assert "Être recontacté·e par Intermade" in text
    assert "Au sujet de l'offre « Starter »." in text
    assert 'type="checkbox" name="consent"' in text
    assert "checked" not in text
    assert 'class="contact-form__trap" aria-hidden="true"' in text


def test_a_valid_request_is_saved_with_its_consent_and_confirmed(client, structure):
    offer = OfferFactory(structure=structure, title="Starter")
    response = client.post(contact_url(structure, offre=offer.slug), valid_data())
    sent_url = reverse("orientation:contact_sent", kwargs={"slug": structure.slug})
    assert response.status_code == 302 and response["Location"] == sent_url
    contact_request = ContactRequest.objects.get()
    assert contact_request.structure == structure
    assert contact_request.offer == offer
    assert (contact_request.first_name, contact_request.email) == (
        "Camille",
        "camille@exemple.test",
    )
    assert contact_request.status == ContactRequestStatus.NEW
    assert contact_request.consent_text.startswith("J'accepte qu'Intermade conserve")
    assert contact_request.consent_given_at is not None
    text = page_text(client.get(sent_url))
    assert "Intermade a bien reçu votre demande et va vous recontacter." in text
    assert "Et maintenant ?" in text


@pytest.mark.parametrize("name", ["Camille\r\nBcc: x@exemple.test", "Camille\nMartin", "Ca\rmille"])
def test_a_name_with_line_breaks_still_notifies_the_staff(
    client, structure, name, django_capture_on_commit_callbacks
):
    advisor = StructureMembershipFactory(structure=structure).user
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(contact_url(structure), valid_data(first_name=name))
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[advisor.email]]
    subject = mail.outbox[0].subject
    assert "\n" not in subject and "\r" not in subject
    assert subject.startswith("[Maillage] Nouvelle demande de contact depuis le site public : Ca")
    assert not mail.outbox[0].bcc


def test_the_orientation_answers_come_along_with_the_request(client):
    network, stages = build_pathway()
    structure = StructureFactory(networks=[network])
    answers = {"progress": "idea", "situation": "job-seeker", "place": "13001"}
    token = orientation.answers_token(network_slug=network.slug, answers=answers)
    url = contact_url(structure, reponses=token)
    form_page = page_text(client.get(url))
    assert "(étape : Émergence)" in form_page
    assert 'value="13001"' in form_page  # the postal code, filled from the answers
    client.post(url, valid_data())
    contact_request = ContactRequest.objects.get()
    assert contact_request.answers == answers
    assert contact_request.stage == stages["emergence"]


def test_forged_answers_are_not_kept(client, structure):
    client.post(contact_url(structure, reponses="eyJhIjp7fX0:forged:signature"), valid_data())
    contact_request = ContactRequest.objects.get()
    assert contact_request.answers == {}
    assert contact_request.stage is None


def test_an_offer_of_another_structure_is_not_attached(client, structure):
    other = OfferFactory(title="Ailleurs")
    client.post(contact_url(structure, offre=other.slug), valid_data())
    assert ContactRequest.objects.get().offer is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "", "phone": ""}, "email", "Indiquez une adresse e-mail ou un numéro"),
        ({"consent": ""}, "consent", "Cochez cette case"),
        ({"first_name": ""}, "first_name", "Ce champ est obligatoire."),
        ({"email": "pas-un-email"}, "email", "Saisissez une adresse e-mail valide."),
        ({"phone": "appelez-moi"}, "phone", "Saisissez un numéro de téléphone"),
        ({"postal_code": "1300"}, "postal_code", "Un code postal compte cinq chiffres"),
    ],
)
def test_bad_input_says_what_to_fix_and_saves_nothing(client, structure, overrides, field, message):
    response = client.post(contact_url(structure), valid_data(**overrides))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in page_text(response)
    assert not ContactRequest.objects.exists()


def test_a_phone_number_alone_is_enough(client, structure):
    client.post(contact_url(structure), valid_data(email="", phone="06 12 34 56 78"))
    assert ContactRequest.objects.get().phone == "06 12 34 56 78"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (lambda: {"website": "https://spam.example"}, "La demande n'a pas pu être envoyée."),
        (lambda: {"form_token": contact_forms.form_token()}, "envoyé trop rapidement"),
        (
            lambda: {"form_token": contact_forms.form_token(now=time.time() - 2 * 24 * 3600)},
            "ouvert il y a plus d'un jour",
        ),
        (lambda: {"form_token": "1:forged"}, "n'a pas pu être vérifié"),
        (lambda: {"form_token": ""}, "n'a pas pu être vérifié"),
    ],
)
def test_robots_are_turned_away(client, structure, overrides, message):
    response = client.post(contact_url(structure), valid_data(**overrides()))
    assert response.status_code == 200
    assert message in page_text(response)
    assert not ContactRequest.objects.exists()


def test_a_form_shown_again_keeps_a_usable_timestamp_and_renews_an_expired_one():
    structure = StructureFactory()
    shown = contact_forms.form_token(now=time.time() - 10)
    form = contact_forms.ContactRequestForm(valid_data(form_token=shown), structure=structure)
    assert form.token == shown
    expired = contact_forms.form_token(now=time.time() - 2 * 24 * 3600)
    form = contact_forms.ContactRequestForm(valid_data(form_token=expired), structure=structure)
    assert form.token != expired
    assert contact_forms.token_problem(form.token, now=time.time() + 5) is None


def test_more_than_five_requests_an_hour_from_one_address_are_refused(client, structure):
    for _ in range(5):
        assert client.post(contact_url(structure), valid_data()).status_code == 302
    response = client.post(contact_url(structure), valid_data(first_name="Sixième"))
    assert response.status_code == 429
    text = page_text(response)
    assert "Trop de demandes" in text
    assert "Vous pourrez réessayer dans" in text
    assert ContactRequest.objects.count() == 5
    # Another address is not held back.
    other = client.post(contact_url(structure), valid_data(), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


def test_behind_a_proxy_the_limit_holds_each_client_not_everyone(client, structure, settings):
    settings.PROXY_COUNT = 1
    proxied = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(5):
        response = client.post(
            contact_url(structure), valid_data(), HTTP_X_FORWARDED_FOR="203.0.113.1", **proxied
        )
        assert response.status_code == 302
    # A forged entry before the proxy's does not give the same client a new allowance.
    response = client.post(
        contact_url(structure),
        valid_data(),
        HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.1",
        **proxied,
    )
    assert response.status_code == 429
    # Another visitor behind the same proxy is not held back.
    response = client.post(
        contact_url(structure), valid_data(), HTTP_X_FORWARDED_FOR="198.51.100.9", **proxied
    )
    assert response.status_code == 302


def test_failed_attempts_do_not_use_up_the_limit(client, structure):
    for _ in range(6):
        client.post(contact_url(structure), valid_data(consent=""))
    assert client.post(contact_url(structure), valid_data()).status_code == 302


def test_an_unknown_structure_is_a_404(client):
    assert client.get(reverse("orientation:contact", kwargs={"slug": "nulle"})).status_code == 404


# --- The inbox ---------------------------------------------------------------------------------


def inbox_world():
    network = NetworkFactory()
    structure = StructureFactory(name="Intermade", networks=[network])
    other = StructureFactory(name="APEAS", networks=[network])
    users = {
        "advisor": StructureMembershipFactory(structure=structure).user,
        "structure_admin": StructureMembershipFactory(structure=structure, admin=True).user,
        "advisor_elsewhere": StructureMembershipFactory(structure=other).user,
        "coordinator": NetworkRoleFactory(network=network).user,
        "funder": NetworkRoleFactory(network=network, funder=True).user,
        "platform_admin": UserFactory(platform_admin=True),
        "no_role": UserFactory(),
    }
    request = ContactRequestFactory(structure=structure, first_name="Camille", last_name="Roux")
    elsewhere = ContactRequestFactory(structure=other, first_name="Dominique")
    return users, request, elsewhere


ROLES = [
    "advisor",
    "structure_admin",
    "advisor_elsewhere",
    "coordinator",
    "funder",
    "platform_admin",
    "no_role",
]


@pytest.mark.parametrize("role", ROLES)
def test_the_inbox_selector_lists_exactly_what_the_rule_allows(role):
    users, _request, _elsewhere = inbox_world()
    user = users[role]
    assert set(inbox_selectors.contact_requests_visible_to(user)) == {
        r for r in ContactRequest.objects.all() if can(user, "view_personal_records", r.structure)
    }


@pytest.mark.parametrize(
    ("role", "list_status", "sees_it", "detail_status"),
    [
        ("advisor", 200, True, 200),
        ("structure_admin", 200, True, 200),
        ("advisor_elsewhere", 200, False, 404),
        ("coordinator", 403, False, 404),
        ("funder", 403, False, 404),
        ("platform_admin", 403, False, 404),
        ("no_role", 403, False, 404),
    ],
)
def test_only_the_staff_of_the_structure_read_its_requests(
    login, role, list_status, sees_it, detail_status
):
    users, request, _elsewhere = inbox_world()
    client = login(users[role])
    response = client.get(reverse("orientation:inbox"))
    assert response.status_code == list_status
    assert ("Camille Roux" in page_text(response)) is sees_it
    detail = client.get(reverse("orientation:inbox_detail", args=[request.pk]))
    assert detail.status_code == detail_status
    csv_response = client.get(reverse("orientation:inbox_csv"))
    assert csv_response.status_code == list_status
    assert ("Camille" in csv_response.content.decode()) is sees_it


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    _users, request, _elsewhere = inbox_world()
    for url in (
        reverse("orientation:inbox"),
        reverse("orientation:inbox_detail", args=[request.pk]),
        reverse("orientation:inbox_csv"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    response = client.post(reverse("orientation:inbox_mark_handled", args=[request.pk]))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ContactRequestStatus.NEW


def test_the_detail_shows_the_answers_and_the_consent(login):
    users, request, _elsewhere = inbox_world()
    request.answers = {"progress": "idea", "situation": "job-seeker"}
    request.consent_text = "J'accepte d'être recontacté·e par Intermade."
    request.save()
    text = page_text(
        login(users["advisor"]).get(reverse("orientation:inbox_detail", args=[request.pk]))
    )
    assert "Où en est votre projet aujourd'hui ?" in text
    assert "J'ai une idée et je voudrais en faire un projet" in text
    assert "J'accepte d'être recontacté·e par Intermade." in text
    assert "Marquer comme traitée" in text


def test_an_advisor_marks_a_request_handled_and_the_filter_follows(login):
    users, request, _elsewhere = inbox_world()
    advisor = users["advisor"]
    client = login(advisor)
    url = reverse("orientation:inbox_mark_handled", args=[request.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "La demande de Camille R est marquée comme traitée." in page_text(response)
    request.refresh_from_db()
    assert request.status == ContactRequestStatus.HANDLED
    assert request.handled_by == advisor and request.handled_at is not None
    inbox = reverse("orientation:inbox")
    assert "Camille Roux" not in page_text(client.get(inbox))  # new ones by default
    assert "Camille Roux" in page_text(client.get(inbox, {"status": "handled"}))
    assert "Camille Roux" in page_text(client.get(inbox, {"status": "all"}))
    assert "Camille Roux" not in page_text(client.get(inbox, {"status": "new"}))


def test_an_advisor_cannot_mark_another_structures_request(login):
    users, _request, elsewhere = inbox_world()
    response = login(users["advisor"]).post(
        reverse("orientation:inbox_mark_handled", args=[elsewhere.pk])
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == ContactRequestStatus.NEW


def test_the_csv_export_lists_the_visible_requests_safely(login):
    users, request, _elsewhere = inbox_world()
    request.message = '=HYPERLINK("http://evil.example")'
    request.save()
    response = login(users["advisor"]).get(reverse("orientation:inbox_csv"), {"status": "all"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Reçue le;Structure;Offre;Étape suggérée;Prénom;Nom")
    assert len(lines) == 2
    assert "Camille;Roux" in lines[1]
    assert "'=HYPERLINK" in lines[1]
    assert "Dominique" not in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_inbox_costs_a_bounded_number_of_queries(login, django_assert_max_num_queries, count):
    users, _request, _elsewhere = inbox_world()
    structure = users["advisor"].structure_memberships.get().structure
    offer = OfferFactory(structure=structure)
    for _ in range(count):
        ContactRequestFactory(structure=structure, offer=offer)
    client = login(users["advisor"])
    with django_assert_max_num_queries(9):
        response = client.get(reverse("orientation:inbox"))
    assert len(response.context["page"].object_list) == count + 1
    with django_assert_max_num_queries(9):
        client.get(reverse("orientation:inbox_csv"))
    last = ContactRequest.objects.filter(structure=structure).first()
    with django_assert_max_num_queries(8):
        assert client.get(reverse("orientation:inbox_detail", args=[last.pk])).status_code == 200
