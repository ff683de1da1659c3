"""The manager's satisfaction dashboard in a real browser, under the strict CSP: the figures,
the CSAT and NPS trends and the score distributions (SVG and their tables agree), the response
rate, the latest comments and the open follow-ups; switching the period; following the
follow-ups link to close one; and a phone-width screen. Screenshots:
var/screenshots/satisfaction-*.png."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from channels_app.tests.factories import ChannelFactory
from portal.testing import PageProblems, screenshot
from surveys import services
from surveys.models import FollowUp, Invitation, Survey
from surveys.tests.conftest import resolve

pytestmark = [pytest.mark.browser]

PASSWORD = "correct-horse-battery"  # conftest.make_user
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}

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


def _log_in(browser, live_server, username, viewport):
    context = browser.new_context(locale="en-GB", viewport=viewport)
    page = context.new_page()
    problems = PageProblems(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page, problems


def _figures(page) -> dict[str, str]:
    """The figure cards: label -> value."""
    return page.locator("#satisfaction-figures").evaluate(
        """box => Object.fromEntries([...box.querySelectorAll(".card-body")].map(
             card => [card.children[0].textContent.trim(), card.children[1].textContent.trim()]))"""
    )


def _trend(page) -> list[list[str]]:
    return page.locator("main details table").evaluate(
        """table => [...table.querySelectorAll("tbody tr")].map(
             row => [...row.children].map(cell => cell.textContent.trim()))"""
    )


def _dots(page, label) -> list[float]:
    """The values a line chart draws, from left to right."""
    return [
        float(text)
        for text in page.locator(f'svg[aria-label="{label}"] circle title').all_text_contents()
    ]


def _distribution(page, label) -> tuple[list[tuple[str, float]], dict[str, str]]:
    """What the bars draw (score, height) and what the table alternative says (score: count)."""
    bars = page.locator(f'svg[aria-label="{label}"]').evaluate(
        """svg => [...svg.querySelectorAll("g")].map(g => [
             g.querySelector("text").textContent.trim(),
             parseFloat(g.querySelector("rect").getAttribute("height"))])"""
    )
    table = page.locator("table", has=page.locator("caption", has_text=label))
    scores = table.locator("tr").nth(0).locator("td").all_text_contents()
    counts = table.locator("tr").nth(1).locator("td").all_text_contents()
    return [tuple(bar) for bar in bars], dict(zip(scores, counts, strict=True))


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
    context, page, problems = _log_in(browser, live_server, "manager", DESK)
    expect(page.locator("#satisfaction-card")).to_contain_text("1 open follow-up")
    page.locator("#satisfaction-card").get_by_role("link", name="Satisfaction dashboard").click()
    page.wait_for_url(f"{url}/surveys/dashboard/")

    # --- The default period: the last 90 days ----------------------------------------------
    expect(page.locator("main")).to_contain_text("Last 90 days.")
    expect(page.locator("#satisfaction-period a[aria-current=page]")).to_have_text("Last 90 days")
    assert _figures(page) == {
        "Responses": "5",
        "CSAT": "40.0%",  # 5 and 4 of five answers
        "NPS": "0.0",  # two promoters, two detractors
        "CES": "—",
        "Invitations sent": "6",
        "Response rate": "83.33%",
    }
    # The trends: one dot per week with answers, the values the table gives.
    trend = _trend(page)
    assert sum(int(row[1]) for row in trend) == 5
    assert _dots(page, "CSAT % by week") == [float(row[2]) for row in trend]
    assert _dots(page, "NPS by week") == [float(row[3]) for row in trend]
    expect(page.locator('svg[aria-label="CSAT % by week"] polyline')).to_have_count(1)
    # The distributions: a bar per score, as tall as its share of the tallest.
    bars, table = _distribution(page, "CSAT answers")
    assert table == {"1": "1", "2": "1", "3": "1", "4": "1", "5": "1"}
    assert bars == [(str(score), 100.0) for score in range(1, 6)]
    bars, table = _distribution(page, "NPS answers")
    assert [score for score, _ in bars] == [str(score) for score in range(11)]
    answered_scores = ["0", "3", "8", "9", "10"]  # one answer each, the rest none
    assert table == {
        str(score): "1" if str(score) in answered_scores else "0" for score in range(11)
    }
    assert {score: height for score, height in bars if height} == dict.fromkeys(
        answered_scores, 100.0
    )
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
        "CSAT": "66.67%",
        "NPS": "0.0",
        "CES": "—",
        "Invitations sent": "4",  # three answered and the unanswered one
        "Response rate": "75.0%",
    }
    assert sum(int(row[1]) for row in _trend(page)) == 3
    _, table = _distribution(page, "CSAT answers")
    assert table == {"1": "0", "2": "1", "3": "0", "4": "1", "5": "1"}
    assert _comments(page) == ["Lovely chat, thank you", "Waited far too long"]
    # Follow-ups are what is open now, whatever the period.
    expect(follow_ups).to_have_count(1)
    screenshot(page, "satisfaction-02-dashboard-7-days.png")

    # --- The last 30 days -----------------------------------------------------------------
    page.locator("#satisfaction-period").get_by_role("link", name="Last 30 days").click()
    page.wait_for_url(re.compile(r"/surveys/dashboard/\?period=30$"))
    figures = _figures(page)
    assert (figures["Responses"], figures["CSAT"], figures["NPS"]) == ("4", "50.0%", "25.0")
    assert (figures["Invitations sent"], figures["Response rate"]) == ("5", "80.0%")
    assert "Never again" not in _comments(page)

    # --- A period the page does not offer: a clear message, not a 500 ----------------------
    response = page.goto(f"{url}/surveys/dashboard/?period=12")
    assert response.status == 200
    expect(page.locator("#satisfaction-period [role=alert]")).to_be_visible()
    expect(page.locator("#satisfaction-period [role=alert]")).to_contain_text("90 days")
    assert _figures(page)["Responses"] == "5"

    # --- The follow-ups link: close the open one, and the dashboard has none left ----------
    page.goto(f"{url}/surveys/dashboard/?period=7")
    page.get_by_role("link", name="All follow-ups").click()
    page.wait_for_url(f"{url}/surveys/follow-ups/")
    card = page.locator(".survey-follow-up")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Waited far too long")
    expect(card).to_contain_text("CSAT 2")
    screenshot(page, "satisfaction-03-follow-ups.png")
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
    context, page, problems = _log_in(browser, live_server, "manager", PHONE)
    page.goto(f"{url}/surveys/dashboard/?period=90")
    expect(page.locator("svg[role=img]")).to_have_count(4)
    _fits(page)
    screenshot(page, "satisfaction-04-dashboard-phone.png")
    context.close()
    problems.assert_none(url)
