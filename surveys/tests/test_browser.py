"""A real browser: a contact is resolved, the e-mail carries the link, the customer answers in
Polish on a phone-sized screen, the manager sees it on the dashboard and the agent on My service.
Also the office kiosk, whose thank-you screen resets itself. Screenshots in var/screenshots/."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from channels_app.tests.factories import ChannelFactory
from conftest import make_user
from core.outbox import outbox_send
from core.roles import MANAGER, STAFF
from core.testing_browser import PageProblems, audit_accessibility, log_in_page, screenshot
from sla import services as sla_services
from sla.tests.factories import make_contact
from surveys import services
from surveys.models import Response, Survey

pytestmark = pytest.mark.browser


def test_customer_answers_in_polish_and_the_team_sees_it(
    transactional_db, live_server, browser, settings
):
    settings.PORTAL_BASE_URL = live_server.url
    manager = make_user("boss", MANAGER, first_name="Maria", last_name="Nowak")
    agent = make_user("anna", STAFF, first_name="Anna", last_name="Kowalska")
    chat = ChannelFactory(code="chat", name="Chat", calendar=None, owner=manager)
    survey = Survey.objects.create(name="Chat", send_delay_minutes=0)
    survey.channels.set([chat])

    now = timezone.now()
    contact = make_contact(
        channel=chat,
        opened_at=now - dt.timedelta(hours=1),
        customer_email="jan@example.com",
        customer_language="pl",
        agent=agent,
    )
    sla_services.contact_resolve(contact=contact, at=now)
    # The resolution committed, so the sending task already ran (eagerly, after commit);
    # the periodic run finds nothing left to send.
    assert outbox_send()["sent"] == 0
    [email] = mail.outbox
    assert email.to == ["jan@example.com"]
    link = re.search(r"https?://\S+/s/\S+/", email.body).group(0)
    assert link.startswith(live_server.url)

    # The customer, on a phone.
    phone = browser.new_context(locale="pl-PL", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    problems = PageProblems(page)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    tap = page.locator("label[for=csat-5]").bounding_box()
    assert tap["height"] >= 44  # a comfortable tap target
    screenshot(page, "surveys-01-answer-pl.png")
    page.locator("label[for=csat-5]").click()
    page.locator("label[for=nps-9]").click()
    page.fill("#comment", "Bardzo miła obsługa")
    page.locator("button[type=submit]").click()
    expect(page.locator("#survey-thanks")).to_be_visible()
    screenshot(page, "surveys-02-thanks.png")
    page.goto(link)
    expect(page.locator("#survey-answered")).to_be_visible()
    phone.close()
    problems.assert_none(live_server.url)
    response = Response.objects.get()
    assert (response.csat, response.nps, response.language, response.agent) == (5, 9, "pl", agent)

    # The manager's dashboard.
    desk = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    problems = PageProblems(page)
    log_in_page(page, live_server.url, "boss")
    expect(page.locator("#satisfaction-card")).to_contain_text("CSAT 100.0\N{NO-BREAK SPACE}%")
    page.goto(f"{live_server.url}/surveys/dashboard/")
    expect(page.locator("main")).to_contain_text("Bardzo miła obsługa")
    # This week's answer: a dot on each trend (one week alone draws no line).
    expect(page.locator("svg.sla-chart--line circle.sla-chart__dot")).to_have_count(2)
    screenshot(page, "surveys-03-dashboard.png")
    desk.close()
    problems.assert_none(live_server.url)

    # The agent's own page.
    desk = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    problems = PageProblems(page)
    log_in_page(page, live_server.url, "anna")
    page.goto(f"{live_server.url}/my-service/")
    expect(page.locator("#my-feedback")).to_contain_text("Bardzo miła obsługa")
    screenshot(page, "surveys-04-my-service.png")
    desk.close()
    problems.assert_none(live_server.url)


def test_kiosk_thank_you_screen_resets_itself(transactional_db, live_server, browser):
    office = ChannelFactory(code="office", name="Office", calendar=None)
    kiosk = services.kiosk_create(name="Lobby", channel=office, min_interval_seconds=0)
    context = browser.new_context(locale="en-GB", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    problems = PageProblems(page)
    start = f"{live_server.url}/kiosk/{kiosk.key}/"
    page.goto(start)
    screenshot(page, "surveys-05-kiosk.png")
    page.locator("label[for=csat-4]").click()
    page.locator("button[type=submit]").click()
    expect(page.locator("#kiosk-thanks")).to_be_visible()
    # The next customer starts in the kiosk's own language, with no choice carried over.
    expect(page.locator(".kiosk-faces")).to_be_visible(timeout=10_000)
    assert page.url == start
    expect(page.locator(".kiosk-faces")).to_be_visible()
    audit_accessibility(page)
    context.close()
    problems.assert_none(live_server.url)
    assert Response.objects.get().csat == 4
