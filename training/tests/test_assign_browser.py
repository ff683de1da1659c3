"""A manager working in Polish or Russian assigns an onboarding track to a person: one submit
saves it. The person then reads the standard, whose Markdown table has ruled cells on the staff
reading page too. Screenshots: var/screenshots/training-assign-<lang>-*.png."""

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from conftest import make_user
from core.preferences import set_preferred_language
from core.roles import STAFF
from core.testing_browser import log_in, screenshot
from standards.tests.factories import StandardFactory
from training import services
from training.models import TrackAssignment
from training.tests.conftest import publish

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 800}
TABLE_BODY = (
    "## Odpowiedź na czas\n\n"
    "| Kanał | Pierwsza odpowiedź |\n| --- | --- |\n| Czat | 2 minuty |\n| E-mail | 4 godziny |\n"
)


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("language", ["pl", "ru"])
def test_manager_assigns_a_track_on_the_first_submit(
    transactional_db, live_server, browser, manager, language
):
    url = live_server.url
    standard = StandardFactory(title="Czas odpowiedzi", slug="response-time")
    publish(standard, manager=manager, body=TABLE_BODY)
    track = services.track_save(
        user=manager, name="Start", items=[{"standard": standard, "due_offset_days": 3}]
    )
    newcomer = make_user("ola", STAFF, first_name="Ola", last_name="Kowalska")
    set_preferred_language(manager, language)
    set_preferred_language(newcomer, language)
    with translation.override(language):
        assign, saved = (
            gettext("Assign"),
            gettext("%(count)d new assignment; people who had the track keep their start date."),
        )

    context, page, problems = log_in(browser, url, manager.username, viewport=DESK)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{url}/training/tracks/{track.pk}/assign/")
    page.get_by_label("Ola Kowalska (ola)").check()
    expect(page.locator("#id_start_date")).not_to_have_value("")
    _no_horizontal_scroll(page)
    screenshot(page, f"training-assign-{language}-01-form.png")
    page.locator("#assign-form").get_by_role("button", name=assign, exact=True).click()
    page.wait_for_url(f"{url}/training/tracks/")
    expect(page.locator(".alert-success")).to_contain_text(saved.split("%(count)d")[1].strip()[:20])
    screenshot(page, f"training-assign-{language}-02-saved.png")
    assignment = TrackAssignment.objects.get(track=track, user=newcomer)
    assert assignment.start_date == timezone.localdate()
    context.close()
    problems.assert_none(url)

    # The newcomer reads the standard: the table is ruled on the staff reading page as well.
    context, page, problems = log_in(browser, url, newcomer.username, viewport=DESK)
    page.goto(f"{url}/training/standards/response-time/")
    cell = page.locator("#standard-body td").first
    expect(cell).to_have_text("Czat")
    assert cell.evaluate("c => getComputedStyle(c).borderTopStyle") == "solid"
    assert cell.evaluate("c => getComputedStyle(c).borderTopWidth") == "1px"
    _no_horizontal_scroll(page)
    screenshot(page, f"training-assign-{language}-03-reading-table.png")
    context.close()
    problems.assert_none(url)
