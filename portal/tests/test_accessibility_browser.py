"""Every main page, in English, Russian and Polish, on the demo data: axe-core finds no serious
or critical WCAG 2.1 AA violation (core.testing_browser.audit_accessibility, run by every
screenshot), each page says its language and has a description, and nothing scrolls sideways
on a 1280 px screen. Screenshots: var/screenshots/a11y-<language>-<page>.png."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from playwright.sync_api import expect

from core.models import Profile
from core.testing_browser import PageProblems, log_in_page, screenshot
from demo.users import DEMO_PASSWORD
from surveys.models import Invitation, Kiosk
from surveys.tokens import invitation_token

pytestmark = pytest.mark.browser

LANGUAGES = {"en": "en-GB", "ru": "ru-RU", "pl": "pl-PL"}
DESK = {"width": 1280, "height": 800}

MANAGER_PAGES = [
    ("dashboard", "/"),
    ("standards", "/standards/"),
    ("standard", "/standards/response-times-per-channel/"),
    ("contacts", "/sla/contacts/"),
    ("sla-dashboard", "/sla/reports/"),
    ("surveys", "/surveys/"),
    ("satisfaction", "/surveys/dashboard/"),
    ("follow-ups", "/surveys/follow-ups/"),
    ("onboarding-matrix", "/training/matrix/"),
]
STAFF_PAGES = [
    ("staff-dashboard", "/"),
    ("my-service", "/my-service/"),
    ("my-onboarding", "/training/"),
]


def _check_page(page, language: str, name: str):
    """The page is in ``language``, describes itself, fits the screen, and passes axe."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    description = page.locator("meta[name=description]").get_attribute("content")
    assert description and description.strip(), f"{page.url} has no meta description"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} [{language}] scrolls sideways: {width}"
    screenshot(page, f"a11y-{language}-{name}.png")  # runs the axe-core audit


def _walk(browser, url, username, language, pages):
    context = browser.new_context(locale=LANGUAGES[language], viewport=DESK)
    page = context.new_page()
    problems = PageProblems(page)
    log_in_page(page, url, username, DEMO_PASSWORD)  # audits the login page and dashboard
    for name, path in pages:
        response = page.goto(f"{url}{path}")
        assert response.status == 200, (path, response.status)
        _check_page(page, language, name)
    context.close()
    problems.assert_none(url)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_main_pages_are_accessible_in_every_language(
    transactional_db, live_server, browser, language
):
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    url = live_server.url
    # Signed in, a person's own language wins over the browser's.
    for user in User.objects.filter(username__in=["manager", "agent"]):
        Profile.objects.update_or_create(user=user, defaults={"language": language})

    _walk(browser, url, "manager", language, MANAGER_PAGES)
    _walk(browser, url, "agent", language, STAFF_PAGES)

    # Customers and visitors: no sign-in.
    context = browser.new_context(locale=LANGUAGES[language], viewport=DESK)
    page = context.new_page()
    problems = PageProblems(page)

    page.goto(f"{url}/accounts/login/")
    _check_page(page, language, "login")

    invitation = Invitation.objects.filter(status=Invitation.Status.SENT).first()
    assert invitation is not None, "the demo data has no open survey invitation"
    Invitation.objects.filter(pk=invitation.pk).update(language=language)
    page.goto(f"{url}/s/{invitation_token(invitation)}/")
    expect(page.locator("form")).to_be_visible()
    _check_page(page, language, "survey")

    kiosk = Kiosk.objects.get(name="Office entrance")
    page.goto(f"{url}/kiosk/{kiosk.key}/?lang={language}")
    expect(page.locator(".kiosk-faces")).to_be_visible()
    _check_page(page, language, "kiosk")

    # The API docs: our page around Swagger UI is held to the same rules; what Swagger UI
    # draws inside #swagger-ui is a third party's and excused.
    page.goto(f"{url}/api/v1/docs/")
    expect(page.locator("#swagger-ui .info .title")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert page.locator("meta[name=description]").get_attribute("content")
    screenshot(page, f"a11y-{language}-api-docs.png", exclude=("#swagger-ui",))

    context.close()
    problems.assert_none(url)
