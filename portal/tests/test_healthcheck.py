"""``manage.py healthcheck``: one line per check, exit status 1 when one fails."""

import io
import socket
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal import health
from portal.celery import app

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*flags) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("healthcheck", *flags, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_everything_up_exits_0():
    health.record_heartbeat()
    status, out = run()
    assert status == 0, out
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["database", "broker", "cache", "worker"]
    assert all(": ok (" in line for line in lines)


def test_a_stale_or_missing_heartbeat_fails_the_worker_check():
    status, out = run("--worker")
    assert (status, out.strip()) == (1, "worker: FAILED (RuntimeError: no heartbeat recorded)")
    health.record_heartbeat(timezone.now() - timedelta(minutes=5))
    status, out = run("--worker")
    assert status == 1
    assert "older than 120 s" in out


def test_flags_choose_the_checks(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    assert run("--database") == (0, "database: ok (reachable)\n")
    status, out = run("--cache", "--worker")
    assert status == 1
    assert out.splitlines()[0].startswith("cache: FAILED (ConnectionError: ")
    assert out.splitlines()[1] == (
        "worker: FAILED (RuntimeError: the heartbeat cannot be read (cache unavailable))"
    )


def test_an_unreachable_broker_fails_the_broker_check():
    saved = app.conf.broker_url, app.conf.broker_transport
    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app.conf.broker_transport = None
    try:
        status, out = run("--broker")
    finally:
        app.conf.broker_url, app.conf.broker_transport = saved
    assert status == 1
    assert out.startswith("broker: FAILED (OperationalError: ")
