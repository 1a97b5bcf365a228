from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from maillage.accounts.rules import forget_roles


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
def _french_first():
    """A request in English leaves English active in this thread: every test starts in French.

    The other test settings are set once, in tests/settings.py."""
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
