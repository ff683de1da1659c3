"""A new employee walks a track to 100% in a real browser and the manager sees it in the
matrix; a major version makes the item outstanding again, a minor one does not. Runs under the
strict CSP. Screenshots: var/screenshots/training-*.png."""

import pytest
from playwright.sync_api import expect

from core.testing_browser import audit_accessibility, log_in, screenshot
from standards.tests.factories import StandardFactory
from training import services
from training.tests.conftest import publish

pytestmark = [pytest.mark.browser]


def test_employee_walks_a_track_manager_sees_it_and_versions_matter(
    transactional_db, live_server, browser, manager, staff_user
):
    url = live_server.url
    greeting = StandardFactory(title="Greeting the customer", slug="greeting")
    publish(greeting, manager=manager, body="Answer within **3 rings**.")
    closing = StandardFactory(title="The closing question", slug="closing")
    publish(closing, manager=manager, questions=1)
    track = services.track_save(
        user=manager,
        name="Chat agent onboarding",
        items=[
            {"standard": greeting, "due_offset_days": 3},
            {"standard": closing, "due_offset_days": 7},
        ],
    )
    services.track_assign(track=track, users=[staff_user], by=manager)

    # --- The new employee, on a phone --------------------------------------------------------
    context, page, problems = log_in(
        browser, live_server.url, staff_user.username, viewport={"width": 390, "height": 844}
    )
    expect(page.locator("#outstanding-count")).to_have_text("2")
    page.goto(f"{url}/training/")
    expect(page.locator(".track-percent")).to_have_text("0\u00a0%")
    expect(page.locator("#open-items li")).to_have_count(2)
    screenshot(page, "training-01-my-onboarding-phone.png")

    page.get_by_role("link", name="Greeting the customer").click()
    expect(page.locator("#standard-body")).to_contain_text("Answer within 3 rings")
    audit_accessibility(page)
    page.fill("#id_full_name", "Someone Else")
    page.get_by_label("I have read this standard and will follow it").check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#acknowledge-form")).to_contain_text("Adam Agent")
    audit_accessibility(page)  # with the form's error
    page.fill("#id_full_name", "adam agent")
    page.get_by_label("I have read this standard and will follow it").check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#fingerprint-ok")).to_be_visible()
    screenshot(page, "training-02-record.png")

    page.goto(f"{url}/training/")
    expect(page.locator(".track-percent")).to_have_text("50\u00a0%")
    page.get_by_role("link", name="The closing question").click()
    expect(page.locator("#check-form")).to_be_visible()
    page.get_by_label("Wrong").check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator(".alert-danger")).to_contain_text("below the pass mark")
    audit_accessibility(page)
    page.get_by_label("Right").check()
    page.get_by_role("button", name="Check my answers").click()
    expect(page.locator(".alert-success")).to_contain_text("You passed the check")
    page.fill("#id_full_name", "Adam Agent")
    page.get_by_label("I have read this standard and will follow it").check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#fingerprint-ok")).to_be_visible()
    audit_accessibility(page)

    page.goto(f"{url}/training/")
    expect(page.locator(".track-percent")).to_have_text("100\u00a0%")
    expect(page.locator("#nothing-open")).to_be_visible()
    expect(page.locator("#history tbody tr")).to_have_count(2)
    screenshot(page, "training-03-done-phone.png")

    # --- The manager sees it in the matrix ---------------------------------------------------
    m_context, m_page, m_problems = log_in(
        browser, live_server.url, manager.username, viewport={"width": 1280, "height": 900}
    )
    m_page.get_by_role("link", name="Onboarding", exact=True).click()
    row = m_page.locator('#matrix tr[data-user="agent"]')
    expect(row.locator(".row-percent")).to_have_text("100\u00a0%")
    expect(row.locator('td[data-state="acknowledged"]')).to_have_count(2)
    screenshot(m_page, "training-04-matrix.png")

    # --- A minor version changes nothing; a major one makes the item outstanding ------------
    publish(greeting, manager=manager, kind="minor")
    page.reload()
    expect(page.locator(".track-percent")).to_have_text("100\u00a0%")
    publish(greeting, manager=manager, kind="major")
    page.reload()
    expect(page.locator(".track-percent")).to_have_text("50\u00a0%")
    expect(page.locator("#open-items li")).to_have_count(1)
    expect(page.locator("#open-items")).to_contain_text("Greeting the customer")
    expect(page.locator("#open-items")).to_contain_text("version 3")
    m_page.reload()
    expect(row.locator('td[data-state="outstanding"]')).to_have_count(1)
    expect(row.locator(".row-percent")).to_have_text("50\u00a0%")
    screenshot(m_page, "training-05-matrix-after-major.png")

    context.close()
    m_context.close()
    problems.assert_none(url)
    m_problems.assert_none(url)


def test_manager_unassigns_a_track_and_sets_working_hours(
    transactional_db, live_server, browser, manager, staff_user
):
    url = live_server.url
    greeting = StandardFactory(title="Greeting the customer", slug="greeting")
    publish(greeting, manager=manager)
    closing = StandardFactory(title="The closing question", slug="closing")
    publish(closing, manager=manager)
    chat = services.track_save(
        user=manager,
        name="Chat agent onboarding",
        items=[
            {"standard": greeting, "due_offset_days": 3},
            {"standard": closing, "due_offset_days": 7},
        ],
    )
    phone = services.track_save(
        user=manager, name="Phone basics", items=[{"standard": greeting, "due_offset_days": 3}]
    )
    services.track_assign(track=chat, users=[staff_user], by=manager)
    services.track_assign(track=phone, users=[staff_user], by=manager)

    context, page, problems = log_in(
        browser, live_server.url, manager.username, viewport={"width": 1280, "height": 900}
    )
    page.goto(f"{url}/training/people/{staff_user.username}/")
    chat_row = page.locator('#person-assignments li[data-track="Chat agent onboarding"]')
    chat_row.get_by_role("link", name="Unassign…").click()
    expect(page.locator("#to-withdraw")).to_contain_text("The closing question")
    expect(page.locator("#kept")).to_contain_text("Greeting the customer")
    screenshot(page, "training-06-unassign-confirm.png")
    page.get_by_role("button", name="Unassign").click()
    expect(page.locator(".alert-success")).to_contain_text("1 outstanding standard was withdrawn")
    expect(page.locator("#person-assignments li")).to_have_count(1)
    expect(page.locator("#person-obligations")).to_contain_text("Withdrawn")

    page.get_by_role("link", name="Edit working hours").click()
    page.select_option("#id_timezone", "Asia/Tokyo")
    page.fill("#id_work_start", "09:00")
    page.fill("#id_work_end", "09:00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#working-hours-form")).to_contain_text("cannot start and end at the same")
    audit_accessibility(page)
    page.fill("#id_work_start", "09:00")
    page.fill("#id_work_end", "17:00")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#person-working-hours")).to_contain_text(
        "Weekdays from 09:00 to 17:00 (Asia/Tokyo)"
    )
    screenshot(page, "training-07-person-after.png")

    # The employee sees only what is still required.
    s_context, s_page, s_problems = log_in(
        browser, live_server.url, staff_user.username, viewport={"width": 390, "height": 844}
    )
    expect(s_page.locator("#outstanding-count")).to_have_text("1")
    s_page.goto(f"{url}/training/")
    expect(s_page.locator("#open-items li")).to_have_count(1)
    expect(s_page.locator("#open-items")).to_contain_text("Greeting the customer")
    audit_accessibility(s_page)

    context.close()
    s_context.close()
    problems.assert_none(url)
    s_problems.assert_none(url)
