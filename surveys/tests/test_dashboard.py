"""The satisfaction dashboard's figures, weekly trend and distributions, and its charts (drawn by
``core.reports.charts``): one slot per week of the period, gaps for weeks without answers,
readable week labels, table alternatives, percentages that do not wrap, bounded queries."""

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from channels_app.tests.factories import ChannelFactory
from core.reports import charts
from surveys import reports, selectors
from surveys.dashboard import satisfaction_charts
from surveys.models import Response

pytestmark = pytest.mark.django_db

WARSAW = ZoneInfo("Europe/Warsaw")  # the portal's time zone
# A Wednesday; 90 days earlier is Thursday 18 December 2025, in the week of Monday the 15th.
NOW = dt.datetime(2026, 3, 18, 12, 0, tzinfo=WARSAW)
MONDAYS = [dt.date(2025, 12, 15) + dt.timedelta(weeks=n) for n in range(14)]  # to 16 March
SVG = "{http://www.w3.org/2000/svg}"
NBSP = "\N{NO-BREAK SPACE}"


def _answer(channel, when, *, csat=None, nps=None, ces=None, comment=""):
    return Response.objects.create(
        channel=channel, csat=csat, nps=nps, ces=ces, comment=comment, created_at=when
    )


@pytest.fixture
def answers(db):
    chat = ChannelFactory(code="chat", name="Chat", calendar=None)
    at = dt.datetime
    # The last 90 days start on Friday 19 December, local midnight (18 Dec 23:00 in UTC).
    _answer(chat, at(2025, 12, 18, 23, 30, tzinfo=WARSAW), csat=1, nps=0)  # before the period
    _answer(chat, at(2025, 12, 19, 0, 30, tzinfo=WARSAW), csat=3, nps=7, ces=2)  # week of 15 Dec
    _answer(chat, at(2026, 1, 5, 9, 0, tzinfo=WARSAW), csat=5, nps=10, ces=7)  # week of 5 Jan
    _answer(chat, at(2026, 1, 11, 23, 30, tzinfo=WARSAW), csat=2, nps=0)  # Sunday: still 5 Jan
    # Monday 00:30 in Warsaw is still Sunday in UTC: the week is the portal's, not UTC's.
    _answer(chat, at(2026, 3, 16, 0, 30, tzinfo=WARSAW), csat=4, nps=9, comment="Quick")
    _answer(chat, at(2026, 3, 18, 11, 0, tzinfo=WARSAW), ces=5)  # CES only
    return chat


@time_machine.travel(NOW, tick=False)
def test_the_trend_has_every_week_of_the_period_and_gaps_where_nobody_answered(answers):
    data = selectors.satisfaction_dashboard(reports.last_days(90))
    assert [week["week"] for week in data["trend"]] == MONDAYS
    by_week = {week["week"]: week for week in data["trend"]}
    assert by_week[dt.date(2025, 12, 15)] == {
        "week": dt.date(2025, 12, 15),
        "responses": 1,
        "csat_pct": 0.0,
        "nps": 0.0,
    }
    assert by_week[dt.date(2026, 1, 5)] == {
        "week": dt.date(2026, 1, 5),
        "responses": 2,
        "csat_pct": 50.0,
        "nps": 0.0,  # a promoter and a detractor
    }
    assert by_week[dt.date(2026, 3, 16)] == {
        "week": dt.date(2026, 3, 16),
        "responses": 2,
        "csat_pct": 100.0,
        "nps": 100.0,
    }
    empty = [week for week in data["trend"] if week["responses"] == 0]
    assert len(empty) == 11
    assert all(week["csat_pct"] is None and week["nps"] is None for week in empty)
    assert data["figures"] == {"responses": 5, "csat_pct": 50.0, "nps": 25.0, "ces_avg": 4.67}
    counts = {
        q: {r["score"]: r["count"] for r in rows} for q, rows in data["distributions"].items()
    }
    assert counts["csat"] == {1: 0, 2: 1, 3: 1, 4: 1, 5: 1}
    assert list(counts["nps"]) == list(range(11))
    assert {s: n for s, n in counts["nps"].items() if n} == {0: 1, 7: 1, 9: 1, 10: 1}
    assert counts["ces"] == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1, 6: 0, 7: 1}


@pytest.mark.parametrize(("days", "weeks"), [(7, 2), (30, 5), (90, 14)])
def test_a_period_has_one_slot_per_week_it_touches(db, days, weeks):
    trend = selectors.satisfaction_dashboard(reports.last_days(days, now=NOW))["trend"]
    assert len(trend) == weeks
    assert trend[-1]["week"] == dt.date(2026, 3, 16)
    assert all(b["week"] - a["week"] == dt.timedelta(weeks=1) for a, b in itertools.pairwise(trend))
    assert all(w["responses"] == 0 and w["csat_pct"] is w["nps"] is None for w in trend)


def test_week_starts_cover_a_year_in_53_weeks_at_most():
    weeks = selectors.week_starts(dt.date(2025, 3, 19), NOW.date())
    assert (weeks[0], weeks[-1], len(weeks)) == (dt.date(2025, 3, 17), dt.date(2026, 3, 16), 53)


@pytest.mark.parametrize(
    ("language", "label"), [("en", "05.01.2026"), ("ru", "05.01.2026"), ("pl", "05.01.2026")]
)
def test_week_labels_are_short_dates_in_the_active_language(answers, language, label):
    data = selectors.satisfaction_dashboard(reports.last_days(90, now=NOW))
    with translation.override(language):
        drawn = satisfaction_charts(data)
    assert data["trend"][3]["label"] == label  # the week of Monday 5 January
    for trend in drawn["trend_charts"]:
        root = ET.fromstring(str(trend["chart"]))  # noqa: S314 -- our own markup
        x_labels = [t.text for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "middle"]
        # 14 weeks, at most 8 labels: every other week, from the first.
        assert x_labels == [week["label"] for week in data["trend"]][::2]


def _svg(html: str, chart_id: str) -> ET.Element:
    match = re.search(
        rf'<svg [^>]*aria-labelledby="{chart_id}-title {chart_id}-desc".*?</svg>', html, re.S
    )
    assert match, chart_id
    return ET.fromstring(match[0])  # noqa: S314 -- our own markup


def _dots(root) -> list[tuple[float, float]]:
    return [
        (float(c.get("cx")), float(c.get("cy")))
        for c in root.findall(f"{SVG}circle")
        if "sla-chart__dot" in c.get("class")
    ]


@time_machine.travel(NOW, tick=False)
def test_dashboard_draws_the_trends_and_distributions_with_the_sla_charts(answers, manager_client):
    html = manager_client.get("/surveys/dashboard/").content.decode()
    assert "core/reports/charts.css" in html
    assert "style=" not in html and "<script>" not in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="sla-chart') == 5

    plot_left, plot_width = charts.LEFT, charts.WIDTH - charts.LEFT - charts.RIGHT
    foot, plot_height = charts.HEIGHT - charts.BOTTOM, charts.HEIGHT - charts.BOTTOM - charts.TOP
    centres = [round(plot_left + plot_width / 14 * (i + 0.5), 1) for i in range(14)]
    answered = [0, 3, 13]  # the weeks with CSAT and NPS answers

    csat = _svg(html, "satisfaction-csat-trend")
    assert csat.find(f"{SVG}title").text == "CSAT % by week"
    assert "gap" in csat.find(f"{SVG}desc").text
    ticks = [t.text for t in csat.findall(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["0%", "25%", "50%", "75%", "100%"]
    assert _dots(csat) == [
        (centres[0], foot),  # 0 %
        (centres[3], foot - plot_height / 2),  # 50 %
        (centres[13], charts.TOP),  # 100 %
    ]
    # Weeks apart with nothing between: dots, no line across the gap.
    assert csat.findall(f"{SVG}polyline") == []

    nps = _svg(html, "satisfaction-nps-trend")
    ticks = [t.text for t in nps.findall(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert ticks == ["-100", "-50", "0", "50", "100"]
    assert _dots(nps) == [
        (centres[0], foot - plot_height / 2),  # 0
        (centres[3], foot - plot_height / 2),  # 0
        (centres[13], charts.TOP),  # 100
    ]
    assert [cx for cx, _cy in _dots(nps)] == [centres[i] for i in answered]

    # The table alternative: the same 14 weeks, "—" where nobody answered.
    table = html[html.index('id="satisfaction-trend"') : html.index("</details>")]
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", table
    )
    assert [row[0] for row in rows] == [monday.strftime("%d.%m.%Y") for monday in MONDAYS]
    assert [row[1:] for row in rows if row[1] != "0"] == [
        ("1", "0.0", "0.0"),
        ("2", "50.0", "0.0"),
        ("2", "100.0", "100.0"),
    ]
    assert all(row[2:] == ("—", "—") for row in rows if row[1] == "0")
    assert '<th scope="col">CSAT&nbsp;%</th>' in table

    # The distributions: a bar per score, titled with its count; every score labelled.
    for question, scale, counts in (
        ("csat", range(1, 6), [0, 1, 1, 1, 1]),
        ("nps", range(11), [1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1]),
        ("ces", range(1, 8), [0, 1, 0, 0, 1, 0, 1]),
    ):
        root = _svg(html, f"satisfaction-{question}-answers")
        bars = [r for r in root.findall(f"{SVG}rect") if "sla-chart__bar" in r.get("class")]
        assert [bar.find(f"{SVG}title").text for bar in bars] == [
            f"{score}: {count}" for score, count in zip(scale, counts, strict=True)
        ]
        # A count axis has four whole steps, so it tops at 4: one answer is a quarter high.
        assert [float(bar.get("height")) for bar in bars] == [plot_height * n / 4 for n in counts]
        x_labels = [t.text for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "middle"]
        assert x_labels == [str(score) for score in scale]
        table = html[html.index(f'id="satisfaction-{question}-answers-table"') :]
        table = table[: table.index("</table>")]
        assert re.findall(r"<td>(\d+)</td>", table) == [str(s) for s in scale] + [
            str(n) for n in counts
        ]


@time_machine.travel(NOW, tick=False)
def test_percentages_keep_their_unit_on_the_same_line(answers, manager_client):
    html = manager_client.get("/surveys/dashboard/?period=7").content.decode()
    assert f'<div class="fs-4">100.0{NBSP}%</div>' in html  # CSAT
    assert f"CSAT 100.0{NBSP}%" in manager_client.get("/").content.decode()  # the card
    polish = manager_client.get("/surveys/dashboard/?period=7", HTTP_ACCEPT_LANGUAGE="pl")
    assert f'<div class="fs-4">100,0{NBSP}%</div>' in polish.content.decode()
    with translation.override("pl"):
        rendered = Template("{% load satisfaction %}{{ a|percent }} {{ b|percent }}").render(
            Context({"a": 66.67, "b": None})
        )
    assert rendered == f"66,67{NBSP}% —"


def test_dashboard_queries_do_not_grow_with_the_data(manager_client, django_assert_max_num_queries):
    chat = ChannelFactory(code="chat", name="Chat", calendar=None)
    manager_client.get("/surveys/dashboard/")  # warm the session
    # Session, user, role; the report's answers (with the distributions) and invitations by
    # week, comments, follow-ups.
    with django_assert_max_num_queries(7) as captured:
        manager_client.get("/surveys/dashboard/")
    before = len(captured.captured_queries)
    now = dt.datetime.now(dt.UTC)
    for day in range(0, 90, 3):
        _answer(chat, now - dt.timedelta(days=day), csat=day % 5 + 1, nps=day % 11, comment="x")
    with django_assert_max_num_queries(before):
        response = manager_client.get("/surveys/dashboard/")
    assert response.context["figures"]["responses"] == 30


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("period", [7, 30, 90])
def test_page_and_api_give_the_same_figures_at_local_day_boundaries(
    answers, manager_client, manager_api, period
):
    """The page is the report: for the same local dates in the portal's (non-UTC) time zone, the
    page and ``GET /api/v1/reports/satisfaction/`` count the same answers and invitations, even
    for those a few minutes either side of local midnight (another UTC date)."""
    from sla.tests.factories import make_contact
    from surveys.models import Invitation, Survey

    survey = Survey.objects.create(name="After contact")
    first = NOW.date() - dt.timedelta(days=period - 1)
    midnight = dt.datetime.combine(first, dt.time(0, 0), tzinfo=WARSAW)
    at = dt.timedelta
    # Either side of the period's first local midnight, and of today's end.
    for when, csat, nps in (
        (midnight - at(minutes=5), 1, 0),
        (midnight + at(minutes=5), 5, 10),
        (midnight + at(days=period) - at(minutes=5), 4, 3),  # not yet: today is 18 March 12:00
    ):
        if when <= NOW:
            _answer(answers, when, csat=csat, nps=nps)
    for minutes in (-3, 3):
        sent = midnight + at(minutes=minutes)
        contact = make_contact(channel=answers, opened_at=sent - at(hours=1))
        Invitation.objects.create(
            contact=contact,
            survey=survey,
            channel=answers,
            email="a@example.com",
            status=Invitation.Status.SENT,
            scheduled_for=sent,
            sent_at=sent,
            expires_at=sent + at(days=28),
        )
    page = manager_client.get(f"/surveys/dashboard/?period={period}").context
    api = manager_api.get(
        "/api/v1/reports/satisfaction/",
        {"from": first.isoformat(), "to": NOW.date().isoformat(), "group_by": "week"},
    ).json()
    assert api["tz"] == "Europe/Warsaw"
    total = api["total"]
    assert page["figures"] == {k: total[k] for k in ("responses", "csat_pct", "nps", "ces_avg")}
    assert (page["invitations_sent"], page["response_rate_pct"]) == (1, 0.0)
    assert page["invitations_sent"] == total["invitations_sent"]
    assert page["response_rate_pct"] == total["response_rate_pct"]
    weeks = {row["key"]: row for row in api["rows"]}
    for week in page["trend"]:
        row = weeks.get(week["week"].isoformat())
        expected = (row["responses"], row["csat_pct"], row["nps"]) if row else (0, None, None)
        assert (week["responses"], week["csat_pct"], week["nps"]) == expected
    # The answer five minutes after the first midnight counts, the one five minutes before not.
    first_week = page["trend"][0]
    assert first_week["responses"] >= 1
    assert sum(w["responses"] for w in page["trend"]) == total["responses"]
    in_period = Response.objects.filter(created_at__gte=midnight).count()
    assert total["responses"] == in_period
