"""One seeded world per test module, for modules whose tests each read or change it a little.

`module_world(**options)` is a module-scoped fixture: it builds `world.build_world(**options)`
once, in a transaction kept open for the module and rolled back after its last test. Each test
asks for `world`, defined in its module as

    shared_world = module_world(persons=40)

    @pytest.fixture
    def world(shared_world, db):
        return copy.deepcopy(shared_world)

and so runs in a savepoint of that transaction (pytest-django's `db`), with its own copy of the
Python objects: what a test writes or changes is undone before the next one. The reports then
run their statements one at a time on this connection (other connections would not see the
rows); a test of the statements side by side needs committed rows (`test_parallel.py`).
"""

import pytest
from django.db import transaction
from django.test import override_settings

from .world import build_world


def module_world(**options):
    @pytest.fixture(scope="module", name="shared_world")
    def shared_world(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            # The test settings' hasher, for this module fixture too.
            with override_settings(
                PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
            ):
                world = build_world(**options)
        try:
            yield world
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    return shared_world
