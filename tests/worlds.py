"""Worlds built once per test module, for modules whose many tests each read them a little.

`module_world(build)` makes a module-scoped fixture: `build()` runs once, in a transaction kept
open for the module and rolled back after its last test. Each test that also asks for `db` (or
carries `django_db`) runs in a savepoint of that transaction, so what a test writes is undone
before the next one; the Python objects are shared, so a test that changes one in memory copies
it first (`copy.deepcopy`).
"""

import pytest
from django.db import transaction
from django.test import override_settings


def module_world(build, *, name="shared_world"):
    @pytest.fixture(scope="module", name=name)
    def shared_world(django_db_setup, django_db_blocker):
        # The per-test settings (a fast password hasher) are not active yet at module scope.
        fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                with fast:
                    world = build()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        try:
            yield world
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    return shared_world
