"""A real Celery worker process runs a task end to end through the configured broker
(the local-disk broker on embedded defaults, Redis when REDIS_URL is set)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import tasks
from portal.celery import app

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    app.conf.task_always_eager = False
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=BASE_DIR,
        env=os.environ.copy(),
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.mark.celery_worker
def test_task_runs_in_a_real_worker(worker):
    marker = f"ping-{os.getpid()}"
    result = tasks.echo.apply_async(args=[marker], ignore_result=False)
    assert result.get(timeout=60) == marker
    assert worker.poll() is None, "the worker died"
    broker = app.conf.broker_url.split("://")[0]
    assert broker == ("redis" if os.environ.get("REDIS_URL") else "filesystem")
