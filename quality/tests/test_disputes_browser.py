"""The loop of an evaluation in a real browser under the strict CSP: a manager evaluates a
contact straight from its page (the form filled in from the contact); the agent, working in
Russian, disputes it; the manager changes the score with a reason, and the standard's scorecard
("followed") moves with it; the agent's "My service" shows the outcome and the standard they
still owe (their onboarding track holds it). Both sides are told by email in their own
language. Every page is audited for accessibility.
Screenshots: var/screenshots/evaluation-loop-*.png."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from core.models import OutboxMessage
from core.preferences import set_preferred_language
from core.testing_browser import audit_accessibility, log_in, screenshot
from quality.models import Evaluation
from quality.services.disputes import DISPUTED, RESOLVED
from sla.tests.factories import make_contact
from standards.tests.factories import ChannelFactory, StandardFactory, make_evaluable_version
from training import services as training_services

pytestmark = [pytest.mark.browser]

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def loop(transactional_db, manager, staff_user):
    phone = ChannelFactory(code="phone", name="Phone", calendar=None, owner=manager)
    version = make_evaluable_version(standard=StandardFactory(slug="greeting", title="Greeting"))
    version.standard.channels.add(phone)
    staff_user.first_name, staff_user.last_name = "Anna", "Agentova"
    staff_user.save()
    set_preferred_language(staff_user, "ru")
    contact = make_contact(
        channel=phone,
        external_id="CALL-4242",
        opened_at=timezone.now() - dt.timedelta(hours=5),
        agent=staff_user,
    )
    # Their onboarding track holds the standard: they still owe its acknowledgement.
    track = training_services.track_save(
        user=manager,
        name="Phone onboarding",
        items=[{"standard": version.standard, "due_offset_days": 3}],
    )
    training_services.track_assign(
        track=track, users=[staff_user], start_date=timezone.localdate(), by=manager
    )
    return {"contact": contact, "version": version}


def test_evaluate_dispute_resolve_and_see_the_outcome(
    live_server, browser, loop, manager, staff_user
):
    url = live_server.url
    contact, version = loop["contact"], loop["version"]
    criteria = list(version.criteria.order_by("order", "id"))

    # The manager opens the contact and evaluates it.
    context, page, problems = log_in(browser, url, manager.username, viewport=DESK)
    page.goto(url + reverse("sla:contact-detail", args=[contact.pk]))
    audit_accessibility(page)
    page.locator("#evaluate-contact").click()
    screenshot(page, "evaluation-loop-01-choose-standard.png")
    page.locator('#contact-standards [data-standard="greeting"]').click()
    expect(page.locator("#from-contact")).to_be_visible()
    expect(page.locator("#id_interaction_reference")).to_have_value("CALL-4242")
    expect(page.locator("#id_agent")).to_have_value(str(staff_user.pk))
    for criterion, result in zip(criteria, ["met", "not_met", "met"], strict=True):
        page.locator(f'input[name="result_{criterion.pk}"][value="{result}"]').check()
    screenshot(page, "evaluation-loop-02-form.png")
    page.locator("#evaluation-form button[type=submit]").click()
    expect(page.locator("#evaluation-score")).to_contain_text("66")
    audit_accessibility(page)
    evaluation = Evaluation.objects.get()
    assert (evaluation.interaction_reference, evaluation.agent, evaluation.channel) == (
        "CALL-4242",
        staff_user,
        contact.channel,
    )
    # The scorecard counts it: "followed" is its score.
    page.goto(url + reverse("quality:scorecard", args=["greeting"]))
    expect(page.locator("#followed-avg")).to_contain_text("66")
    audit_accessibility(page)
    problems.assert_none(url)
    context.close()

    # The agent, in Russian, disputes it.
    context, page, problems = log_in(
        browser, url, staff_user.username, viewport=PHONE, locale="ru-RU"
    )
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.goto(url + reverse("my-service"))
    expect(page.locator("#evaluations-awaiting")).to_be_visible()
    audit_accessibility(page)
    page.locator("#evaluations-latest a").first.click()
    expect(page.locator("#answer-form")).to_be_visible()
    audit_accessibility(page)
    page.locator("#dispute-evaluation").click()  # no comment yet: refused, nothing written
    expect(page.locator("#answer-form .text-danger")).to_be_visible()
    audit_accessibility(page)
    assert not OutboxMessage.objects.filter(kind=DISPUTED).exists()
    page.fill("#id_comment", "Я поздоровалась по скрипту, прослушайте начало звонка.")
    screenshot(page, "evaluation-loop-03-dispute-ru.png")
    page.locator("#dispute-evaluation").click()
    expect(page.locator('#evaluation-state [data-state="disputed"]')).to_be_visible()
    audit_accessibility(page)
    problems.assert_none(url)
    context.close()
    told = OutboxMessage.objects.get(kind=DISPUTED)
    assert (told.recipient, told.language) == (manager, "en")

    # The manager resolves it with a changed score.
    context, page, problems = log_in(browser, url, manager.username, viewport=DESK)
    page.goto(url + reverse("quality:evaluation-list") + "?state=disputed")
    screenshot(page, "evaluation-loop-04-disputed-list.png")
    page.locator("#evaluation-table a", has_text="CALL-4242").click()
    expect(page.locator("#evaluation-history")).to_contain_text("прослушайте начало звонка")
    page.locator('input[name="outcome"][value="changed"]').check()
    page.fill("#id_score", "85")
    page.fill("#id_reason", "Heard the call again: the greeting was there.")
    screenshot(page, "evaluation-loop-05-resolve.png")
    page.locator("#resolve-evaluation").click()
    expect(page.locator('#evaluation-state [data-state="resolved"]')).to_be_visible()
    expect(page.locator("#evaluation-score")).to_contain_text("85")
    expect(page.locator("#evaluation-history li")).to_have_count(3)
    screenshot(page, "evaluation-loop-06-resolved.png")
    # The scorecard follows the resolution: the changed score replaces the disputed one.
    page.goto(url + reverse("quality:scorecard", args=["greeting"]))
    expect(page.locator("#followed-avg")).to_contain_text("85")
    screenshot(page, "evaluation-loop-06b-scorecard.png")
    problems.assert_none(url)
    context.close()
    told = OutboxMessage.objects.get(kind=RESOLVED)
    assert (told.recipient, told.language) == (staff_user, "ru")
    assert Evaluation.objects.current().get().score == 85

    # The agent's "My service" shows the outcome.
    context, page, problems = log_in(
        browser, url, staff_user.username, viewport=PHONE, locale="ru-RU"
    )
    page.goto(url + reverse("my-service"))
    outcome = page.locator("#evaluations-latest li").first
    expect(outcome.locator('[data-state="resolved"]')).to_be_visible()
    expect(outcome).to_contain_text("85")
    expect(page.locator("#evaluations-awaiting")).to_have_count(0)
    # ...and the standard they still owe, with its due date.
    owed = page.locator("#training-outstanding")
    expect(owed).to_contain_text("Greeting")
    with translation.override("ru"):
        due = date_format(timezone.localdate() + dt.timedelta(days=3), "SHORT_DATE_FORMAT")
    expect(owed).to_contain_text(due)
    screenshot(page, "evaluation-loop-07-my-service-ru.png")
    problems.assert_none(url)
    context.close()
