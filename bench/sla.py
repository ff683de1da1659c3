# ruff: noqa: S608 -- SQL text is built from model identifiers only; values are parameters.
"""The SLA benchmark (``python -m bench.sla``, run by ``make bench``): PostgreSQL only.

One benchmark in one file (over 400 lines): its data, its hand-written comparison statements and
its figures are read together.

It builds its own data with set-based SQL (``INSERT ... SELECT generate_series``), on channels
whose codes start with ``bench-``, and removes all of it afterwards (also what a crashed earlier
run left behind). Figures:

* ``sweep_seconds``: :func:`sla.services.sla_sweep` over N contacts of which M are newly overdue
  (best of ``rounds``; each run in a transaction rolled back, then VACUUM, so every run starts
  from the same data);
* ``sweep_sql_seconds``: the same work (flip the states, record the breaches, the timeline
  events and the owner's and agent's notifications) as one hand-written statement, run the same
  way; ``sweep_ratio_vs_sql`` is the first over the second;
* ``resweep_seconds``: a sweep with nothing new, after the first sweep was committed (for this
  run's contacts only, so that other data in the database is never touched);
* ``ingest_contacts_per_s``: ``POST /api/v1/contacts/bulk/`` in-process (DRF's APIClient, a
  manager's token) in batches, deadlines computed on business hours;
* ``business_minutes_per_s``: ``Calendar.add_minutes`` calls per second on an office calendar.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench import common
from bench.common import c as _c
from bench.common import t as _t
from channels_app.models import BusinessCalendar, Channel, OpeningInterval
from channels_app.selectors import channel_business_calendar, clear_business_calendar_cache
from core.roles import MANAGER, STAFF
from sla import services
from sla.models import Breach, Contact, ContactEvent, SlaNotification, SlaPolicy

PREFIX = "bench-"
CHANNELS = 10
AGENTS = 20

TARGETS = {
    "sweep_ratio_vs_sql": ("<=", 1.5),
    "resweep_seconds": ("<", 0.2),
    "ingest_contacts_per_s": (">=", 2000),
    "business_minutes_per_s": (">=", 50_000),
}


@dataclass
class Options:
    contacts: int = 1_000_000
    overdue: int = 100_000
    ingest: int = 20_000
    batch: int = 1000
    add_minutes_calls: int = 200_000
    rounds: int = 2
    keep: bool = False
    vacuum: bool = True


# -- data ----------------------------------------------------------------------------------------


def cleanup() -> None:
    """Remove everything a run made (channels ``bench-*``, users ``bench-*``)."""
    channel_ids = list(Channel.objects.filter(code__startswith=PREFIX).values_list("id", flat=True))
    common.delete_contacts(channel_ids)
    with transaction.atomic():
        SlaPolicy.objects.filter(channel_id__in=channel_ids).delete()
        Channel.objects.filter(id__in=channel_ids).delete()
        BusinessCalendar.objects.filter(name__startswith=PREFIX).delete()
        get_user_model().objects.filter(username__startswith=PREFIX).delete()
    clear_business_calendar_cache()


@dataclass
class World:
    channels: list[Channel]
    agents: list
    manager: object
    policies: list[SlaPolicy]


def build_world() -> World:
    """Users, an office calendar (Mon-Fri 09:00-18:00 Warsaw), channels and their policies."""
    users = get_user_model()
    manager = users.objects.create_user(
        f"{PREFIX}manager", email="bench-manager@example.com", password=None
    )
    manager.groups.add(Group.objects.get_or_create(name=MANAGER)[0])
    agents = [
        users.objects.create_user(
            f"{PREFIX}agent-{n}", email=f"bench-agent-{n}@example.com", password=None
        )
        for n in range(AGENTS)
    ]
    staff = Group.objects.get_or_create(name=STAFF)[0]
    staff.user_set.add(*agents)  # only staff and managers may be a contact's agent
    calendar = BusinessCalendar.objects.create(name=f"{PREFIX}office", timezone="Europe/Warsaw")
    OpeningInterval.objects.bulk_create(
        OpeningInterval(calendar=calendar, weekday=day, start_minute=9 * 60, end_minute=18 * 60)
        for day in range(5)
    )
    channels, policies = [], []
    for n in range(CHANNELS):
        channel = Channel.objects.create(
            code=f"{PREFIX}{n}", name=f"Bench {n}", calendar=calendar, owner=manager
        )
        channels.append(channel)
        policies.append(
            SlaPolicy.objects.create(
                name=f"{PREFIX}{n}",
                channel=channel,
                first_response_minutes=60,
                resolution_minutes=480,
            )
        )
    return World(channels, agents, manager, policies)


def load_contacts(world: World, *, count: int, overdue: int, now: datetime) -> None:
    """``count`` contacts in one statement: ``overdue`` past their first-response deadline and
    not flagged, 60% of the rest resolved and decided, the others running with future deadlines.
    """
    c = lambda field: _c(Contact, field)  # noqa: E731
    columns = [
        "created_at", "updated_at", "external_id", "priority", "subject", "customer_name",
        "customer_email", "customer_language", "opened_at", "first_response_at", "resolved_at",
        "status", "first_response_due_at", "resolution_due_at", "first_response_warn_at",
        "resolution_warn_at", "first_response_minutes", "resolution_minutes",
        "first_response_state", "resolution_state", "paused_at", "paused_business_minutes",
        "notify", "agent", "channel", "sla_policy",
    ]  # fmt: skip
    # k: 0 overdue, 1 resolved, 2 running; s: a spread of seconds.
    sql = f"""
        INSERT INTO {_t(Contact)} ({", ".join(c(name) for name in columns)})
        SELECT %(now)s, %(now)s, 'B' || g, 'normal', 'Bench contact ' || g, 'Customer ' || g,
               'customer' || g || '@example.com', 'en',
               CASE k WHEN 0 THEN %(now)s - interval '3 hours' - s * interval '1 second'
                      WHEN 1 THEN %(now)s - interval '2 days' - s * interval '1 second'
                      ELSE %(now)s - s * interval '1 second' END,
               CASE k WHEN 1 THEN %(now)s - interval '2 days' - s * interval '1 second'
                                  + interval '10 minutes' END,
               CASE k WHEN 1 THEN %(now)s - interval '2 days' - s * interval '1 second'
                                  + interval '2 hours' END,
               CASE k WHEN 1 THEN 'resolved' ELSE 'open' END,
               CASE k WHEN 0 THEN %(now)s - interval '1 minute' - s * interval '1 second'
                      WHEN 1 THEN %(now)s - interval '2 days' + interval '1 hour'
                      ELSE %(now)s + interval '2 hours' + s * interval '1 second' END,
               CASE k WHEN 1 THEN %(now)s - interval '1 day'
                      ELSE %(now)s + interval '8 hours' + s * interval '1 second' END,
               CASE k WHEN 0 THEN %(now)s - interval '13 minutes' - s * interval '1 second'
                      WHEN 1 THEN %(now)s - interval '2 days' + interval '48 minutes'
                      ELSE %(now)s + interval '90 minutes' + s * interval '1 second' END,
               CASE k WHEN 1 THEN %(now)s - interval '1 day' - interval '96 minutes'
                      ELSE %(now)s + interval '6 hours' + s * interval '1 second' END,
               CASE k WHEN 1 THEN 10 END,
               CASE k WHEN 1 THEN 120 END,
               CASE k WHEN 1 THEN 'met' ELSE 'pending' END,
               CASE k WHEN 1 THEN 'met' ELSE 'pending' END,
               NULL, 0, true,
               (%(agents)s::int[])[1 + g %% {len(world.agents)}],
               (%(channels)s::bigint[])[1 + g %% {len(world.channels)}],
               (%(policies)s::bigint[])[1 + g %% {len(world.channels)}]
        FROM (
            SELECT g, (g %% 3600) AS s,
                   CASE WHEN g <= %(overdue)s THEN 0 WHEN g %% 10 < 6 THEN 1 ELSE 2 END AS k
            FROM generate_series(1, %(count)s) AS g
        ) AS series
    """
    params = {
        "now": now,
        "count": count,
        "overdue": overdue,
        "agents": [a.pk for a in world.agents],
        "channels": [ch.pk for ch in world.channels],
        "policies": [p.pk for p in world.policies],
    }
    with transaction.atomic(), connection.cursor() as cursor:
        common.skip_fk_checks(cursor)
        cursor.execute(sql, params)


_VACUUM = {"on": True}


def vacuum() -> None:
    """Dead rows of a rolled-back run would slow the next one: reclaim them, refresh stats."""
    if connection.in_atomic_block or not _VACUUM["on"]:
        return
    with connection.cursor() as cursor:
        for model in (Contact, Breach, ContactEvent, SlaNotification):
            cursor.execute(f"VACUUM ANALYZE {_t(model)}")


# -- the hand-written sweep ----------------------------------------------------------------------


def hand_sql_sweep(now: datetime) -> tuple[int, int, int]:
    """Both breach steps of the sweep as one statement; returns (contacts, breaches, notes)."""
    c = lambda field: _c(Contact, field)  # noqa: E731
    running = "('pending', 'at_risk')"
    fr_hit = (
        f"({c('first_response_state')} IN {running} AND {c('first_response_due_at')} < %(now)s)"
    )
    res_hit = f"({c('resolution_state')} IN {running} AND {c('resolution_due_at')} < %(now)s)"
    n = SlaNotification
    user = get_user_model()
    sql = f"""
        WITH cand AS (
            SELECT id, {c("channel")} AS channel_id, {c("agent")} AS agent_id, notify,
                   {c("first_response_due_at")} AS fr_due, {c("resolution_due_at")} AS res_due,
                   {fr_hit} AS fr_hit, {res_hit} AS res_hit
            FROM {_t(Contact)} WHERE {fr_hit} OR {res_hit}
            FOR UPDATE
        ), upd AS (
            UPDATE {_t(Contact)} t SET
                {c("first_response_state")} = CASE WHEN cand.fr_hit THEN 'breached'
                    ELSE t.{c("first_response_state")} END,
                {c("resolution_state")} = CASE WHEN cand.res_hit THEN 'breached'
                    ELSE t.{c("resolution_state")} END
            FROM cand WHERE t.id = cand.id
            RETURNING 1
        ), m AS (
            SELECT id, channel_id, agent_id, notify, 'first_response' AS metric, fr_due AS due
            FROM cand WHERE fr_hit
            UNION ALL
            SELECT id, channel_id, agent_id, notify, 'resolution', res_due FROM cand WHERE res_hit
        ), b AS (
            INSERT INTO {_t(Breach)} ({_c(Breach, "contact")}, metric, due_at, detected_at)
            SELECT id, metric, due, %(now)s FROM m ON CONFLICT DO NOTHING RETURNING 1
        ), e AS (
            INSERT INTO {_t(ContactEvent)} ({_c(ContactEvent, "contact")}, kind, metric, at,
                                            detail, recorded_at)
            SELECT id, 'breached', metric, due, '{{}}'::jsonb, %(now)s FROM m RETURNING 1
        ), n AS (
            INSERT INTO {_t(n)} ({_c(n, "recipient")}, {_c(n, "channel")}, {_c(n, "contact")},
                                 metric, kind, status, created_at, not_before, sent_at,
                                 attempts, last_error)
            SELECT u.id, m.channel_id, m.id, m.metric, 'breach', 'pending', %(now)s, %(now)s,
                   NULL, 0, ''
            FROM m JOIN {_t(Channel)} ch ON ch.id = m.channel_id
            JOIN {_t(user)} u ON u.id IN (ch.{_c(Channel, "owner")}, m.agent_id)
            WHERE m.notify AND u.is_active AND u.email <> ''
            ON CONFLICT DO NOTHING RETURNING 1
        )
        SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM b), (SELECT count(*) FROM n)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"now": now})
        return cursor.fetchone()


def _bench_overdue_ids(world: World, now: datetime) -> list[int]:
    contacts = Contact.objects.overdue(now).filter(channel__in=world.channels)
    return list(contacts.values_list("id", flat=True))


def timed_and_rolled_back(fn) -> tuple[float, object]:
    with transaction.atomic():
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    vacuum()
    return elapsed, result


# -- ingestion and business minutes --------------------------------------------------------------


def ingest(world: World, *, count: int, batch: int, now: datetime) -> tuple[float, int]:
    """POST the bulk endpoint in-process; returns (seconds, contacts created)."""
    token, _ = Token.objects.get_or_create(user=world.manager)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    bodies = []
    for start in range(0, count, batch):
        items = []
        for i in range(start, min(start + batch, count)):
            items.append(
                {
                    "channel": world.channels[i % len(world.channels)].code,
                    "external_id": f"I-{i}",
                    "priority": ("low", "normal", "high", "urgent")[i % 4],
                    "subject": f"Ingested {i}",
                    "customer_name": f"Customer {i}",
                    "customer_email": f"ingest{i}@example.com",
                    "customer_language": "en",
                    "agent": world.agents[i % len(world.agents)].username,
                    "opened_at": (now - timedelta(minutes=i % 600)).isoformat(),
                }
            )
        bodies.append(json.dumps(items))
    created = 0
    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    with override_settings(ALLOWED_HOSTS=hosts):
        start = time.perf_counter()
        for body in bodies:
            response = client.post(
                "/api/v1/contacts/bulk/", body, content_type="application/json", secure=True
            )
            if response.status_code not in (200, 201):
                raise RuntimeError(
                    f"bulk ingest failed: {response.status_code} {response.content!r}"
                )
            created += response.json()["created"]
        elapsed = time.perf_counter() - start
    return elapsed, created


def business_minutes_rate(world: World, calls: int) -> float:
    calendar = channel_business_calendar(
        Channel.objects.with_related().get(pk=world.channels[0].pk)
    )
    base = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.get_fixed_timezone(60))
    starts = [base + timedelta(minutes=(i * 37) % (60 * 24 * 60)) for i in range(calls)]
    minutes = [1 + (i * 13) % 960 for i in range(calls)]
    add = calendar.add_minutes
    begin = time.perf_counter()
    for start, amount in zip(starts, minutes, strict=True):
        add(start, amount)
    return calls / (time.perf_counter() - begin)


# -- the run -------------------------------------------------------------------------------------


def run(options: Options, *, write) -> dict:
    common.require_postgres("The SLA benchmark")
    _VACUUM["on"] = options.vacuum
    cleanup()
    results: dict = {"contacts": options.contacts, "overdue": options.overdue}
    try:
        world = build_world()
        now = timezone.now()
        write(f"Loading {options.contacts:,} contacts ({options.overdue:,} newly overdue)…")
        begin = time.perf_counter()
        load_contacts(world, count=options.contacts, overdue=options.overdue, now=now)
        results["load_seconds"] = round(time.perf_counter() - begin, 3)
        vacuum()

        sweep_times, sql_times = [], []
        for _ in range(options.rounds):
            elapsed, counts = timed_and_rolled_back(lambda: hand_sql_sweep(now))
            sql_times.append(elapsed)
            results["sweep_sql_counts"] = list(counts)
            elapsed, counts = timed_and_rolled_back(lambda: services.sla_sweep(now=now))
            sweep_times.append(elapsed)
            results["sweep_counts"] = counts
        results["sweep_seconds"] = round(min(sweep_times), 4)
        results["sweep_sql_seconds"] = round(min(sql_times), 4)
        results["sweep_ratio_vs_sql"] = round(min(sweep_times) / min(sql_times), 3)

        # Commit the sweep of this run's contacts only (the sweep is global; other data in the
        # database stays as it was), then time sweeps with nothing new, each rolled back.
        services.sla_sweep(now=now, contact_ids=_bench_overdue_ids(world, now))
        vacuum()
        resweeps = []
        for _ in range(3):
            elapsed, counts = timed_and_rolled_back(lambda: services.sla_sweep(now=now))
            resweeps.append(elapsed)
        results["resweep_seconds"] = round(min(resweeps), 4)
        results["resweep_counts"] = counts

        write(f"Ingesting {options.ingest:,} contacts through the API…")
        elapsed, created = ingest(
            world, count=options.ingest, batch=options.batch, now=timezone.now()
        )
        results["ingest_contacts"] = created
        results["ingest_seconds"] = round(elapsed, 3)
        results["ingest_contacts_per_s"] = round(created / elapsed, 1) if elapsed else 0.0

        results["business_minutes_per_s"] = round(
            business_minutes_rate(world, options.add_minutes_calls), 1
        )
    finally:
        if not options.keep:
            cleanup()
    return results


def verdicts(results: dict) -> list[tuple[str, str, str, str]]:
    return common.verdicts(results, ["sweep_seconds", "sweep_sql_seconds", *TARGETS], TARGETS)


def main(argv=None) -> int:
    options, _args = common.parse_options(Options, argv, description=__doc__)
    if options.overdue > options.contacts or not 1 <= options.batch <= 1000:
        raise SystemExit("--overdue must not exceed --contacts; --batch must be 1 to 1000.")
    results = run(options, write=print)
    common.report("sla", results, verdicts(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
