import copy
from pathlib import Path

import pytest
from django.db import connection
from django.utils import translation

from maillage.accounts.rules import forget_roles


class UndefinedTemplateVariable(str):
    """`string_if_invalid` that fails the test on any undefined template variable."""

    def __mod__(self, name):
        raise AssertionError(f"Undefined template variable: {name!r}")

    def __contains__(self, item):
        return item == "%s"


def pytest_collection_modifyitems(items):
    """Everything under tests/browser/ is a browser test (make test runs them on their own)."""
    for item in items:
        if "browser" in item.path.relative_to(Path(__file__).parent).parts[:1]:
            item.add_marker(pytest.mark.browser)


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"maillage: database engine = {engine}"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = UndefinedTemplateVariable("%s")
    settings.TEMPLATES = templates
    # A request in English leaves English active in this thread: every test starts in French.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def database_vendor():
    return connection.vendor


@pytest.fixture
def login(client):
    """Log a user into the Django test client (roles read afresh)."""

    def _login(user):
        forget_roles(user)
        client.force_login(user)
        return client

    return _login
