"""A real Celery worker checks and imports a file; killed mid-import, the next worker to start
resumes the job at once and the rows come out exactly as from an uninterrupted run."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess

import pytest
from django.db import connection

from core.tests.faults import PrivateRedis, Worker, wait_for
from core.tests.test_outage import _database_url, send_task
from portal.celery import app
from sla import services
from sla.models import Contact, ContactImport

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="worker tests run in the PostgreSQL+Redis pass"
    ),
]

ROWS = 3000
CHUNK = 20


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


def _worker(tmp_path, redis_url) -> Worker:
    app.conf.task_always_eager = False
    worker = Worker(
        tmp_path,
        {
            "REDIS_URL": redis_url,
            "DATABASE_URL": _database_url(),
            "PORTAL_VAR_DIR": str(tmp_path / "var"),
            "PORTAL_MEDIA_DIR": str(tmp_path / "media"),
            "CONTACT_IMPORT_CHUNK_ROWS": str(CHUNK),
        },
    )
    worker.wait_ready()
    return worker


def _kill_hard(worker: Worker) -> None:
    """SIGKILL the worker and its children at once: no warm shutdown, no lease released."""
    children = subprocess.run(
        ["pgrep", "-P", str(worker.process.pid)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    worker.process.kill()
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
    worker.process.wait()
    worker.log.close()


def test_import_survives_a_killed_worker(postgres, private_redis, tmp_path, settings, chat_policy):
    settings.MEDIA_ROOT = tmp_path / "media"
    lines = ["channel,external_id,opened_at,resolved_at"]
    lines += [
        f"chat,W-{n:05d},2026-01-05T09:00:00+01:00,2026-01-05T10:00:00+01:00" for n in range(ROWS)
    ]
    job = services.contact_import_create(
        file=io.BytesIO(("\n".join(lines) + "\n").encode()), file_name="w.csv", run=False
    )
    worker = _worker(tmp_path, private_redis.url)
    try:
        send_task(private_redis.url, "sla.tasks.import_contacts", job.pk)
        wait_for(
            lambda: ContactImport.objects.get(pk=job.pk).status == "checked",
            timeout=120,
            what="the check",
        )
        services.contact_import_start(import_id=job.pk, run=False)
        send_task(private_redis.url, "sla.tasks.import_contacts", job.pk)
        wait_for(
            lambda: ContactImport.objects.get(pk=job.pk).rows_done >= 10 * CHUNK,
            timeout=120,
            interval=0.02,
            what="some chunks imported",
        )
        _kill_hard(worker)
        killed_at = ContactImport.objects.get(pk=job.pk)
        assert killed_at.status == "importing" and killed_at.rows_done < ROWS
        assert killed_at.leased_until is not None  # held by a process that is gone
        # A new worker, at start, takes the job over (no waiting for the lease to run out).
        worker = _worker(tmp_path, private_redis.url)
        wait_for(
            lambda: ContactImport.objects.get(pk=job.pk).status == "done",
            timeout=120,
            what="the import to finish",
        )
    finally:
        worker.stop()
    job.refresh_from_db()
    assert (job.rows_done, job.created, job.existing, job.refused) == (ROWS, ROWS, 0, 0)
    ids = list(Contact.objects.values_list("external_id", flat=True))
    assert sorted(ids) == [f"W-{n:05d}" for n in range(ROWS)]
