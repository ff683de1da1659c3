# ruff: noqa: S608 -- SQL text is built from fixed identifiers only; values are parameters.
"""The daily summary of the SLA report (PostgreSQL only): what lets a 90-day report over ten
million contacts answer in well under a second with exactly the figures of design.md.

``sla_report_daily`` holds, per local day (in ``settings.TIME_ZONE``, recorded in
``sla_report_daily_zone``), channel and priority, how many contacts have each (metric, state,
minutes): a histogram. Counts are its sums; medians and p90 are read off the cumulative counts
with the same linear interpolation (and float arithmetic) as ``percentile_cont``, so the figures
are identical to reading the contacts (a test compares both on a mixed dataset).

A second, coarse level, ``sla_report_daily_coarse``, holds the same counts with the minutes in
buckets (:data:`WIDTH` minutes wide; 5 for first responses, 64 for resolutions, whose range is
about ten times larger) and keeps the state: the counts and compliance come from it alone,
and a percentile is located in its bucket there, so that only the exact minutes of that bucket
are read from the fine level (an index on metric and minutes): a 90-day report reads tens of
thousands of rows instead of two million. The fold keeps it, in the fold's own statement.

Kept by the database, whatever writes the contacts (ORM, raw SQL, ``COPY``): statement-level
triggers with transition tables on ``sla_contact`` append one aggregated delta per statement to
``sla_report_daily_delta`` (insert-only, so concurrent writers never wait on each other), and
:func:`fold` (the beat task ``sla.tasks.fold_report_summary``, every minute) moves the deltas
into the summary. Reports read both, so a delta counts from the moment its statement commits.
``TRUNCATE`` of the contacts empties both. The triggers fire also under
``session_replication_role = replica``; only ``ALTER TABLE … DISABLE TRIGGER`` (as
``pg_restore --disable-triggers`` does) gets past them, after which :func:`rebuild` is due.
Writers need to do nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

TABLE = "sla_report_daily"
DELTA = "sla_report_daily_delta"
COARSE = "sla_report_daily_coarse"
COARSE_COLUMNS = "day, channel_id, priority, metric, state, bucket"
# Bucket width in minutes, per metric (first response, resolution).
# 5 divides the dashboard's distribution bins (sla/reports/dashboard.py HISTOGRAM_EDGES), so
# that it reads the coarse level alone.
WIDTH = {"f": 5, "r": 64}
ZONE = "sla_report_daily_zone"
COLUMNS = "day, channel_id, priority, metric, state, minutes"
FOLD_LOCK = 7_301_501  # pg_advisory_xact_lock key: one fold at a time

# One contact is two histogram entries: its first response and its resolution.
ENTRIES = (
    "CROSS JOIN LATERAL (VALUES ('f', {c}.first_response_state, {c}.first_response_minutes), "
    "('r', {c}.resolution_state, {c}.resolution_minutes)) AS m (metric, state, minutes)"
)


def _day(alias: str, zone: str) -> str:
    return f"({alias}.opened_at AT TIME ZONE {zone})::date"


def bucket(alias: str) -> str:
    """SQL: the coarse bucket of ``alias``'s minutes (NULL stays NULL)."""
    return (
        f"({alias}.minutes / CASE {alias}.metric WHEN 'f' THEN {WIDTH['f']} ELSE {WIDTH['r']} END)"
    )


def width(alias: str) -> str:
    """SQL: the bucket width of ``alias``'s metric."""
    return f"(CASE {alias}.metric WHEN 'f' THEN {WIDTH['f']} ELSE {WIDTH['r']} END)"


# The coarse level and what reads the fine level by bucket; repeatable (install and upgrade).
COARSE_DDL = f"""
CREATE TABLE IF NOT EXISTS {COARSE} (
    day date NOT NULL,
    channel_id bigint NOT NULL,
    priority varchar(10) NOT NULL,
    metric char(1) NOT NULL,
    state varchar(10) NOT NULL,
    bucket integer,
    n bigint NOT NULL,
    CONSTRAINT {COARSE}_key UNIQUE NULLS NOT DISTINCT
        (day, channel_id, priority, metric, state, bucket)
);
CREATE INDEX IF NOT EXISTS {TABLE}_minutes ON {TABLE} (metric, minutes, day)
    INCLUDE (channel_id, priority, n);
"""


FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TABLE}_track() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    z text := COALESCE((SELECT zone FROM {ZONE} LIMIT 1), 'UTC');
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM {TABLE};
        DELETE FROM {DELTA};
        IF to_regclass('{COARSE}') IS NOT NULL THEN  -- (after its migration is reversed)
            EXECUTE 'DELETE FROM {COARSE}';
        END IF;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO {DELTA} ({COLUMNS}, n)
        SELECT {_day("c", "z")}, c.channel_id, c.priority, m.metric, m.state, m.minutes, count(*)
        FROM new_rows c {ENTRIES.format(c="c")}
        GROUP BY 1, 2, 3, 4, 5, 6;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {DELTA} ({COLUMNS}, n)
        SELECT {_day("c", "z")}, c.channel_id, c.priority, m.metric, m.state, m.minutes, -count(*)
        FROM old_rows c {ENTRIES.format(c="c")}
        GROUP BY 1, 2, 3, 4, 5, 6;
    ELSE
        -- Only the rows whose reported columns changed: the old entry out, the new one in.
        INSERT INTO {DELTA} ({COLUMNS}, n)
        SELECT {_day("c", "z")}, c.channel_id, c.priority, m.metric, m.state, m.minutes,
               sum(c.sign)
        FROM (
            SELECT o.*, -1 AS sign FROM old_rows o JOIN new_rows w ON w.id = o.id
            WHERE (o.opened_at, o.channel_id, o.priority, o.first_response_state,
                   o.resolution_state, o.first_response_minutes, o.resolution_minutes)
                IS DISTINCT FROM (w.opened_at, w.channel_id, w.priority, w.first_response_state,
                   w.resolution_state, w.first_response_minutes, w.resolution_minutes)
            UNION ALL
            SELECT w.*, 1 FROM new_rows w JOIN old_rows o ON o.id = w.id
            WHERE (o.opened_at, o.channel_id, o.priority, o.first_response_state,
                   o.resolution_state, o.first_response_minutes, o.resolution_minutes)
                IS DISTINCT FROM (w.opened_at, w.channel_id, w.priority, w.first_response_state,
                   w.resolution_state, w.first_response_minutes, w.resolution_minutes)
        ) c {ENTRIES.format(c="c")}
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(c.sign) <> 0;
    END IF;
    RETURN NULL;
END $$;
"""

INSTALL = f"""
CREATE TABLE {TABLE} (
    day date NOT NULL,
    channel_id bigint NOT NULL,
    priority varchar(10) NOT NULL,
    metric char(1) NOT NULL,
    state varchar(10) NOT NULL,
    minutes integer,
    n bigint NOT NULL,
    CONSTRAINT {TABLE}_key UNIQUE NULLS NOT DISTINCT
        (day, channel_id, priority, metric, state, minutes)
);
CREATE TABLE {DELTA} (
    day date NOT NULL,
    channel_id bigint NOT NULL,
    priority varchar(10) NOT NULL,
    metric char(1) NOT NULL,
    state varchar(10) NOT NULL,
    minutes integer,
    n bigint NOT NULL
);
CREATE INDEX {DELTA}_day ON {DELTA} (day);
CREATE TABLE {ZONE} (zone text NOT NULL);

{COARSE_DDL}
{FUNCTION}
CREATE TRIGGER {TABLE}_insert AFTER INSERT ON sla_contact
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_track();
CREATE TRIGGER {TABLE}_update AFTER UPDATE ON sla_contact
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_track();
CREATE TRIGGER {TABLE}_delete AFTER DELETE ON sla_contact
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_track();
CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON sla_contact
    FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_track();
-- Also under session_replication_role = replica (bulk loads that skip foreign-key checks).
ALTER TABLE sla_contact ENABLE ALWAYS TRIGGER {TABLE}_insert;
ALTER TABLE sla_contact ENABLE ALWAYS TRIGGER {TABLE}_update;
ALTER TABLE sla_contact ENABLE ALWAYS TRIGGER {TABLE}_delete;
ALTER TABLE sla_contact ENABLE ALWAYS TRIGGER {TABLE}_truncate;
"""

UNINSTALL = f"""
DROP TRIGGER IF EXISTS {TABLE}_insert ON sla_contact;
DROP TRIGGER IF EXISTS {TABLE}_update ON sla_contact;
DROP TRIGGER IF EXISTS {TABLE}_delete ON sla_contact;
DROP TRIGGER IF EXISTS {TABLE}_truncate ON sla_contact;
DROP FUNCTION IF EXISTS {TABLE}_track();
DROP TABLE IF EXISTS {TABLE}, {COARSE}, {DELTA}, {ZONE};
"""


def install(conn=connection) -> None:
    """Create the tables and triggers and fill the summary from the contacts (the migration)."""
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(INSTALL)
    rebuild(settings.TIME_ZONE, conn)


def upgrade(conn=connection) -> int:
    """Add the coarse level to an installed summary and fill it from the fine level.

    Holds no lock on the contacts: writers go on adding deltas. The fold waits (its advisory
    lock, and the index build's SHARE lock on the summary) until the migration commits:
    seconds for two million summary rows. Reports read the summary as before meanwhile.
    """
    if conn.vendor != "postgresql":
        return 0
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK])
        cursor.execute(COARSE_DDL + FUNCTION)
        return _fill_coarse(cursor)


def _fill_coarse(cursor) -> int:
    cursor.execute(f"DELETE FROM {COARSE}")
    cursor.execute(
        f"INSERT INTO {COARSE} ({COARSE_COLUMNS}, n) "
        f"SELECT day, channel_id, priority, metric, state, {bucket(TABLE)}, sum(n) "
        f"FROM {TABLE} GROUP BY 1, 2, 3, 4, 5, 6"
    )
    rows = cursor.rowcount
    cursor.execute(f"ANALYZE {COARSE}")
    return rows


def uninstall(conn=connection) -> None:
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(UNINSTALL)


def rebuild(zone: str, conn=connection) -> int:
    """Fill the summary afresh from the contacts, by local days of ``zone``; returns its rows.

    For a new ``settings.TIME_ZONE``; takes a lock that holds contact writers for its duration
    (seconds per million contacts), so that no delta is lost or counted twice.
    """
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute("LOCK TABLE sla_contact IN SHARE MODE")
        cursor.execute(f"DELETE FROM {ZONE}")
        cursor.execute(f"INSERT INTO {ZONE} (zone) VALUES (%s)", [zone])
        cursor.execute(f"DELETE FROM {DELTA}")
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}, n) "
            f"SELECT {_day('c', '%s')}, c.channel_id, c.priority, m.metric, m.state, "
            f"m.minutes, count(*) FROM sla_contact c {ENTRIES.format(c='c')} "
            "GROUP BY 1, 2, 3, 4, 5, 6",
            [zone],
        )
        rows = cursor.rowcount
        _fill_coarse(cursor)
    with conn.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    return rows


def fold(conn=connection) -> int:
    """Move the deltas into the summary (one fold at a time); returns the deltas moved.

    The delete and the upserts (fine and coarse) are one statement: a delta is either still a
    delta or already in the summary, never both, for every reader. Zero counts left by updates
    stay as rows of ``n = 0``, which the report skips.
    """
    if conn.vendor != "postgresql":
        return 0
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [FOLD_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DELTA} RETURNING {COLUMNS}, n), "
            f"summed AS (SELECT {COLUMNS}, sum(n) AS n FROM moved GROUP BY {COLUMNS}), "
            f"fine AS (INSERT INTO {TABLE} ({COLUMNS}, n) SELECT {COLUMNS}, n FROM summed "
            f"ORDER BY {COLUMNS} "
            f"ON CONFLICT ON CONSTRAINT {TABLE}_key DO UPDATE SET n = {TABLE}.n + EXCLUDED.n "
            "RETURNING 1), "
            f"coarse AS (INSERT INTO {COARSE} ({COARSE_COLUMNS}, n) "
            f"SELECT day, channel_id, priority, metric, state, {bucket('summed')}, sum(n) "
            "FROM summed GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6 "
            f"ON CONFLICT ON CONSTRAINT {COARSE}_key DO UPDATE SET n = {COARSE}.n + EXCLUDED.n "
            "RETURNING 1) "
            "SELECT (SELECT count(*) FROM fine), (SELECT count(*) FROM coarse)"
        )
        return cursor.fetchone()[0]
