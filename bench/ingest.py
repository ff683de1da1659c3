# ruff: noqa: S608 -- SQL text is built from model identifiers and integers only.
"""Ingestion figures: contacts per second through the service, the bulk API and gunicorn, side by
side with PostgreSQL's own ``COPY`` of the same rows.

``python -m bench.ingest`` (``make bench`` runs it) on the configured PostgreSQL database. The
rows are a year of history on an office calendar (Mon-Fri 09:00-18:00 Warsaw, so every deadline
is business-hours arithmetic): most resolved (many late, so breach records are written), some
answered only, some still open, a few waiting. Each figure loads fresh rows and removes them.

* ``service``: :func:`sla.services.contacts_bulk_create` called in-process, 1000 at a time.
* ``parallel``: the same, from ``--writers`` processes at once, each on its own channels (as
  imports of different channels run on different workers): what a backfill split by channel
  gets from the machine.
* ``api``: ``POST /api/v1/contacts/bulk/`` in-process (DRF's test client, JSON bodies).
* ``http``: the same bodies posted to gunicorn (2 workers, ``bench.common.start_gunicorn``) by
  ``--clients`` keep-alive clients.
* ``copy``: ``COPY`` of the same contact rows (deadlines precomputed) into ``sla_contact``: the
  floor; the ratios say how close ingestion comes to it (ingestion also writes two or three
  timeline events and about one breach per contact, which the floor does not).
"""

from __future__ import annotations

import dataclasses
import http.client
import io
import json
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench import common
from channels_app.models import BusinessCalendar, Channel, OpeningInterval
from core.roles import MANAGER, STAFF
from sla.models import Breach, Contact, SlaPolicy
from sla.services import contacts_bulk_create
from sla.services.contact_rows import CONTACT_COLUMNS

PREFIX = "bench-ingest-"
CHANNELS = 4
AGENTS = 8
TARGETS = {
    "service_contacts_per_s": (">=", 10_000),
    "http_contacts_per_s": (">=", 5_000),
}


@dataclasses.dataclass
class Options:
    contacts: int = 20_000
    http_contacts: int = 20_000  # 0 skips gunicorn
    batch: int = 1000
    rounds: int = 3
    clients: int = 2
    writers: int = 2  # 0 skips the parallel figure


# -- data ----------------------------------------------------------------------------------------


def build_world() -> dict:
    """An office calendar, channels with business-hours policies, staff agents, an API token."""
    users = get_user_model()
    manager = users.objects.create_user(f"{PREFIX}manager", email="bench-ingest@example.com")
    manager.groups.add(Group.objects.get_or_create(name=MANAGER)[0])
    agents = [
        users.objects.create_user(f"{PREFIX}agent-{n}", email=f"bench-ingest-{n}@example.com")
        for n in range(AGENTS)
    ]
    Group.objects.get_or_create(name=STAFF)[0].user_set.add(*agents)
    calendar = BusinessCalendar.objects.create(name=f"{PREFIX}office", timezone="Europe/Warsaw")
    OpeningInterval.objects.bulk_create(
        OpeningInterval(calendar=calendar, weekday=day, start_minute=9 * 60, end_minute=18 * 60)
        for day in range(5)
    )
    channels = []
    for n in range(CHANNELS):
        channel = Channel.objects.create(
            code=f"{PREFIX}{n}", name=f"Bench ingest {n}", calendar=calendar, owner=manager
        )
        channels.append(channel)
        SlaPolicy.objects.create(
            name=f"{PREFIX}{n}", channel=channel, first_response_minutes=60, resolution_minutes=480
        )
    token = Token.objects.create(user=manager)
    return {"channels": channels, "agents": agents, "manager": manager, "token": token.key}


def history(world: dict, count: int, *, tag: str, now) -> list[dict]:
    """``count`` contacts of the last year as API bodies: 70 % resolved, 10 % answered, 15 %
    open, 5 % waiting; responses and resolutions between minutes and days after opening."""
    channels, agents = world["channels"], world["agents"]
    items = []
    for i in range(count):
        opened = now - timedelta(minutes=60 + (i * 7919) % (365 * 24 * 60))
        item = {
            "channel": channels[i % CHANNELS].code,
            "external_id": f"{tag}-{i}",
            "priority": ("low", "normal", "high", "urgent")[i % 4],
            "subject": f"Order {i} did not arrive",
            "customer_name": f"Customer {i}",
            "customer_email": f"customer{i}@example.com",
            "customer_language": ("en", "ru", "pl")[i % 3],
            "agent": agents[i % AGENTS].username,
            "opened_at": opened.isoformat(),
        }
        kind = i % 20
        response = opened + timedelta(minutes=5 + (i * 31) % 600)
        if kind < 14 and response < now:
            item["first_response_at"] = response.isoformat()
            item["resolved_at"] = min(
                now, response + timedelta(minutes=(i * 131) % 4000)
            ).isoformat()
        elif kind < 16 and response < now:
            item["first_response_at"] = response.isoformat()
        elif kind == 19:
            item["status"] = "waiting"
        items.append(item)
    return items


def service_items(world: dict, bodies: list[dict]) -> list[dict]:
    """API bodies as the service takes them (channel and agent objects, datetimes)."""
    channels = {c.code: c for c in world["channels"]}
    agents = {a.username: a for a in world["agents"]}
    items = []
    for body in bodies:
        item = dict(body)
        item["channel"] = channels[body["channel"]]
        item["agent"] = agents[body["agent"]]
        for name in ("opened_at", "first_response_at", "resolved_at"):
            if name in item:
                item[name] = datetime.fromisoformat(item[name])
        items.append(item)
    return items


def remove_contacts(world: dict) -> None:
    common.delete_contacts([c.pk for c in world["channels"]])


def cleanup() -> None:
    """Everything a run (or an interrupted one) created."""
    channels = Channel.objects.filter(code__startswith=PREFIX)
    common.delete_contacts(list(channels.values_list("pk", flat=True)))
    SlaPolicy.objects.filter(channel__in=channels).delete()
    channels.delete()
    BusinessCalendar.objects.filter(name__startswith=PREFIX).delete()
    get_user_model().objects.filter(username__startswith=PREFIX).delete()


def _chunks(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


# -- figures -------------------------------------------------------------------------------------


def bench_service(world: dict, count: int, batch: int, now) -> dict:
    items = service_items(world, history(world, count, tag="S", now=now))
    # Outside the clock: the first call imports, connects and loads the calendar.
    contacts_bulk_create(items=service_items(world, history(world, 5, tag="WS", now=now)), now=now)
    started = time.perf_counter()
    created = 0
    for chunk in _chunks(items, batch):
        created += contacts_bulk_create(items=chunk, now=now).created
    elapsed = time.perf_counter() - started
    breaches = Breach.objects.filter(contact__channel__in=world["channels"]).count()
    assert created == count
    started = time.perf_counter()
    again = sum(
        contacts_bulk_create(items=chunk, now=now).existing for chunk in _chunks(items, batch)
    )
    replay = time.perf_counter() - started
    assert again == count
    return {
        "contacts": count,
        "seconds": elapsed,
        "per_s": count / elapsed,
        "breaches": breaches,
        "replay_per_s": count / replay,
    }


def _writer(share: list[dict], warm: list[dict], batch: int, now, barrier, done) -> None:
    """One writer process of :func:`bench_service_parallel` (forked: its own connection)."""
    try:
        contacts_bulk_create(items=warm, now=now)  # connection, calendars: outside the clock
        barrier.wait()
        done.put(sum(contacts_bulk_create(items=c, now=now).created for c in _chunks(share, batch)))
    except BaseException as exc:
        done.put(exc)
        raise
    finally:
        connections.close_all()


def bench_service_parallel(world: dict, count: int, batch: int, now, writers: int) -> dict:
    items = service_items(world, history(world, count, tag="P", now=now))
    channels = world["channels"]
    shares, warms = [], []
    for w in range(writers):
        mine = {c.pk for c in channels[w::writers]}
        shares.append([item for item in items if item["channel"].pk in mine])
        warm = service_items(world, history(world, CHANNELS, tag=f"WP{w}", now=now))
        warms.append([item for item in warm if item["channel"].pk in mine])
    context = multiprocessing.get_context("fork")
    barrier, done = context.Barrier(writers + 1), context.Queue()
    connections.close_all()  # each child opens its own
    processes = [
        context.Process(target=_writer, args=(share, warm, batch, now, barrier, done))
        for share, warm in zip(shares, warms, strict=True)
    ]
    for process in processes:
        process.start()
    try:
        barrier.wait(timeout=120)
        started = time.perf_counter()
        answers = [done.get(timeout=600) for _ in processes]
        elapsed = time.perf_counter() - started
    finally:
        for process in processes:
            process.join(timeout=60)
    for answer in answers:
        if isinstance(answer, BaseException):
            raise RuntimeError("a writer failed") from answer
    assert sum(answers) == count, answers
    return {"contacts": count, "seconds": elapsed, "per_s": count / elapsed, "writers": writers}


def bench_api(world: dict, count: int, batch: int, now) -> dict:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world['token']}")
    bodies = [
        json.dumps(chunk) for chunk in _chunks(history(world, count, tag="A", now=now), batch)
    ]
    created = 0
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        warm = json.dumps(history(world, 5, tag="WA", now=now))  # imports, outside the clock
        client.post("/api/v1/contacts/bulk/", warm, content_type="application/json", secure=True)
        started = time.perf_counter()
        for body in bodies:
            response = client.post(
                "/api/v1/contacts/bulk/", body, content_type="application/json", secure=True
            )
            if response.status_code != 201:
                raise RuntimeError(f"bulk failed: {response.status_code} {response.content!r}")
            created += response.json()["created"]
        elapsed = time.perf_counter() - started
    assert created == count
    return {"contacts": count, "seconds": elapsed, "per_s": count / elapsed}


def bench_http(world: dict, count: int, batch: int, now, clients: int = 2) -> dict:
    bodies = [
        json.dumps(chunk).encode()
        for chunk in _chunks(history(world, count, tag="H", now=now), batch)
    ]
    headers = {
        "Authorization": f"Token {world['token']}",
        "Content-Type": "application/json",
        "Host": "127.0.0.1",
        "X-Forwarded-Proto": "https",
    }
    port = common.free_port()
    server = common.start_gunicorn(port)
    try:

        def post(part: list[bytes]) -> int:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            done = 0
            try:
                for body in part:
                    conn.request("POST", "/api/v1/contacts/bulk/", body, headers)
                    response = conn.getresponse()
                    payload = response.read()
                    if response.status != 201:
                        raise RuntimeError(f"bulk failed: {response.status} {payload[:300]!r}")
                    done += json.loads(payload)["created"]
            finally:
                conn.close()
            return done

        # One warm-up request per worker, outside the clock (imports, connections, calendars).
        warm = [json.dumps(history(world, 2, tag=f"W{n}", now=now)).encode() for n in range(4)]
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(post, [warm[n::clients] for n in range(clients)]))
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            created = sum(pool.map(post, [bodies[n::clients] for n in range(clients)]))
        elapsed = time.perf_counter() - started
    finally:
        common.stop(server)
    assert created == count, created
    return {"contacts": count, "seconds": elapsed, "per_s": count / elapsed, "clients": clients}


def bench_copy(world: dict, count: int) -> dict:
    """The floor: the contact rows ingestion wrote (deadlines and all), read back as COPY text
    and copied in again under new external ids, by PostgreSQL alone (no events, no breaches)."""
    table = Contact._meta.db_table
    columns = ", ".join(CONTACT_COLUMNS)
    buffer = io.StringIO()
    ids = [c.pk for c in world["channels"]]
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY (SELECT {columns} FROM {table} WHERE channel_id IN "
            f"({', '.join(map(str, ids))}) ORDER BY id LIMIT {count}) TO STDOUT",
            buffer,
        )
    lines = buffer.getvalue().splitlines()
    index = CONTACT_COLUMNS.index("external_id")
    rows = []
    for line in lines:
        fields = line.split("\t")
        fields[index] = "C" + fields[index]
        rows.append("\t".join(fields))
    text = "\n".join(rows) + "\n"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(text))
    elapsed = time.perf_counter() - started
    return {"contacts": len(rows), "seconds": elapsed, "per_s": len(rows) / elapsed}


def run(options: Options, *, write=print) -> dict:
    common.require_postgres("bench.ingest")
    cleanup()
    world = build_world()
    rounds: dict = {"service": [], "parallel": [], "api": [], "http": [], "copy": []}
    try:
        for _ in range(options.rounds):
            now = timezone.now()
            write(f"service: {options.contacts:,} contacts…")
            rounds["service"].append(bench_service(world, options.contacts, options.batch, now))
            rounds["copy"].append(bench_copy(world, options.contacts))
            remove_contacts(world)
            if options.writers:
                write(f"service from {options.writers} processes: {options.contacts:,} contacts…")
                rounds["parallel"].append(
                    bench_service_parallel(
                        world, options.contacts, options.batch, now, options.writers
                    )
                )
                remove_contacts(world)
            write(f"API in-process: {options.contacts:,} contacts…")
            rounds["api"].append(bench_api(world, options.contacts, options.batch, now))
            remove_contacts(world)
            if options.http_contacts:
                write(f"HTTP through gunicorn: {options.http_contacts:,} contacts…")
                rounds["http"].append(
                    bench_http(world, options.http_contacts, options.batch, now, options.clients)
                )
                remove_contacts(world)
    finally:
        cleanup()
    results: dict = {"options": dataclasses.asdict(options), "rounds": rounds}
    for name, runs in rounds.items():
        rates = [r["per_s"] for r in runs]
        results[f"{name}_contacts_per_s"] = round(statistics.median(rates), 1) if rates else None
    copy = results["copy_contacts_per_s"]
    for name in ("service", "parallel", "api", "http"):
        rate = results[f"{name}_contacts_per_s"]
        results[f"{name}_ratio_vs_copy"] = round(rate / copy, 3) if rate and copy else None
    results["breaches_per_contact"] = round(
        statistics.median(r["breaches"] / r["contacts"] for r in rounds["service"]), 2
    )
    return results


KEYS = (
    "service_contacts_per_s",
    "parallel_contacts_per_s",
    "api_contacts_per_s",
    "http_contacts_per_s",
    "copy_contacts_per_s",
    "service_ratio_vs_copy",
    "parallel_ratio_vs_copy",
    "api_ratio_vs_copy",
    "http_ratio_vs_copy",
    "breaches_per_contact",
)


def main(argv=None) -> int:
    options, _ = common.parse_options(Options, argv, description=__doc__)
    results = run(options)
    common.report("ingest", results, common.verdicts(results, KEYS, TARGETS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
