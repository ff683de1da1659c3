"""A Polish and a Russian manager enter a week in one go on the calendar page, in a real browser
under the strict CSP: Monday 09:00–13:00 and 14:00–18:00 copied to Tuesday–Friday, a Saturday
night shift 22:00–06:00 as one row, a stray row added and removed, one save. The stored intervals
are checked, the page reopens showing the week as entered, and no page a manager reaches
scrolls sideways at 1280 px (nor the calendar page at 390 px).
Screenshots: var/screenshots/calendar-<lang>-*.png."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from channels_app.models import BusinessCalendar
from channels_app.tests.factories import BusinessCalendarFactory, ChannelFactory
from core.models import Profile
from core.testing_browser import audit_accessibility, log_in, screenshot

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The browser's own locale too: it decides how the native time pickers show the hours.
LOCALE = {"pl": "pl-PL", "ru": "ru-RU"}
ROWS = "[data-formset=hours] tr[data-formset-row]:not([hidden])"

# Words of each language the journey checks the page by.
TEXT = {
    "pl": {"saved": "został zapisany", "weekday": "sobota"},
    "ru": {"saved": "сохранён", "weekday": "суббота"},
}


def assert_fits(page, what):
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})"
    )
    assert widths["page"] <= widths["screen"], f"{what} scrolls sideways: {widths}"


def fill_row(row, weekday, start, end):
    row.locator("select[name$='-weekday']").select_option(str(weekday))
    row.locator("input[name$='-start']").fill(start)
    row.locator("input[name$='-end']").fill(end)


@pytest.mark.parametrize("language", ["pl", "ru"])
def test_manager_enters_a_week_with_a_lunch_break_and_a_night_shift(
    transactional_db, live_server, browser, manager, language
):
    Profile.objects.update_or_create(user=manager, defaults={"language": language})
    other = BusinessCalendarFactory(office=True, name="Biuro / Офис")
    channel = ChannelFactory(calendar=other, owner=manager)
    url = live_server.url
    context, page, problems = log_in(
        browser, url, manager.username, viewport=DESK, locale=LOCALE[language]
    )
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    shot = f"calendar-{language}"

    page.goto(f"{url}{reverse('channels:calendar-list')}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_fits(page, "calendar list")
    page.locator(f"a[href='{reverse('channels:calendar-create')}']").first.click()
    page.wait_for_url(f"{url}{reverse('channels:calendar-create')}")

    # The script left one blank row, not three.
    expect(page.locator(ROWS)).to_have_count(1)
    page.fill("#id_name", f"Serwis / Сервис {language}")
    fill_row(page.locator(ROWS).nth(0), 0, "09:00", "13:00")
    add = page.locator("[data-formset=hours] [data-formset-add]")
    add.click()
    # A new row starts on the day of the row above.
    expect(page.locator(ROWS).nth(1).locator("select")).to_have_value("0")
    fill_row(page.locator(ROWS).nth(1), 0, "14:00", "18:00")

    # A Saturday row entered first is put back in its place after the copy.
    add.click()
    fill_row(page.locator(ROWS).nth(2), 5, "10:00", "12:00")

    # Monday to the weekdays in one click.
    page.select_option("#id_copy-source", "0")
    page.locator("[data-copy-weekdays]").click()
    for day in range(1, 5):
        expect(page.locator(f"#id_copy-targets_{day}")).to_be_checked()
    expect(page.locator("#id_copy-targets_5")).not_to_be_checked()
    page.locator("[data-copy-submit]").click()
    expect(page.locator("[data-copy-status]")).not_to_be_empty()
    expect(page.locator(ROWS)).to_have_count(11)
    days = [s.input_value() for s in page.locator(f"{ROWS} select[name$='-weekday']").all()]
    assert days == ["0", "0", "1", "1", "2", "2", "3", "3", "4", "4", "5"]
    page.locator(ROWS).nth(10).locator("[data-formset-delete] button").click()
    expect(page.locator(ROWS)).to_have_count(10)

    # The night shift is one row, and the page says it closes the next day.
    add.click()
    night = page.locator(ROWS).nth(10)
    fill_row(night, 5, "22:00", "06:00")
    expect(night.locator("[data-overnight-hint]")).to_be_visible()
    expect(page.locator(f"{ROWS} [data-overnight-hint]:visible")).to_have_count(1)

    # A row added by mistake goes away in place.
    add.click()
    stray = page.locator(ROWS).nth(11)
    fill_row(stray, 6, "10:00", "12:00")
    stray.locator("[data-formset-delete] button").click()
    expect(page.locator(ROWS)).to_have_count(11)

    assert_fits(page, "new calendar page")
    screenshot(page, f"{shot}-01-entered-1280.png")

    posts.clear()
    with page.expect_navigation():
        page.locator("#calendar-save").click()
    assert len(posts) == 1, posts  # saved once
    calendar = BusinessCalendar.objects.get(name=f"Serwis / Сервис {language}")
    page.wait_for_url(f"{url}{reverse('channels:calendar-update', args=[calendar.pk])}")
    expect(page.locator(".alert-success")).to_contain_text(TEXT[language]["saved"])

    stored = list(calendar.hours.values_list("weekday", "start_minute", "end_minute"))
    assert stored == sorted(
        [(d, 540, 780) for d in range(5)]
        + [(d, 840, 1080) for d in range(5)]
        + [(5, 1320, 1440), (6, 0, 360)]
    )

    # Reopened: the week as entered, the night shift as one Saturday row.
    page.reload()
    rows = page.locator(ROWS)
    expect(rows).to_have_count(11)
    saturday = rows.nth(10)
    expect(saturday.locator("select")).to_have_value("5")
    expect(saturday.locator("select option:checked")).to_have_text(
        re.compile(TEXT[language]["weekday"], re.I)
    )
    expect(saturday.locator("input[name$='-start']")).to_have_value("22:00")
    expect(saturday.locator("input[name$='-end']")).to_have_value("06:00")
    expect(saturday.locator("[data-overnight-hint]")).to_be_visible()
    expect(page.locator("#id_country")).to_have_attribute("form", "holiday-import")
    assert_fits(page, "calendar page")
    screenshot(page, f"{shot}-02-reopened-1280.png")

    # Every other page a manager reaches from here fits the screen too.
    for name, args in [
        ("calendar-import-holidays", [calendar.pk]),
        ("calendar-delete", [calendar.pk]),
        ("channel-list", []),
        ("channel-create", []),
        ("channel-update", [channel.pk]),
        ("channel-delete", [channel.pk]),
        ("calendar-update", [other.pk]),
        ("calendar-list", []),
    ]:
        page.goto(f"{url}{reverse(f'channels:{name}', args=args)}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_fits(page, name)
        audit_accessibility(page)
    screenshot(page, f"{shot}-03-list-1280.png")

    # On a phone the page still fits, with no sideways scroll.
    page.set_viewport_size(PHONE)
    page.goto(f"{url}{reverse('channels:calendar-update', args=[calendar.pk])}")
    expect(page.locator(ROWS)).to_have_count(11)
    assert_fits(page, "calendar page on a phone")
    screenshot(page, f"{shot}-04-reopened-390.png")

    context.close()
    problems.assert_none(url)


def test_without_a_script_the_page_still_enters_the_week(
    transactional_db, live_server, browser, manager
):
    """The plain formset: blank rows, "Copy" done by the server, errors from the server."""
    Profile.objects.update_or_create(user=manager, defaults={"language": "pl"})
    url = live_server.url
    context, page, problems = log_in(
        browser, url, manager.username, viewport=DESK, locale="pl-PL", java_script_enabled=False
    )
    page.goto(f"{url}{reverse('channels:calendar-create')}")
    rows = page.locator("[data-formset=hours] tr[data-formset-row]")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-formset=hours] [data-formset-add]")).to_be_hidden()
    page.fill("#id_name", "Bez skryptu")
    fill_row(rows.nth(0), 0, "09:00", "13:00")
    fill_row(rows.nth(1), 0, "14:00", "18:00")
    for day in range(1, 5):
        page.locator(f"label[for='id_copy-targets_{day}']").click()
    with page.expect_navigation():
        page.locator("[data-copy-submit]").click()
    expect(page.locator(".alert-info")).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("Bez skryptu")
    expect(rows).to_have_count(13)  # ten rows and three blank ones
    assert not BusinessCalendar.objects.exists()

    # An overnight row that runs into the next morning's hours: a form error, nothing saved.
    fill_row(rows.nth(10), 5, "22:00", "06:00")
    fill_row(rows.nth(11), 6, "05:00", "09:00")
    with page.expect_navigation():
        page.locator("#calendar-save").click()
    expect(page.locator(".alert-danger")).to_contain_text("22:00–06:00")
    assert not BusinessCalendar.objects.exists()
    screenshot(page, "calendar-pl-05-no-script-error-1280.png")

    rows.nth(11).locator("input[type=checkbox]").check()
    with page.expect_navigation():
        page.locator("#calendar-save").click()
    audit_accessibility(page)  # JavaScript is off: counted, not run (see core.testing_browser)
    calendar = BusinessCalendar.objects.get(name="Bez skryptu")
    assert calendar.hours.count() == 12
    assert calendar.hours.filter(weekday=6, start_minute=0, end_minute=360).exists()
    assert_fits(page, "calendar page without a script")
    context.close()
    problems.assert_none(url)
