"""The manager's SLA dashboard in a real browser, under the strict CSP: the server-side SVG
charts and their table alternatives agree, the period picker switches 7/90 days and a custom
range (and answers a bad range with a form error), the attention links open the filtered
contacts list, the CSV download holds what the page shows, the page fits a phone, and an agent
sees their own figures on "My service". Screenshots: var/screenshots/reports-*.png."""

import csv
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from channels_app.tests.factories import ChannelFactory
from conftest import make_user
from core.roles import STAFF
from core.testing_browser import audit_accessibility, log_in, screenshot
from sla import services
from sla.models import Contact
from sla.reports.dashboard import histogram_labels
from sla.tests.factories import SlaPolicyFactory, make_contact

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}

# Always-open channels, so business minutes are real minutes.
# external id: (channel, days ago, minutes to first response, minutes to resolution, agent)
DONE = {
    "CHAT-1": ("chat", 1, 10, 60, "agent"),  # met, met
    "CHAT-2": ("chat", 2, 90, 300, "agent"),  # first response breached, resolution met
    "CHAT-3": ("chat", 3, 30, 600, "agent2"),  # met, resolution breached
    "CHAT-4": ("chat", 20, 45, 100, "agent2"),  # met, met: only in the 30 and 90 days
    "CHAT-5": ("chat", 60, 200, 900, "agent2"),  # both breached: only in the 90 days
    "PHONE-1": ("phone", 1, 3, 20, "agent"),  # met, met
    "PHONE-2": ("phone", 40, 70, 100, "agent2"),  # first response breached: only in 90 days
}
# Still open: CHAT-OPEN-1 (7 hours: first response breached, resolution at risk at 420/480)
# and CHAT-OPEN-2 (50 minutes: first response at risk at 50/60).
OPEN = {"CHAT-OPEN-1": dt.timedelta(hours=7), "CHAT-OPEN-2": dt.timedelta(minutes=50)}


@pytest.fixture
def seeded(transactional_db, manager, staff_user):
    agent2 = make_user("agent2", STAFF, first_name="Ivan", last_name="Second")
    agents = {"agent": staff_user, "agent2": agent2}
    chat = ChannelFactory(code="chat", name="Chat", calendar=None, owner=manager)
    phone = ChannelFactory(code="phone", name="Phone", calendar=None, owner=manager)
    SlaPolicyFactory(channel=chat, first_response_minutes=60, resolution_minutes=480)
    SlaPolicyFactory(channel=phone, first_response_minutes=30, resolution_minutes=240)
    channels = {"chat": chat, "phone": phone}
    now = timezone.now()
    opened = {}
    for external_id, (code, days, first, resolution, agent) in DONE.items():
        at = now - dt.timedelta(days=days)
        make_contact(
            channel=channels[code],
            external_id=external_id,
            opened_at=at,
            first_response_at=at + dt.timedelta(minutes=first),
            resolved_at=at + dt.timedelta(minutes=resolution),
            agent=agents[agent],
        )
        opened[external_id] = at
    for external_id, age in OPEN.items():
        make_contact(channel=chat, external_id=external_id, opened_at=now - age, agent=agent2)
        opened[external_id] = now - age
    services.sla_sweep(now=now)
    states = {
        c.external_id: (c.first_response_state, c.resolution_state) for c in Contact.objects.all()
    }
    # What the journey relies on, checked before any browser is started.
    assert states["CHAT-2"] == ("breached", "met")
    assert states["CHAT-3"] == ("met", "breached")
    assert states["CHAT-OPEN-1"] == ("breached", "at_risk")
    assert states["CHAT-OPEN-2"] == ("at_risk", "pending")
    zone = ZoneInfo(settings.TIME_ZONE)
    return {
        "channels": channels,
        "today": timezone.localtime(now, zone).date(),
        "day": {k: timezone.localtime(v, zone).date().isoformat() for k, v in opened.items()},
    }


def _rows(page, selector) -> list[list[str]]:
    """A table's cells as text, row by row (hidden ones too: the tables sit in <details>)."""
    return page.locator(selector).evaluate(
        """table => [...table.querySelectorAll("tr")].map(
             row => [...row.children].map(cell => cell.textContent.trim()))"""
    )


def _summary(page) -> dict[str, list[str]]:
    """The per-channel table: channel name (or "All channels") -> the seven figures."""
    return {row[0]: row[1:] for row in _rows(page, "#report-summary")[1:]}


def _chart(page, chart_id):
    return page.locator(f'svg[aria-labelledby="{chart_id}-title {chart_id}-desc"]')


def _bars(page, chart_id) -> dict[int, list[tuple[str, float, float]]]:
    """Series index -> [(label, value, drawn height)] as the SVG draws them."""
    bars = _chart(page, chart_id).evaluate(
        """svg => [...svg.querySelectorAll("rect.sla-chart__bar")].map(bar => ({
             series: bar.getAttribute("class"),
             title: bar.querySelector("title").textContent,
             height: parseFloat(bar.getAttribute("height")),
           }))"""
    )
    series: dict[int, list] = {}
    for bar in bars:
        index = 1 if "sla-chart__series-1" in bar["series"] else 0
        label, value = bar["title"].rsplit(": ", 1)
        series.setdefault(index, []).append((label, float(value), bar["height"]))
    return series


def _period(page, label):
    page.locator("#report-period label", has_text=label).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()


def _fits(page):
    """Nothing wider than the screen: the charts scale, wide tables scroll inside themselves."""
    widths = page.evaluate(
        """() => ({
             page: document.documentElement.scrollWidth,
             screen: window.innerWidth,
             charts: [...document.querySelectorAll("svg.sla-chart")].map(
               svg => svg.getBoundingClientRect().right),
           })"""
    )
    assert widths["page"] <= widths["screen"], widths
    assert all(right <= widths["screen"] for right in widths["charts"]), widths


def _check_chat_section(page, seeded, slots: list[str]):
    """The chat channel's three charts against their tables, for the 7-day period."""
    section = page.locator("#channel-chat")
    day = seeded["day"]
    # Compliance trend: two series (first response, resolution), a dot per day with decided
    # contacts; the legend names both.
    compliance = _chart(page, "compliance-chat")
    expect(compliance).to_have_attribute("role", "img")
    expect(compliance.locator("title").first).to_have_text("Compliance trend: Chat")
    expect(compliance.locator(".sla-chart__legend")).to_have_text(["First response", "Resolution"])
    decided_days = {day[k] for k in ("CHAT-1", "CHAT-2", "CHAT-3", "CHAT-OPEN-1")}
    expect(compliance.locator("circle.sla-chart__series-0")).to_have_count(len(decided_days))
    # Breaches per day: two series, one bar per day each; the bars say what the table says.
    bars = _bars(page, "breaches-chat")
    assert [label for label, _, _ in bars[0]] == slots
    assert [label for label, _, _ in bars[1]] == slots
    trend = _rows(page, "#channel-chat details table >> nth=0")
    table = {row[0]: row for row in trend[1:]}
    assert list(table) == slots
    for (label, value, height), (_, value_res, height_res) in zip(bars[0], bars[1], strict=True):
        assert table[label][3] == str(int(value))  # first-response breaches column
        assert table[label][5] == str(int(value_res))  # resolution breaches column
        assert (height > 0) == (value > 0) and (height_res > 0) == (value_res > 0)
    first_breaches = {label: value for label, value, _ in bars[0] if value}
    resolution_breaches = {label: value for label, value, _ in bars[1] if value}
    expected_first: dict[str, float] = {}
    for key in ("CHAT-2", "CHAT-OPEN-1"):
        expected_first[day[key]] = expected_first.get(day[key], 0) + 1
    assert first_breaches == expected_first
    assert resolution_breaches == {day["CHAT-3"]: 1}
    assert sum(int(row[1]) for row in table.values()) == 5  # contacts per day add up
    # First-response distribution: eight touching bins; 10, 30 and 90 minutes.
    histogram = _bars(page, "distribution-chat")
    assert list(histogram) == [0]
    counts = {label: int(value) for label, value, _ in histogram[0]}
    assert counts == dict.fromkeys(histogram_labels(), 0) | {"5–15": 1, "30–60": 1, "60–120": 1}
    expect(section.locator("svg.sla-chart--histogram")).to_have_count(1)
    table = {row[0]: row[1] for row in _rows(page, "#channel-chat details table >> nth=1")[1:]}
    assert table == {label: str(n) for label, n in counts.items()}


def test_manager_reads_switches_and_downloads_the_sla_dashboard(
    seeded, live_server, browser, staff_user
):
    url = live_server.url
    today = seeded["today"]
    context, page, problems = log_in(
        browser, live_server.url, "manager", viewport=DESK, accept_downloads=True
    )

    # --- The default: the last 30 days -----------------------------------------------------
    page.click("#sla-menu")  # managers find each app's pages in its menu
    page.locator("#main-nav").get_by_role("link", name="SLA reports").click()
    page.wait_for_url(f"{url}/sla/reports/")
    expect(page.get_by_role("heading", name="SLA reports")).to_be_visible()
    expect(page.locator("#report-period input[value='30']")).to_be_checked()
    expect(page.locator("svg.sla-chart")).to_have_count(6)  # three charts per channel
    summary = _summary(page)
    assert list(summary) == ["Chat", "Phone", "All channels"]
    assert summary["Chat"][:2] == ["6", "60.0\u00a0%"]  # 3 met of 5 decided
    assert summary["Chat"][4] == "75.0\u00a0%"  # 3 met, 1 breached
    assert summary["Phone"][:2] == ["1", "100.0\u00a0%"]
    assert summary["All channels"][:2] == ["7", "66.67\u00a0%"]
    screenshot(page, "reports-01-dashboard-30-days.png")

    # --- 7 days: charts and table alternatives agree ---------------------------------------
    _period(page, "Last 7 days")
    assert page.url.startswith(f"{url}/sla/reports/?period=7")
    expect(page.locator("#report-period input[value='7']")).to_be_checked()
    start = today - dt.timedelta(days=6)
    slots = [(start + dt.timedelta(days=n)).isoformat() for n in range(7)]
    summary = _summary(page)
    # Chat: first response 10 30 met, 90 and the open one breached; resolution 60 300 met,
    # 600 breached; medians of the known minutes.
    assert summary["Chat"] == ["5", "50.0\u00a0%", "30.0", "78.0", "66.67\u00a0%", "300.0", "540.0"]
    assert summary["Phone"] == ["1", "100.0\u00a0%", "3.0", "3.0", "100.0\u00a0%", "20.0", "20.0"]
    assert summary["All channels"][:2] == ["6", "60.0\u00a0%"]
    assert summary["All channels"][4] == "75.0\u00a0%"
    _check_chat_section(page, seeded, slots)
    page.locator("#channel-chat details summary").click()
    expect(page.locator("#channel-chat details table").first).to_be_visible()
    screenshot(page, "reports-02-dashboard-7-days-tables.png")

    # The CSV holds what the page shows.
    with page.expect_download() as download_info:
        page.locator("#report-csv").click()
    download = download_info.value
    assert download.suggested_filename == f"sla-dashboard-{start}-{today}.csv"
    with open(download.path(), encoding="utf-8", newline="") as file:
        lines = list(csv.reader(file))
    assert lines[0][:4] == ["section", "channel", "key", "contacts"]
    summary_rows = {line[1]: line for line in lines if line[0] == "summary"}
    assert [(c, r[3], r[6], r[11]) for c, r in summary_rows.items()] == [
        ("chat", "5", "50.0", "66.67"),
        ("phone", "1", "100.0", "100.0"),
    ]
    trend = [line for line in lines if line[0] == "trend_day"]
    assert [line[2] for line in trend if line[1] == "chat"] == slots
    assert sum(int(line[3]) for line in trend if line[1] == "chat") == 5
    distribution = {
        line[2]: line[3]
        for line in lines
        if line[0] == "first_response_distribution" and line[1] == "chat"
    }
    assert (distribution["5–15"], distribution["30–60"], distribution["60–120"]) == ("1", "1", "1")
    attention = sorted((line[2], line[-2], line[-1]) for line in lines if line[0] == "attention")
    assert attention == [
        ("CHAT-OPEN-1", "breached", "at_risk"),
        ("CHAT-OPEN-2", "at_risk", "pending"),
    ]
    assert lines[-1][:4] == ["total", "", "", "6"]
    # The API gives the same figures (the page links to it).
    api = page.request.get(f"{url}/api/v1/reports/sla/?from={start}&to={today}").json()
    assert [(r["key"], r["contacts"], r["first_response_compliance_pct"]) for r in api["rows"]] == [
        ("chat", 5, 50.0),
        ("phone", 1, 100.0),
    ]

    # --- 90 days: weeks instead of days ----------------------------------------------------
    _period(page, "Last 90 days")
    summary = _summary(page)
    assert summary["Chat"][:2] == ["7", "50.0\u00a0%"]
    assert summary["Chat"][4] == "60.0\u00a0%"
    assert summary["Phone"][:2] == ["2", "50.0\u00a0%"]
    assert summary["All channels"][:2] == ["9", "50.0\u00a0%"]
    assert summary["All channels"][4] == "71.43\u00a0%"
    weeks = _rows(page, "#channel-chat details table >> nth=0")[1:]
    assert 13 <= len(weeks) <= 14
    assert all(dt.date.fromisoformat(row[0]).weekday() == 0 for row in weeks)  # Mondays
    assert len(_bars(page, "breaches-chat")[0]) == len(weeks)
    screenshot(page, "reports-03-dashboard-90-days.png")

    # --- A custom range: only CHAT-4 was opened 25 to 15 days ago --------------------------
    page.locator("#report-period label", has_text="From–to").click()
    page.fill("#id_from", (today - dt.timedelta(days=25)).isoformat())
    page.fill("#id_to", (today - dt.timedelta(days=15)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    expect(page.locator("#report-period input[value='custom']")).to_be_checked()
    summary = _summary(page)
    assert summary["Chat"][:2] == ["1", "100.0\u00a0%"]
    # Phone has nothing in the period and nothing open: no section. Chat's open contacts
    # still need attention now, whatever the period.
    assert "Phone" not in summary
    expect(page.locator("#channel-phone")).to_have_count(0)
    expect(page.locator("#channel-chat table a", has_text="CHAT-OPEN-1")).to_be_visible()
    expect(page.locator("#report-period-text")).to_contain_text("Europe/Warsaw")
    screenshot(page, "reports-04-dashboard-custom.png")

    # --- A bad range is a form error, not a 500 (and no figures) ---------------------------
    page.locator("#report-period label", has_text="From–to").click()
    page.fill("#id_from", (today - dt.timedelta(days=3)).isoformat())
    page.fill("#id_to", (today - dt.timedelta(days=10)).isoformat())
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Show").click()
    assert navigation.value.status == 200
    expect(page.locator("#id_from")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".invalid-feedback")).to_have_text(
        "The first day comes after the last day."
    )
    expect(page.locator(".invalid-feedback")).to_be_visible()
    expect(page.locator("#id_from")).to_have_value((today - dt.timedelta(days=3)).isoformat())
    expect(page.locator("#report-summary")).to_have_count(0)
    expect(page.locator("#report-csv")).to_have_count(0)
    screenshot(page, "reports-05-bad-range.png")
    page.fill("#id_from", "2024-01-01")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Show").click()
    assert navigation.value.status == 200
    expect(page.locator(".invalid-feedback")).to_have_text(
        "The period may be at most 366 days long."
    )
    audit_accessibility(page)
    response = page.goto(f"{url}/sla/reports/?period=custom&from=soon&to=")
    assert response.status == 200
    expect(page.locator(".invalid-feedback")).to_have_count(2)
    audit_accessibility(page)

    # --- From the attention counts to the filtered contacts list ---------------------------
    page.goto(f"{url}/sla/reports/?period=7")
    section = page.locator("#channel-chat")
    expect(section.get_by_role("link", name="1 first response breached")).to_be_visible()
    expect(section.get_by_role("link", name="1 first response at risk")).to_be_visible()
    expect(section.get_by_role("link", name="1 resolution at risk")).to_be_visible()
    expect(section.get_by_role("link", name="0 resolutions breached")).to_be_visible()
    audit_accessibility(page)
    section.get_by_role("link", name="1 first response breached").click()
    page.wait_for_url(f"{url}/sla/contacts/?**")
    expect(page.locator("#id_channel option:checked")).to_have_text("Chat")
    expect(page.locator("#id_first_response_state option:checked")).to_have_text("Breached")
    # Every chat contact whose first response was breached (PHONE-2 is another channel's).
    ids = page.locator("#contact-table tbody tr td:first-child a")
    expect(ids).to_have_text(["CHAT-OPEN-1", "CHAT-2", "CHAT-5"])
    screenshot(page, "reports-06-filtered-contacts.png")
    page.go_back()
    section.get_by_role("link", name="1 resolution at risk").click()
    page.wait_for_url(f"{url}/sla/contacts/?**")
    expect(ids).to_have_text(["CHAT-OPEN-1"])
    audit_accessibility(page)
    page.go_back()
    section.get_by_role("link", name="All contacts of this channel").click()
    page.wait_for_url(f"{url}/sla/contacts/?**")
    expect(ids).to_have_text(
        ["CHAT-OPEN-2", "CHAT-OPEN-1", "CHAT-1", "CHAT-2", "CHAT-3", "CHAT-4", "CHAT-5"]
    )
    audit_accessibility(page)
    page.go_back()
    # ... and from a contact needing attention to the contact itself.
    section.get_by_role("link", name="CHAT-OPEN-2").click()
    expect(page.locator("h1")).to_have_text("Contact CHAT-OPEN-2 · Chat")
    screenshot(page, "reports-07-contact.png")
    context.close()
    problems.assert_none(url)

    # --- On a phone the charts scale and nothing overflows ---------------------------------
    context, page, problems = log_in(
        browser, live_server.url, "manager", viewport=PHONE, accept_downloads=True
    )
    page.goto(f"{url}/sla/reports/?period=7")
    expect(page.locator("svg.sla-chart")).to_have_count(6)
    _fits(page)
    box = _chart(page, "compliance-chat").bounding_box()
    assert 300 <= box["width"] <= PHONE["width"]
    screenshot(page, "reports-08-dashboard-phone.png")
    context.close()
    problems.assert_none(url)

    # --- The agent's own figures on "My service", on a phone -------------------------------
    context, page, problems = log_in(
        browser, live_server.url, staff_user.username, viewport=PHONE, accept_downloads=True
    )
    page.get_by_role("button", name="Toggle navigation").click()  # the phone's menu
    page.locator("#main-nav").get_by_role("link", name="My service").click()
    page.wait_for_url(f"{url}/my-service/")
    # Own (30 days): CHAT-1, CHAT-2, PHONE-1: first response 10 met, 90 breached, 3 met.
    expect(page.locator("#sla-my-fr-pct")).to_have_text("66.67\u00a0%")
    expect(page.locator("#sla-my-res-pct")).to_have_text("100.0\u00a0%")
    expect(page.locator("#sla-my-fr-median")).to_have_text("10.0")
    expect(page.locator("#sla-my-breaches")).to_have_text("1")
    figures = {row[0]: row[1:] for row in _rows(page, "#sla-my-service-figures")[1:]}
    # The team: everything opened in the 30 days (CHAT-OPEN-2 is still undecided).
    assert figures["Contacts"] == ["3", "7"]
    assert figures["First response within target"] == ["66.67\u00a0%", "66.67\u00a0%"]
    trend = _chart(page, "my-service-trend")
    expect(trend.locator(".sla-chart__legend")).to_have_text(["You", "Team"])
    # A dot per week with decided contacts, as many as the table alternative has figures.
    weeks = _rows(page, "#sla-my-service details table")[1:]
    assert len(weeks) in (5, 6) and all(dt.date.fromisoformat(w[0]).weekday() == 0 for w in weeks)
    for series, column in ((0, 1), (1, 2)):
        shown = sum(1 for week in weeks if week[column] != "–")
        assert shown >= 1 + series  # own: the last days; team: also CHAT-4's week
        expect(trend.locator(f"circle.sla-chart__series-{series}")).to_have_count(shown)
    _fits(page)
    screenshot(page, "reports-09-my-service-phone.png")
    # The manager's dashboard and its CSV are not for staff.
    assert page.request.get(f"{url}/sla/reports/").status == 403
    assert page.request.get(f"{url}/sla/reports/export.csv").status == 403
    context.close()
    problems.assert_none(url)
