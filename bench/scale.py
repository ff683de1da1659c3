# ruff: noqa: S608 -- SQL text is built from model identifiers only; values are parameters.
"""Reports and the sweep on the large table (``python -m bench.scale``): PostgreSQL only.

Data: ``contacts`` (10,000,000 by default) made by :func:`bench.reports.build` on channels
``bench10m-*`` over 90 days, plus ``running`` open contacts (channel ``bench10r-0``) whose
deadlines lie days ahead, so the idle sweep walks real running rows and finds nothing due. Kept
between runs (the channel name is the marker, as in ``bench.reports``); ``--rebuild`` makes it
afresh, ``--cleanup`` removes it. 10 M rows take minutes to build.

Figures, each the median of ``rounds``, with the daily summary (``sla_report_daily``) and, side
by side, without it (the report read from the contacts as before):

* ``report_90d_channel_*``: ``GET /api/v1/reports/sla/`` over the 90 days grouped by channel;
* ``report_30d_day_*``: the same over the last 30 days grouped by day;
* ``dashboard_*``: ``GET /sla/reports/`` (the manager dashboard, 30 days) in-process, the
  shared cache off, so every request computes its figures;
* ``idle_sweep_seconds``: :func:`sla.services.sla_sweep` with nothing due.

``var/bench/scale-explain.txt`` holds EXPLAIN ANALYZE of the report statements, both ways.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from bench import common, reports
from bench.common import c as _c
from bench.common import t as _t
from channels_app.models import Channel
from sla import services
from sla.models import Contact
from sla.reports import query as report_query
from sla.reports import summary

PREFIX = "bench10m-"
RUN_PREFIX = "bench10r-"
TZ = reports.TZ

TARGETS = {
    "report_90d_channel_seconds": ("<", 2.0),
    "report_30d_day_seconds": ("<", 2.0),
    "dashboard_seconds": ("<", 2.0),
    "idle_sweep_seconds": ("<", 0.2),
}


@dataclass
class Options:
    contacts: int = 10_000_000
    running: int = 100_000
    rounds: int = 5
    rebuild: bool = False
    summary: bool = True  # measure with the daily summary
    raw: bool = True  # and without it (the "before" column)


def cleanup() -> None:
    reports.cleanup(PREFIX)
    reports.cleanup(RUN_PREFIX)


def build_running(count: int, now: dt.datetime) -> None:
    """``count`` open contacts, first response and resolution due days ahead."""
    reports.cleanup(RUN_PREFIX)
    manager = reports.manager_user(RUN_PREFIX)
    channel = Channel.objects.create(code=f"{RUN_PREFIX}0", name="Bench running", owner=manager)
    columns = [
        "created_at", "updated_at", "external_id", "priority", "subject", "customer_name",
        "customer_email", "customer_language", "opened_at", "status", "first_response_due_at",
        "resolution_due_at", "first_response_warn_at", "resolution_warn_at",
        "first_response_state", "resolution_state", "paused_business_minutes", "notify",
        "channel",
    ]  # fmt: skip
    sql = f"""
        INSERT INTO {_t(Contact)} ({", ".join(_c(Contact, name) for name in columns)})
        SELECT %(now)s, %(now)s, 'S' || g, 'normal', 'Running ' || g, 'Customer ' || g,
               'running' || g || '@example.com', 'en', %(now)s - (g %% 3600) * interval '1 second',
               'open', %(now)s + interval '3 days' + g * interval '1 second',
               %(now)s + interval '5 days' + g * interval '1 second',
               %(now)s + interval '2 days' + g * interval '1 second',
               %(now)s + interval '4 days' + g * interval '1 second',
               'pending', 'pending', 0, false, %(channel)s
        FROM generate_series(1, %(count)s) AS g
    """
    with transaction.atomic(), connection.cursor() as cursor:
        common.skip_fk_checks(cursor)
        cursor.execute(sql, {"now": now, "count": count, "channel": channel.pk})


def ensure_data(options: Options, write) -> dt.date:
    last_day = None if options.rebuild else reports.existing_data(options.contacts, PREFIX)
    running = Contact.objects.filter(channel__code=f"{RUN_PREFIX}0").count()
    if last_day is None:
        last_day = dt.date.today()
        write(f"Building {options.contacts:,} contacts over {reports.DAYS} days …")
        times, _ = common.timed(lambda: reports.build(options.contacts, last_day, PREFIX), 1)
        write(f"  built in {times[0]:.1f} s")
    else:
        write(f"Reusing {options.contacts:,} contacts (last day {last_day}).")
    if options.rebuild or running != options.running:
        build_running(options.running, timezone.now())
    # The beat task folds the deltas every minute; a report right after ten million inserts
    # would otherwise read them all from the delta table (two million rows).
    moved = summary.fold()
    if moved:
        write(f"  folded {moved:,} summary deltas (the beat task's work)")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {_t(Contact)}")
        cursor.execute(f"ANALYZE {summary.TABLE}, {summary.COARSE}, {summary.DELTA}")
    return last_day


def explain(query: report_query.ReportQuery, summary: bool) -> str:
    with override_settings(SLA_REPORT_SUMMARY=summary):
        sql, params = report_query.report_sql(query)
    prefix = report_query.SUMMARY_SETTINGS if summary else ""
    with connection.cursor() as cursor:
        cursor.execute(prefix + "EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def run(options: Options, *, write) -> dict:
    common.require_postgres("The scale benchmark")
    last_day = ensure_data(options, write)
    manager = reports.manager_user(PREFIX)
    api = reports.api_client(manager)
    page = Client()
    page.force_login(manager)
    start90 = last_day - dt.timedelta(days=reports.DAYS - 1)
    start30 = last_day - dt.timedelta(days=29)
    results: dict = {"contacts": options.contacts, "running": options.running}
    modes = [("", True)] if options.summary else []
    modes += [("_raw", False)] if options.raw else []
    explained = []

    def api_call(start, group_by):
        params = {"from": start.isoformat(), "to": last_day.isoformat(), "tz": TZ}
        response = api.get("/api/v1/reports/sla/", {**params, "group_by": group_by})
        assert response.status_code == 200, response.content[:500]
        return response.json()

    def dashboard_call():
        params = {"period": "custom", "from": start30.isoformat(), "to": last_day.isoformat()}
        response = page.get("/sla/reports/", params, secure=True)
        assert response.status_code == 200, response.status_code
        return response

    hosts = [*settings.ALLOWED_HOSTS, "testserver"]
    bodies = {}
    with override_settings(ALLOWED_HOSTS=hosts, SLA_REPORT_DASHBOARD_CACHE_SECONDS=0):
        for suffix, summary in modes:
            with override_settings(SLA_REPORT_SUMMARY=summary):
                for name, start, group_by in (
                    ("report_90d_channel", start90, "channel"),
                    ("report_30d_day", start30, "day"),
                ):
                    api_call(start, group_by)  # warm the cache
                    seconds, body = common.median(lambda s=start, g=group_by: api_call(s, g),
                                                  options.rounds)  # fmt: skip
                    results[f"{name}{suffix}_seconds"] = round(seconds, 4)
                    bodies[(name, suffix)] = body
                    write(f"  {name}{suffix}: {seconds:.3f} s")
                    query = report_query.ReportQuery(
                        start=start, end=last_day, tz=TZ, group_by=group_by
                    )
                    explained.append(f"== {name}{suffix}\n{explain(query, summary)}\n")
                dashboard_call()
                seconds, _ = common.median(dashboard_call, options.rounds)
                results[f"dashboard{suffix}_seconds"] = round(seconds, 4)
                write(f"  dashboard{suffix}: {seconds:.3f} s")
    if options.raw and options.summary:
        for name in ("report_90d_channel", "report_30d_day"):
            same = bodies[(name, "")] == bodies[(name, "_raw")]
            results[f"{name}_same_figures"] = same
    now = timezone.now()
    seconds, counts = common.median(lambda: services.sla_sweep(now=now), options.rounds)
    results["idle_sweep_seconds"] = round(seconds, 4)
    results["idle_sweep_counts"] = counts
    path = Path(settings.VAR_DIR) / "bench" / "scale-explain.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(explained))
    return results


def verdicts(results: dict) -> list[tuple[str, str, str, str]]:
    keys = []
    for name in ("report_90d_channel", "report_30d_day", "dashboard"):
        keys += [f"{name}_seconds", f"{name}_raw_seconds"]
    keys += [
        "report_90d_channel_same_figures",
        "report_30d_day_same_figures",
        "idle_sweep_seconds",
    ]
    return common.verdicts(results, keys, TARGETS)


def main(argv=None) -> int:
    options = common.kept_data_options(
        Options, argv, description=__doc__, what="scale benchmark", cleanup=cleanup
    )
    if options is None:
        return 0
    if options.contacts < 1 or options.rounds < 1:
        raise SystemExit("--contacts and --rounds must be at least 1.")
    results = run(options, write=print)
    common.report("scale", results, verdicts(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
