# ruff: noqa: S608 -- SQL text is built from quoted model identifiers and fixed fragments only; values are parameters.
"""The SLA report's statements over the contacts themselves, one statement whatever the size:

* ``postgresql``: ``percentile_cont`` (an ordered-set aggregate) with ``GROUPING SETS`` for the
  totals, and ``AT TIME ZONE`` for the day, week and month keys.
* ``portable`` (SQLite, and PostgreSQL in the tests that compare both): the same linear
  interpolation written with window functions: each value gets its rank in its group, and the
  two ranks that surround the wanted position are weighted and summed. Time keys come from a
  small table of local days (at most 367 rows) with their UTC bounds, because SQLite knows no
  time zones.

Linear interpolation as in PostgreSQL: for the fraction ``f`` of ``n`` sorted values
``v[0..n-1]``, ``pos = f·(n−1)``, result ``v[⌊pos⌋] + (pos − ⌊pos⌋)·(v[⌊pos⌋+1] − v[⌊pos⌋])``.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from channels_app.models import Channel
from core.reports.period import local_midnight, time_key
from sla.models import Contact
from sla.reports.report import ReportQuery

# Percentiles as exact fractions (numerator, denominator): integer arithmetic in SQL finds the
# ranks on both backends without FLOOR (which SQLite may lack) or float rounding surprises.
_MEDIAN = (1, 2)
_P90 = (9, 10)

# In the same round trip, for a report over a set of channels (the standards' scorecard; the
# summary does not serve those): such a statement reads one range of the (channel, opening)
# index, and contacts lie in the table about in the order they were opened, so the range
# spans few pages. The planner prices a bitmap scan as if the rows were scattered over the
# whole table and, with the default ``random_page_cost`` of spinning disks, read all of it
# instead: 0.70 s against 0.10 s for 30 days of 10 channels in 12,000,000 contacts. Priced as
# on solid-state storage, for this statement's transaction only; JIT off, as for the summary
# (compiling cost more than the query ran).
CHANNEL_SET_SETTINGS = "SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1; "


def tables() -> dict[str, str]:
    return {
        "contact": Contact._meta.db_table,
        "channel": Channel._meta.db_table,
        "user": get_user_model()._meta.db_table,
    }


def pg_time_key(group_by: str) -> str:
    """The PostgreSQL key of a day, week or month group; its one parameter is the zone."""
    local = "(c.opened_at AT TIME ZONE %s)"
    return {
        "day": f"{local}::date",
        "week": f"date_trunc('week', {local})::date",
        "month": f"date_trunc('month', {local})::date",
    }[group_by]


def _base_select(query: ReportQuery, engine: str, connection) -> tuple[str, list, str]:
    """``SELECT s, k, frs, rs, frm, rm FROM …`` for the contacts of the period, and a prefix
    (``WITH`` clause) it needs."""
    t = tables()
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
        key = pg_time_key(query.group_by)
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


def postgresql_sql(query: ReportQuery, connection) -> tuple[str, list]:
    base, params, _prefix = _base_select(query, "postgresql", connection)
    # t: 0 a group, 1 its series' total, 3 the overall total (split only; see portable_sql).
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


def portable_sql(query: ReportQuery, connection) -> tuple[str, list]:
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
