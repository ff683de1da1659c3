# ruff: noqa: S608 -- SQL text is built from quoted model identifiers and fixed fragments only; values are parameters.
"""The SLA report: one function that the REST API, its CSV, the manager dashboard and the
"My service" section all call, so every screen shows the numbers a REST client can fetch.

Everything is aggregated in the database, in ONE statement whatever the data size:

* On PostgreSQL, ``percentile_cont`` (an ordered-set aggregate) with ``GROUPING SETS`` for the
  totals, and ``AT TIME ZONE`` for the day, week and month keys.
* Everywhere else (SQLite), the same linear interpolation written with window functions: each
  value gets its rank in its group, and the two ranks that surround the wanted position are
  weighted and summed. Time keys come from a small table of local days (at most 367 rows) with
  their UTC bounds, because SQLite knows no time zones. This portable statement also runs on
  PostgreSQL, so a test can compare both paths on the same data.
* On PostgreSQL with the daily summary (``sla/reports/summary.py``, kept by triggers), the
  same figures from per-day histograms instead of every contact: what keeps a 90-day report
  over ten million contacts interactive. Used unless the report is by or for an agent, or by
  day, week or month in a zone other than ``settings.TIME_ZONE`` (the summary's days);
  ``SLA_REPORT_SUMMARY=0`` turns it off.

Linear interpolation as in PostgreSQL: for the fraction ``f`` of ``n`` sorted values
``v[0..n-1]``, ``pos = f·(n−1)``, result ``v[⌊pos⌋] + (pos − ⌊pos⌋)·(v[⌊pos⌋+1] − v[⌊pos⌋])``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections

from channels_app.models import Channel
from sla.models import Contact
from sla.reports import summary

GROUP_BYS = ("channel", "agent", "priority", "day", "week", "month")
TIME_GROUPS = ("day", "week", "month")
MAX_PERIOD_DAYS = 366
ENGINES = ("postgresql", "portable", "summary")

# The fields of a row, in the order of docs/api.md (and of the CSV columns).
ROW_FIELDS = (
    "key",
    "contacts",
    "first_response_met",
    "first_response_breached",
    "first_response_compliance_pct",
    "first_response_median_minutes",
    "first_response_p90_minutes",
    "resolution_met",
    "resolution_breached",
    "resolution_compliance_pct",
    "resolution_median_minutes",
    "resolution_p90_minutes",
)
# Percentiles as exact fractions (numerator, denominator): integer arithmetic in SQL finds the
# ranks on both backends without FLOOR (which SQLite may lack) or float rounding surprises.
_MEDIAN = (1, 2)
_P90 = (9, 10)


@dataclass(frozen=True)
class ReportQuery:
    """What to aggregate: contacts opened from ``start`` to ``end`` (local dates, inclusive)."""

    start: dt.date
    end: dt.date
    tz: str
    group_by: str = "channel"
    channel_id: int | None = None
    agent_id: int | None = None
    # Internal (the dashboard): one set of rows and a total per channel, in the same statement.
    split_by_channel: bool = False
    # Internal (the standards' scorecard): only these channels, and only the counts (the
    # medians and 90th percentiles are left out, as None: they cost most of the statement).
    channel_ids: tuple[int, ...] | None = None
    percentiles: bool = True

    def __post_init__(self):
        if self.group_by not in GROUP_BYS:
            raise ValueError(f"unknown group_by {self.group_by!r}")
        if self.start > self.end:
            raise ValueError("start after end")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, end+1 00:00) in the report's time zone, as aware datetimes."""
        return local_midnight(self.start, self.zone), local_midnight(
            self.end + dt.timedelta(days=1), self.zone
        )


@dataclass
class Report:
    query: ReportQuery
    rows: list[dict]
    total: dict
    # Only with ``split_by_channel``: channel code -> {"rows": [...], "total": row}.
    series: dict[str, dict] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The API's answer."""
        return {
            "from": self.query.start.isoformat(),
            "to": self.query.end.isoformat(),
            "tz": self.query.tz,
            "group_by": self.query.group_by,
            "rows": self.rows,
            "total": self.total,
        }


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)


def time_key(day: dt.date, group_by: str) -> dt.date:
    """The day, its week's Monday or its month's first day."""
    if group_by == "week":
        return day - dt.timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def compliance_pct(met: int, breached: int) -> float | None:
    """met / (met + breached) × 100, half-up to 2 decimals; None when nothing is decided."""
    decided = met + breached
    if not decided:
        return None
    value = Decimal(met * 100) / Decimal(decided)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _minutes(value) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def empty_row(key=None) -> dict:
    return _row(key, (0,) * 5 + (None,) * 4)


def _row(key, values) -> dict:
    contacts, fr_met, fr_breached, res_met, res_breached, fr_med, fr_p90, res_med, res_p90 = values
    fr_met, fr_breached = int(fr_met or 0), int(fr_breached or 0)
    res_met, res_breached = int(res_met or 0), int(res_breached or 0)
    return {
        "key": key,
        "contacts": int(contacts or 0),
        "first_response_met": fr_met,
        "first_response_breached": fr_breached,
        "first_response_compliance_pct": compliance_pct(fr_met, fr_breached),
        "first_response_median_minutes": _minutes(fr_med),
        "first_response_p90_minutes": _minutes(fr_p90),
        "resolution_met": res_met,
        "resolution_breached": res_breached,
        "resolution_compliance_pct": compliance_pct(res_met, res_breached),
        "resolution_median_minutes": _minutes(res_med),
        "resolution_p90_minutes": _minutes(res_p90),
    }


def _key_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat()


# --- SQL --------------------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    return {
        "contact": Contact._meta.db_table,
        "channel": Channel._meta.db_table,
        "user": get_user_model()._meta.db_table,
    }


def _base_select(query: ReportQuery, engine: str, connection) -> tuple[str, list, str]:
    """``SELECT s, k, frs, rs, frm, rm FROM …`` for the contacts of the period, and a prefix
    (``WITH`` clause) it needs."""
    t = _tables()
    ops = connection.ops
    params: list = []
    prefix = ""
    joins = [f"JOIN {t['channel']} ch ON ch.id = c.channel_id"]
    if query.group_by == "channel":
        key = "ch.code"
    elif query.group_by == "agent":
        key = "u.username"
        joins.append(f"LEFT JOIN {t['user']} u ON u.id = c.agent_id")
    elif query.group_by == "priority":
        key = "c.priority"
    elif engine == "postgresql":
        local = "(c.opened_at AT TIME ZONE %s)"
        key = {
            "day": f"{local}::date",
            "week": f"date_trunc('week', {local})::date",
            "month": f"date_trunc('month', {local})::date",
        }[query.group_by]
        params.append(query.tz)
    else:
        # One row per local day of the period, with its UTC bounds and its key.
        zone = query.zone
        values, bucket_params = [], []
        day = query.start
        while day <= query.end:
            nxt = day + dt.timedelta(days=1)
            values.append("(%s, %s, %s)")
            bucket_params += [
                time_key(day, query.group_by).isoformat(),
                ops.adapt_datetimefield_value(local_midnight(day, zone)),
                ops.adapt_datetimefield_value(local_midnight(nxt, zone)),
            ]
            day = nxt
        prefix = f"buckets (k, lo, hi) AS (VALUES {', '.join(values)})"
        joins.append("JOIN buckets b ON c.opened_at >= b.lo AND c.opened_at < b.hi")
        key = "b.k"
        # The WITH clause comes first in the statement, so its parameters do too.
        params = bucket_params
    series = "ch.code" if query.split_by_channel else "''"
    lo, hi = query.bounds()
    where = ["c.opened_at >= %s", "c.opened_at < %s"]
    where_params = [ops.adapt_datetimefield_value(lo), ops.adapt_datetimefield_value(hi)]
    if query.channel_id is not None:
        where.append("c.channel_id = %s")
        where_params.append(query.channel_id)
    if query.channel_ids is not None:
        ids = list(query.channel_ids) or [0]  # no channel: nothing matches (ids start at 1)
        where.append(f"c.channel_id IN ({', '.join(['%s'] * len(ids))})")
        where_params.extend(ids)
    if query.agent_id is not None:
        where.append("c.agent_id = %s")
        where_params.append(query.agent_id)
    sql = (
        f"SELECT {series} AS s, {key} AS k, c.first_response_state AS frs, "
        "c.resolution_state AS rs, c.first_response_minutes AS frm, "
        f"c.resolution_minutes AS rm FROM {t['contact']} c {' '.join(joins)} "
        f"WHERE {' AND '.join(where)}"
    )
    if engine == "postgresql":
        # The AT TIME ZONE parameter is in the SELECT list, before the WHERE parameters.
        return sql, params + where_params, prefix
    return sql, where_params, (prefix, params)


_COUNTS = (
    "COUNT(*), "
    "SUM(CASE WHEN frs = 'met' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN frs = 'breached' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN rs = 'met' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN rs = 'breached' THEN 1 ELSE 0 END)"
)


_PG_COUNTS = (
    "COUNT(*), "
    "COUNT(*) FILTER (WHERE frs = 'met'), "
    "COUNT(*) FILTER (WHERE frs = 'breached'), "
    "COUNT(*) FILTER (WHERE rs = 'met'), "
    "COUNT(*) FILTER (WHERE rs = 'breached')"
)


_PG_NAMED_COUNTS = (
    "COUNT(*) AS n, "
    "COUNT(*) FILTER (WHERE frs = 'met') AS fm, "
    "COUNT(*) FILTER (WHERE frs = 'breached') AS fb, "
    "COUNT(*) FILTER (WHERE rs = 'met') AS rm, "
    "COUNT(*) FILTER (WHERE rs = 'breached') AS rb"
)


_NO_PERCENTILES = "NULL, NULL, NULL, NULL "


def _postgresql_sql(query: ReportQuery, connection) -> tuple[str, list]:
    base, params, _prefix = _base_select(query, "postgresql", connection)
    # t: 0 a group, 1 its series' total, 3 the overall total (split only; see _portable_sql).
    if query.split_by_channel:
        t, series, sets = "GROUPING(s, k)", "COALESCE(s, '')", "(s, k), (s), ()"
        # OFFSET 0 keeps the subquery whole: pulled up, s and k of a report by channel are one
        # expression (ch.code), and GROUPING(s, k) then calls each series' total a group.
        base += " OFFSET 0"
    else:
        # The series is a constant: leaving it out of the grouping spares a sort key.
        t, series, sets = "GROUPING(k)", "''", "(k), ()"
    percentiles = (
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY frm), "
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY frm), "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY rm), "
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY rm) "
        if query.percentiles
        else _NO_PERCENTILES
    )
    if not query.percentiles:
        # Counts only: a plain GROUP BY over the contacts, which PostgreSQL may split between
        # parallel workers (grouping sets never are), and the totals from its few groups.
        sql = (
            f"SELECT {t} AS t, {series} AS s, k, SUM(n)::bigint, SUM(fm)::bigint, "
            f"SUM(fb)::bigint, SUM(rm)::bigint, SUM(rb)::bigint, {_NO_PERCENTILES}"
            f"FROM (SELECT s, k, {_PG_NAMED_COUNTS} FROM ({base}) base GROUP BY s, k) g "
            f"GROUP BY GROUPING SETS ({sets})"
        )
        return sql, params
    sql = (
        f"SELECT {t} AS t, {series} AS s, k, {_PG_COUNTS}, {percentiles}"
        f"FROM ({base}) base GROUP BY GROUPING SETS ({sets})"
    )
    return sql, params


def _interpolated(value: str, rank: str, count: str, fraction: tuple[int, int]) -> str:
    """SUM(...) of the two values around position fraction·(count−1), linearly weighted."""
    num, den = fraction
    position = f"(({count} - 1) * {num})"
    lower = f"({position} / {den} + 1)"  # 1-based rank of v[⌊pos⌋]; integer division
    # "%%" is a literal "%" (modulo) once the parameters are filled in.
    weight = f"(({position} %% {den}) * 1.0 / {den})"  # pos − ⌊pos⌋
    return (
        f"CASE WHEN MAX({count}) > 0 THEN SUM(CASE WHEN {value} IS NULL THEN 0 "
        f"WHEN {rank} = {lower} THEN {value} * (1 - {weight}) "
        f"WHEN {rank} = {lower} + 1 THEN {value} * {weight} ELSE 0 END) END"
    )


def _portable_sql(query: ReportQuery, connection) -> tuple[str, list]:
    base, where_params, (prefix, prefix_params) = _base_select(query, "portable", connection)
    ctes = [prefix] if prefix else []
    ctes += [
        f"base AS ({base})",
        # Each contact once in its group (t = 0), once in its series' total (t = 1) and, when
        # split by channel, once in the overall total (t = 3).
        "keyed AS (SELECT 0 AS t, s, k, frs, rs, frm, rm FROM base "
        "UNION ALL SELECT 1 AS t, s, NULL AS k, frs, rs, frm, rm FROM base"
        + (
            " UNION ALL SELECT 3 AS t, '' AS s, NULL AS k, frs, rs, frm, rm FROM base)"
            if query.split_by_channel
            else ")"
        ),
        "ranked AS (SELECT t, s, k, frs, rs, frm, rm, "
        "ROW_NUMBER() OVER (PARTITION BY t, s, k, frm IS NULL ORDER BY frm) AS fr_rank, "
        "COUNT(frm) OVER (PARTITION BY t, s, k) AS fr_n, "
        "ROW_NUMBER() OVER (PARTITION BY t, s, k, rm IS NULL ORDER BY rm) AS rm_rank, "
        "COUNT(rm) OVER (PARTITION BY t, s, k) AS rm_n FROM keyed)",
    ]
    percentiles = (
        f"{_interpolated('frm', 'fr_rank', 'fr_n', _MEDIAN)}, "
        f"{_interpolated('frm', 'fr_rank', 'fr_n', _P90)}, "
        f"{_interpolated('rm', 'rm_rank', 'rm_n', _MEDIAN)}, "
        f"{_interpolated('rm', 'rm_rank', 'rm_n', _P90)} "
        if query.percentiles
        else _NO_PERCENTILES
    )
    sql = (
        f"WITH {', '.join(ctes)} SELECT t, s, k, {_COUNTS}, {percentiles}"
        "FROM ranked GROUP BY t, s, k"
    )
    return sql, prefix_params + where_params


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


def default_engine(connection, query: ReportQuery | None = None) -> str:
    if connection.vendor != "postgresql":
        return "portable"
    if query is not None and settings.SLA_REPORT_SUMMARY and summary_serves(query):
        return "summary"
    return "postgresql"


# --- the daily summary (PostgreSQL; see sla/reports/summary.py) --------------------------------

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
    t = _tables()
    params: list = []
    if query.group_by in TIME_GROUPS:
        local = "(c.opened_at AT TIME ZONE %s)"
        key = {
            "day": f"{local}::date",
            "week": f"date_trunc('week', {local})::date",
            "month": f"date_trunc('month', {local})::date",
        }[query.group_by]
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
        f"JOIN {_tables()['channel']} ch ON ch.id = d.channel_id WHERE {where} "
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


def _summary_sql(query: ReportQuery, connection) -> tuple[str, list]:
    """The report from the summary's two levels: counts are sums of the coarse level; each
    median and p90 is located in its bucket there (cumulative counts), then read off the
    cumulative counts of that bucket's exact minutes (the fine level), as ``percentile_cont``
    interpolates: the figures of the contacts, from tens of thousands of rows."""
    coarse = summary_entries(query, "coarse")
    if coarse is None:
        return _postgresql_sql(query, connection)
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
        return _summary_sql(query, connection)
    if engine == "postgresql":
        return _postgresql_sql(query, connection)
    return _portable_sql(query, connection)


def _sort_key(row: dict):
    # Keys ascending (ISO dates sort by time); the "no agent" group last.
    return (row["key"] is None, row["key"] or "")


def sla_report(query: ReportQuery, *, engine: str | None = None, using: str = "default") -> Report:
    """Rows (groups with at least one contact) and the total: one database statement."""
    connection = connections[using]
    engine = engine or default_engine(connection, query)
    sql, params = report_sql(query, engine=engine, using=using)
    if engine == "summary":
        sql = SUMMARY_SETTINGS + sql
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    grouped: dict[str, dict] = {}
    overall = empty_row()
    for t, series, key, *values in fetched:
        if t == 3:
            overall = _row(None, values)
            continue
        bucket = grouped.setdefault(series, {"rows": [], "total": None})
        if t:
            bucket["total"] = _row(None, values)
        else:
            bucket["rows"].append(_row(_key_text(key), values))
    for bucket in grouped.values():
        bucket["rows"].sort(key=_sort_key)
        bucket["total"] = bucket["total"] or empty_row()
    if not query.split_by_channel:
        only = grouped.get("", {"rows": [], "total": empty_row()})
        return Report(query=query, rows=only["rows"], total=only["total"])
    # Split: the series' totals are the rows by channel; ``total`` covers every channel.
    return Report(query=query, rows=[], total=overall, series=grouped)
