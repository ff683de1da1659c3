"""retry_transient: a deadlock victim's transaction runs again, whole; nothing else does.

Transactional tests: pytest-django's default test wraps every test in a transaction, and
retry_transient never retries inside someone else's transaction.
"""

import threading

import psycopg2
import psycopg2.errors
import pytest
from django.contrib.auth.models import Group
from django.db import InterfaceError, OperationalError, connection, transaction

from core import db as core_db
from core.db import is_transient, is_unavailable, retry_transient

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
)


def deadlock():
    try:
        raise OperationalError("deadlock detected") from psycopg2.errors.DeadlockDetected()
    except OperationalError as exc:
        return exc


def server_gone():
    try:
        raise OperationalError("server closed") from psycopg2.OperationalError("server closed")
    except OperationalError as exc:
        return exc


@pytest.fixture
def sleeps(monkeypatch):
    slept = []
    monkeypatch.setattr(core_db.time, "sleep", slept.append)
    return slept


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_victim_runs_again_in_a_fresh_transaction(sleeps):
    calls, committed = [], []

    @retry_transient(attempts=3, backoff=0.1)
    def create(name):
        calls.append(name)
        Group.objects.create(name=f"{name}-{len(calls)}")
        transaction.on_commit(lambda: committed.append(len(calls)))
        if len(calls) < 3:
            raise deadlock()
        return "done"

    assert create("g") == "done"
    assert len(calls) == 3
    # The failed attempts were rolled back with their on-commit callbacks.
    assert list(Group.objects.filter(name__startswith="g-").values_list("name", flat=True)) == [
        "g-3"
    ]
    assert committed == [3]
    # Backoff doubles, with jitter of ±50%.
    assert len(sleeps) == 2
    assert 0.05 <= sleeps[0] <= 0.15
    assert 0.1 <= sleeps[1] <= 0.3


@pytest.mark.django_db(transaction=True)
def test_gives_up_after_the_last_attempt(sleeps):
    calls = []

    @retry_transient(attempts=2)
    def always_deadlocks():
        calls.append(1)
        Group.objects.create(name=f"g-{len(calls)}")
        raise deadlock()

    with pytest.raises(OperationalError, match="deadlock"):
        always_deadlocks()
    assert len(calls) == 2
    assert not Group.objects.filter(name__startswith="g-").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("error", [server_gone, lambda: ValueError("bug")])
def test_other_errors_are_not_retried(sleeps, error):
    calls = []

    @retry_transient
    def fails():
        calls.append(1)
        raise error()

    with pytest.raises(type(error())):
        fails()
    assert calls == [1]
    assert sleeps == []


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_it_runs_once_in_a_savepoint(sleeps):
    calls = []

    @retry_transient
    def inner():
        calls.append(1)
        Group.objects.create(name="inner")
        raise deadlock()

    with transaction.atomic():
        Group.objects.create(name="outer")
        with pytest.raises(OperationalError):
            inner()
        assert not Group.objects.filter(name="inner").exists()
        assert Group.objects.filter(name="outer").exists()
    assert calls == [1]
    assert sleeps == []


def test_attempts_must_be_positive():
    with pytest.raises(ValueError):
        retry_transient(attempts=0)


# -- with a real PostgreSQL ----------------------------------------------------------------------


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_is_retried_and_both_transactions_commit():
    """Two transactions lock two rows in opposite orders; PostgreSQL kills one, which runs again."""
    a, b = Group.objects.create(name="a"), Group.objects.create(name="b")
    barrier = threading.Barrier(2)
    calls, errors = [0, 0], []

    def lock_both(index, first, second):
        @retry_transient(backoff=0.01)
        def work():
            calls[index] += 1
            Group.objects.select_for_update().get(pk=first.pk)
            if calls[index] == 1:
                barrier.wait(timeout=10)  # both hold their first row: the cycle forms
            Group.objects.filter(pk=second.pk).update(name=f"{second.name}+{index}")

        try:
            work()
        except Exception as exc:  # reported in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=lock_both, args=(0, a, b)),
        threading.Thread(target=lock_both, args=(1, b, a)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(calls) == [1, 2]  # the victim ran twice, the survivor once
    assert set(Group.objects.filter(pk__in=[a.pk, b.pk]).values_list("name", flat=True)) == {
        "a+1",
        "b+0",
    }


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_real_connection_losses_are_unavailable():
    """A session terminated by the server (57P01, or libpq's "server closed the connection"
    when the notice is lost), then the closed connection Django is left with."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        with pytest.raises(OperationalError) as terminated, other.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert type(terminated.value.__cause__) in (
            psycopg2.errors.AdminShutdown,
            psycopg2.OperationalError,
        )
        assert is_unavailable(terminated.value)
        assert not is_transient(terminated.value)
        with pytest.raises(InterfaceError) as closed, other.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert is_unavailable(closed.value)
    finally:
        other.close()


@pytest.mark.django_db
def test_without_jit_turns_jit_off_on_postgresql_only(django_assert_num_queries):
    if connection.vendor == "postgresql":
        with core_db.without_jit(), connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
    else:
        with django_assert_num_queries(0), core_db.without_jit():
            pass
