"""What a database error means, and running a transaction again when the server asks for it.

Two kinds of ``OperationalError`` are not bugs in the portal:

* *transient*: PostgreSQL chose this transaction as a deadlock victim (SQLSTATE 40P01) or could
  not serialise it (40001). It was rolled back whole; running it again normally succeeds.
* *unavailable*: the connection is gone or cannot be made (the server restarts, shuts down,
  refuses connections, is full). The request cannot be served now; a client should retry
  later (the portal answers 503 with ``Retry-After``, see ``core.dbfaults``).

Everything else (a syntax error, a missing table, a constraint) is a bug or bad data and stays
what it is. Django wraps the driver's error and keeps it as ``__cause__``; the classification reads
the driver's SQLSTATE (psycopg2 ``pgcode``; psycopg 3 ``sqlstate``) or, for an error built without
one, its class.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import time

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction

logger = logging.getLogger("core.db")

TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
UNAVAILABLE_SQLSTATES = frozenset(
    {
        "57P01",  # admin_shutdown: the server is stopping (a fast or immediate shutdown)
        "57P02",  # crash_shutdown: another server process crashed, every session is reset
        "57P03",  # cannot_connect_now: the server is starting up or shutting down
        "53300",  # too_many_connections
    }
)
CONNECTION_EXCEPTION_CLASS = "08"  # connection_exception and its subclasses

try:
    import psycopg2
    import psycopg2.errors
except ImportError:  # pragma: no cover - SQLite-only installations
    psycopg2 = None


@functools.cache
def _psycopg2_class_sqlstates() -> dict[type, str]:
    """psycopg2 raises one class per SQLSTATE; an instance built by hand has no ``pgcode``."""
    codes = (
        *TRANSIENT_SQLSTATES,
        *UNAVAILABLE_SQLSTATES,
        *("08000", "08001", "08003", "08004", "08006", "08007", "08P01"),
    )
    return {psycopg2.errors.lookup(code): code for code in codes}


def _driver_error(exc: BaseException) -> BaseException | None:
    if isinstance(exc, OperationalError | InterfaceError):
        return exc.__cause__
    return None


def _sqlstate(error: BaseException) -> str | None:
    code = getattr(error, "pgcode", None) or getattr(error, "sqlstate", None)
    if code is None and psycopg2 is not None:
        code = _psycopg2_class_sqlstates().get(type(error))
    return code


def is_transient(exc: BaseException) -> bool:
    """A deadlock or serialisation failure: the transaction was rolled back and may run again."""
    error = _driver_error(exc)
    return error is not None and _sqlstate(error) in TRANSIENT_SQLSTATES


def is_unavailable(exc: BaseException) -> bool:
    """The database cannot be reached or is going away: nothing the request did wrong."""
    error = _driver_error(exc)
    if error is None:
        return False
    if psycopg2 is not None and isinstance(error, psycopg2.Error):
        if isinstance(error, psycopg2.InterfaceError):  # "connection already closed"
            return True
        code = _sqlstate(error)
        if code is None:
            # libpq's own failures carry no SQLSTATE: connection refused, "server closed the
            # connection unexpectedly", a broken socket. Subclasses always carry one.
            return type(error) is psycopg2.OperationalError
        return code in UNAVAILABLE_SQLSTATES or code.startswith(CONNECTION_EXCEPTION_CLASS)
    # SQLite: another process holds the write lock past the busy timeout. Any other SQLite
    # error (no such table, a bad parameter) is a bug.
    return getattr(error, "sqlite_errorname", None) == "SQLITE_BUSY"


def retry_transient(func=None, *, attempts: int = 3, backoff: float = 0.05, using=None):
    """Run ``func`` in a transaction of its own, again on a deadlock or serialisation failure.

    The decorator replaces ``@transaction.atomic`` on a service. Only the outermost transaction
    can be run again: inside a caller's transaction a deadlock victim's savepoint would keep the
    caller's locks (so the cycle could form again) and, under REPEATABLE READ, its snapshot; so
    there ``func`` runs once, in a savepoint, and the error goes up to whoever owns the
    transaction (decorate that one too). Between attempts it sleeps ``backoff`` seconds, doubled
    each time, with jitter, so the transactions that collided do not collide again.
    Use it only around code that does nothing outside the database before it commits
    (``transaction.on_commit`` callbacks of a failed attempt are dropped with it).
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")

    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            if transaction.get_connection(using or DEFAULT_DB_ALIAS).in_atomic_block:
                with transaction.atomic(using=using):
                    return function(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic(using=using):
                        return function(*args, **kwargs)
                except OperationalError as exc:
                    if attempt == attempts or not is_transient(exc):
                        raise
                    delay = backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)  # noqa: S311 (jitter)
                    logger.info(
                        "%s: %s; attempt %d of %d in %.2f s",
                        function.__qualname__,
                        str(exc).splitlines()[0],
                        attempt + 1,
                        attempts,
                        delay,
                    )
                    time.sleep(delay)
            raise AssertionError("unreachable")  # pragma: no cover

        return wrapper

    return decorate if func is None else decorate(func)


@contextlib.contextmanager
def without_jit(using=None):
    """Reads of a web page that aggregate many rows: on PostgreSQL, in one transaction with JIT
    compilation off (one more statement). The planner prices correlated subqueries over tens of
    thousands of rows above ``jit_above_cost``, and compiling then costs more (0.5–1 s) than
    the whole statement; the SLA report's summary statements turn it off the same way.
    Elsewhere it does nothing."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield
