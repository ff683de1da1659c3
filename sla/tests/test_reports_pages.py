"""The manager's SLA dashboard, its CSV, the "My service" section and the SVG charts."""

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.urls import reverse

from core.reports import charts
from core.reports.period import trend_grain
from sla.models import Contact
from sla.tests.conftest import warsaw
from sla.tests.test_reports_api import (  # noqa: F401 -- march is a fixture
    EXPECTED_BY_CHANNEL,
    EXPECTED_TOTAL,
    URL,
    _contact,
    march,
)

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
CUSTOM_MARCH = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    """Every request computes its figures, unless a test turns the cache on."""
    settings.SLA_REPORT_DASHBOARD_CACHE_SECONDS = 0


# --- charts (no database) ---------------------------------------------------------------------


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (230, 250)])
def test_nice_axis_top(value, top):
    assert charts.nice_max(value) == top


@pytest.mark.parametrize(
    ("value", "top"),
    [(0, 4), (1, 4), (4, 4), (5, 8), (7, 8), (12, 12), (13, 16), (41, 48), (230, 240), (999, 1000)],
)
def test_count_axis_top_has_whole_ticks(value, top):
    assert charts.count_max(value) == top
    assert top >= value and top % 4 == 0


def test_bar_chart_ticks_are_counts():
    svg = charts.bar_chart(
        chart_id="b", title="Breaches", desc="Per day", labels=["a", "b"], series=[("x", [1, 2])]
    )
    ticks = [t.split(">")[-1] for t in svg.split("</text>") if "sla-chart__tick" in t]
    assert ticks[:5] == ["0", "1", "2", "3", "4"]


def test_line_chart_is_accessible_svg_without_inline_style():
    svg = charts.line_chart(
        chart_id="c1",
        title="Compliance <chat>",
        desc="Per day",
        labels=["2026-03-01", "2026-03-02", "2026-03-03"],
        series=[("First response", [100.0, None, 50.0]), ("Resolution", [80.0, 60.0, 40.0])],
        y_max=100,
        suffix="%",
    )
    root = ET.fromstring(  # noqa: S314 -- our own markup
        str(svg)
    )
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Compliance <chat>"  # escaped in the markup
    assert root.find(f"{SVG}desc").text == "Per day"
    assert "style=" not in str(svg) and "<script" not in str(svg)
    lines = root.findall(f"{SVG}polyline")
    # The gap splits the first series: only the second one has a line of 3 points.
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 3
    assert len(root.findall(f"{SVG}circle")) == 5
    # 100 % sits on the top of the plot (y = 28), 50 % half-way down.
    ys = sorted({float(c.get("cy")) for c in root.findall(f"{SVG}circle")})
    assert ys[0] == charts.TOP


def test_bar_chart_heights_are_proportional():
    svg = charts.bar_chart(
        chart_id="b1", title="Breaches", desc="d", labels=["a", "b"], series=[("x", [2, 4])]
    )
    bars = ET.fromstring(  # noqa: S314 -- our own markup
        str(svg)
    ).findall(f"{SVG}rect")
    heights = [float(b.get("height")) for b in bars if "sla-chart__bar" in b.get("class")]
    plot_height = charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert heights == [plot_height * 2 / 4, plot_height * 4 / 4]  # axis top 4: whole ticks


def test_histogram_of_nothing_still_draws():
    svg = charts.bar_chart(
        chart_id="h",
        title="t",
        desc="d",
        labels=["0–5", "5+"],
        series=[("n", [0, 0])],
        histogram=True,
    )
    assert "sla-chart--histogram" in svg


def _ticks(root) -> list[tuple[str, float]]:
    """The y axis: (label, y) from the foot of the plot up."""
    return [
        (t.text, float(t.get("y")) - 3)
        for t in root.findall(f"{SVG}text")
        if t.get("text-anchor") == "end"
    ]


def _dots(root) -> list[tuple[float, float]]:
    return [(float(c.get("cx")), float(c.get("cy"))) for c in root.findall(f"{SVG}circle")]


def test_marker_labels_stay_inside_the_chart():
    """A version published near the end of the period is labelled leftwards of its line; a
    label written rightwards from there ran off the chart ("v4 publ..." cut at the edge)."""
    svg = charts.line_chart(
        chart_id="m",
        title="t",
        desc="d",
        labels=[str(i) for i in range(30)],
        series=[("A", [50.0] * 30)],
        y_max=100,
        markers=[(1, "v1 published 2 Nov"), (29, "v2 published 30 Nov")],
    )
    root = ET.fromstring(str(svg))  # noqa: S314 -- our own markup
    labels = root.findall(f"{SVG}text[@class='sla-chart__marker-label']")
    lines = root.findall(f"{SVG}line[@class='sla-chart__marker']")
    assert [t.text for t in labels] == ["v1 published 2 Nov", "v2 published 30 Nov"]
    early, late = (float(line.get("x1")) for line in lines)
    assert labels[0].get("text-anchor") is None and float(labels[0].get("x")) > early
    assert labels[1].get("text-anchor") == "end" and float(labels[1].get("x")) < late


def test_line_chart_y_axis_may_start_below_zero():
    svg = charts.line_chart(
        chart_id="nps",
        title="NPS",
        desc="d",
        labels=["a", "b", "c", "d", "e", "f"],
        series=[("NPS", [-100, -50, 0, 100, None, 25.5])],
        y_min=-100,
        y_max=100,
    )
    root = ET.fromstring(str(svg))  # noqa: S314 -- our own markup
    foot = charts.HEIGHT - charts.BOTTOM
    plot_height = foot - charts.TOP
    assert _ticks(root) == [
        ("-100", foot),
        ("-50", foot - plot_height / 4),
        ("0", foot - plot_height / 2),
        ("50", foot - plot_height * 3 / 4),
        ("100", charts.TOP),
    ]
    ys = [y for _x, y in _dots(root)]
    # 25.5 lies 125.5 of 200 above the foot (drawn to a tenth of a unit).
    y_25 = round(foot - plot_height * 125.5 / 200, 1)
    assert ys == [foot, foot - plot_height / 4, foot - plot_height / 2, charts.TOP, y_25]
    # The gap splits the line: four points, then the lone last one (a dot, no line).
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [4]


def test_line_chart_clamps_values_outside_y_min_and_y_max():
    svg = charts.line_chart(
        chart_id="c",
        title="t",
        desc="d",
        labels=["a", "b", "c"],
        series=[("s", [-130, 0, 170])],
        y_min=-100,
        y_max=100,
    )
    ys = [y for _x, y in _dots(ET.fromstring(str(svg)))]  # noqa: S314 -- our own markup
    assert ys == [
        charts.HEIGHT - charts.BOTTOM,
        (charts.HEIGHT - charts.BOTTOM + charts.TOP) / 2,
        charts.TOP,
    ]


def test_line_chart_with_y_min_and_no_y_max_rounds_the_span():
    svg = charts.line_chart(
        chart_id="c",
        title="t",
        desc="d",
        labels=["a", "b"],
        series=[("s", [-20, 30])],
        y_min=-100,
    )
    root = ET.fromstring(str(svg))  # noqa: S314 -- our own markup
    # The values span 130 above -100: the axis spans a round 200, up to 100.
    assert [label for label, _y in _ticks(root)] == ["-100", "-50", "0", "50", "100"]
    empty = charts.line_chart(
        chart_id="e", title="t", desc="d", labels=["a"], series=[("s", [None])], y_min=-10
    )
    assert [label for label, _y in _ticks(ET.fromstring(str(empty)))] == [  # noqa: S314
        "-10",
        "-9.8",
        "-9.5",
        "-9.2",
        "-9",
    ]


def test_line_chart_y_min_zero_is_the_default():
    kwargs = {
        "chart_id": "c",
        "title": "t",
        "desc": "d",
        "labels": ["a", "b", "c"],
        "series": [("s", [12.5, None, 80.0]), ("u", [3, 4, 5])],
        "suffix": "%",
    }
    assert charts.line_chart(**kwargs) == charts.line_chart(**kwargs, y_min=0)
    assert charts.line_chart(**kwargs, y_max=100) == charts.line_chart(**kwargs, y_max=100, y_min=0)
    ticks = _ticks(ET.fromstring(str(charts.line_chart(**kwargs))))  # noqa: S314
    assert [label for label, _y in ticks] == ["0%", "25%", "50%", "75%", "100%"]


def test_line_chart_refuses_y_max_not_above_y_min():
    with pytest.raises(ValueError, match="y_min"):
        charts.line_chart(
            chart_id="c", title="t", desc="d", labels=["a"], series=[("s", [1])], y_min=5, y_max=5
        )


def test_bar_chart_may_label_every_slot():
    def x_labels(svg):
        root = ET.fromstring(str(svg))  # noqa: S314 -- our own markup
        return [t.text for t in root.findall(f"{SVG}text") if t.get("text-anchor") == "middle"]

    scores = [str(score) for score in range(11)]
    kwargs = {"chart_id": "s", "title": "t", "desc": "d", "labels": scores}
    counts = [("n", [1] * 11)]
    assert x_labels(charts.bar_chart(**kwargs, series=counts)) == scores[::2]
    assert x_labels(charts.bar_chart(**kwargs, series=counts, max_x_labels=11)) == scores


@pytest.mark.parametrize(
    ("days", "grain"), [(1, "day"), (31, "day"), (32, "week"), (120, "week"), (121, "month")]
)
def test_trend_grain(days, grain):
    start = dt.date(2026, 1, 1)
    assert trend_grain(start, start + dt.timedelta(days=days - 1)) == grain


# --- manager dashboard ------------------------------------------------------------------------


@pytest.mark.usefixtures("march")
def test_dashboard_numbers_are_the_apis(manager_client, manager_api):
    response = manager_client.get(reverse("sla:report-dashboard"), CUSTOM_MARCH)
    assert response.status_code == 200
    report = response.context["report"]
    api = manager_api.get(URL, {"from": "2026-03-01", "to": "2026-03-31"}).json()
    assert api["tz"] == report["tz"]
    assert [s.summary for s in report["sections"]] == api["rows"] == EXPECTED_BY_CHANNEL
    assert report["total"] == api["total"] == EXPECTED_TOTAL
    assert report["grain"] == "day"
    for section in report["sections"]:
        per_day = manager_api.get(
            URL,
            {"from": "2026-03-01", "to": "2026-03-31", "channel": section.code, "group_by": "day"},
        ).json()
        shown = [row for row in section.trend if row["contacts"]]
        assert shown == per_day["rows"]
        assert len(section.trend) == 31  # empty days are drawn too


def test_dashboard_page_shows_charts_tables_and_links(march, manager_client):  # noqa: F811
    # Open and needing attention: chat3 (first response breached; resolution now at risk)
    # and chat4 (resolution breached).
    chat3, chat4 = march["chat3"], march["chat4"]
    Contact.objects.filter(pk=chat3.pk).update(resolution_state="at_risk")
    page = manager_client.get(reverse("sla:report-dashboard"), CUSTOM_MARCH).content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="sla-chart') == 6
    assert "style=" not in page and "<script>" not in page
    assert "core/reports/charts.css" in page
    summary = page[
        page.index('id="report-summary"') : page.index(
            "</table>", page.index('id="report-summary"')
        )
    ]
    assert re.search(r"Chat.*?<td[^>]*>4</td>\s*<td[^>]*>75.0\u00a0%</td>", summary, re.S)
    # The contacts list filters by the channel's id (its select's values), not by its code.
    chat_id = chat3.channel_id
    assert f"/sla/contacts/?channel={chat_id}&amp;first_response_state=at_risk" in page
    assert f"/sla/contacts/?channel={chat_id}&amp;resolution_state=breached" in page
    for contact in (chat3, chat4):
        assert f'href="/sla/contacts/{contact.pk}/">{contact.external_id}</a>' in page
    assert f'href="/sla/contacts/{march["chat1"].pk}/"' not in page
    assert "1 first response breached" in page and "1 resolution at risk" in page
    assert "0 first responses at risk" in page
    assert '<details class="mt-2">' in page  # table alternative


@pytest.mark.usefixtures("march")
def test_dashboard_queries_do_not_grow_with_the_data(
    chat, manager_client, django_assert_max_num_queries
):
    url = reverse("sla:report-dashboard")
    manager_client.get(url, CUSTOM_MARCH)  # warm the session
    with django_assert_max_num_queries(12) as captured:
        manager_client.get(url, CUSTOM_MARCH)
    before = len(captured.captured_queries)
    for day in range(1, 29):
        _contact(chat, warsaw(2026, 3, day, 12, 0), fr=(day * 10, "breached"))
    with django_assert_max_num_queries(before):
        manager_client.get(url, CUSTOM_MARCH)


@time_machine.travel(dt.datetime(2026, 4, 10, 12, 0, tzinfo=dt.UTC), tick=False)
@pytest.mark.parametrize(("period", "grain", "slots"), [("7", "day", 7), ("90", "week", 14)])
def test_preset_periods_end_today(db, manager_client, period, grain, slots, chat):
    _contact(chat, warsaw(2026, 4, 9, 12, 0), fr=(5, "met"))
    report = manager_client.get(reverse("sla:report-dashboard"), {"period": period}).context[
        "report"
    ]
    assert report["end"] == dt.date(2026, 4, 10)
    assert (report["end"] - report["start"]).days == int(period) - 1
    assert report["grain"] == grain
    assert len(report["slots"]) == slots


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param(
            {"period": "custom", "from": "2026-03-31", "to": "2026-03-01"},
            "from",
            id="from_after_to",
        ),
        pytest.param(
            {"period": "custom", "from": "2025-01-01", "to": "2026-01-03"}, "to", id="too_long"
        ),
        pytest.param({"period": "custom", "to": "2026-01-03"}, "from", id="from_missing"),
        pytest.param(
            {"period": "custom", "from": "2026-13-01", "to": "2026-01-03"}, "from", id="malformed"
        ),
        pytest.param(
            {"period": "custom", "from": "0001-01-01", "to": "0001-01-03"},
            "from",
            id="out_of_range",
        ),
        pytest.param({"period": "12"}, "period", id="unknown_period"),
    ],
)
def test_bad_period_shows_the_error_not_a_500(db, manager_client, params, field):
    response = manager_client.get(reverse("sla:report-dashboard"), params)
    assert response.status_code == 200
    assert response.context["report"] is None
    assert field in response.context["form"].errors
    assert "invalid-feedback" in response.content.decode() or field == "period"
    csv_response = manager_client.get(reverse("sla:report-dashboard-csv"), params)
    assert csv_response.status_code == 400


def test_dashboard_is_for_managers(db, staff_client):
    assert staff_client.get(reverse("sla:report-dashboard")).status_code == 403
    assert staff_client.get(reverse("sla:report-dashboard-csv")).status_code == 403


def test_dashboard_without_data_says_so(db, manager_client):
    page = manager_client.get(reverse("sla:report-dashboard"), CUSTOM_MARCH).content.decode()
    assert 'id="report-empty"' in page


@pytest.mark.usefixtures("march")
def test_dashboard_csv_holds_what_is_shown(manager_client):
    response = manager_client.get(reverse("sla:report-dashboard-csv"), CUSTOM_MARCH)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="sla-dashboard-2026-03-01-2026-03-31.csv"'
    )
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:4] == ["section", "channel", "key", "contacts"]
    summary = [line for line in lines if line[0] == "summary"]
    assert [(line[1], line[3], line[6]) for line in summary] == [
        ("always", "3", "50.0"),
        ("chat", "4", "75.0"),
    ]
    trend = [line for line in lines if line[0] == "trend_day"]
    assert len(trend) == 2 * 31
    distribution = {
        (line[1], line[2]): line[3] for line in lines if line[0] == "first_response_distribution"
    }
    # chat FR 10 20 30 40; always FR 5 100.
    assert distribution[("chat", "5–15")] == "1"
    assert distribution[("chat", "15–30")] == "1"
    assert distribution[("chat", "30–60")] == "2"
    assert distribution[("always", "5–15")] == "1"
    assert distribution[("always", "60–120")] == "1"
    assert lines[-1][:4] == ["total", "", "", "7"]


# --- "My service" -----------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC), tick=False)
def test_my_service_shows_own_figures_next_to_the_team(
    chat, chat_policy, staff_user, agent2, staff_client, django_assert_max_num_queries
):
    _contact(chat, warsaw(2026, 3, 10, 10, 0), agent=staff_user, fr=(10, "met"), res=(60, "met"))
    _contact(chat, warsaw(2026, 3, 11, 10, 0), agent=staff_user, fr=(30, "breached"))
    _contact(chat, warsaw(2026, 3, 12, 10, 0), agent=agent2, fr=(50, "met"), res=(90, "breached"))
    _contact(chat, warsaw(2026, 1, 5, 10, 0), agent=staff_user, fr=(999, "breached"))  # too old
    # The whole page, with the standards-to-acknowledge, surveys and evaluations sections beside
    # this one: a fixed number whatever the contacts.
    with django_assert_max_num_queries(11):
        page = staff_client.get(reverse("my-service")).content.decode()
    assert re.search(r'id="sla-my-fr-pct">50.0\u00a0%<', page)
    assert re.search(r'id="sla-my-res-pct">100.0\u00a0%<', page)
    assert re.search(r'id="sla-my-fr-median">20.0<', page)
    assert re.search(r'id="sla-my-breaches">1<', page)
    # The team: FR 10 30 50, 2 of 3 met; 2 breaches.
    assert "66.67\u00a0%" in page and "30.0" in page
    assert 'aria-labelledby="my-service-trend-title my-service-trend-desc"' in page


@time_machine.travel(dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC), tick=False)
def test_my_service_without_contacts_is_friendly(db, staff_client):
    page = staff_client.get(reverse("my-service")).content.decode()
    assert 'id="sla-my-service-empty"' in page
    assert "<svg" not in page


def test_my_service_has_no_sla_section_for_managers(manager_client):
    page = manager_client.get(reverse("my-service")).content.decode()
    assert 'id="sla-my-service"' not in page


def test_navigation_links_managers_to_the_dashboard(manager_client):
    url = reverse("sla:report-dashboard")
    assert f'href="{url}"' in manager_client.get(reverse("dashboard")).content.decode()


@pytest.mark.usefixtures("march")
def test_dashboard_figures_are_shared_for_a_minute(
    manager_client, settings, django_assert_max_num_queries
):
    settings.SLA_REPORT_DASHBOARD_CACHE_SECONDS = 60
    url = reverse("sla:report-dashboard")
    first = manager_client.get(url, CUSTOM_MARCH)
    # Session, user, roles and the agent picker's names: no report query.
    with django_assert_max_num_queries(4):
        second = manager_client.get(url, CUSTOM_MARCH)
    assert second.context["report"]["total"] == first.context["report"]["total"]
    shown = [(s.summary, s.charts["compliance"]) for s in second.context["report"]["sections"]]
    assert shown == [
        (s.summary, s.charts["compliance"]) for s in first.context["report"]["sections"]
    ]


def test_attention_counts_are_capped_and_the_list_keeps_the_oldest(
    chat, manager_client, monkeypatch
):
    from sla.reports import dashboard

    opened = [warsaw(2026, 3, day, 9, 0) for day in (5, 3, 4, 2)]
    made = [_contact(chat, at, fr=(99, "breached"), res=(None, "at_risk")) for at in opened]
    _contact(chat, warsaw(2026, 3, 1, 9, 0), fr=(5, "met"), res=(9, "met"))  # needs nothing
    Contact.objects.filter(pk=made[1].pk).update(
        status=Contact.Status.RESOLVED, resolved_at=warsaw(2026, 3, 6, 9, 0)
    )
    monkeypatch.setattr(dashboard, "ATTENTION_COUNT_CAP", 2)
    counts = dashboard.attention_counts()[chat.code]
    # Three need attention (the resolved one does not): each count stops one past the cap.
    assert counts == {
        "first_response_at_risk": 0,
        "first_response_breached": 3,
        "resolution_at_risk": 3,
        "resolution_breached": 0,
    }
    monkeypatch.setattr(dashboard, "ATTENTION_COUNT_CAP", 3)
    assert dashboard.attention_counts()[chat.code]["first_response_breached"] == 3
    oldest = dashboard.attention_contacts(per_channel=2)[chat.code]
    assert [c.pk for c in oldest] == [made[3].pk, made[2].pk]  # 2 and 4 March; 3rd resolved
    monkeypatch.setattr(dashboard, "ATTENTION_COUNT_CAP", 2)
    page = manager_client.get(reverse("sla:report-dashboard"), CUSTOM_MARCH).content.decode()
    assert "more than 2 first responses breached" in page
    assert "more than 2 resolutions at risk" in page
    assert "0 first responses at risk" in page
