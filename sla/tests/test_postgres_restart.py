"""PostgreSQL restarted under a bulk ingest by several clients: no 500, no duplicate, nothing lost.

The shared PostgreSQL must never go down, so the test runs its own: a private cluster made with
the machine's binaries (``pg_config --bindir``) in a temporary folder, on a free port, trust
authentication, its socket in that folder. ``initdb`` refuses to run as root, so when the test
runs as root every server command runs as the ``postgres`` OS user (``runuser -u postgres``)
and the folder belongs to that user; otherwise they run as the current user. The portal is
migrated onto that cluster and served by gunicorn (the production server: 2 workers × 4
threads, persistent health-checked connections) in subprocesses whose ``DATABASE_URL`` points
there. The cluster, the server and the folder are removed in the fixtures' teardown, also when
the test fails.

Clients post batches of their own contacts plus a few shared by every client (so the same
contact also arrives concurrently and again after a 503); they retry a 503 after its
``Retry-After``. Meanwhile the test restarts the cluster twice: a fast shutdown (sessions
terminated, 57P01) and an immediate one (crash recovery on start).
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
import pytest

from sla.tests.conftest import postgres_only

pytestmark = [pytest.mark.postgres, postgres_only]

BASE_DIR = Path(__file__).resolve().parents[2]
CLIENTS = 4
BATCHES = 12
OWN_PER_BATCH = 20
SHARED_PER_BATCH = 5
WEB_WORKERS, WEB_THREADS = 2, 4
RETRY_AFTER = 1  # the server's DATABASE_RETRY_AFTER, so that the test does not wait 5 s a time


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


class Cluster:
    """A throwaway PostgreSQL server in ``root``."""

    def __init__(self, root: Path):
        self.bindir = Path(_run(["pg_config", "--bindir"]).stdout.strip())
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(root, owner.pw_uid, owner.pw_gid)
            self.as_owner = ["runuser", "-u", "postgres", "--"]

    def pg_ctl(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", *args]
        _run([*self.as_owner, *command], timeout=timeout)

    def init_and_start(self) -> None:
        _run(
            [
                *self.as_owner,
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            timeout=120,
        )
        self.start()

    def start(self) -> None:
        # Always the options (a bare `pg_ctl start` would take the default port, the shared
        # server's) and a log file (a server started without one keeps pg_ctl's output open).
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        self.pg_ctl("-l", str(self.root / "server.log"), "-o", options, "start")

    def restart(self, mode: str) -> None:
        self.pg_ctl("-m", mode, "stop")  # immediate: no checkpoint, crash recovery on start
        time.sleep(0.5)  # the clients meet a server that refuses connections
        self.start()

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.pg_ctl("-m", "immediate", "stop")

    def query(self, sql: str, dbname: str = "portal") -> list[tuple]:
        # Not ``with connection``: psycopg2 makes that a transaction, which CREATE DATABASE refuses.
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()


@pytest.fixture(scope="module")
def cluster():
    if shutil.which("pg_config") is None:
        pytest.skip("needs the PostgreSQL server binaries (pg_config --bindir)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("runs initdb as the postgres user with runuser")
    root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    server = Cluster(root)
    try:
        server.init_and_start()
        server.query("CREATE DATABASE portal", dbname="postgres")
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def portal(cluster):
    """The portal migrated onto the private cluster and served by gunicorn: (port, token)."""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{cluster.port}/portal",
        "PORTAL_VAR_DIR": str(cluster.root / "var"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "restart-test-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_RETRY_AFTER": str(RETRY_AFTER),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)  # the broker on local disk, under the temporary folder
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    _run([*manage, "migrate", "--noinput"], cwd=BASE_DIR, env=env, timeout=300)
    setup = (
        "from django.contrib.auth.models import Group, User\n"
        "from rest_framework.authtoken.models import Token\n"
        "from channels_app.models import Channel\n"
        "user = User.objects.create_user('helpdesk')\n"
        "user.groups.add(Group.objects.get(name='Integration'))\n"
        "Channel.objects.create(code='chat', name='Chat', kind='chat')\n"
        "print(Token.objects.create(user=user).key)\n"
    )
    token = _run(
        [*manage, "shell", "--no-imports", "-c", setup], cwd=BASE_DIR, env=env
    ).stdout.strip()
    port = _free_port()
    log = (cluster.root / "web.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            f"--workers={WEB_WORKERS}",
            f"--threads={WEB_THREADS}",
            f"--bind=127.0.0.1:{port}",
            "--timeout=60",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while _request(port, token, "GET", "/api/v1/channels/")[0] != 200:
            assert server.poll() is None, (cluster.root / "web.log").read_text()
            assert time.monotonic() < deadline, "the web server did not start"
            time.sleep(0.2)
        yield port, token
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _request(port, token, method, path, body=None):
    """(status, headers, parsed body); (None, None, error) when the server cannot be reached."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            method,
            path,
            body=None if body is None else json.dumps(body),
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
    except OSError as error:
        return None, None, error
    finally:
        connection.close()
    try:
        return response.status, response.headers, json.loads(text)
    except ValueError:
        return response.status, response.headers, text


def test_restarts_during_bulk_ingest_lose_nothing_and_never_answer_500(cluster, portal):
    port, token = portal
    opened = "2026-01-05T09:00:00+00:00"
    shared = [[f"S{b}-{n}" for n in range(SHARED_PER_BATCH)] for b in range(BATCHES)]
    answers: list[tuple] = []  # (client, status, Retry-After, body) of every request
    ids: dict[str, set[int]] = {}  # external id -> contact ids the API answered for it
    lock = threading.Lock()
    progress = threading.Semaphore(0)

    def client(number):
        rng = random.Random(number)
        for batch in range(BATCHES):
            keys = [f"C{number}-{batch}-{n}" for n in range(OWN_PER_BATCH)] + shared[batch]
            rng.shuffle(keys)
            items = [{"channel": "chat", "external_id": key, "opened_at": opened} for key in keys]
            for _attempt in range(30):
                status, headers, body = _request(
                    port, token, "POST", "/api/v1/contacts/bulk/", items
                )
                retry_after = headers.get("Retry-After") if headers else None
                with lock:
                    answers.append((number, status, retry_after, body))
                if status in (200, 201):
                    with lock:
                        for key, pk in zip(keys, body["ids"], strict=True):
                            ids.setdefault(key, set()).add(pk)
                    progress.release()
                    break
                if status != 503 or retry_after is None:
                    return  # reported by the assertions below
                time.sleep(int(retry_after))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        for mode in ("fast", "immediate"):
            for _ in range(CLIENTS):  # let the ingest run a little, then pull the plug
                progress.acquire(timeout=60)
            cluster.restart(mode)
    finally:
        for thread in threads:
            thread.join(timeout=120)
    elapsed = time.monotonic() - started

    statuses = [status for _, status, _, _ in answers]
    unexpected = [answer for answer in answers if answer[1] not in (200, 201, 503)]
    assert unexpected == [], unexpected
    unavailable = [answer for answer in answers if answer[1] == 503]
    assert unavailable, "no request met the restarts: the test proved nothing"
    assert all(retry == str(RETRY_AFTER) for _, _, retry, _ in unavailable)
    assert all(set(body) == {"detail"} for _, _, _, body in unavailable)
    assert statuses.count(200) + statuses.count(201) == CLIENTS * BATCHES

    expected = {
        f"C{c}-{b}-{n}"
        for c in range(CLIENTS)
        for b in range(BATCHES)
        for n in range(OWN_PER_BATCH)
    }
    expected |= {key for batch in shared for key in batch}
    rows = cluster.query("SELECT external_id, id FROM sla_contact")
    events = dict(cluster.query("SELECT contact_id, count(*) FROM sla_contactevent GROUP BY 1"))
    stored = dict(rows)
    assert len(rows) == len(stored) == len(expected)  # each contact once
    assert set(stored) == expected  # nothing lost
    # Every answer named the one stored row, even when the same contact came from four clients.
    assert {key: {pk} for key, pk in stored.items()} == ids
    assert set(events.values()) == {1}  # one "opened" event each: no retried insert doubled it
    assert len(events) == len(expected)
    print(
        f"{len(answers)} requests in {elapsed:.1f} s, {len(unavailable)} answered 503, "
        f"{len(expected)} contacts"
    )


def test_first_requests_after_a_restart_succeed(cluster, portal):
    """Every worker thread holds a persistent connection that the restart killed: the health
    check at the start of the next request replaces it (without it that request was a 500)."""
    port, token = portal
    # Open a connection in (very likely) every worker thread.
    for _ in range(WEB_WORKERS * WEB_THREADS * 2):
        assert _request(port, token, "GET", "/api/v1/contacts/?page_size=1")[0] == 200
    cluster.restart("fast")
    codes = [
        _request(port, token, "GET", "/api/v1/contacts/?page_size=1")[0]
        for _ in range(WEB_WORKERS * WEB_THREADS * 2)
    ]
    assert codes == [200] * len(codes)
