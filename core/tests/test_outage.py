"""Redis going away, and a worker child being killed, with real worker processes.

Each test starts its own Redis on a free port and a real prefork worker pointed at it and at the
test database; the worker sends outbox rows through a slow mail sink (``core.tests.fault_mail``).
They run in CI's PostgreSQL and Redis pass (the worker must share the test database, so not on
SQLite's in-memory one).
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections import Counter
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from core.tests import fault_mail
from core.tests.faults import PrivateRedis, Worker, wait_for
from portal.celery import app
from surveys.models import Invitation, Response
from surveys.tests.conftest import (  # noqa: F401
    _fresh_calendar_cache,
    chat,
    office_calendar,
    owner,
    phone,
    resolve,
    survey,
)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="fault tests run in the PostgreSQL+Redis pass"
    ),
]

KIND = "fault.test"
OUTAGE_SECONDS = 30


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must share the test database: PostgreSQL only")


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_dir(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(tmp_path, redis_url, mail_dir, *, before=0.0, after=0.0) -> Worker:
    app.conf.task_always_eager = False  # this process sends to the worker from now on
    worker = Worker(
        tmp_path,
        {
            "DJANGO_SETTINGS_MODULE": "core.tests.fault_settings",
            "REDIS_URL": redis_url,
            "DATABASE_URL": _database_url(),
            "PORTAL_VAR_DIR": str(tmp_path / "var"),
            "EMAIL_BACKEND": "core.tests.fault_mail.SlowSinkBackend",
            "FAULT_MAIL_DIR": str(mail_dir),
            "FAULT_MAIL_BEFORE": str(before),
            "FAULT_MAIL_AFTER": str(after),
            # One connection: one message in flight, so the duplicates counted are exact.
            "OUTBOX_CONNECTIONS": "1",
        },
    )
    try:
        worker.wait_ready()
    except BaseException:
        worker.stop()
        raise
    return worker


def send_task(redis_url: str, name: str, *args) -> None:
    """Publish to the private broker, whatever this process's app is configured with."""
    with app.connection_for_write(redis_url) as conn:
        app.send_task(name, args=args, connection=conn)


def due_messages(count: int) -> list[str]:
    """``count`` outbox rows due now; their addresses, in sending order."""
    now = timezone.now()
    rows = [
        OutboxMessage(
            kind=KIND,
            to=f"fault-{n}@example.com",
            language="en",
            context={"number": n},
            created_at=now,
            not_before=now - timedelta(minutes=1, seconds=-n),
            retry_until=now + timedelta(days=2),
        )
        for n in range(count)
    ]
    OutboxMessage.objects.bulk_create(rows)
    return [r.to for r in rows]


def lease_runs_out() -> int:
    """What ten minutes do in production: rows held by a sender that died are free again."""
    return OutboxMessage.objects.filter(kind=KIND, status="pending").update(
        leased_until=timezone.now() - timedelta(seconds=1)
    )


def ours(recipients: list[str]) -> list[str]:
    """The test's own messages among what the sink got (other kinds may be due as well)."""
    return [r for r in recipients if r.startswith("fault-")]


def all_sent() -> bool:
    return not OutboxMessage.objects.filter(kind=KIND).exclude(status="sent").exists()


def test_redis_outage_while_sending(
    postgres,
    private_redis,
    mail_dir,
    tmp_path,
    settings,
    client,
    manager,
    staff_user,
    survey,  # noqa: F811
    chat,  # noqa: F811
    caplog,
):
    """Redis stops for 30 s while the outbox is being sent, then comes back.

    The worker lives on and sends the rest; every message goes out exactly once; a customer's
    answer posted during the outage is stored and the dashboard answers.
    """
    resolve(chat, language="en", agent=staff_user)
    invitation = Invitation.objects.get()
    addresses = due_messages(6)
    worker = start_worker(tmp_path, private_redis.url, mail_dir, before=2.5)
    try:
        # One task in flight and a free process: the worker is also waiting on Redis for more,
        # as it usually is (the state in which kombu's close used to kill it).
        send_task(private_redis.url, "core.tasks.send_outbox")
        # Take Redis away while the second message is on its way to the mail server.
        wait_for(
            lambda: (fault_mail.in_flight(mail_dir) or {}).get("to") == addresses[1],
            timeout=60,
            what="the second message to be in flight",
        )
        private_redis.stop()
        outage_started = time.monotonic()

        # Meanwhile, a web process whose cache is that Redis.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": private_redis.url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        with caplog.at_level(logging.WARNING):
            answered = client.post(
                f"/api/v1/public/surveys/{invitation.token}/",
                {"csat": 5, "comment": "answered during the outage"},
                content_type="application/json",
            )
            client.force_login(manager)
            dashboard = client.get(reverse("dashboard"))
        assert answered.status_code == 201, answered.content
        assert Response.objects.get().comment == "answered during the outage"
        assert dashboard.status_code == 200
        assert dashboard.context["worker_status"] == "unknown"
        assert "Rate limit public-api not applied" in caplog.text

        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
        assert worker.alive(), worker.output()[-3000:]
        private_redis.start()
        wait_for(
            lambda: worker.output().count("Connected to") >= 2 or not worker.alive(),
            timeout=30,
            what="the worker to reconnect",
        )
        assert worker.alive(), "the worker died:\n" + worker.output()[-3000:]

        # The run that was cut off left its rows leased; once that runs out, a new task
        # (taken from the restarted Redis) sends them.
        lease_runs_out()
        send_task(private_redis.url, "core.tasks.send_outbox")
        wait_for(all_sent, timeout=60, what="every message to be sent")
    finally:
        worker.stop()
    assert Counter(ours(fault_mail.delivered(mail_dir))) == Counter(addresses)


def test_worker_child_killed_mid_send(postgres, private_redis, mail_dir, tmp_path):
    """A worker child killed after the mail server took a message, before it was marked sent.

    Nothing is lost; that one message, and only it, goes out twice.
    """
    addresses = due_messages(4)
    worker = start_worker(tmp_path, private_redis.url, mail_dir, after=3)
    try:
        send_task(private_redis.url, "core.tasks.send_outbox")
        wait_for(
            lambda: addresses[1] in fault_mail.delivered(mail_dir),
            timeout=60,
            what="the second message to be delivered",
        )
        child = fault_mail.in_flight(mail_dir)["pid"]
        assert child != worker.process.pid
        os.kill(child, signal.SIGKILL)
        # The task is delivered again at once (acks late, rejected on worker loss); the rows
        # it held wait for their lease, then go.
        wait_for(
            lambda: "exited with 'signal 9 (SIGKILL)'" in worker.output(),
            timeout=30,
            what="the worker to notice its child died",
        )
        lease_runs_out()
        send_task(private_redis.url, "core.tasks.send_outbox")
        wait_for(all_sent, timeout=60, what="every message to be sent")
        assert worker.alive()
    finally:
        worker.stop()
    deliveries = Counter(ours(fault_mail.delivered(mail_dir)))
    assert deliveries == Counter({**dict.fromkeys(addresses, 1), addresses[1]: 2})
