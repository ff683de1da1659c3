"""GET /api/v1/reports/sla/: numbers against hand-computed values on both SQL paths, grouping
in a time zone, CSV, roles, bad input and the number of queries."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection

from conftest import make_user
from core.roles import INTEGRATION
from sla.models import Contact
from sla.reports.query import ReportQuery, sla_report
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/sla/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31", "tz": "Europe/Warsaw"}


def _contact(channel, opened_at, *, agent=None, priority="normal", fr=None, res=None):
    """A contact with stored figures: ``fr``/``res`` are (business minutes, state)."""
    contact = make_contact(channel=channel, opened_at=opened_at, agent=agent, priority=priority)
    fr_minutes, fr_state = fr or (None, "pending")
    res_minutes, res_state = res or (None, "pending")
    Contact.objects.filter(pk=contact.pk).update(
        first_response_minutes=fr_minutes,
        first_response_state=fr_state,
        resolution_minutes=res_minutes,
        resolution_state=res_state,
    )
    return contact


@pytest.fixture
def march(chat, chat_policy, always, always_policy, staff_user, agent2):
    """Seven contacts in March 2026 (Warsaw) and two just outside it.

    chat   FR 10 20 30 40 (30 breached)        RES 60 120 – 480 (480 breached)
    always FR 5 100 – (100 breached)           RES – 300 – (300 breached)
    """
    agent = staff_user
    return {
        "chat1": _contact(
            chat, warsaw(2026, 3, 1, 0, 0), agent=agent, fr=(10, "met"), res=(60, "met")
        ),
        "chat2": _contact(
            chat,
            warsaw(2026, 3, 2, 10, 0),
            agent=agent,
            priority="high",
            fr=(20, "met"),
            res=(120, "met"),
        ),
        "chat3": _contact(chat, warsaw(2026, 3, 9, 10, 0), agent=agent2, fr=(30, "breached")),
        "chat4": _contact(
            chat,
            warsaw(2026, 3, 31, 23, 59),
            priority="urgent",
            fr=(40, "met"),
            res=(480, "breached"),
        ),
        "always1": _contact(always, warsaw(2026, 3, 2, 11, 0), agent=agent, fr=(5, "met")),
        "always2": _contact(
            always,
            warsaw(2026, 3, 15, 12, 0),
            agent=agent2,
            fr=(100, "breached"),
            res=(300, "breached"),
        ),
        "always3": _contact(always, warsaw(2026, 3, 30, 9, 0)),
        # Outside the period in Warsaw (inside it in UTC for the second one).
        "before": _contact(chat, warsaw(2026, 2, 28, 23, 30), fr=(1, "met")),
        "after": _contact(chat, warsaw(2026, 4, 1, 0, 0), fr=(1, "met")),
    }


def _row(key, contacts, fr, res):
    """fr/res: (met, breached, pct, median, p90)."""
    return {
        "key": key,
        "contacts": contacts,
        "first_response_met": fr[0],
        "first_response_breached": fr[1],
        "first_response_compliance_pct": fr[2],
        "first_response_median_minutes": fr[3],
        "first_response_p90_minutes": fr[4],
        "resolution_met": res[0],
        "resolution_breached": res[1],
        "resolution_compliance_pct": res[2],
        "resolution_median_minutes": res[3],
        "resolution_p90_minutes": res[4],
    }


# Computed by hand: for n sorted values, pos = f·(n−1), v[⌊pos⌋] + frac·(v[⌊pos⌋+1] − v[⌊pos⌋]).
EXPECTED_BY_CHANNEL = [
    # FR 10 20 30 40: median pos 1.5 → 25, p90 pos 2.7 → 37; 3 met, 1 breached → 75 %.
    # RES 60 120 480: median 120, p90 pos 1.8 → 120 + 0.8·360 = 408; 2 met 1 breached → 66.67 %.
    _row("always", 3, (1, 1, 50.0, 52.5, 90.5), (0, 1, 0.0, 300.0, 300.0)),
    _row("chat", 4, (3, 1, 75.0, 25.0, 37.0), (2, 1, 66.67, 120.0, 408.0)),
]
# FR 5 10 20 30 40 100: median pos 2.5 → 25, p90 pos 4.5 → 70; RES 60 120 300 480: 210, 426.
EXPECTED_TOTAL = _row(None, 7, (4, 2, 66.67, 25.0, 70.0), (2, 2, 50.0, 210.0, 426.0))


def _engines():
    return ["portable", "postgresql"] if connection.vendor == "postgresql" else ["portable"]


@pytest.mark.parametrize("engine", ["portable", "postgresql"])
def test_both_sql_paths_give_the_hand_computed_figures(march, chat, engine):
    if engine not in _engines():
        pytest.skip("the percentile_cont path needs PostgreSQL (set DATABASE_URL)")
    query = ReportQuery(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), tz="Europe/Warsaw")
    report = sla_report(query, engine=engine)
    assert report.rows == EXPECTED_BY_CHANNEL
    assert report.total == EXPECTED_TOTAL

    by_agent = sla_report(
        ReportQuery(
            start=query.start, end=query.end, tz=query.tz, group_by="agent", channel_id=None
        ),
        engine=engine,
    )
    # agent: FR 5 10 20 → median 10, p90 pos 1.8 → 18; RES 60 120 → 90, 60 + 0.9·60 = 114.
    assert by_agent.rows[0] == _row(
        "agent", 3, (3, 0, 100.0, 10.0, 18.0), (2, 0, 100.0, 90.0, 114.0)
    )
    assert [r["key"] for r in by_agent.rows] == ["agent", "agent2", None]
    assert by_agent.rows[2]["contacts"] == 2  # chat4 and always3 have no agent
    assert by_agent.total == EXPECTED_TOTAL

    weeks = sla_report(
        ReportQuery(start=query.start, end=query.end, tz=query.tz, group_by="week"), engine=engine
    )
    # 1 March 2026 is a Sunday: its week starts on Monday 23 February.
    assert [(r["key"], r["contacts"]) for r in weeks.rows] == [
        ("2026-02-23", 1),
        ("2026-03-02", 2),
        ("2026-03-09", 2),
        ("2026-03-30", 2),
    ]
    months = sla_report(
        ReportQuery(start=query.start, end=query.end, tz=query.tz, group_by="month"),
        engine=engine,
    )
    assert months.rows == [{**EXPECTED_TOTAL, "key": "2026-03-01"}]

    chat_only = sla_report(
        ReportQuery(start=query.start, end=query.end, tz=query.tz, channel_id=chat.pk),
        engine=engine,
    )
    assert chat_only.rows == [EXPECTED_BY_CHANNEL[1]]
    assert chat_only.total == {**EXPECTED_BY_CHANNEL[1], "key": None}

    split = sla_report(
        ReportQuery(
            start=query.start, end=query.end, tz=query.tz, group_by="month", split_by_channel=True
        ),
        engine=engine,
    )
    assert split.series["chat"]["total"] == {**EXPECTED_BY_CHANNEL[1], "key": None}
    assert split.series["always"]["rows"] == [{**EXPECTED_BY_CHANNEL[0], "key": "2026-03-01"}]
    assert split.total == EXPECTED_TOTAL
    assert split.rows == []


@pytest.mark.parametrize("engine", ["portable", "postgresql"])
def test_days_follow_the_time_zone_on_both_paths(march, engine):
    if engine not in _engines():
        pytest.skip("the percentile_cont path needs PostgreSQL (set DATABASE_URL)")
    warsaw_days = sla_report(
        ReportQuery(
            start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), tz="Europe/Warsaw", group_by="day"
        ),
        engine=engine,
    )
    assert [(r["key"], r["contacts"]) for r in warsaw_days.rows] == [
        ("2026-03-01", 1),
        ("2026-03-02", 2),
        ("2026-03-09", 1),
        ("2026-03-15", 1),
        ("2026-03-30", 1),
        ("2026-03-31", 1),
    ]
    # In UTC, chat1 (00:00 Warsaw = 23:00 UTC on 28 February) falls out and "after"
    # (1 April 00:00 Warsaw = 31 March 22:00 UTC) comes in.
    utc_days = sla_report(
        ReportQuery(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), tz="UTC", group_by="day"),
        engine=engine,
    )
    assert [(r["key"], r["contacts"]) for r in utc_days.rows] == [
        ("2026-03-02", 2),
        ("2026-03-09", 1),
        ("2026-03-15", 1),
        ("2026-03-30", 1),
        ("2026-03-31", 2),
    ]


def test_api_answers_the_contract(march, manager_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = manager_api.get(URL, MARCH)
    assert response.status_code == 200
    assert response.json() == {
        "from": "2026-03-01",
        "to": "2026-03-31",
        "tz": "Europe/Warsaw",
        "group_by": "channel",
        "rows": EXPECTED_BY_CHANNEL,
        "total": EXPECTED_TOTAL,
    }


def test_api_filters_by_channel_and_agent(march, manager_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        body = manager_api.get(
            URL, {**MARCH, "channel": "chat", "agent": "agent", "group_by": "priority"}
        ).json()
    assert [(r["key"], r["contacts"]) for r in body["rows"]] == [("high", 1), ("normal", 1)]
    assert body["total"]["first_response_median_minutes"] == 15.0  # 10 and 20


def test_queries_do_not_grow_with_the_data(march, chat, manager_api, django_assert_max_num_queries):
    for day in range(1, 29):
        _contact(chat, warsaw(2026, 3, day, 12, 0), fr=(day, "met"))
    with django_assert_max_num_queries(4):
        body = manager_api.get(URL, {**MARCH, "group_by": "day"}).json()
    assert body["total"]["contacts"] == 7 + 28


def test_nothing_decided_gives_null_figures(chat, manager_api):
    _contact(chat, warsaw(2026, 3, 5, 10, 0))
    body = manager_api.get(URL, MARCH).json()
    assert body["rows"] == [_row("chat", 1, (0, 0, None, None, None), (0, 0, None, None, None))]


def test_empty_period_has_no_rows_and_a_zero_total(db, manager_api):
    body = manager_api.get(URL, MARCH).json()
    assert body["rows"] == []
    assert body["total"] == _row(None, 0, (0, 0, None, None, None), (0, 0, None, None, None))


def test_defaults_are_the_last_30_days_by_channel_in_the_portal_zone(db, manager_api, settings):
    body = manager_api.get(URL).json()
    start, end = dt.date.fromisoformat(body["from"]), dt.date.fromisoformat(body["to"])
    assert (end - start).days == 29
    assert (body["tz"], body["group_by"]) == (settings.TIME_ZONE, "channel")


def test_csv_by_format_parameter_and_by_accept_header(march, manager_api):
    response = manager_api.get(URL, {**MARCH, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="sla-report-2026-03-01-2026-03-31-channel.csv"'
    )
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:3] == ["key", "contacts", "first_response_met"]
    assert lines[0][-1] == "row_type"
    assert lines[1][:2] == ["always", "3"] and lines[1][-1] == "group"
    assert lines[2][:5] == ["chat", "4", "3", "1", "75.0"]
    assert lines[3] == [
        "",
        "7",
        "4",
        "2",
        "66.67",
        "25.0",
        "70.0",
        "2",
        "2",
        "50.0",
        "210.0",
        "426.0",
        "total",
    ]

    by_header = manager_api.get(URL, MARCH, HTTP_ACCEPT="text/csv")
    assert b"".join(by_header.streaming_content).decode().splitlines()[1:] == [
        ",".join(line) for line in lines[1:]
    ]


@pytest.mark.parametrize(
    ("format_", "accept", "content_type"),
    [
        pytest.param("csv", "application/json", "text/csv", id="csv_param_json_accept"),
        pytest.param("json", "text/csv", "application/json", id="json_param_csv_accept"),
        pytest.param("csv", "application/json, text/csv;q=0.5", "text/csv", id="csv_param_both"),
        pytest.param(
            "json", "text/csv, application/json;q=0.1", "application/json", id="json_both"
        ),
    ],
)
def test_format_parameter_wins_over_accept(march, manager_api, format_, accept, content_type):
    """A client that always sends ``Accept: application/json`` still gets ``?format=csv``."""
    response = manager_api.get(URL, {**MARCH, "format": format_}, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    if content_type == "text/csv":
        body = b"".join(response.streaming_content).decode()
        assert body.splitlines()[0].startswith("key,contacts,")
    else:
        assert response.json()["total"]["contacts"] == 7


def test_unknown_format_is_404_and_no_format_follows_accept(march, manager_api):
    assert manager_api.get(URL, {**MARCH, "format": "xlsx"}).status_code == 404
    assert manager_api.get(URL, MARCH, HTTP_ACCEPT="image/png").status_code == 406


def test_csv_errors_are_json(db, manager_api):
    response = manager_api.get(URL, {"from": "yesterday", "format": "csv"})
    assert response.status_code == 400
    assert response.json() == {"from": ["“from” must be a date in the form YYYY-MM-DD."]}


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        pytest.param(
            {"from": "2026-03-31", "to": "2026-03-01"}, "from", "after", id="from_after_to"
        ),
        pytest.param(
            {"from": "2025-01-01", "to": "2026-01-03"}, "to", "367", id="period_over_366_days"
        ),
        pytest.param({"group_by": "year"}, "group_by", "year", id="unknown_group_by"),
        pytest.param({"tz": "Mars/Olympus"}, "tz", "Mars/Olympus", id="unknown_time_zone"),
        pytest.param({"from": "2026-02-30"}, "from", "YYYY-MM-DD", id="malformed_from"),
        pytest.param({"to": "31.03.2026"}, "to", "YYYY-MM-DD", id="malformed_to"),
        pytest.param({"from": "0001-01-01"}, "from", "1970-01-01", id="date_out_of_range"),
        pytest.param({"channel": "fax"}, "channel", "fax", id="unknown_channel"),
        pytest.param({"agent": "nobody"}, "agent", "nobody", id="unknown_agent"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(db, manager_api, params, field, fragment):
    response = manager_api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert fragment in body[field][0]


def test_exactly_366_days_apart_is_allowed(db, manager_api):
    assert manager_api.get(URL, {"from": "2025-01-01", "to": "2026-01-03"}).status_code == 400
    assert manager_api.get(URL, {"from": "2025-01-01", "to": "2026-01-02"}).status_code == 200


def test_staff_read_only_their_own_figures(march, staff_api):
    own = staff_api.get(URL, MARCH).json()
    assert own["total"]["contacts"] == 3  # chat1, chat2, always1
    assert staff_api.get(URL, {**MARCH, "agent": "agent"}).json() == own
    denied = staff_api.get(URL, {**MARCH, "agent": "agent2"})
    assert denied.status_code == 403
    assert "agent" in denied.json()["detail"]
    assert staff_api.get(URL, {**MARCH, "agent": "no-such-user"}).status_code == 403


def test_integration_reads_every_figure_and_no_role_is_refused(
    march, integration_api, no_role_api, client
):
    assert integration_api.get(URL, MARCH).json()["total"] == EXPECTED_TOTAL
    assert no_role_api.get(URL, MARCH).status_code == 403
    assert client.get(URL, MARCH).status_code == 401


def test_manager_who_is_also_integration_is_not_limited(march, manager):
    from rest_framework.test import APIClient

    user = make_user("both", INTEGRATION)
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(URL, {**MARCH, "agent": "agent2"}).json()["total"]["contacts"] == 2


def test_schema_describes_the_parameters_and_the_row(manager_api):
    schema = manager_api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/reports/sla/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "from",
        "to",
        "tz",
        "group_by",
        "channel",
        "agent",
    }
    assert set(operation["responses"]["200"]["content"]) >= {"application/json", "text/csv"}
    row = schema["components"]["schemas"]["ReportRow"]["properties"]
    assert list(row) == list(EXPECTED_TOTAL)
