import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import NetworkFactory, StructureFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_home_is_public_and_in_french(client):
    network = NetworkFactory(name="Réseau test")
    StructureFactory(name="Intermade", networks=[network])
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Passer au contenu principal" in html
    assert "Réseau test" in html and "Intermade" in html


def test_home_lists_structures_in_bounded_queries(client, django_assert_max_num_queries):
    for _ in range(3):
        network = NetworkFactory()
        for _ in range(10):
            StructureFactory(networks=[network])
    with django_assert_max_num_queries(4):
        client.get("/")


def test_browser_language_is_ignored_french_is_the_default(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="fr">' in response.content.decode()


def test_language_switch_sets_a_cookie_and_returns_to_the_page(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/compte/connexion/"}
    )
    assert response.status_code == 302
    assert response.url == "/compte/connexion/"
    page = client.get(response.url)
    assert '<html lang="en">' in page.content.decode()
    assert "Log in" in page.content.decode()


def test_language_switch_refuses_to_redirect_elsewhere(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_language_switch_is_remembered_on_the_account(client):
    user = UserFactory(language="fr")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en"})
    user.refresh_from_db()
    assert user.language == "en"


def test_unknown_page_gives_the_translated_404_in_the_layout(client):
    response = client.get("/does-not-exist")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert 'id="main"' in html and "Passer au contenu principal" in html


def test_404_in_english(client):
    client.cookies["maillage_language"] = "en"
    response = client.get("/does-not-exist")
    assert "Page not found" in response.content.decode()


def test_server_error_gives_the_500_page_without_a_trace(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Une erreur est survenue de notre côté" in html
    assert "Traceback" not in html and "RuntimeError" not in html and "secret" not in html
    assert 'id="main"' in html


@pytest.mark.parametrize(
    ("method", "path", "status", "detail"),
    [
        # An API view, and a plain Django view under /api/, that raise.
        ("get", "/api/v1/boom/", 500, "Une erreur du serveur est survenue."),
        ("post", "/api/v1/boom/", 500, "Une erreur du serveur est survenue."),
        ("get", "/api/v1/plain-boom/", 500, "Une erreur du serveur est survenue."),
        # Refused or unknown outside any API view.
        ("get", "/api/v1/forbidden/", 403, None),
        ("get", "/api/v1/does-not-exist/", 404, "Non trouvé."),
        ("get", "/api/nothing-here", 404, "Non trouvé."),
    ],
)
def test_the_api_answers_json_errors_never_an_html_page(settings, method, path, status, detail):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    client = Client(raise_request_exception=False)
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail"}
    if detail is not None:
        assert body["detail"] == detail
    assert "secret" not in response.content.decode()


def test_pages_outside_the_api_keep_their_html_error_pages(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    client = Client(raise_request_exception=False)
    assert "text/html" in client.get("/does-not-exist")["Content-Type"]
    assert "text/html" in client.get("/boom/")["Content-Type"]


@pytest.mark.sqlite
def test_healthz_reports_database_status_and_versions(client, database_vendor):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"]
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] == database_vendor
    assert body["database"]["version"]


@pytest.mark.sqlite
def test_healthz_reports_a_broken_database(client, monkeypatch):
    from django.db import DatabaseError

    from maillage.core import views

    def broken():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(views, "_database_version", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["status"] == "error"


def test_admin_site_is_for_platform_admins_only(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/").status_code == 302
    client.force_login(UserFactory(platform_admin=True))
    assert client.get("/admin/").status_code == 200


def test_api_answers_401_or_403_rather_than_redirecting(client):
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403)
    user = UserFactory()
    client.force_login(user)
    assert client.get("/api/v1/me/").json()["email"] == user.email


def test_openapi_schema_is_published(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/me/" in response.content.decode()


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_account_language_applies_on_a_device_without_a_choice(client):
    client.force_login(UserFactory(language="en"))
    assert '<html lang="en">' in client.get("/").content.decode()


def test_the_choice_made_before_logging_in_is_kept_after(client):
    client.post(reverse("set_language"), {"language": "en"})
    client.force_login(UserFactory(language="fr"))
    assert '<html lang="en">' in client.get("/").content.decode()
