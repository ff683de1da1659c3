# ruff: noqa: S608 -- table names from the summary module
"""The daily summary (PostgreSQL): the SLA report reads identical figures from it as from the
contacts, on a mixed dataset with contacts around midnight in several zones and a DST change,
after inserts (ORM and COPY), updates and deletes, before and after the fold."""

import datetime as dt
import io
import random
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from channels_app.tests.factories import ChannelFactory
from conftest import make_user
from core.roles import MANAGER
from sla.models import Contact
from sla.reports import summary
from sla.reports.contacts_sql import CHANNEL_SET_SETTINGS
from sla.reports.dashboard import manager_dashboard
from sla.reports.query import ReportQuery, default_engine, report_sql, sla_report
from sla.tests.conftest import postgres_only

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]

STATES = ("pending", "at_risk", "met", "breached")
RES_STATES = (*STATES, "paused")
PRIORITIES = ("low", "normal", "high", "urgent")
# Hours (UTC) around the midnights of Warsaw (22:00/23:00Z), UTC, New York and Kolkata.
HOURS = (0, 4, 5, 18, 21, 22, 23)
MINUTES = (0, 15, 29, 30, 31, 45, 59)
# The period spans the end of DST in Europe (25 Oct 2026) and in the US (1 Nov 2026).
DAYS = [dt.date(2026, 10, 20) + dt.timedelta(days=n) for n in range(16)]


def _row(rng: random.Random, channel, n: int) -> Contact:
    day = rng.choice(DAYS)
    opened = dt.datetime.combine(
        day, dt.time(rng.choice(HOURS), rng.choice(MINUTES), rng.randrange(60)), tzinfo=dt.UTC
    )
    fr_state, res_state = rng.choice(STATES), rng.choice(RES_STATES)
    return Contact(
        channel=channel,
        external_id=f"S-{n}",
        priority=rng.choice(PRIORITIES),
        opened_at=opened,
        created_at=opened,
        first_response_state=fr_state,
        resolution_state=res_state,
        # Few distinct values, so that percentiles fall between equal and unequal neighbours,
        # on both sides of the coarse level's bucket edges (5 and 64 minutes).
        first_response_minutes=rng.choice((None, 1, 2, 2, 4, 5, 9, 30, 61)),
        resolution_minutes=rng.choice((None, None, 10, 63, 64, 100, 480, 481, 999)),
        notify=False,
    )


QUERIES = [
    {"group_by": g, "tz": "Europe/Warsaw"} for g in ("channel", "priority", "day", "week", "month")
] + [
    {"group_by": "channel", "tz": "UTC"},
    {"group_by": "priority", "tz": "America/New_York"},
    {"group_by": "channel", "tz": "Asia/Kolkata"},
    {"group_by": "day", "tz": "Europe/Warsaw", "split_by_channel": True},
    {"group_by": "priority", "tz": "UTC", "split_by_channel": True},
    {"group_by": "channel", "tz": "Europe/Warsaw", "split_by_channel": True},
]
PERIODS = [
    (dt.date(2026, 10, 21), dt.date(2026, 11, 3)),
    (dt.date(2026, 10, 25), dt.date(2026, 10, 25)),
]


def _both(**kwargs):
    query = ReportQuery(**kwargs)
    return sla_report(query, engine="summary"), sla_report(query, engine="postgresql")


def _assert_identical(channel_id=None):
    checked = 0
    for start, end in PERIODS:
        for spec in QUERIES:
            fast, slow = _both(start=start, end=end, channel_id=channel_id, **spec)
            assert fast.rows == slow.rows, (start, spec)
            assert fast.total == slow.total, (start, spec)
            assert fast.series == slow.series, (start, spec)
            checked += len(slow.rows) + len(slow.series)
    return checked


@pytest.fixture
def dataset(db):
    owner = make_user("summary-owner", MANAGER)
    channels = [ChannelFactory(code=f"sum-{n}", calendar=None, owner=owner) for n in range(3)]
    rng = random.Random(20261025)
    Contact.objects.bulk_create(_row(rng, channels[n % 3], n) for n in range(900))
    return channels, rng


def test_figures_identical_with_and_without_the_summary(dataset):
    channels, _rng = dataset
    assert _assert_identical() > 50  # the comparisons had rows to compare
    assert _assert_identical(channel_id=channels[1].pk)
    # Updates (a sweep flips states; an edit moves a contact across midnight and channels),
    # deletes, then the fold: identical before and after it.
    Contact.objects.filter(first_response_state="pending", priority="low").update(
        first_response_state="breached"
    )
    moved = Contact.objects.filter(external_id__in=[f"S-{n}" for n in range(0, 90, 3)])
    moved.update(opened_at=dt.datetime(2026, 10, 24, 22, 30, tzinfo=dt.UTC), channel=channels[2])
    Contact.objects.filter(external_id__endswith="7").delete()
    Contact.objects.filter(external_id="S-1").update(subject="No reported column changed")
    _assert_identical()
    assert summary.fold() > 0
    assert _assert_identical() > 50
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {summary.DELTA}")
        assert cursor.fetchone()[0] == 0
        # Every contact is in the summary twice (first response and resolution).
        cursor.execute(f"SELECT sum(n) FROM {summary.TABLE}")
        assert cursor.fetchone()[0] == 2 * Contact.objects.count()
        _assert_coarse_is_the_fine_level_in_buckets(cursor)


def _assert_coarse_is_the_fine_level_in_buckets(cursor):
    fine = (
        f"SELECT day, channel_id, priority, metric, state, {summary.bucket(summary.TABLE)}, "
        f"sum(n) FROM {summary.TABLE} GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0"
    )
    coarse = f"SELECT {summary.COARSE_COLUMNS}, n FROM {summary.COARSE} WHERE n <> 0"
    for a, b in ((fine, coarse), (coarse, fine)):
        cursor.execute(f"{a} EXCEPT ALL {b}")
        assert cursor.fetchall() == []
    cursor.execute(f"SELECT count(*) FROM {summary.COARSE} WHERE n <> 0")
    assert cursor.fetchone()[0] > 50


def test_upgrade_fills_the_coarse_level_from_the_fine_one(dataset):
    summary.fold()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {summary.COARSE}")
        assert summary.upgrade() > 50
        _assert_coarse_is_the_fine_level_in_buckets(cursor)
        # TRUNCATE empties every level.
        cursor.execute("TRUNCATE sla_contact CASCADE")
        for table in (summary.TABLE, summary.COARSE, summary.DELTA):
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] == 0, table


def test_copy_is_tracked_too(dataset):
    channels, _rng = dataset
    before = Contact.objects.count()
    lines = [
        f"{channels[0].pk}\tC-{n}\thigh\t2026-10-25 00:{n % 60:02d}:00+00\tmet\tbreached\t{n % 7}\t"
        f"{n}\topen\t0\tf\t2026-10-25 00:00:00+00\t2026-10-25 00:00:00+00\t\t\t\ten"
        for n in range(200)
    ]
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY sla_contact (channel_id, external_id, priority, opened_at, "
            "first_response_state, resolution_state, first_response_minutes, "
            "resolution_minutes, status, paused_business_minutes, notify, created_at, updated_at, "
            "subject, "
            "customer_name, customer_email, customer_language) FROM STDIN",
            io.StringIO("\n".join(lines) + "\n"),
        )
    assert Contact.objects.count() == before + 200
    _assert_identical()


def test_a_summary_in_another_zone_is_not_trusted(dataset):
    # The settings say UTC but the summary was built by Warsaw days: the statement reads the
    # contacts for the middle of the period instead, and the figures stay right.
    with override_settings(TIME_ZONE="UTC"):
        for spec in ({"group_by": "day", "tz": "UTC"}, {"group_by": "channel", "tz": "UTC"}):
            query = ReportQuery(start=DAYS[1], end=DAYS[-2], **spec)
            assert default_engine(connection, query) == "summary"
            fast, slow = _both(start=DAYS[1], end=DAYS[-2], **spec)
            assert (fast.rows, fast.total) == (slow.rows, slow.total)


def test_engine_choice():
    warsaw_days = ReportQuery(start=DAYS[0], end=DAYS[1], tz="Europe/Warsaw", group_by="day")
    assert default_engine(connection, warsaw_days) == "summary"
    utc_days = ReportQuery(start=DAYS[0], end=DAYS[1], tz="UTC", group_by="day")
    assert default_engine(connection, utc_days) == "postgresql"
    by_agent = ReportQuery(start=DAYS[0], end=DAYS[1], tz="UTC", group_by="agent")
    assert default_engine(connection, by_agent) == "postgresql"
    with override_settings(SLA_REPORT_SUMMARY=False):
        assert default_engine(connection, warsaw_days) == "postgresql"
    with pytest.raises(ValueError, match="summary"):
        report_sql(by_agent, engine="summary")


def test_dashboard_identical_with_and_without_the_summary(dataset, settings):
    settings.SLA_REPORT_DASHBOARD_CACHE_SECONDS = 0
    args = {"start": DAYS[1], "end": DAYS[-1], "tz": "Europe/Warsaw"}
    fast = manager_dashboard(**args)
    with override_settings(SLA_REPORT_SUMMARY=False):
        slow = manager_dashboard(**args)
    assert fast["total"] == slow["total"]
    for a, b in zip(fast["sections"], slow["sections"], strict=True):
        assert (a.summary, a.trend, a.histogram) == (b.summary, b.trend, b.histogram)


def test_beat_folds_the_deltas_every_minute(dataset):
    from portal.celery import app as celery_app
    from sla import tasks

    entry = celery_app.conf.beat_schedule["sla-report-summary-fold"]
    assert entry["task"] == "sla.tasks.fold_report_summary"
    assert entry["schedule"] == 60.0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {summary.DELTA}")
        waiting = cursor.fetchone()[0]
        assert waiting > 0
        assert tasks.fold_report_summary() > 0
        cursor.execute(f"SELECT count(*) FROM {summary.DELTA}")
        assert cursor.fetchone()[0] == 0
    assert tasks.fold_report_summary() == 0


def test_split_by_channel_and_grouped_by_channel_gives_each_channel_its_total(dataset):
    # Pulled up, the series and the key were one expression: GROUPING() called the series'
    # totals groups, and the totals went missing (the postgresql engine).
    query = ReportQuery(
        start=DAYS[0], end=DAYS[-1], tz="UTC", group_by="channel", split_by_channel=True
    )
    portable = sla_report(query, engine="portable")
    by_channel = sla_report(replace(query, split_by_channel=False), engine="portable")
    for engine in ("postgresql", "summary"):
        report = sla_report(query, engine=engine)
        assert report.series == portable.series, engine
        assert report.total == portable.total == by_channel.total, engine
        for row in by_channel.rows:
            assert report.series[row["key"]]["total"] == {**row, "key": None}, engine
            assert report.series[row["key"]]["rows"] == [row], engine


def test_counts_of_a_channel_set_read_the_contacts_and_agree(dataset):
    """The scorecard's reads (counts only, a set of channels) take the contacts, in a plain
    GROUP BY, with the counts of the full report: by channel and by day split by channel."""
    channels, _rng = dataset
    chosen = (channels[0].pk, channels[2].pk)
    codes = {channels[0].code, channels[2].code}
    start, end = PERIODS[0]
    counts = ("contacts", "first_response_met", "first_response_breached")
    counts += ("resolution_met", "resolution_breached")
    for spec in ({"group_by": "channel"}, {"group_by": "day", "split_by_channel": True}):
        query = ReportQuery(
            start=start, end=end, tz="Europe/Warsaw", channel_ids=chosen, percentiles=False, **spec
        )
        assert default_engine(connection, query) == "postgresql"
        fast = sla_report(query)
        full = sla_report(
            ReportQuery(start=start, end=end, tz="Europe/Warsaw", **spec), engine="postgresql"
        )
        if spec.get("split_by_channel"):
            assert set(fast.series) == codes
            for code in codes:
                for got, want in zip(
                    fast.series[code]["rows"], full.series[code]["rows"], strict=True
                ):
                    assert {k: got[k] for k in ("key", *counts)} == {
                        k: want[k] for k in ("key", *counts)
                    }
                assert got["first_response_median_minutes"] is None
        else:
            wanted = [r for r in full.rows if r["key"] in codes]
            assert [{k: r[k] for k in ("key", *counts)} for r in fast.rows] == [
                {k: r[k] for k in ("key", *counts)} for r in wanted
            ]
            assert fast.total["contacts"] == sum(r["contacts"] for r in wanted) > 0
    nothing = ReportQuery(start=start, end=end, tz="Europe/Warsaw", channel_ids=())
    assert sla_report(nothing).total["contacts"] == 0


def _planner_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('random_page_cost'), current_setting('jit')")
        return cursor.fetchone()


def test_a_channel_set_is_priced_as_one_index_range_for_its_own_statement_only(dataset):
    """At 12 M contacts the planner read the whole table for the scorecard's channel set (0.7 s
    against 0.1 s): that statement carries its planner settings, and they end with it."""
    channels, _rng = dataset
    start, end = PERIODS[0]
    spec = {"start": start, "end": end, "tz": "Europe/Warsaw", "group_by": "channel"}
    before = _planner_settings()
    with CaptureQueriesContext(connection) as captured:
        chosen = sla_report(ReportQuery(**spec, channel_ids=(channels[1].pk,), percentiles=False))
    assert captured.captured_queries[-1]["sql"].startswith(CHANNEL_SET_SETTINGS)
    assert _planner_settings() == before
    with CaptureQueriesContext(connection) as captured:
        whole = sla_report(ReportQuery(**spec), engine="postgresql")
    assert "SET LOCAL" not in captured.captured_queries[-1]["sql"]
    (wanted,) = [row for row in whole.rows if row["key"] == channels[1].code]
    assert chosen.total["contacts"] == wanted["contacts"] > 0
