"""Reads of reports and exports from a PostgreSQL replica (`DATABASE_REPLICA_URL`).

A report reads much and writes nothing: inside `reads_from_replica()` the ORM reads through the
`replica` alias when one is configured; writes, migrations and every other read stay on
`default`. A reader inside a transaction on `default` keeps reading there, so it sees its own
writes (the reporting tables refreshed just before, a test's data). Without a replica
everything reads from `default` and this module changes nothing. docs/scale.md says when a
replica is worth it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading = ContextVar("maillage_reads_from_replica", default=False)


@contextmanager
def reads_from_replica():
    """Within the block, reads go to the replica (when there is one)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def read_alias() -> str:
    """The alias reads use here and now: the replica inside `reads_from_replica()` when one is
    configured and `default` is not in a transaction, else `default`."""
    if (
        _reading.get()
        and REPLICA in settings.DATABASES
        and not connections[DEFAULT_DB_ALIAS].in_atomic_block
    ):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """`DATABASE_ROUTERS` entry: reads to `read_alias()`, everything else to `default`."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
