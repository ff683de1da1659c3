"""The SLA report: one function that the REST API, its CSV, the manager dashboard and the
"My service" section all call, so every screen shows the numbers a REST client can fetch.

Everything is aggregated in the database, in ONE statement whatever the data size, by one of
three engines:

* ``postgresql`` and ``portable`` (``sla/reports/contacts_sql.py``): over the contacts, with
  ``percentile_cont`` on PostgreSQL, and everywhere else (SQLite) the same interpolation with
  window functions; the portable statement also runs on PostgreSQL, so a test can compare both
  paths on the same data.
* ``summary`` (``sla/reports/summary_sql.py``): on PostgreSQL, from the daily summary kept by
  triggers, whenever it can serve the report; ``SLA_REPORT_SUMMARY=0`` turns it off.

What a report is asked and answers (``ReportQuery``, ``Report``, the rows' fields) is
``sla/reports/report.py``; the names below are also read from here by the benchmarks and tests.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections

from core.reports.period import MAX_PERIOD_DAYS, TIME_GROUPS, local_midnight, time_key
from sla.reports.contacts_sql import CHANNEL_SET_SETTINGS, portable_sql, postgresql_sql
from sla.reports.report import (
    GROUP_BYS,
    ROW_FIELDS,
    Report,
    ReportQuery,
    compliance_pct,
    empty_row,
    key_text,
    row,
    sort_key,
)
from sla.reports.summary_sql import (
    SUMMARY_SETTINGS,
    summary_days,
    summary_entries,
    summary_serves,
    summary_sql,
)

__all__ = [
    "ENGINES",
    "GROUP_BYS",
    "MAX_PERIOD_DAYS",
    "ROW_FIELDS",
    "SUMMARY_SETTINGS",
    "TIME_GROUPS",
    "Report",
    "ReportQuery",
    "compliance_pct",
    "default_engine",
    "empty_row",
    "local_midnight",
    "report_sql",
    "sla_report",
    "summary_days",
    "summary_entries",
    "summary_serves",
    "time_key",
]

ENGINES = ("postgresql", "portable", "summary")


def default_engine(connection, query: ReportQuery | None = None) -> str:
    if connection.vendor != "postgresql":
        return "portable"
    if query is not None and settings.SLA_REPORT_SUMMARY and summary_serves(query):
        return "summary"
    return "postgresql"


def report_sql(query: ReportQuery, *, engine: str | None = None, using: str = "default"):
    """The statement and its parameters (also what the benchmark and EXPLAIN look at)."""
    connection = connections[using]
    engine = engine or default_engine(connection, query)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}")
    if engine != "portable" and connection.vendor != "postgresql":
        raise ValueError(f"the {engine} engine needs PostgreSQL")
    if engine == "summary":
        if not summary_serves(query):
            raise ValueError("the daily summary cannot serve this report")
        return summary_sql(query, connection)
    if engine == "postgresql":
        return postgresql_sql(query, connection)
    return portable_sql(query, connection)


def sla_report(query: ReportQuery, *, engine: str | None = None, using: str = "default") -> Report:
    """Rows (groups with at least one contact) and the total: one database statement."""
    connection = connections[using]
    engine = engine or default_engine(connection, query)
    sql, params = report_sql(query, engine=engine, using=using)
    if engine == "summary":
        sql = SUMMARY_SETTINGS + sql
    elif engine == "postgresql" and query.channel_ids is not None:
        sql = CHANNEL_SET_SETTINGS + sql
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    grouped: dict[str, dict] = {}
    overall = empty_row()
    for t, series, key, *values in fetched:
        if t == 3:
            overall = row(None, values)
            continue
        bucket = grouped.setdefault(series, {"rows": [], "total": None})
        if t:
            bucket["total"] = row(None, values)
        else:
            bucket["rows"].append(row(key_text(key), values))
    for bucket in grouped.values():
        bucket["rows"].sort(key=sort_key)
        bucket["total"] = bucket["total"] or empty_row()
    if not query.split_by_channel:
        only = grouped.get("", {"rows": [], "total": empty_row()})
        return Report(query=query, rows=only["rows"], total=only["total"])
    # Split: the series' totals are the rows by channel; ``total`` covers every channel.
    return Report(query=query, rows=[], total=overall, series=grouped)
