"""The scorecard pages in a real browser under the strict CSP, in English, Russian and Polish,
at a laptop's and a phone's width: each page audited by axe, with no page problem (console
errors, blocked resources). Screenshots: var/screenshots/scorecard-*.png."""

import pytest
from playwright.sync_api import expect

from core.models import Profile
from core.testing_browser import audit_accessibility, log_in, screenshot
from quality.tests.scorecard_world import build_world

pytestmark = [pytest.mark.browser]

SIZES = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("language", ["en", "ru", "pl"])
def test_overview_and_scorecard_in_each_language_and_width(
    transactional_db, live_server, browser, manager, language
):
    world = build_world(manager, standards=3)
    Profile.objects.update_or_create(user=manager, defaults={"language": language})
    standard = world["standards"][0][0]
    for size, viewport in SIZES.items():
        context, page, problems = log_in(browser, live_server.url, "manager", viewport=viewport)
        try:
            page.goto(f"{live_server.url}/quality/scorecards/")
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("#scorecard-overview tbody tr")).to_have_count(3)
            screenshot(page, f"scorecard-overview-{language}-{size}.png")
            page.locator(f'tr[data-standard="{standard.slug}"] th a').click()
            expect(page.locator("#people-table tbody tr")).to_have_count(3)
            expect(page.locator("svg.sla-chart")).to_have_count(5)
            expect(page.locator("line.sla-chart__marker").first).to_be_attached()
            screenshot(page, f"scorecard-detail-{language}-{size}.png")
            # The period picker keeps working under the CSP (a plain GET form).
            page.locator("label[for=id_period_0]").click()
            page.locator("#scorecard-period button[type=submit]").click()
            page.wait_for_url("**period=7**")
            audit_accessibility(page)
            expect(page.locator("#scorecard-period-text")).to_be_visible()
            problems.assert_none(live_server.url)
        finally:
            context.close()
