import pytest

from maillage.settings import secret_key


def test_secret_key_is_generated_once_then_reused(tmp_path):
    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
    assert secret_key(tmp_path) == first


def test_secret_key_from_the_environment_wins(tmp_path):
    assert secret_key(tmp_path, "from-the-environment") == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def sqlite_only():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings")
    return connection


@pytest.mark.sqlite
def test_sqlite_writes_wait_for_each_other_rather_than_fail():
    options = sqlite_only().settings_dict["OPTIONS"]
    assert options["timeout"] >= 20
    assert options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.sqlite
def test_a_transaction_that_reads_then_writes_waits_for_a_concurrent_writer(
    tmp_path, django_db_blocker
):
    """The collision that answered 500: a request reads, another commits a write meanwhile,
    then the first writes. It now waits for the other's commit instead of failing."""
    settings_dict = {**sqlite_only().settings_dict, "NAME": str(tmp_path / "busy.sqlite3")}
    with django_db_blocker.unblock():
        assert _collide(settings_dict) == [1, 2]


def _begin(wrapper):
    """What transaction.atomic() does on SQLite."""
    wrapper.ensure_connection()
    wrapper._start_transaction_under_autocommit()


def _collide(settings_dict) -> list[int]:
    import threading
    import time

    from django.db.backends.sqlite3.base import DatabaseWrapper

    def connect(alias):
        return DatabaseWrapper(settings_dict, alias=alias)

    setup = connect("setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (value integer)")
    setup.close()
    holding = threading.Event()

    def other_request():
        other = connect("other")
        _begin(other)
        other.cursor().execute("INSERT INTO counter VALUES (1)")
        holding.set()
        time.sleep(0.5)
        other.commit()
        other.close()

    thread = threading.Thread(target=other_request)
    thread.start()
    holding.wait(5)
    this = connect("this")
    try:
        _begin(this)
        with this.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM counter")
            cursor.execute("INSERT INTO counter VALUES (2)")
        this.commit()
        with this.cursor() as cursor:
            cursor.execute("SELECT value FROM counter ORDER BY value")
            return [row[0] for row in cursor.fetchall()]
    finally:
        thread.join()
        this.close()
