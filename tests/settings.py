"""The test settings: the product's, with what tests need set once for the whole run.

Setting these per test (through pytest-django's `settings` fixture) would reset Django's template
engines at every test, and with them the cached, compiled templates.
"""

import os

from maillage.settings import *  # noqa: F403
from maillage.settings import STORAGES, TEMPLATES, VAR_DIR


class UndefinedTemplateVariable(str):
    """`string_if_invalid` that fails the test on any undefined template variable."""

    def __mod__(self, name):
        raise AssertionError(f"Undefined template variable: {name!r}")

    def __contains__(self, item):
        return item == "%s"


PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TEMPLATES = [
    {
        **TEMPLATES[0],
        "OPTIONS": {
            **TEMPLATES[0]["OPTIONS"],
            "string_if_invalid": UndefinedTemplateVariable("%s"),
        },
    },
    *TEMPLATES[1:],
]

# The demo network with a few people instead of 300: the browser walks need the network, its
# offers and its accounts (tests/core/test_loaddemo.py loads the real demo, setting it to None).
DEMO_PERSONS = 30

# Files the tests upload, apart from the development server's and per pytest-xdist worker (the
# erasure tests search every stored file for a name).
MEDIA_ROOT = VAR_DIR / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")
