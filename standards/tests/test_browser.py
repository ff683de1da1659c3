"""A manager writes, reviews, publishes and revises a standard in a real browser; a staff member
reads it and the diff shows what changed. Everything runs under the strict CSP: the live
preview and "add a row" come from static JavaScript. Screenshots: var/screenshots/standards-*.
"""

import pytest
from playwright.sync_api import expect

from core.testing_browser import audit_accessibility, log_in, screenshot
from standards.models import Standard, StandardVersion
from standards.tests.factories import ChannelFactory

pytestmark = [pytest.mark.browser]

DESK = {"width": 1280, "height": 900}


def _shot(page, name: str):
    screenshot(page, f"standards-{name}.png")


def test_manager_writes_publishes_and_revises_staff_read_the_change(
    transactional_db, live_server, browser, manager, staff_user
):
    ChannelFactory(code="phone", name="Phone hotline")
    ChannelFactory(code="chat", name="Website chat")
    url = live_server.url

    # --- The manager writes a new standard --------------------------------------------------
    context, page, problems = log_in(browser, live_server.url, manager.username, viewport=DESK)
    page.goto(f"{url}/standards/")
    audit_accessibility(page)
    page.get_by_role("link", name="New standard").click()
    expect(page.locator("h1")).to_have_text("New standard")
    page.fill("#id_title", "Greeting the customer")
    page.fill("#id_category", "Communication")
    page.get_by_label("Phone hotline").check()
    page.get_by_label("Website chat").check()
    page.fill(
        "#id_body_markdown",
        "## On the phone\n\nAnswer within 3 rings with the **company greeting**.\n\n"
        "- Say your first name\n- Ask how you can help\n",
    )
    # The live preview is rendered by the server with the real renderer and sanitiser.
    expect(page.locator("#preview h3")).to_have_text("On the phone")
    expect(page.locator("#preview strong")).to_have_text("company greeting")
    page.fill("#id_change_summary", "First version.")
    page.fill("#id_criteria-0-text", "Answers within 3 rings")
    page.fill("#id_criteria-0-weight", "3")
    page.check("#id_criteria-0-is_critical")
    page.fill("#id_criteria-1-text", "Says own first name")
    page.get_by_role("button", name="Add a criterion").click()
    page.fill("#id_criteria-2-text", "Asks how they can help")
    page.fill("#id_situations-0-title", "The caller starts talking at once")
    page.fill("#id_situations-0-customer_says", "Describes the problem before the greeting.")
    page.fill("#id_situations-0-prescribed_response", "Let them finish, then greet and listen.")
    _shot(page, "01-editor")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".badge").first).to_have_text("Draft")
    expect(page.locator("#criteria-table tbody tr")).to_have_count(3)
    _shot(page, "02-draft")

    # --- ... submits it, tries to publish without a summary, then publishes ----------------
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".alert-success")).to_contain_text("submitted for review")
    page.get_by_role("link", name="Publish…").click()
    page.fill("#id_change_summary", "")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#publish-form")).to_contain_text("Say in a sentence what changed")
    audit_accessibility(page)
    page.fill("#id_change_summary", "First version of the greeting standard.")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Version 1 is published")
    expect(page.locator("#standard-body")).to_contain_text("Answer within 3 rings")
    _shot(page, "03-published")

    # --- ... and revises it: a new draft starts as a copy of the published text -------------
    page.get_by_role("button", name="Start a new draft").click()
    expect(page.locator("h1")).to_have_text("Draft version 2")
    body = page.locator("#id_body_markdown")
    expect(body).to_have_value(
        "## On the phone\n\nAnswer within 3 rings with the **company greeting**.\n\n"
        "- Say your first name\n- Ask how you can help\n"
    )
    body.fill(
        "## On the phone\n\nAnswer within 5 seconds with the **company greeting**.\n\n"
        "- Say your first name\n- Ask how you can help\n"
    )
    expect(page.locator("#preview")).to_contain_text("within 5 seconds")
    audit_accessibility(page)
    page.fill("#id_criteria-0-text", "Answers within 5 seconds")
    page.fill("#id_change_summary", "Seconds instead of rings.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url("**/versions/2/")
    audit_accessibility(page)
    page.get_by_role("button", name="Submit for review").click()
    page.get_by_role("link", name="Publish…").click()
    expect(page.locator("#id_change_summary")).to_have_value("Seconds instead of rings.")
    audit_accessibility(page)
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Version 2 is published")
    page.get_by_role("link", name="Version history").click()
    expect(page.locator("#version-table tbody tr")).to_have_count(2)
    _shot(page, "04-history")
    context.close()
    problems.assert_none(url)

    standard = Standard.objects.get(slug="greeting-the-customer")
    assert list(standard.versions.order_by("number").values_list("status", flat=True)) == [
        StandardVersion.Status.ARCHIVED,
        StandardVersion.Status.PUBLISHED,
    ]

    # --- A staff member finds it, reads it and sees what changed ----------------------------
    context, page, problems = log_in(browser, live_server.url, staff_user.username, viewport=DESK)
    page.get_by_role("link", name="Standards", exact=True).first.click()
    page.wait_for_url(f"{url}/standards/")
    audit_accessibility(page)
    page.fill("#id_q", "greeting")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#standard-list a")).to_have_count(1)
    _shot(page, "05-staff-list")
    page.locator("#standard-list a").first.click()
    expect(page.locator("h1")).to_have_text("Greeting the customer")
    expect(page.locator("#standard-body")).to_contain_text("Answer within 5 seconds")
    expect(page.locator("#criteria-table")).to_contain_text("Answers within 5 seconds")
    expect(page.locator(".situation")).to_contain_text("Let them finish")
    expect(page.locator("#manager-panel")).to_have_count(0)
    _shot(page, "06-staff-standard")
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    _shot(page, "07-staff-standard-print")
    page.emulate_media(media="screen")
    page.get_by_role("link", name="What changed").click()
    expect(page.locator("#diff-body del")).to_have_text(["3 rings"])
    expect(page.locator("#diff-body ins")).to_have_text(["5 seconds"])
    expect(page.locator("#diff-criteria del")).to_contain_text(["3 rings"])
    _shot(page, "08-staff-diff")
    # The staff member cannot reach the manager pages.
    response = page.goto(f"{url}/standards/greeting-the-customer/versions/")
    assert response.status == 403
    audit_accessibility(page)
    context.close()
    # The 403 above is expected; everything else must have been clean.
    forbidden = "/versions/"
    problems.failed_requests = [p for p in problems.failed_requests if forbidden not in p]
    problems.console_errors = [p for p in problems.console_errors if forbidden not in p]
    problems.assert_none(url)


def test_demo_book_in_the_browser(transactional_db, live_server, browser, manager, staff_user):
    """The demo standards book: the manager's dashboard card, the list, a table in a body."""
    from channels_app.models import Channel
    from demo import standards as demo

    for code, kind in [
        ("phone", Channel.Kind.PHONE),
        ("chat", Channel.Kind.CHAT),
        ("email", Channel.Kind.EMAIL),
        ("facebook", Channel.Kind.SOCIAL),
        ("whatsapp", Channel.Kind.MESSENGER),
        ("office", Channel.Kind.OFFICE),
    ]:
        ChannelFactory(code=code, name=code.capitalize(), kind=kind)
    demo.seed(users={"manager": manager})
    url = live_server.url

    context, page, problems = log_in(browser, live_server.url, manager.username, viewport=DESK)
    expect(page.locator("#overdue-reviews li")).to_have_count(2)
    expect(page.locator("#awaiting-review li")).to_have_count(1)
    _shot(page, "10-manager-dashboard")
    page.goto(f"{url}/standards/")
    expect(page.locator("#standard-list a")).to_have_count(13)
    _shot(page, "11-manager-list")
    page.goto(f"{url}/standards/response-times-per-channel/")
    expect(page.locator("#standard-body table tbody tr")).to_have_count(6)
    _shot(page, "12-response-times")
    page.goto(f"{url}/standards/composure-in-a-conflict/")
    audit_accessibility(page)
    page.locator("#open-version-link").click()
    expect(page.get_by_role("link", name="Publish…")).to_be_visible()
    _shot(page, "13-in-review")
    context.close()
    problems.assert_none(url)

    context, page, problems = log_in(browser, live_server.url, staff_user.username, viewport=DESK)
    page.goto(f"{url}/standards/")
    audit_accessibility(page)
    page.select_option("#id_channel", "facebook")
    page.get_by_role("button", name="Find").click()
    expect(page.locator("#standard-list a")).to_have_count(6)
    _shot(page, "14-staff-social-filter")
    context.close()
    problems.assert_none(url)
