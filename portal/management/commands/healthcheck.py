"""``manage.py healthcheck``: exit 0 when what a probe asks about works, 1 otherwise.

For container probes, systemd watchdogs and monitoring. Each check prints one line; choose
checks with flags (none given: all four). Typical uses:

* web liveness: ``healthcheck --database``
* worker and beat: ``healthcheck --broker --worker`` (the heartbeat is written by a task that
  beat schedules and a worker runs, so a fresh one proves both)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal import health
from portal.celery import app

BROKER_TIMEOUT_SECONDS = 3


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "reachable"


def check_broker() -> str:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return conn.as_uri()


def check_cache() -> str:
    from django.core.cache import cache

    cache.set("portal:healthcheck", "ok", 30)
    if cache.get("portal:healthcheck") != "ok":
        raise RuntimeError("a value written could not be read back")
    return "read and written"


def check_worker() -> str:
    status, seen = health.worker_status()
    if status is health.WorkerStatus.RUNNING:
        return f"heartbeat at {seen.isoformat()}"
    if status is health.WorkerStatus.UNKNOWN:
        raise RuntimeError("the heartbeat cannot be read (cache unavailable)")
    if seen is None:
        raise RuntimeError("no heartbeat recorded")
    stale = health.STALE_AFTER.total_seconds()
    raise RuntimeError(f"last heartbeat at {seen.isoformat()}, older than {stale:.0f} s")


CHECKS = {
    "database": check_database,
    "broker": check_broker,
    "cache": check_cache,
    "worker": check_worker,
}


class Command(BaseCommand):
    help = "Check the database, broker, cache and worker heartbeat; exit 1 if a check fails."
    requires_system_checks = []  # a probe answers fast and does not fail on a warning

    def add_arguments(self, parser):
        parser.add_argument("--database", action="store_true", help="the database answers")
        parser.add_argument(
            "--broker", action="store_true", help="the Celery broker accepts a connection"
        )
        parser.add_argument(
            "--cache", action="store_true", help="the shared cache reads and writes"
        )
        parser.add_argument(
            "--worker",
            action="store_true",
            help="a worker ran the beat-scheduled heartbeat in the last two minutes",
        )

    def handle(self, *args, **options):
        chosen = [name for name in CHECKS if options[name]] or list(CHECKS)
        failed = []
        for name in chosen:
            try:
                detail = CHECKS[name]()
            except Exception as exc:  # any failure is the answer, not a crash
                failed.append(name)
                self.stdout.write(f"{name}: FAILED ({type(exc).__name__}: {exc})")
            else:
                self.stdout.write(f"{name}: ok ({detail})")
        if failed:
            raise CommandError(f"unhealthy: {', '.join(failed)}", returncode=1)
