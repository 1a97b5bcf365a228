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

from tests.worlds import module_world as _module_world

from .world import build_world


def module_world(**options):
    return _module_world(lambda: build_world(**options))
