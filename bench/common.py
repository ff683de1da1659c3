"""What every benchmark needs, written once: options from the command line, targets and
verdicts, the table and the JSON file, SQL identifiers, set-based removal of benchmark contacts,
timing, and a gunicorn of our own (free port, database URL, a logged-in session cookie).

A benchmark module declares an ``Options`` dataclass, a ``TARGETS`` dict, a
``run(options, *, write) -> dict`` and a ``main(argv)``: ``parse_options`` then ``run`` then
``report(name, results, verdicts(...))``. Importing the ``bench`` package sets Django up (see
``bench/__init__.py``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import DatabaseError, connection, transaction

# -- SQL -----------------------------------------------------------------------------------------


def t(model) -> str:
    """The quoted table name of ``model``."""
    return connection.ops.quote_name(model._meta.db_table)


def c(model, field: str) -> str:
    """The quoted column name of ``model.field``."""
    return connection.ops.quote_name(model._meta.get_field(field).column)


def require_postgres(what: str) -> None:
    if connection.vendor != "postgresql":
        raise SystemExit(f"{what} needs PostgreSQL: set DATABASE_URL.")


def skip_fk_checks(cursor) -> None:
    """Within the current transaction, skip the (deferred) foreign-key triggers if allowed.

    Django's foreign keys are checked at COMMIT, one trigger call per row: loading or deleting
    a million contacts then spends minutes in checks that cannot fail (the benchmark makes every
    reference itself, and deletes every referencing row first). Needs a superuser; otherwise the
    checks simply run.
    """
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def delete_contacts(channel_ids: list[int]) -> None:
    """Remove the contacts of ``channel_ids`` and every row that refers to them, set-based."""
    from sla.models import Contact

    if not channel_ids:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        skip_fk_checks(cursor)
        contacts = f"SELECT id FROM {t(Contact)} WHERE {c(Contact, 'channel')} = ANY(%s)"  # noqa: S608
        referring = [
            (t(rel.related_model), connection.ops.quote_name(rel.field.column))
            for rel in Contact._meta.related_objects
            if not rel.many_to_many and rel.field.concrete
        ]
        # Statistics first: a table just filled reads as empty to the planner, which would then
        # join it row by row against the contacts, for minutes. Not of a table holding only
        # dead rows (nothing of ours left, autovacuum off, as on the bench machine): that reads
        # as "empty on many pages", every index then costs alike, and the foreign-key checks
        # of the next load were planned as whole scans of a secondary index (10x slower).
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {t(Contact)})")  # noqa: S608
        if cursor.fetchone()[0]:
            cursor.execute(f"ANALYZE {', '.join({t(Contact), *(tb for tb, _ in referring)})}")
        for table, column in referring:
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({contacts})", [channel_ids])  # noqa: S608
        cursor.execute(
            f"DELETE FROM {t(Contact)} WHERE {c(Contact, 'channel')} = ANY(%s)",  # noqa: S608
            [channel_ids],
        )


# -- timing --------------------------------------------------------------------------------------


def timed(fn: Callable[[], object], rounds: int) -> tuple[list[float], object]:
    """Run ``fn`` ``rounds`` times; returns (seconds of each round, the last result)."""
    times, result = [], None
    for _ in range(rounds):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return times, result


def best(fn: Callable[[], object], rounds: int) -> tuple[float, object]:
    times, result = timed(fn, rounds)
    return min(times), result


def median(fn: Callable[[], object], rounds: int) -> tuple[float, object]:
    times, result = timed(fn, rounds)
    return statistics.median(times), result


# -- verdicts, table, JSON -----------------------------------------------------------------------

_OPS = {
    "<=": lambda v, limit: v <= limit,
    "<": lambda v, limit: v < limit,
    ">=": lambda v, limit: v >= limit,
    ">": lambda v, limit: v > limit,
    "==": lambda v, limit: v == limit,
}


def verdicts(
    results: dict, keys: Iterable[str], targets: dict[str, tuple[str, float]]
) -> list[tuple[str, str, str, str]]:
    """Rows (metric, value, target, verdict) for ``keys``; a key without a target is shown only.

    A target is ``(op, limit)`` with op one of ``<= < >= > ==``; a missing value fails it.
    """
    rows = []
    for key in keys:
        value = results.get(key)
        shown = f"{value:,}" if isinstance(value, int | float) else str(value)
        if key not in targets:
            rows.append((key, shown, "", ""))
            continue
        op, limit = targets[key]
        ok = value is not None and _OPS[op](value, limit)
        rows.append((key, shown, f"{op} {limit:,}", "pass" if ok else "FAIL"))
    return rows


def print_table(rows, *, write=print) -> None:
    """Verdict rows (metric, value, target, result) as an aligned text table."""
    rows = [("metric", "value", "target", "result"), *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for index, row in enumerate(rows):
        write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            write("  ".join("-" * width for width in widths))


def write_json(name: str, results: dict) -> Path:
    """``var/bench/<name>.json``; returns its path."""
    path = Path(settings.VAR_DIR) / "bench" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=True, default=str) + "\n")
    return path


# -- command line --------------------------------------------------------------------------------


def parse_options(options_class, argv=None, *, description: str = "", extra=()):
    """An ``options_class`` instance from ``--field-name`` flags made from its dataclass fields
    (a bool field that defaults to False is a flag, one that defaults to True gets ``--no-…``).
    ``extra`` are (flag, kwargs) pairs for flags that are not options (returned as a Namespace).
    Refuses negative numbers (argparse's exit 2)."""
    parser = argparse.ArgumentParser(description=description)
    for field in dataclasses.fields(options_class):
        flag = "--" + field.name.replace("_", "-")
        if field.type in (bool, "bool"):
            if field.default:
                parser.add_argument(
                    f"--no-{field.name.replace('_', '-')}", dest=field.name, action="store_false"
                )
            else:
                parser.add_argument(flag, action="store_true")
        else:
            kind = {"int": int, "float": float, "str": str}.get(field.type, field.type)
            parser.add_argument(flag, type=kind, default=field.default)
    for flag, kwargs in extra:
        parser.add_argument(flag, **kwargs)
    args = parser.parse_args(argv)
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(options_class)}
    for name, value in values.items():
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            parser.error(f"--{name.replace('_', '-')} must not be negative")
    return options_class(**values), args


def kept_data_options(options_class, argv, *, description: str, what: str, cleanup):
    """Options of a benchmark that keeps its data between runs (PostgreSQL only); with
    ``--cleanup`` it only removes that data and the answer is None."""
    options, args = parse_options(
        options_class,
        argv,
        description=description,
        extra=[("--cleanup", {"action": "store_true", "help": "Only remove the data."})],
    )
    require_postgres(f"The {what}")
    if args.cleanup:
        cleanup()
        print(f"Removed the {what}'s data.")
        return None
    return options


def report(name: str, results: dict, rows, *, write=print) -> Path:
    """Print the verdict table and write ``var/bench/<name>.json``."""
    print_table(rows, write=write)
    path = write_json(name, results)
    write(f"Written to {path}")
    return path


# -- a server of our own -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the database this process uses (the test database in tests)."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"


def session_cookie(user) -> str:
    """A ``Cookie`` header value for a fresh database session logged in as ``user``."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def wait_for_port(process: subprocess.Popen, port: int, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"the server did not listen on {port} within {seconds:.0f} s")


def start_gunicorn(port: int, *, workers: int = 2) -> subprocess.Popen:
    """The portal under gunicorn on 127.0.0.1:``port``, on this process's database."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_DEBUG": "1",
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(  # noqa: S603 -- fixed arguments, our own interpreter
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    wait_for_port(process, port)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
