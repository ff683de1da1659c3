"""A real browser against the live server: log in, switch the language, and check that the
pages work under the strict Content-Security-Policy with no third-party requests.

Screenshots of every step land in var/screenshots/ for a human to look at.
"""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from core.testing_browser import PageProblems, screenshot
from demo.users import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_manager_logs_in_and_switches_the_dashboard_to_russian(
    transactional_db, live_server, browser
):
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    problems = PageProblems(page)

    # 1. The login page, in English (the browser asks for English).
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    # Bootstrap's stylesheet and ours came from our own static files: the navbar is the darker
    # blue of static/css/portal.css (Bootstrap's own is too light under its links).
    navbar_colour = page.locator("nav.navbar").evaluate("e => getComputedStyle(e).backgroundColor")
    assert navbar_colour == "rgb(10, 88, 202)"
    screenshot(page, "01-login.png")

    # 2. Log in as the demo manager and land on the dashboard.
    page.fill("#id_username", "manager")
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Welcome, Maria Nowak")
    expect(page.locator("#main-nav").get_by_role("link", name="Dashboard")).to_be_visible()
    screenshot(page, "02-dashboard-en.png")

    # 3. Open the language menu (Bootstrap's JavaScript must work under the CSP) ...
    page.click("#language-menu")
    russian = page.locator("button[name=language][value=ru]")
    expect(russian).to_be_visible()
    expect(russian).to_have_text("Русский")
    screenshot(page, "02b-language-menu.png")

    # ... choose Russian, and get the same dashboard back in Russian.
    with page.expect_navigation():
        russian.click()
    assert page.url == f"{live_server.url}/"
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#main-nav").get_by_role("link", name="Главная")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Добро пожаловать, Maria Nowak")
    expect(page.locator("#language-menu")).to_have_text("Русский")
    expect(page).to_have_title("Главная · Портал стандартов обслуживания")
    screenshot(page, "03-dashboard-ru.png")

    # 4. A manager's bar holds every app, yet fits a laptop screen even in Russian; each app's
    # menu opens under the CSP.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    for menu, first_item in [
        ("#standards-menu", "Стандарты"),
        ("#sla-menu", "Обращения"),
        ("#surveys-menu", "Удовлетворённость"),
        ("#channels-menu", "Каналы"),
    ]:
        page.click(menu)
        expect(page.locator(f"{menu} + .dropdown-menu a").first).to_have_text(first_item)
        page.keyboard.press("Escape")
    screenshot(page, "04-manager-menus-ru.png")

    context.close()
    problems.assert_none(live_server.url)
