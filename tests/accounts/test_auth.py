import re

import pytest
from django.core import mail
from django.urls import reverse

from maillage.accounts.models import User
from tests.factories import PASSWORD, StructureMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
WRONG_CREDENTIALS_FR = "Adresse e-mail ou mot de passe incorrect."


def attempt(client, email, password):
    return client.post(LOGIN_URL, {"username": email, "password": password})


def error_text(response):
    return re.search(r'role="alert".*?</div>', response.content.decode(), re.S).group(0)


def test_login_page_is_in_french_with_labelled_fields(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert '<label for="id_username">Adresse e-mail' in html
    assert '<label for="id_password">Mot de passe' in html


def test_right_password_logs_in_whatever_the_case_of_the_email(client):
    user = UserFactory(email="camille@exemple.test")
    response = attempt(client, "  Camille@Exemple.TEST ", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("accounts:account")  # no role: their account
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_and_unknown_email_get_the_same_translated_message(client):
    UserFactory(email="camille@exemple.test")
    known = attempt(client, "camille@exemple.test", "pas-le-bon")
    unknown = attempt(client, "personne@exemple.test", "pas-le-bon")
    assert known.status_code == unknown.status_code == 200
    assert WRONG_CREDENTIALS_FR in known.content.decode()
    assert error_text(known) == error_text(unknown)


def test_inactive_account_gets_the_same_message_as_a_wrong_password(client):
    UserFactory(email="partie@exemple.test", is_active=False)
    UserFactory(email="camille@exemple.test")
    inactive = attempt(client, "partie@exemple.test", PASSWORD)
    wrong = attempt(client, "camille@exemple.test", "pas-le-bon")
    assert error_text(inactive) == error_text(wrong)


def test_message_is_translated_in_english_too(client):
    client.cookies["maillage_language"] = "en"
    response = attempt(client, "personne@exemple.test", "pas-le-bon")
    assert "Wrong e-mail address or password." in response.content.decode()


@pytest.mark.parametrize("known", [True, False], ids=["known-email", "unknown-email"])
def test_eleventh_attempt_is_refused_even_with_the_right_password(client, known):
    email = "camille@exemple.test" if known else "inconnue@exemple.test"
    UserFactory(email="camille@exemple.test")
    for _ in range(10):
        attempt(client, email, "pas-le-bon")
    response = attempt(client, email, PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_counts_one_email_whatever_its_case(client):
    UserFactory(email="camille@exemple.test")
    for index in range(10):
        attempt(client, "CAMILLE@exemple.test" if index % 2 else "camille@exemple.test", "x")
    assert attempt(client, "camille@exemple.test", PASSWORD).status_code == 429


def test_a_successful_login_resets_the_failure_count(client):
    UserFactory(email="camille@exemple.test")
    for _ in range(9):
        attempt(client, "camille@exemple.test", "pas-le-bon")
    assert attempt(client, "camille@exemple.test", PASSWORD).status_code == 302
    client.logout()
    for _ in range(9):
        attempt(client, "camille@exemple.test", "pas-le-bon")
    assert attempt(client, "camille@exemple.test", PASSWORD).status_code == 302


def test_logout_needs_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link_to_a_known_email(client):
    user = UserFactory(email="camille@exemple.test")
    response = client.post(reverse("accounts:password_reset"), {"email": "camille@exemple.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/compte/mot-de-passe/nouveau/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    new_password = "Encore-un-autre-mot-de-passe-7"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_does_not_reveal_whether_an_email_exists(client):
    UserFactory(email="camille@exemple.test")
    known = client.post(reverse("accounts:password_reset"), {"email": "camille@exemple.test"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@exemple.test"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1


def test_account_page_needs_login(client):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_account_page_lists_roles_and_saves_the_language(client):
    membership = StructureMembershipFactory(structure__name="Intermade", admin=True)
    client.force_login(membership.user)
    page = client.get(reverse("accounts:account"))
    assert "Administrateur·rice de structure chez Intermade" in page.content.decode()
    response = client.post(
        reverse("accounts:account"), {"full_name": "Dominique", "language": "en"}, follow=True
    )
    assert "Your preferences have been saved." in response.content.decode()
    assert '<html lang="en">' in response.content.decode()
    assert User.objects.get(pk=membership.user.pk).language == "en"


def test_password_change_keeps_the_session_and_refuses_a_wrong_old_password(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    new = "Un-nouveau-mot-de-passe-99"
    refused = client.post(url, {"old_password": "faux", "new_password1": new, "new_password2": new})
    assert refused.status_code == 200
    assert "Votre ancien mot de passe est incorrect" in refused.content.decode()
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}, follow=True
    )
    assert "Votre mot de passe a été modifié." in response.content.decode()
    assert client.get(reverse("accounts:account")).status_code == 200
    user.refresh_from_db()
    assert user.check_password(new)


def test_field_errors_are_tied_to_their_field(client):
    response = client.post(LOGIN_URL, {"username": "pas-une-adresse", "password": ""})
    html = response.content.decode()
    assert 'aria-describedby="id_username_error"' in html
    assert html.count('id="id_username_error"') == 1
    assert 'aria-invalid="true"' in html


def test_a_short_new_password_is_refused_with_a_translated_reason(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Court-1x", "new_password2": "Court-1x"},
    )
    assert "au minimum 12 caractères" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# --- Behind a reverse proxy, and password spraying ---------------------------------------------

PROXY = "10.0.0.2"


def attempt_from(client, address, email, password, *, proxy=True):
    """A login attempt from `address`, through the reverse proxy (which appends it to
    X-Forwarded-For) or straight to the application."""
    if proxy:
        return client.post(
            LOGIN_URL,
            {"username": email, "password": password},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=address,
        )
    return client.post(LOGIN_URL, {"username": email, "password": password}, REMOTE_ADDR=address)


def test_behind_a_proxy_the_lockout_holds_the_client_not_everyone_behind_the_proxy(
    client, settings
):
    settings.PROXY_COUNT = 1
    UserFactory(email="camille@exemple.test")
    for _ in range(10):
        attempt_from(client, "203.0.113.1", "camille@exemple.test", "pas-le-bon")
    assert attempt_from(client, "203.0.113.1", "camille@exemple.test", PASSWORD).status_code == 429
    # Camille, from her own office, is not locked out by what another address did.
    assert attempt_from(client, "198.51.100.9", "camille@exemple.test", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_lockout(client, settings):
    UserFactory(email="camille@exemple.test")
    # No proxy: the header is the client's own words.
    for index in range(10):
        client.post(
            LOGIN_URL,
            {"username": "camille@exemple.test", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{index}",
        )
    response = client.post(
        LOGIN_URL,
        {"username": "camille@exemple.test", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert response.status_code == 429
    # Behind one proxy, the entries the client wrote before the proxy's are ignored too.
    settings.PROXY_COUNT = 1
    for index in range(10):
        attempt_from(client, f"192.0.2.{index}, 203.0.113.1", "camille@exemple.test", "x")
    assert attempt_from(client, "203.0.113.1", "camille@exemple.test", PASSWORD).status_code == 429


def test_password_spraying_from_one_address_is_refused_while_others_log_in(client, settings):
    settings.PROXY_COUNT = 1
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    assert limit < settings.AXES_FAILURE_LIMIT * 5
    UserFactory(email="camille@exemple.test")
    for index in range(limit):
        response = attempt_from(
            client, "203.0.113.1", f"cible{index}@exemple.test", "Printemps2026"
        )
    assert response.status_code == 429
    # Even a right password is refused from that address now...
    refused = attempt_from(client, "203.0.113.1", "camille@exemple.test", PASSWORD)
    assert refused.status_code == 429
    assert "La connexion est suspendue après trop de tentatives" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # ...while another address logs in.
    assert attempt_from(client, "198.51.100.9", "camille@exemple.test", PASSWORD).status_code == 302
