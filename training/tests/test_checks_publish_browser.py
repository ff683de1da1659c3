"""In a real browser, under the strict CSP: the comprehension-check editor is reached from the
version page, the standard page and the track page; a member of staff who acknowledged version
1 sees on the acknowledgement page of version 2 what changed, and finds it on "My service".
Then the pages of this work (four eyes, retirement, the check links, the changes, My service)
in English, Russian and Polish, on a desk and a phone. Screenshots: var/screenshots/."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from conftest import make_user
from core.roles import MANAGER
from core.testing_browser import audit_accessibility, log_in, screenshot
from standards import services as standard_services
from standards.tests.factories import StandardFactory
from training import services
from training.models import Obligation
from training.tests.conftest import acknowledge, publish

pytestmark = [pytest.mark.browser]

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOCALES = {"en": "en-GB", "ru": "ru-RU", "pl": "pl-PL"}


def _world(manager, staff_user):
    """Greeting v1 (with a check) acknowledged by the agent, then v2 published with changes; a
    draft v3 in review, written by ``manager``; a track holding Greeting and Closing."""
    greeting = StandardFactory(title="Greeting the customer", slug="greeting")
    first = publish(
        greeting,
        manager=manager,
        questions=1,
        body="Answer within **3 rings**.\n\nSay your name.",
        at=timezone.now() - timedelta(days=40),
    )
    closing = StandardFactory(title="The closing question", slug="closing")
    publish(closing, manager=manager, at=timezone.now() - timedelta(days=40))
    track = services.track_save(
        user=manager,
        name="Chat agent onboarding",
        items=[
            {"standard": greeting, "due_offset_days": 3},
            {"standard": closing, "due_offset_days": 7},
        ],
    )
    services.track_assign(
        track=track,
        users=[staff_user],
        by=manager,
        start_date=timezone.localdate() - timedelta(days=30),
    )
    services.check_attempt_submit(
        user=staff_user,
        version=first,
        answers={
            str(q.pk): [str(c.pk) for c in q.choices.all() if c.is_correct]
            for q in first.training_questions.prefetch_related("choices")
        },
    )
    acknowledge(staff_user, first)
    draft = standard_services.version_create_draft(
        standard=greeting,
        user=manager,
        body_markdown="Answer within **2 rings**.\n\nSay your name.\n\nSmile.",
        change_summary="Faster answers, and a smile.",
    )
    second = standard_services.version_publish(version=draft, user=manager, allow_draft=True)
    third = standard_services.version_create_draft(standard=greeting, user=manager)
    standard_services.version_submit_for_review(version=third, user=manager)
    standard_services.standard_update(standard=greeting, user=manager, four_eyes=True)
    return {"greeting": greeting, "closing": closing, "track": track, "second": second}


def test_check_editor_from_three_pages_and_changes_on_reacknowledgement(
    transactional_db, live_server, browser, manager, staff_user
):
    url = live_server.url
    world = _world(manager, staff_user)
    # The draft v3 started with v2's check, which v2 had carried over from v1.
    assert world["greeting"].versions.get(number=3).training_questions.count() == 1

    context, page, problems = log_in(browser, url, manager.username, viewport=DESK)
    page.goto(f"{url}/standards/greeting/versions/2/")
    audit_accessibility(page)
    page.locator("#check-link").click()
    expect(page).to_have_url(f"{url}/training/standards/greeting/versions/2/questions/")
    expect(page.locator("#frozen")).to_be_visible()  # published: read only
    audit_accessibility(page)

    page.goto(f"{url}/standards/greeting/")
    audit_accessibility(page)
    page.locator("#check-link").click()
    expect(page).to_have_url(f"{url}/training/standards/greeting/versions/3/questions/")
    expect(page.locator("#questions > li")).to_have_count(1)
    expect(page.locator("#question-form")).to_be_visible()  # the draft's copy is editable
    audit_accessibility(page)

    page.goto(f"{url}/training/tracks/{world['track'].pk}/")
    audit_accessibility(page)
    page.locator(".check-link").last.click()
    expect(page).to_have_url(f"{url}/training/standards/closing/versions/1/questions/")
    audit_accessibility(page)

    # Four eyes: the author of v3 is told why they cannot publish it.
    page.goto(f"{url}/standards/greeting/versions/3/")
    expect(page.locator("#publish-version")).to_be_disabled()
    expect(page.locator("#publish-refusal")).to_contain_text("other than the version")
    audit_accessibility(page)
    problems.assert_none(url)
    context.close()

    context, page, problems = log_in(browser, url, staff_user.username, viewport=PHONE)
    page.goto(f"{url}/my-service/")
    expect(page.locator("#training-outstanding li")).to_have_count(2)
    audit_accessibility(page)
    page.locator("#training-outstanding a", has_text="Greeting the customer").click()
    expect(page).to_have_url(f"{url}/training/standards/greeting/versions/2/")
    changes = page.locator("#changes-since")
    expect(changes).to_contain_text("What changed since version 1")
    expect(changes.locator("ins").first).to_be_visible()
    expect(changes.locator("#changes-body")).to_contain_text("Smile.")
    audit_accessibility(page)
    problems.assert_none(url)
    context.close()


@pytest.mark.parametrize("language", list(LOCALES))
def test_screens_in_three_languages_on_desk_and_phone(
    transactional_db, live_server, browser, manager, staff_user, language
):
    url = live_server.url
    world = _world(manager, staff_user)
    make_user("manager2", MANAGER)
    Obligation.objects.filter(user=staff_user, standard=world["closing"]).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    pages_manager = [
        ("standard", "/standards/greeting/"),
        ("version-four-eyes", "/standards/greeting/versions/3/"),
        ("check-editor", "/training/standards/greeting/versions/3/questions/"),
        ("track", f"/training/tracks/{world['track'].pk}/"),
        ("settings", "/standards/greeting/settings/"),
        ("retire", "/standards/closing/retire/"),
    ]
    pages_staff = [
        ("my-service", "/my-service/"),
        ("reacknowledge", "/training/standards/greeting/versions/2/"),
    ]
    for width, viewport in (("1280", DESK), ("390", PHONE)):
        for user, pages in ((manager, pages_manager), (staff_user, pages_staff)):
            context, page, problems = log_in(
                browser, url, user.username, locale=LOCALES[language], viewport=viewport
            )
            for name, path in pages:
                page.goto(f"{url}{path}")
                screenshot(page, f"checks-publish-{name}-{language}-{width}.png")
            problems.assert_none(url)
            context.close()
    # Retired, as the manager sees the standard and the list of retired ones.
    standard_services.standard_retire(standard=world["closing"], user=manager)
    context, page, problems = log_in(
        browser, url, manager.username, locale=LOCALES[language], viewport=DESK
    )
    page.goto(f"{url}/standards/closing/")
    expect(page.locator("#retired-banner")).to_be_visible()
    screenshot(page, f"checks-publish-retired-{language}-1280.png")
    page.goto(f"{url}/standards/?retired=on")
    expect(page.locator("#standard-list a")).to_have_count(1)
    screenshot(page, f"checks-publish-retired-list-{language}-1280.png")
    problems.assert_none(url)
    context.close()
    assert (django_settings.VAR_DIR / "screenshots").exists()
