# ruff: noqa: S608 -- SQL text is built from quoted model identifiers and fixed fragments only; values are parameters.
"""The SLA report from the daily summary (PostgreSQL; the tables and their triggers are
``sla/reports/summary.py``): the same figures from per-day histograms instead of every contact,
what keeps a 90-day report over ten million contacts interactive. It serves unless the report
is by or for an agent, or by day, week or month in a zone other than ``settings.TIME_ZONE``
(the summary's days) (:func:`summary_serves`).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from core.reports.period import TIME_GROUPS, local_midnight
from sla.reports import summary
from sla.reports.contacts_sql import pg_time_key, postgresql_sql, tables
from sla.reports.report import ReportQuery


def summary_serves(query: ReportQuery) -> bool:
    """The daily summary has no agent, and its days are local days of ``settings.TIME_ZONE``:
    a report by day, week or month in another zone reads the contacts. Counts of a set of
    channels (the standards' scorecard) read the contacts too: one range of the opening-time
    index, where the summary holds about a row per contact and day for its minutes (measured
    on a million contacts: 0.4 s against 1.2 s by channel, 0.3 s against 16 s by day and
    channel); the summary does not filter by ``channel_ids`` either."""
    if query.agent_id is not None or query.group_by == "agent":
        return False
    if query.channel_ids is not None:
        return False
    return query.group_by not in TIME_GROUPS or query.tz == settings.TIME_ZONE


_SUMMARY_KEYS = {
    "channel": "ch.code",
    "priority": "d.priority",
    "day": "d.day",
    "week": "date_trunc('week', d.day::timestamp)::date",
    "month": "date_trunc('month', d.day::timestamp)::date",
}
# In the same round trip, for this statement's transaction only: JIT compiling costs seconds
# here (the planner prices the never-taken fallback branch at millions of rows), and the
# aggregates of a year's summary fit in memory.
SUMMARY_SETTINGS = "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'; "
_ZONE_OF_SUMMARY = f"(SELECT zone FROM {summary.ZONE} LIMIT 1)"


def summary_days(query: ReportQuery) -> tuple[dt.date, dt.date]:
    """[first, last) local days of the summary's zone that lie wholly inside the period."""
    zone = ZoneInfo(settings.TIME_ZONE)
    if query.tz == settings.TIME_ZONE:
        return query.start, query.end + dt.timedelta(days=1)
    lo, hi = query.bounds()
    first = lo.astimezone(zone).date()
    if local_midnight(first, zone) < lo:
        first += dt.timedelta(days=1)
    return first, hi.astimezone(zone).date()


def _raw_entries(query: ReportQuery, ranges, gate: str = "", gate_params=()) -> tuple[str, list]:
    """Histogram entries (s, k, metric, state, minutes, n = 1) read from the contacts opened in
    ``ranges`` (a list of [lo, hi) instants)."""
    t = tables()
    params: list = []
    if query.group_by in TIME_GROUPS:
        key = pg_time_key(query.group_by)
        params.append(query.tz)
    else:
        key = {"channel": "ch.code", "priority": "c.priority"}[query.group_by]
    series = "ch.code" if query.split_by_channel else "''"
    where = " OR ".join("(c.opened_at >= %s AND c.opened_at < %s)" for _ in ranges)
    for lo, hi in ranges:
        params += [lo, hi]
    if query.channel_id is not None:
        where = f"({where}) AND c.channel_id = %s"
        params.append(query.channel_id)
    if gate:
        where = f"({where}) AND {gate}"
        params += list(gate_params)
    sql = (
        f"SELECT {series} AS s, {key} AS k, m.metric, m.state, m.minutes, count(*) AS n "
        f"FROM {t['contact']} c JOIN {t['channel']} ch ON ch.id = c.channel_id "
        f"{summary.ENTRIES.format(c='c')} WHERE {where} GROUP BY 1, 2, 3, 4, 5"
    )
    return sql, params


def summary_entries(query: ReportQuery, level: str = "fine") -> tuple[str, list] | None:
    """``SELECT s, k, metric, state, minutes, n``: the histogram of the period, from the
    daily summary for the whole local days inside it and from the contacts for the hours at its
    ends that fall outside them (a zone other than the summary's). Should the summary's recorded
    zone differ from the settings', the contacts are read instead (a one-time filter decides).
    None when the period holds no whole day of the summary.

    ``level``: ``"fine"`` every minute; ``"coarse"`` buckets of minutes (the column is
    ``bucket``); ``"wanted"`` the minutes of the buckets listed in the statement's CTE ``wb``
    (metric, lo, hi) only, without the state."""
    zone = ZoneInfo(settings.TIME_ZONE)
    first, stop = summary_days(query)
    if first >= stop:
        return None
    lo, hi = query.bounds()
    s_lo, s_hi = local_midnight(first, zone), local_midnight(stop, zone)
    series = "ch.code" if query.split_by_channel else "''"
    where, params = "d.day >= %s AND d.day < %s", [first, stop]
    if query.channel_id is not None:
        where += " AND d.channel_id = %s"
        params.append(query.channel_id)
    where += f" AND {_ZONE_OF_SUMMARY} = %s"
    params.append(settings.TIME_ZONE)
    wanted = "JOIN wb ON wb.metric = {a}.metric AND {a}.minutes >= wb.lo AND {a}.minutes < wb.hi"
    if level == "coarse":
        column = "bucket"
        source = (
            f"SELECT {summary.COARSE_COLUMNS}, n FROM {summary.COARSE} UNION ALL "
            f"SELECT day, channel_id, priority, metric, state, {summary.bucket(summary.DELTA)}, n "
            f"FROM {summary.DELTA}"
        )
    elif level == "wanted":
        column = "minutes"
        # One range of the (metric, minutes, day) index per wanted bucket, read alone (no
        # state): LATERAL … OFFSET 0 keeps the planner from hashing the whole level instead.
        source = (
            "SELECT x.day, x.channel_id, x.priority, x.metric, ''::varchar AS state, x.minutes, "
            "x.n FROM wb CROSS JOIN LATERAL (SELECT day, channel_id, priority, metric, minutes, "
            f"n FROM {summary.TABLE} y WHERE y.metric = wb.metric AND y.minutes >= wb.lo "
            "AND y.minutes < wb.hi AND y.day >= %s AND y.day < %s OFFSET 0) x "
            "UNION ALL SELECT x.day, x.channel_id, x.priority, x.metric, x.state, x.minutes, "
            f"x.n FROM {summary.DELTA} x {wanted.format(a='x')}"
        )
        params = [first, stop, *params]
    else:
        column = "minutes"
        source = (
            f"SELECT {summary.COLUMNS}, n FROM {summary.TABLE} "
            f"UNION ALL SELECT {summary.COLUMNS}, n FROM {summary.DELTA}"
        )
    parts = [
        f"SELECT {series} AS s, {_SUMMARY_KEYS[query.group_by]} AS k, d.metric, d.state, "
        f"d.{column}, sum(d.n) AS n FROM ({source}) d "
        f"JOIN {tables()['channel']} ch ON ch.id = d.channel_id WHERE {where} "
        "GROUP BY 1, 2, 3, 4, 5"
    ]
    raw_parts = []
    fallback, fallback_params = _raw_entries(
        query, [(s_lo, s_hi)], f"{_ZONE_OF_SUMMARY} IS DISTINCT FROM %s", [settings.TIME_ZONE]
    )
    raw_parts.append(fallback)
    params += fallback_params
    edges = [(a, b) for a, b in ((lo, s_lo), (s_hi, hi)) if a < b]
    if edges:
        edge_sql, edge_params = _raw_entries(query, edges)
        raw_parts.append(edge_sql)
        params += edge_params
    for raw in raw_parts:
        if level == "coarse":
            raw = (
                f"SELECT s, k, metric, state, {summary.bucket('r')} AS bucket, sum(n) AS n "
                f"FROM ({raw}) r GROUP BY 1, 2, 3, 4, 5"
            )
        elif level == "wanted":
            raw = f"SELECT r.s, r.k, r.metric, r.state, r.minutes, r.n FROM ({raw}) r " + (
                wanted.format(a="r")
            )
        parts.append(raw)
    return " UNION ALL ".join(parts), params


def summary_sql(query: ReportQuery, connection) -> tuple[str, list]:
    """The report from the summary's two levels: counts are sums of the coarse level; each
    median and p90 is located in its bucket there (cumulative counts), then read off the
    cumulative counts of that bucket's exact minutes (the fine level), as ``percentile_cont``
    interpolates: the figures of the contacts, from tens of thousands of rows."""
    coarse = summary_entries(query, "coarse")
    if coarse is None:
        return postgresql_sql(query, connection)
    coarse_sql, params = coarse
    fine_sql, fine_params = summary_entries(query, "wanted")
    params = params + fine_params
    if query.split_by_channel:
        t, s, sets = "GROUPING(s, k)", "COALESCE(s, '')", "(s, k, metric, state, {v}), "
        sets += "(s, metric, state, {v}), (metric, state, {v})"
    else:
        # The series is a constant: leaving it out of the grouping spares a sort key.
        t, s, sets = "GROUPING(k)", "''", "(k, metric, state, {v}), (metric, state, {v})"
    width = summary.width("h")
    sql = f"""
        WITH coarse AS ({coarse_sql}),
        -- Each branch sums its days and priorities itself (a hash over a few thousand
        -- groups; the planner prices the never-taken branch apart), so that the grouping
        -- sets sort thousands of rows, not millions.
        hk AS (
            SELECT s, k, metric, state, bucket, sum(n) AS n
            FROM coarse GROUP BY s, k, metric, state, bucket
        ),
        lv AS (
            SELECT {t} AS t, {s} AS s, k, metric, state, bucket, sum(n) AS n
            FROM hk GROUP BY GROUPING SETS ({sets.format(v="bucket")})
        ),
        cnt AS (
            SELECT t, s, k, sum(n) FILTER (WHERE metric = 'f') AS contacts,
                   sum(n) FILTER (WHERE metric = 'f' AND state = 'met') AS fm,
                   sum(n) FILTER (WHERE metric = 'f' AND state = 'breached') AS fb,
                   sum(n) FILTER (WHERE metric = 'r' AND state = 'met') AS rm,
                   sum(n) FILTER (WHERE metric = 'r' AND state = 'breached') AS rb
            FROM lv GROUP BY t, s, k
        ),
        h AS (
            SELECT t, s, k, metric, bucket, sum(n) AS n FROM lv WHERE bucket IS NOT NULL
            GROUP BY t, s, k, metric, bucket HAVING sum(n) > 0
        ),
        cum AS (
            SELECT t, s, k, metric, bucket, n,
                   sum(n) OVER (PARTITION BY t, s, k, metric ORDER BY bucket) - n AS before,
                   sum(n) OVER (PARTITION BY t, s, k, metric) AS total
            FROM h
        ),
        pos AS (
            SELECT cum.*, f.frac, f.frac * (total - 1)::float8 AS p,
                   floor(f.frac * (total - 1)::float8) AS i
            FROM cum CROSS JOIN (VALUES (0.5::float8), (0.9::float8)) AS f (frac)
        ),
        -- The buckets that hold the two values around each percentile's position.
        want AS (
            SELECT t, s, k, metric, frac, p, i, bucket, before FROM pos
            WHERE (before <= i AND i < before + n) OR (before <= i + 1 AND i + 1 < before + n)
        ),
        wb AS MATERIALIZED (
            SELECT DISTINCT metric, bucket * {width} AS lo, (bucket + 1) * {width} AS hi
            FROM want h
        ),
        fine AS ({fine_sql}),
        fk AS (
            SELECT s, k, metric, minutes, sum(n) AS n FROM fine GROUP BY s, k, metric, minutes
        ),
        flv AS (
            SELECT {t} AS t, {s} AS s, k, metric, minutes, sum(n) AS n
            FROM fk GROUP BY GROUPING SETS ({sets.replace("state, ", "").format(v="minutes")})
        ),
        -- The key as text, NULL as '' (a total): an equality that a hash join can use.
        fb AS (
            SELECT flv.*, {summary.bucket("flv")} AS bucket, COALESCE(k::text, '') AS kk
            FROM flv WHERE n > 0
        ),
        fc AS (
            SELECT w.t, w.s, w.k, w.metric, w.frac, w.p, w.i, f.minutes, f.n,
                   w.before + sum(f.n) OVER (PARTITION BY w.t, w.s, w.k, w.metric, w.frac,
                       w.bucket ORDER BY f.minutes) - f.n AS before
            FROM want w JOIN fb f ON f.t = w.t AND f.s = w.s AND f.metric = w.metric
                AND f.bucket = w.bucket AND f.kk = COALESCE(w.k::text, '')
        ),
        pct AS (
            SELECT t, s, k, metric, frac,
                   max(minutes) FILTER (WHERE before <= i AND i < before + n) AS v0,
                   max(minutes) FILTER (WHERE before <= i + 1 AND i + 1 < before + n) AS v1,
                   max(p - i) AS prop
            FROM fc GROUP BY t, s, k, metric, frac
        ),
        val AS (
            -- percentile_cont's own arithmetic: lo + proportion * (hi - lo), in float8.
            SELECT t, s, k,
                   max(v) FILTER (WHERE metric = 'f' AND frac = 0.5) AS f50,
                   max(v) FILTER (WHERE metric = 'f' AND frac = 0.9) AS f90,
                   max(v) FILTER (WHERE metric = 'r' AND frac = 0.5) AS r50,
                   max(v) FILTER (WHERE metric = 'r' AND frac = 0.9) AS r90
            FROM (
                SELECT t, s, k, metric, frac,
                       CASE WHEN prop = 0 THEN v0::float8
                            ELSE v0::float8 + prop * (v1::float8 - v0::float8) END AS v
                FROM pct
            ) AS interpolated
            GROUP BY t, s, k
        )
        SELECT cnt.t, cnt.s, cnt.k, cnt.contacts, cnt.fm, cnt.fb, cnt.rm, cnt.rb,
               val.f50, val.f90, val.r50, val.r90
        FROM cnt LEFT JOIN val ON val.t = cnt.t AND val.s = cnt.s
            AND val.k IS NOT DISTINCT FROM cnt.k
    """
    return sql, params
