# ruff: noqa: S608 -- SQL text is built from model identifiers only; values are parameters.
"""The report benchmark (``python -m bench.reports``, run by ``make bench``): PostgreSQL only.

Data: N contacts (1,000,000 by default) opened over 90 days on channels ``benchr-0..9``, made by
one ``INSERT … SELECT generate_series`` and kept between runs: channel ``benchr-0``'s name
records the count and the last day, and a later run with the same count reuses them. Every
contact is decided or has no deadline, so the SLA sweep (``bench.sla``) never touches them.

Figures:

* ``report_90d_channel_seconds`` / ``report_30d_day_seconds``: ``GET /api/v1/reports/sla/``
  in-process (DRF's APIClient, a manager's token), best of ``rounds``;
* ``…_ratio_vs_sql``: the above over the same aggregate written by hand in SQL
  (``percentile_cont`` with ``GROUPING SETS``), best of ``rounds`` too;
* ``dashboard_uncached_seconds``: the dashboard's figures computed afresh (what the first
  manager in a minute waits for; the others share them through the cache);
* ``dashboard_rps`` / ``dashboard_p95_ms``: the manager dashboard (last 30 days of the data)
  served by gunicorn (2 workers, 127.0.0.1, a free port) under ``concurrency`` concurrent
  keep-alive clients for at most ``load_seconds`` or ``load_requests`` requests, logged in with
  a session cookie.
"""

from __future__ import annotations

import datetime as dt
import http.client
import math
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bench import common
from bench.common import c as _c
from bench.common import t as _t
from channels_app.models import Channel
from core.roles import MANAGER
from sla.models import Contact

PREFIX = "benchr-"
CHANNELS = 10
AGENTS = 20
DAYS = 90
TZ = "Europe/Warsaw"

TARGETS = {
    "report_90d_channel_ratio_vs_sql": ("<=", 1.5),
    "report_30d_day_ratio_vs_sql": ("<=", 1.5),
}


@dataclass
class Options:
    contacts: int = 1_000_000
    rounds: int = 3
    concurrency: int = 8
    load_seconds: float = 20.0
    load_requests: int = 2000
    rebuild: bool = False


# -- data ----------------------------------------------------------------------------------------


def _marker_name(count: int, last_day: dt.date) -> str:
    return f"Bench reports 0 [contacts={count} last_day={last_day.isoformat()}]"


def existing_data(count: int, prefix: str = PREFIX) -> dt.date | None:
    """The last day of data built earlier with ``count`` contacts, if it is all there."""
    marker = Channel.objects.filter(code=f"{prefix}0").values_list("name", flat=True).first()
    if not marker or f"[contacts={count} " not in marker:
        return None
    last_day = dt.date.fromisoformat(marker.rsplit("last_day=", 1)[1].rstrip("]"))
    found = Contact.objects.filter(channel__code__startswith=prefix).count()
    return last_day if found == count else None


def cleanup(prefix: str = PREFIX) -> None:
    """Remove the report benchmark's data (channels and users ``benchr-*``)."""
    channel_ids = list(Channel.objects.filter(code__startswith=prefix).values_list("id", flat=True))
    common.delete_contacts(channel_ids)
    with transaction.atomic():
        Channel.objects.filter(id__in=channel_ids).delete()
        get_user_model().objects.filter(username__startswith=prefix).delete()


def manager_user(prefix: str = PREFIX):
    users = get_user_model()
    manager, created = users.objects.get_or_create(
        username=f"{prefix}manager", defaults={"email": f"{prefix}manager@example.com"}
    )
    if created:
        manager.set_unusable_password()
        manager.save()
    manager.groups.add(Group.objects.get_or_create(name=MANAGER)[0])
    return manager


def build(count: int, last_day: dt.date, prefix: str = PREFIX) -> None:
    """Channels, agents and ``count`` contacts opened over the 90 days up to ``last_day``."""
    cleanup(prefix)
    manager = manager_user(prefix)
    users = get_user_model()
    agents = [
        users.objects.create_user(f"{prefix}agent-{n}", email=f"{prefix}agent-{n}@example.com")
        for n in range(AGENTS)
    ]
    channels = [
        Channel.objects.create(
            code=f"{prefix}{n}",
            name=_marker_name(count, last_day) if n == 0 else f"Bench reports {n}",
            calendar=None,
            owner=manager,
        )
        for n in range(CHANNELS)
    ]
    start = dt.datetime.combine(
        last_day - dt.timedelta(days=DAYS - 1), dt.time(0, 0), tzinfo=dt.UTC
    ).astimezone(dt.UTC)
    c = lambda field: _c(Contact, field)  # noqa: E731
    columns = [
        "created_at", "updated_at", "external_id", "priority", "subject", "customer_name",
        "customer_email", "customer_language", "opened_at", "first_response_at", "resolved_at",
        "status", "first_response_minutes", "resolution_minutes", "first_response_state",
        "resolution_state", "paused_business_minutes", "notify", "agent", "channel",
    ]  # fmt: skip
    # Spread evenly over the 90 days; fr: 1..240 minutes (met up to 60), res: 30..2029 (met up
    # to 480); one in ten still open (no resolution yet; every hundredth one breached, at risk
    # or pending, with no deadline so that no sweep picks it up).
    sql = f"""
        INSERT INTO {_t(Contact)} ({", ".join(c(name) for name in columns)})
        SELECT now(), now(), 'R' || g,
               (ARRAY['low','normal','normal','high','urgent'])[1 + g %% 5],
               'Report bench ' || g, 'Customer ' || g, 'customer' || g || '@example.com', 'en',
               opened, opened + fr * interval '1 minute',
               CASE WHEN is_open THEN NULL ELSE opened + (fr + res) * interval '1 minute' END,
               CASE WHEN is_open THEN 'open' ELSE 'resolved' END,
               fr, CASE WHEN is_open THEN NULL ELSE res END,
               CASE WHEN fr <= 60 THEN 'met' ELSE 'breached' END,
               CASE WHEN NOT is_open THEN (CASE WHEN res <= 480 THEN 'met' ELSE 'breached' END)
                    WHEN g %% 300 = 0 THEN 'breached' WHEN g %% 300 = 100 THEN 'at_risk'
                    ELSE 'pending' END,
               0, false,
               CASE WHEN g %% 50 = 0 THEN NULL ELSE (%(agents)s::int[])[1 + g %% {AGENTS}] END,
               (%(channels)s::bigint[])[1 + (g / 7) %% {CHANNELS}]
        FROM (
            SELECT g,
                   %(start)s::timestamptz + (g - 1) * (%(span)s::float / %(count)s)
                       * interval '1 second' AS opened,
                   1 + ((g * 7919) %% 97 + (g * 31) %% 144) AS fr,
                   30 + (g * 104729) %% 2000 AS res,
                   (g %% 10 = 0) AS is_open
            FROM generate_series(1::bigint, %(count)s) AS g
        ) AS series
    """
    params = {
        "start": start,
        "span": DAYS * 86400,
        "count": count,
        "agents": [a.pk for a in agents],
        "channels": [ch.pk for ch in channels],
    }
    with transaction.atomic(), connection.cursor() as cursor:
        common.skip_fk_checks(cursor)
        cursor.execute(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {_t(Contact)}")


# -- timing --------------------------------------------------------------------------------------


def hand_sql(start: dt.date, end: dt.date, group_by: str) -> list:
    """The report's aggregate written by hand: what the API is measured against."""
    key = {"channel": "ch.code", "day": "(c.opened_at AT TIME ZONE %(tz)s)::date"}[group_by]
    zone = ZoneInfo(TZ)
    lo = dt.datetime.combine(start, dt.time(0, 0), tzinfo=zone)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    sql = f"""
        SELECT {key} AS k, COUNT(*),
               COUNT(*) FILTER (WHERE c.first_response_state = 'met'),
               COUNT(*) FILTER (WHERE c.first_response_state = 'breached'),
               COUNT(*) FILTER (WHERE c.resolution_state = 'met'),
               COUNT(*) FILTER (WHERE c.resolution_state = 'breached'),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY c.first_response_minutes),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY c.first_response_minutes),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY c.resolution_minutes),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY c.resolution_minutes)
        FROM {_t(Contact)} c JOIN {_t(Channel)} ch ON ch.id = c.{_c(Contact, "channel")}
        WHERE c.opened_at >= %(lo)s AND c.opened_at < %(hi)s
        GROUP BY GROUPING SETS (({key}), ())
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"tz": TZ, "lo": lo, "hi": hi})
        return cursor.fetchall()


def api_client(manager) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=manager)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def time_report(client, start, end, group_by, rounds) -> tuple[float, dict]:
    params = {"from": start.isoformat(), "to": end.isoformat(), "tz": TZ, "group_by": group_by}

    def call():
        response = client.get("/api/v1/reports/sla/", params)
        assert response.status_code == 200, response.content[:500]
        return response.json()

    return common.best(call, rounds)


# -- load ----------------------------------------------------------------------------------------


def load(port: int, path: str, cookie: str, *, concurrency, seconds, requests) -> dict:
    """``concurrency`` keep-alive clients until ``seconds`` or ``requests`` run out."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + seconds

    def take() -> bool:
        with lock:
            if issued[0] >= requests or time.monotonic() >= deadline:
                return False
            issued[0] += 1
            return True

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            while take():
                began = time.perf_counter()
                conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
                    if response.status != 200:
                        errors.append(str(response.status))
        except (OSError, http.client.HTTPException) as exc:
            with lock:
                errors.append(repr(exc))
        finally:
            conn.close()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(worker)
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    # Nearest rank: the smallest latency that at least 95 % of the requests did not exceed.
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else None
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "rps": len(latencies) / wall if wall else 0.0,
        "p95_ms": p95 * 1000 if p95 is not None else None,
        "median_ms": statistics.median(ordered) * 1000 if ordered else None,
    }


# -- run -----------------------------------------------------------------------------------------


def run(options: Options, *, write) -> dict:
    common.require_postgres("The report benchmark")
    last_day = None if options.rebuild else existing_data(options.contacts)
    if last_day is None:
        last_day = dt.date.today()
        write(f"Building {options.contacts:,} contacts over {DAYS} days …")
        began = time.perf_counter()
        build(options.contacts, last_day)
        write(f"  built in {time.perf_counter() - began:.1f} s")
    else:
        write(f"Reusing {options.contacts:,} contacts (last day {last_day}).")
    manager = manager_user()
    client = api_client(manager)
    start90 = last_day - dt.timedelta(days=DAYS - 1)
    start30 = last_day - dt.timedelta(days=29)
    results: dict = {"contacts": options.contacts, "last_day": last_day.isoformat()}

    for name, start, group_by in (
        ("report_90d_channel", start90, "channel"),
        ("report_30d_day", start30, "day"),
    ):
        hand_sql(start, last_day, group_by)  # warm the cache for both
        api_seconds, body = time_report(client, start, last_day, group_by, options.rounds)
        sql_seconds, _rows = common.best(
            lambda s=start, g=group_by: hand_sql(s, last_day, g), options.rounds
        )
        results[f"{name}_seconds"] = round(api_seconds, 4)
        results[f"{name}_sql_seconds"] = round(sql_seconds, 4)
        results[f"{name}_ratio_vs_sql"] = round(api_seconds / sql_seconds, 3)
        results[f"{name}_rows"] = len(body["rows"])
        write(f"  {name}: API {api_seconds:.3f} s, SQL {sql_seconds:.3f} s")

    from sla.reports.dashboard import manager_dashboard

    cold, _figures = common.best(
        lambda: manager_dashboard(start=start30, end=last_day, tz=settings.TIME_ZONE), 1
    )
    results["dashboard_uncached_seconds"] = round(cold, 3)
    write(f"  dashboard figures without the shared cache: {cold:.3f} s")

    port = common.free_port()
    path = (
        reverse("sla:report-dashboard")
        + "?"
        + urlencode({"period": "custom", "from": start30.isoformat(), "to": last_day.isoformat()})
    )
    cookie = common.session_cookie(manager)
    write(f"Loading {path} through gunicorn on 127.0.0.1:{port} …")
    process = common.start_gunicorn(port)
    try:
        load(port, path, cookie, concurrency=1, seconds=60, requests=2)  # warm-up
        outcome = load(
            port,
            path,
            cookie,
            concurrency=options.concurrency,
            seconds=options.load_seconds,
            requests=options.load_requests,
        )
    finally:
        common.stop(process)
    results.update(
        dashboard_rps=round(outcome["rps"], 2),
        dashboard_p95_ms=round(outcome["p95_ms"], 1) if outcome["p95_ms"] is not None else None,
        dashboard_median_ms=(
            round(outcome["median_ms"], 1) if outcome["median_ms"] is not None else None
        ),
        dashboard_requests=outcome["requests"],
        dashboard_errors=outcome["errors"],
        dashboard_concurrency=options.concurrency,
    )
    if outcome["errors"]:
        write(f"  dashboard errors: {outcome['error_samples']}")
    return results


def verdicts(results: dict) -> list[tuple[str, str, str, str]]:
    keys = [
        "report_90d_channel_seconds",
        "report_90d_channel_sql_seconds",
        "report_90d_channel_ratio_vs_sql",
        "report_30d_day_seconds",
        "report_30d_day_sql_seconds",
        "report_30d_day_ratio_vs_sql",
        "dashboard_uncached_seconds",
        "dashboard_rps",
        "dashboard_p95_ms",
        "dashboard_errors",
    ]
    return common.verdicts(results, keys, TARGETS)


def main(argv=None) -> int:
    options = common.kept_data_options(
        Options, argv, description=__doc__, what="report benchmark", cleanup=cleanup
    )
    if options is None:
        return 0
    if options.contacts < 1 or options.rounds < 1 or not 1 <= options.concurrency <= 64:
        raise SystemExit("--contacts and --rounds must be at least 1, --concurrency 1 to 64.")
    results = run(options, write=print)
    common.report("reports", results, verdicts(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
