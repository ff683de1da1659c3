"""A staff member chooses Russian on their account page; the interface follows at once and
again after signing in from a browser that remembers nothing. Screenshots:
var/screenshots/language-*.png."""

import pytest
from playwright.sync_api import expect

from core.models import Profile
from core.testing_browser import PageProblems, log_in, log_in_page, screenshot

pytestmark = pytest.mark.browser


def test_staff_member_chooses_russian_and_keeps_it_after_signing_in_again(
    transactional_db, live_server, browser, staff_user
):
    url = live_server.url
    context, page, problems = log_in(
        browser, url, staff_user.username, viewport={"width": 1280, "height": 800}
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The account page, from the user menu.
    page.click("#user-menu")
    page.get_by_role("link", name="My account").click()
    page.wait_for_url(f"{url}/account/")
    expect(page.locator("#id_language")).to_have_value("en")
    screenshot(page, "language-01-account-en.png")

    # Choose Russian and save: the very next page is in Russian.
    page.select_option("#id_language", "ru")
    with page.expect_navigation():
        page.locator("#account-form button[type=submit]").click()
    assert page.url == f"{url}/account/"
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#language-menu")).to_have_text("Русский")
    expect(page.locator("#main-nav").get_by_role("link", name="Главная")).to_be_visible()
    expect(page.locator("#id_language")).to_have_value("ru")
    screenshot(page, "language-02-account-ru.png")
    assert Profile.objects.get(user=staff_user).language == "ru"

    # Sign out.
    page.click("#user-menu")
    with page.expect_navigation():
        page.locator("form[action='/accounts/logout/'] button").click()
    # Signed out, this browser's cookie still says Russian.
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    context.close()
    problems.assert_none(url)

    # A new browser that asks for English and holds no cookie: the login page is English ...
    fresh = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    assert fresh.cookies() == []
    page = fresh.new_page()
    problems = PageProblems(page)
    page.goto(f"{url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # ... and after signing in, the preference wins.
    log_in_page(page, url, staff_user.username)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#main-nav").get_by_role("link", name="Главная")).to_be_visible()
    expect(page.locator("#language-menu")).to_have_text("Русский")
    screenshot(page, "language-03-dashboard-ru-after-sign-in.png")
    # The cookie now agrees, so pages seen after signing out stay Russian too.
    cookies = {cookie["name"]: cookie["value"] for cookie in fresh.cookies()}
    assert cookies["django_language"] == "ru"
    fresh.close()
    problems.assert_none(url)
