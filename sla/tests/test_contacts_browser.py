"""A service manager working in Polish, then in Russian, in a real browser under the strict CSP:
checks a helpdesk CSV (what would be created, what is already there, what is refused, nothing
written), imports it and lands on the imported rows; sorts the contacts list by clicking its
headers and downloads the same rows as CSV; reads the live time to breach in words; reads the
SLA dashboard filtered by one agent. At 1280 px nothing scrolls sideways. Screenshots:
var/screenshots/contacts-<language>-*.png."""

import csv
import datetime as dt

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from channels_app.tests.factories import ChannelFactory
from conftest import make_user
from core.preferences import set_preferred_language
from core.roles import STAFF
from core.testing_browser import audit_accessibility, log_in, screenshot
from sla import services
from sla.durations import time_to_breach_text
from sla.models import Contact, ContactImport
from sla.tests.factories import SlaPolicyFactory, make_contact

pytestmark = [pytest.mark.browser]

DESK = {"width": 1280, "height": 900}
# Long Polish and Russian words in every free-text column: the widths a real list has.
SUBJECTS = {
    "pl": "Reklamacja nieprawidłowo naliczonej opłaty abonamentowej za grudzień",
    "ru": "Претензия по неправильно начисленной абонентской плате за декабрь",
}
CUSTOMERS = {
    "pl": "Grzegorz Brzęczyszczykiewicz-Wiśniewski",
    "ru": "Константин Константинопольский-Преображенский",
}


@pytest.fixture
def desk(transactional_db, manager, staff_user):
    agent2 = make_user("agent2", STAFF, first_name="Zofia", last_name="Wielkopolska")
    chat = ChannelFactory(code="chat", name="Czat / Чат", calendar=None, owner=manager)
    phone = ChannelFactory(code="phone", name="Telefon / Телефон", calendar=None, owner=manager)
    SlaPolicyFactory(channel=chat, first_response_minutes=60, resolution_minutes=480)
    SlaPolicyFactory(channel=phone, first_response_minutes=30, resolution_minutes=240)
    now = timezone.now()
    # Overdue by 5 min 30 s: the words stay the same for half a minute either way.
    make_contact(
        channel=chat,
        external_id="LATE-0001",
        opened_at=now - dt.timedelta(minutes=65, seconds=30),
        agent=staff_user,
        now=now,
    )
    for n, (channel, agent) in enumerate(
        [(chat, staff_user), (phone, agent2), (chat, agent2), (phone, staff_user)] * 3
    ):
        opened = now - dt.timedelta(days=n % 5, hours=n + 2)
        make_contact(
            channel=channel,
            external_id=f"ZD-{2000 + n:06d}",
            opened_at=opened,
            first_response_at=opened + dt.timedelta(minutes=10 if agent == staff_user else 90),
            agent=agent,
            priority=["low", "normal", "high", "urgent"][n % 4],
            subject=SUBJECTS["pl" if n % 2 else "ru"],
            customer_name=CUSTOMERS["pl" if n % 2 else "ru"],
            now=now,
        )
    services.sla_sweep(now=now)
    return {"agent2": agent2, "now": now}


def _no_sideways_scroll(page):
    """Neither the page nor a table inside its scroll box is wider than the window."""
    widths = page.evaluate(
        """() => ({
             page: document.documentElement.scrollWidth,
             screen: window.innerWidth,
             boxes: [...document.querySelectorAll(".table-responsive")]
               .filter(box => box.scrollWidth > box.clientWidth)
               .map(box => box.innerHTML.slice(0, 80)),
           })"""
    )
    assert widths["page"] <= widths["screen"], widths
    assert not widths["boxes"], widths


def _ids(page) -> list[str]:
    return page.locator("#contact-table tbody td.sla-contacts__key").all_inner_texts()


def _csv_file(now: dt.datetime) -> bytes:
    opened = (now - dt.timedelta(hours=3)).isoformat(timespec="seconds")
    later = (now - dt.timedelta(hours=1)).isoformat(timespec="seconds")
    rows = [
        "channel;external_id;opened_at;agent;subject;customer_name",
        f"chat;IMP-0001;{opened};agent2;Zwrot / Возврат;Anna Kowalska",
        f"phone;IMP-0002;{later};agent;Faktura / Счёт;Иван Петров",
        f"chat;ZD-002000;{opened};;;",  # already in the portal
        f"fax;IMP-0003;{opened};;;",  # no such channel
        "chat;IMP-0004;2026-01-31 09:30;;;",  # no UTC offset
    ]
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("language", ["pl", "ru"])
def test_manager_checks_imports_sorts_exports_and_reads_the_dashboard(
    desk, live_server, browser, manager, staff_user, language, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = live_server.url
    set_preferred_language(manager, language)
    context, page, problems = log_in(
        browser,
        url,
        "manager",
        viewport=DESK,
        locale={"pl": "pl-PL", "ru": "ru-RU"}[language],
        accept_downloads=True,
    )
    shot = f"contacts-{language}"

    # --- The list: time to breach in words, the same from the server and the script --------
    page.goto(f"{url}/sla/contacts/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    with translation.override(language):
        overdue = time_to_breach_text(-330)
    late = page.locator("#contact-table tr", has_text="LATE-0001").locator(
        "time[data-sla-countdown]"
    )
    expect(late).to_have_text(overdue)
    late.evaluate("node => { node.textContent = 'stale'; }")
    expect(late).to_have_text(overdue)  # rewritten by the script within a second, same words
    expect(late).to_have_class("sla-countdown text-danger fw-semibold")
    _no_sideways_scroll(page)
    # The key column is never clipped: each id is shown whole.
    clipped = page.locator("#contact-table td.sla-contacts__key").evaluate_all(
        "cells => cells.filter(c => c.scrollWidth > c.clientWidth).length"
    )
    assert clipped == 0
    screenshot(page, f"{shot}-01-list.png")

    # --- Import a CSV: the check (nothing written), then the import, then its rows --------
    before = Contact.objects.count()
    page.goto(f"{url}/sla/contacts/import/")
    _no_sideways_scroll(page)
    screenshot(page, f"{shot}-02a-upload.png")
    page.set_input_files(
        "#id_file",
        files=[{"name": "helpdesk.csv", "mimeType": "text/csv", "buffer": _csv_file(desk["now"])}],
    )
    with page.expect_navigation():
        page.locator("#import-check").click()
    # The check ran in the background (eagerly here): the job's page shows what it found.
    expect(page.locator("#import-check-report")).to_be_visible()
    audit_accessibility(page)
    expect(page.locator("#count-create")).to_contain_text("2")
    expect(page.locator("#count-existing")).to_contain_text("1")
    expect(page.locator("#import-refused tbody tr")).to_have_count(2)
    expect(page.locator("#import-refused")).to_contain_text("fax")
    assert Contact.objects.count() == before
    _no_sideways_scroll(page)
    screenshot(page, f"{shot}-02-check.png")
    with page.expect_navigation():
        page.locator("#import-confirm button[type=submit]").click()
    expect(page.locator("#import-result")).to_be_visible()
    audit_accessibility(page)
    expect(page.locator("#result-created")).to_contain_text("2")
    expect(page.locator("#import-refused tbody tr")).to_have_count(2)
    _no_sideways_scroll(page)
    screenshot(page, f"{shot}-03-result.png")
    batch = ContactImport.objects.get(status="done")
    with page.expect_navigation():
        page.locator("#import-show-created").click()
    assert page.url == f"{url}/sla/contacts/?import_batch={batch.pk}"
    expect(page.locator("#import-batch")).to_be_visible()
    assert sorted(_ids(page)) == ["IMP-0001", "IMP-0002"]
    assert Contact.objects.count() == before + 2
    _no_sideways_scroll(page)
    screenshot(page, f"{shot}-04-imported-rows.png")

    # --- Sort by clicking headers; export the same rows ------------------------------------
    page.goto(f"{url}/sla/contacts/?q=ZD-")
    audit_accessibility(page)
    header = page.locator("#contact-table thead th").first
    with page.expect_navigation():
        header.locator("a").click()
    audit_accessibility(page)
    expect(header).to_have_attribute("aria-sort", "ascending")
    ascending = _ids(page)
    assert ascending == sorted(ascending) and len(ascending) == 12
    with page.expect_navigation():
        header.locator("a").click()
    audit_accessibility(page)
    expect(header).to_have_attribute("aria-sort", "descending")
    assert _ids(page) == list(reversed(ascending))
    assert "q=ZD-" in page.url and "sort=-external_id" in page.url
    _no_sideways_scroll(page)
    screenshot(page, f"{shot}-05-sorted.png")
    with page.expect_download() as download_info:
        page.locator("#contact-export").click()
    with open(download_info.value.path(), encoding="utf-8", newline="") as file:
        lines = list(csv.reader(file))
    assert lines[0][0] == "external_id"
    assert [line[0] for line in lines[1:]] == list(reversed(ascending))

    # --- The SLA dashboard for one agent ----------------------------------------------------
    page.goto(f"{url}/sla/reports/")
    audit_accessibility(page)
    everyone = page.locator("#report-summary tfoot td").first.inner_text()
    assert everyone == "15"  # 13 seeded + 2 imported, all opened in the last 30 days
    page.select_option("#id_agent", str(desk["agent2"].pk))
    with page.expect_navigation():
        page.locator("#report-period button[type=submit]").click()
    expect(page.locator("#report-agent")).to_contain_text("Zofia Wielkopolska")
    assert page.locator("#report-summary tfoot td").first.inner_text() == "7"
    expect(page.locator("#id_agent")).to_have_value(str(desk["agent2"].pk))
    expect(page.locator("svg.sla-chart .sla-chart__title").first).to_be_visible()
    expect(page.locator("svg.sla-chart .sla-chart__axis-label").first).to_be_visible()
    _no_sideways_scroll(page)
    screenshot(page, f"{shot}-06-dashboard-agent.png")

    problems.assert_none(url)
    context.close()
