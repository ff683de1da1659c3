"""The manager's satisfaction dashboard in a real browser, under the strict CSP: the figures,
the CSAT and NPS trends and the score distributions (SVG and their tables agree), the response
rate, the latest comments and the open follow-ups; switching the period; following the
follow-ups link to close one; and a phone-width screen. Screenshots:
var/screenshots/satisfaction-*.png."""

import datetime as dt
import itertools
import math
import re

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from channels_app.tests.factories import ChannelFactory
from core.reports import charts
from core.testing_browser import audit_accessibility, log_in, screenshot
from surveys import services
from surveys.models import FollowUp, Invitation, Survey
from surveys.tests.conftest import resolve

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
NBSP = "\N{NO-BREAK SPACE}"  # between a percentage and its unit: they never wrap apart

# Answers: days ago, CSAT, NPS, comment. None: sent 5 days ago and never answered.
ANSWERS = [
    (1, 5, 10, "Lovely chat, thank you"),  # promoter
    (2, 2, 3, "Waited far too long"),  # detractor, low: opens a follow-up
    (3, 4, 8, ""),  # passive
    (20, 3, 9, "Fine in the end"),  # promoter: in the 30 and 90 days
    (60, 1, 0, "Never again"),  # detractor, low (its follow-up was closed): only in 90 days
    None,
]


@pytest.fixture
def answered(transactional_db, manager, staff_user):
    chat = ChannelFactory(code="chat", name="Chat", calendar=None, owner=manager)
    survey = Survey.objects.create(name="After chat", send_delay_minutes=0)
    survey.channels.set([chat])
    for n in range(len(ANSWERS)):
        resolve(chat, email=f"customer{n}@example.com", agent=staff_user)
    # Sent at once (send delay 0: the task ran after the resolution committed).
    invitations = list(Invitation.objects.order_by("pk"))
    assert [i.status for i in invitations] == ["sent"] * len(ANSWERS)
    now = timezone.now()
    for invitation, answer in zip(invitations, ANSWERS, strict=True):
        days = answer[0] if answer else 5
        # History: sent an hour before the answer (the rate counts invitations sent in the period).
        Invitation.objects.filter(pk=invitation.pk).update(
            sent_at=now - dt.timedelta(days=days, hours=1)
        )
        if answer:
            _, csat, nps, comment = answer
            services.response_submit(
                invitation=invitation,
                csat=csat,
                nps=nps,
                comment=comment,
                now=now - dt.timedelta(days=days),
            )
    old = FollowUp.objects.get(response__comment="Never again")
    services.follow_up_close(follow_up=old, outcome="Called back", user=manager)
    assert FollowUp.objects.open().get().response.comment == "Waited far too long"
    return chat


def _figures(page) -> dict[str, str]:
    """The figure cards: label -> value."""
    return page.locator("#satisfaction-figures").evaluate(
        """box => Object.fromEntries([...box.querySelectorAll(".card-body")].map(
             card => [card.children[0].textContent.trim(), card.children[1].textContent.trim()]))"""
    )


def _trend(page) -> list[list[str]]:
    """The trend's table alternative: week, responses, CSAT %, NPS per row."""
    return page.locator("#satisfaction-trend table").evaluate(
        """table => [...table.querySelectorAll("tbody tr")].map(
             row => [...row.children].map(cell => cell.textContent.trim()))"""
    )


def _weeks(days: int) -> list[str]:
    """The Mondays of every week the last ``days`` local days (today included) touch, as the
    page labels them."""
    today = timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    first -= dt.timedelta(days=first.weekday())
    mondays = []
    while first <= today:
        mondays.append(first)
        first += dt.timedelta(weeks=1)
    with translation.override("en"):
        return [formats.date_format(monday, "SHORT_DATE_FORMAT") for monday in mondays]


def _chart(page, chart_id):
    return page.locator(f'svg[aria-labelledby="{chart_id}-title {chart_id}-desc"]')


def _drawn(page, chart_id) -> dict:
    """Everything a chart draws, read back from its SVG."""
    return _chart(page, chart_id).evaluate(
        """svg => {
             const num = (el, name) => parseFloat(el.getAttribute(name));
             const texts = anchor => [...svg.querySelectorAll(
               `text.sla-chart__tick[text-anchor=${anchor}]`)];
             return {
               title: svg.querySelector("title").textContent,
               yTicks: texts("end").map(t => [parseFloat(t.textContent), num(t, "y") - 3]),
               xLabels: texts("middle").map(t => [t.textContent, num(t, "x")]),
               xBoxes: texts("middle").map(t => {
                 const box = t.getBoundingClientRect();
                 return [box.left, box.right, box.height];
               }),
               dots: [...svg.querySelectorAll("circle.sla-chart__dot")].map(
                 c => [num(c, "cx"), num(c, "cy")]),
               lines: [...svg.querySelectorAll("polyline.sla-chart__line")].map(
                 l => l.getAttribute("points").trim().split(/\\s+/).map(
                   p => p.split(",").map(parseFloat))),
               bars: [...svg.querySelectorAll("rect.sla-chart__bar")].map(
                 b => [b.querySelector("title").textContent, num(b, "height")]),
             };
           }"""
    )


def _centres(slots: int) -> list[float]:
    step = (charts.WIDTH - charts.LEFT - charts.RIGHT) / slots
    return [charts.LEFT + step * (i + 0.5) for i in range(slots)]


def _assert_labels_fit(drawn):
    """The x labels are readable: none overlaps the next one."""
    boxes = drawn["xBoxes"]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(boxes)), boxes


def _assert_line_matches(drawn, weeks: list[str], values: list[float | None]):
    """A line chart draws one slot per week, labelled with the week; a dot at each value (read
    back through the y axis), none where the value is None; lines that join exactly the runs
    of consecutive weeks with a value."""
    centres = _centres(len(weeks))
    every = math.ceil(len(weeks) / charts.MAX_X_LABELS)
    assert [label for label, _x in drawn["xLabels"]] == weeks[::every]
    assert [x for _label, x in drawn["xLabels"]] == pytest.approx(centres[::every], abs=0.05)
    (bottom, y_bottom), *_, (top, y_top) = drawn["yTicks"]
    at = {}  # week slot -> the dot drawn in it
    for cx, cy in drawn["dots"]:
        slot = min(range(len(centres)), key=lambda i, cx=cx: abs(centres[i] - cx))
        assert cx == pytest.approx(centres[slot], abs=0.05)
        assert slot not in at, f"two dots in week {weeks[slot]}"
        at[slot] = [cx, cy]
    shown = [
        bottom + (y_bottom - at[i][1]) / (y_bottom - y_top) * (top - bottom) if i in at else None
        for i in range(len(weeks))
    ]
    assert [v is None for v in shown] == [v is None for v in values]
    assert [v for v in shown if v is not None] == pytest.approx(
        [v for v in values if v is not None], abs=0.1
    )
    runs, run = [], []
    for i, value in enumerate([*values, None]):
        if value is not None:
            run.append(i)
            continue
        if len(run) > 1:
            runs.append(run)
        run = []
    assert drawn["lines"] == [[at[i] for i in run] for run in runs]


def _check_trend(page, days: int) -> list[list[str]]:
    """The trend table has every week of the period, "—" for a week without answers; both
    charts draw exactly what it says."""
    trend = _trend(page)
    weeks = _weeks(days)
    assert [row[0] for row in trend] == weeks
    for row in trend:
        assert (row[2] == "—") == (row[3] == "—") == (row[1] == "0"), row
    csat = [None if row[2] == "—" else float(row[2]) for row in trend]
    nps = [None if row[3] == "—" else float(row[3]) for row in trend]
    drawn = _drawn(page, "satisfaction-csat-trend")
    assert drawn["title"] == "CSAT % by week"
    assert [tick for tick, _y in drawn["yTicks"]] == [0, 25, 50, 75, 100]
    _assert_line_matches(drawn, weeks, csat)
    _assert_labels_fit(drawn)
    drawn = _drawn(page, "satisfaction-nps-trend")
    assert drawn["title"] == "NPS by week"
    assert [tick for tick, _y in drawn["yTicks"]] == [-100, -50, 0, 50, 100]
    _assert_line_matches(drawn, weeks, nps)
    _assert_labels_fit(drawn)
    return trend


def _distribution(page, question) -> tuple[list[tuple[str, float]], dict[str, str]]:
    """What the bars draw (score, count from the bar's title) and what the table says (score:
    count); the bars' heights are their counts on the y axis, every score is labelled."""
    drawn = _drawn(page, f"satisfaction-{question}-answers")
    table = page.locator(f"#satisfaction-{question}-answers-table")
    scores = table.locator("tr").nth(0).locator("td").all_text_contents()
    counts = table.locator("tr").nth(1).locator("td").all_text_contents()
    bars = [
        (title.rsplit(": ", 1)[0], float(title.rsplit(": ", 1)[1])) for title, _ in drawn["bars"]
    ]
    assert [label for label, _x in drawn["xLabels"]] == scores
    assert [score for score, _n in bars] == scores
    (bottom, y_bottom), *_, (top, y_top) = drawn["yTicks"]
    assert bottom == 0
    assert [height for _t, height in drawn["bars"]] == pytest.approx(
        [(y_bottom - y_top) * n / top for _s, n in bars], abs=0.05
    )
    _assert_labels_fit(drawn)
    return bars, dict(zip(scores, counts, strict=True))


def _comments(page) -> list[str]:
    return [
        text.strip()
        for text in page.locator("main .survey-comment-cell").all_text_contents()
        if text.strip()
    ]


def _fits(page):
    widths = page.evaluate(
        """() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})"""
    )
    assert widths["page"] <= widths["screen"], widths


def test_manager_reads_the_satisfaction_dashboard_and_closes_a_follow_up(
    answered, live_server, browser
):
    url = live_server.url
    context, page, problems = log_in(browser, live_server.url, "manager", viewport=DESK)
    expect(page.locator("#satisfaction-card")).to_contain_text("1 open follow-up")
    page.locator("#satisfaction-card").get_by_role("link", name="Satisfaction dashboard").click()
    page.wait_for_url(f"{url}/surveys/dashboard/")

    # --- The default period: the last 90 days ----------------------------------------------
    expect(page.locator("main")).to_contain_text("Last 90 days.")
    expect(page.locator("#satisfaction-period a[aria-current=page]")).to_have_text("Last 90 days")
    assert _figures(page) == {
        "Responses": "5",
        "CSAT": f"40.0{NBSP}%",  # 5 and 4 of five answers
        "NPS": "0.0",  # two promoters, two detractors
        "CES": "—",
        "Invitations sent": "6",
        "Response rate": f"83.33{NBSP}%",
    }
    # The trends: a slot per week of the 90 days, a dot per week with answers, the values
    # and weeks the table gives; gaps (no line) across weeks without answers.
    trend = _check_trend(page, 90)
    assert sum(int(row[1]) for row in trend) == 5
    assert len([row for row in trend if row[1] != "0"]) >= 3  # 60, 20 and 1–3 days ago
    # The distributions: a bar per score, as tall as its count, the counts the table gives.
    bars, table = _distribution(page, "csat")
    assert table == {"1": "1", "2": "1", "3": "1", "4": "1", "5": "1"}
    assert bars == [(str(score), 1.0) for score in range(1, 6)]
    bars, table = _distribution(page, "nps")
    assert [score for score, _ in bars] == [str(score) for score in range(11)]
    answered_scores = ["0", "3", "8", "9", "10"]  # one answer each, the rest none
    assert table == {
        str(score): "1" if str(score) in answered_scores else "0" for score in range(11)
    }
    assert {score: n for score, n in bars if n} == dict.fromkeys(answered_scores, 1.0)
    assert {score: str(int(n)) for score, n in bars} == table
    bars, table = _distribution(page, "ces")  # nobody was asked: seven empty scores
    assert table == {str(score): "0" for score in range(1, 8)}
    assert bars == [(str(score), 0.0) for score in range(1, 8)]
    assert _comments(page) == [
        "Lovely chat, thank you",
        "Waited far too long",
        "Fine in the end",
        "Never again",
    ]
    follow_ups = page.locator("#open-follow-ups li")
    expect(follow_ups).to_have_count(1)
    expect(follow_ups).to_contain_text("Chat")
    expect(follow_ups).to_contain_text("Maria Manager")
    screenshot(page, "satisfaction-01-dashboard-90-days.png")

    # --- The last 7 days ------------------------------------------------------------------
    page.locator("#satisfaction-period").get_by_role("link", name="Last 7 days").click()
    page.wait_for_url(re.compile(r"/surveys/dashboard/\?period=7$"))
    expect(page.locator("main")).to_contain_text("Last 7 days.")
    expect(page.locator("#satisfaction-period a[aria-current=page]")).to_have_text("Last 7 days")
    assert _figures(page) == {
        "Responses": "3",
        "CSAT": f"66.67{NBSP}%",
        "NPS": "0.0",
        "CES": "—",
        "Invitations sent": "4",  # three answered and the unanswered one
        "Response rate": f"75.0{NBSP}%",
    }
    assert sum(int(row[1]) for row in _check_trend(page, 7)) == 3
    bars, table = _distribution(page, "csat")
    assert table == {"1": "0", "2": "1", "3": "0", "4": "1", "5": "1"}
    assert {score: str(int(n)) for score, n in bars} == table
    assert _comments(page) == ["Lovely chat, thank you", "Waited far too long"]
    # Follow-ups are what is open now, whatever the period.
    expect(follow_ups).to_have_count(1)
    screenshot(page, "satisfaction-02-dashboard-7-days.png")

    # --- The last 30 days -----------------------------------------------------------------
    page.locator("#satisfaction-period").get_by_role("link", name="Last 30 days").click()
    page.wait_for_url(re.compile(r"/surveys/dashboard/\?period=30$"))
    figures = _figures(page)
    assert (figures["Responses"], figures["CSAT"], figures["NPS"]) == ("4", f"50.0{NBSP}%", "25.0")
    assert (figures["Invitations sent"], figures["Response rate"]) == ("5", f"80.0{NBSP}%")
    assert sum(int(row[1]) for row in _check_trend(page, 30)) == 4
    assert "Never again" not in _comments(page)
    audit_accessibility(page)

    # --- A period the page does not offer: a clear message, not a 500 ----------------------
    response = page.goto(f"{url}/surveys/dashboard/?period=12")
    assert response.status == 200
    expect(page.locator("#satisfaction-period [role=alert]")).to_be_visible()
    expect(page.locator("#satisfaction-period [role=alert]")).to_contain_text("90 days")
    assert _figures(page)["Responses"] == "5"
    audit_accessibility(page)

    # --- The follow-ups link: close the open one, and the dashboard has none left ----------
    page.goto(f"{url}/surveys/dashboard/?period=7")
    page.get_by_role("link", name="All follow-ups").click()
    page.wait_for_url(f"{url}/surveys/follow-ups/")
    card = page.locator(".survey-follow-up")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Waited far too long")
    expect(card).to_contain_text("CSAT 2")
    screenshot(page, "satisfaction-03-follow-ups.png")
    card.locator("summary").click()  # the close form folds away in its row
    card.get_by_label("Outcome").fill("Apologised and sent a voucher")
    card.get_by_role("button", name="Record outcome and close").click()
    expect(page.locator(".alert-success")).to_contain_text("Follow-up closed.")
    expect(page.locator(".survey-follow-up")).to_have_count(0)
    page.goto(f"{url}/surveys/dashboard/")
    expect(follow_ups).to_have_count(1)
    expect(follow_ups).to_have_text("None.")
    context.close()
    problems.assert_none(url)
    assert FollowUp.objects.open().count() == 0
    assert FollowUp.objects.get(outcome="Apologised and sent a voucher").closed_by.username == (
        "manager"
    )

    # --- On a phone: the charts scale, tables scroll inside themselves ---------------------
    context, page, problems = log_in(browser, live_server.url, "manager", viewport=PHONE)
    page.goto(f"{url}/surveys/dashboard/?period=90")
    expect(page.locator("svg.sla-chart")).to_have_count(5)
    _fits(page)
    # Readable on the phone: the charts' labels are drawn at least 7 px tall and none overlap.
    _check_trend(page, 90)
    for question in ("csat", "nps", "ces"):
        _distribution(page, question)
        heights = [box[2] for box in _drawn(page, f"satisfaction-{question}-answers")["xBoxes"]]
        assert min(heights) >= 7, heights
    screenshot(page, "satisfaction-04-dashboard-phone.png")
    context.close()
    problems.assert_none(url)
