"""The office kiosk in a Polish office, and the managers' follow-ups page, in a real browser.

A customer answers twice in a row on a kiosk set to Polish and sees Polish both times; a third
answer inside the kiosk's interval is refused in Polish words, never thanked. A Russian-speaking
customer picks Russian for their visit; the next customer gets Polish again. A manager working
in Polish or Russian filters the follow-ups. Screenshots: var/screenshots/kiosk-*.png and
follow-ups-*.png; each page is checked for a horizontal scroll at 1280 px.
"""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from channels_app.tests.factories import ChannelFactory
from core.preferences import set_preferred_language
from core.testing_browser import PageProblems, audit_accessibility, log_in, screenshot
from surveys import services
from surveys.models import FollowUp, Kiosk, Response

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 800}


def _words(language, *msgids):
    with translation.override(language):
        return [gettext(m) for m in msgids]


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _forgive_the_refusal(problems, start: str):
    """The refused answer is a 429 on purpose; the referee is told so, and only about that one."""
    expected = [f"POST {start}: 429"]
    assert problems.failed_requests == expected
    problems.failed_requests = []
    problems.console_errors = [
        e for e in problems.console_errors if f"429 (Too Many Requests) ({start})" not in e
    ]


def _answer(page, score: int):
    page.locator(f"label[for=csat-{score}]").click()
    page.locator("button[type=submit]").click()


def test_customer_answers_twice_in_polish_and_is_refused_in_polish(
    transactional_db, live_server, browser
):
    office = ChannelFactory(code="office", name="Biuro", calendar=None)
    kiosk = services.kiosk_create(name="Recepcja", channel=office, min_interval_seconds=4)
    question, thanks, refused = _words(
        "pl", "How was your visit today?", "Thank you!", "Your answer was not recorded"
    )
    context = browser.new_context(locale="en-GB", viewport=DESK)  # an English tablet browser
    page = context.new_page()
    problems = PageProblems(page)
    start = f"{live_server.url}/kiosk/{kiosk.key}/"
    Kiosk.objects.filter(pk=kiosk.pk).update(language="pl")  # as the manager set it

    # First answer: the kiosk speaks Polish without anyone choosing it.
    page.goto(start)
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator("h1")).to_have_text(question)
    _no_horizontal_scroll(page)
    screenshot(page, "kiosk-pl-01-start.png")
    _answer(page, 4)
    expect(page.locator("#kiosk-thanks h1")).to_have_text(thanks)
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    screenshot(page, "kiosk-pl-02-thanks.png")

    # The thank-you screen returns to the start by itself, still Polish; the second answer
    # comes after the kiosk's interval and is thanked in Polish too.
    expect(page.locator(".kiosk-faces")).to_be_visible(timeout=10_000)
    assert page.url == start
    expect(page.locator("h1")).to_have_text(question)
    _answer(page, 5)
    expect(page.locator("#kiosk-thanks h1")).to_have_text(thanks)
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    screenshot(page, "kiosk-pl-03-second-thanks.png")
    assert list(Response.objects.order_by("pk").values_list("csat", "language")) == [
        (4, "pl"),
        (5, "pl"),
    ]

    # Straight back and a third tap inside the interval: refused, in Polish, with no thanks.
    page.locator("#kiosk-thanks a").click()
    _answer(page, 1)
    expect(page.locator("#kiosk-busy h1")).to_have_text(refused)
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator("#kiosk-thanks")).to_have_count(0)
    expect(page.get_by_text(thanks)).to_have_count(0)
    _no_horizontal_scroll(page)
    screenshot(page, "kiosk-pl-04-refused.png")
    assert Response.objects.count() == 2
    context.close()
    _forgive_the_refusal(problems, start)
    problems.assert_none(live_server.url)


def test_a_russian_customer_chooses_russian_for_one_visit(transactional_db, live_server, browser):
    office = ChannelFactory(code="office", name="Biuro", calendar=None)
    kiosk = services.kiosk_create(
        name="Recepcja", channel=office, min_interval_seconds=0, language="pl"
    )
    (thanks_ru,) = _words("ru", "Thank you!")
    (question_pl, question_ru) = (
        _words("pl", "How was your visit today?")[0],
        _words("ru", "How was your visit today?")[0],
    )
    context = browser.new_context(locale="ru-RU", viewport=DESK)
    page = context.new_page()
    problems = PageProblems(page)
    start = f"{live_server.url}/kiosk/{kiosk.key}/"
    page.goto(start)
    audit_accessibility(page)
    expect(page.locator("h1")).to_have_text(question_pl)  # the kiosk's language, not the browser's
    page.get_by_role("link", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text(question_ru)
    _no_horizontal_scroll(page)
    screenshot(page, "kiosk-ru-01-chosen.png")
    _answer(page, 2)
    expect(page.locator("#kiosk-thanks h1")).to_have_text(thanks_ru)
    screenshot(page, "kiosk-ru-02-thanks.png")
    assert Response.objects.get().language == "ru"
    # The visit is over: the next customer starts in Polish.
    expect(page.locator(".kiosk-faces")).to_be_visible(timeout=10_000)
    assert page.url == start
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator("h1")).to_have_text(question_pl)
    context.close()
    problems.assert_none(live_server.url)


@pytest.mark.parametrize("language", ["pl", "ru"])
def test_manager_filters_follow_ups(transactional_db, live_server, browser, manager, language):
    office = ChannelFactory(code="office", name="Biuro", calendar=None, owner=manager)
    other = ChannelFactory(code="phone", name="Telefon", calendar=None, owner=manager)
    for channel, score, comment in (
        (office, 1, "Długo czekałam w kolejce do okienka, nikt nie podszedł."),
        (other, 2, "Rozmowa została przerwana"),
    ):
        kiosk = services.kiosk_create(name=channel.name, channel=channel, min_interval_seconds=0)
        services.kiosk_submit(kiosk=kiosk, csat=score, comment=comment)
    set_preferred_language(manager, language)
    (record,) = _words(language, "Record outcome and close")

    context, page, problems = log_in(browser, live_server.url, manager.username, viewport=DESK)
    page.locator("#open-follow-ups-link").click()
    page.wait_for_url(f"{live_server.url}/surveys/follow-ups/")
    rows = page.locator("tr.survey-follow-up")
    expect(rows).to_have_count(2)
    _no_horizontal_scroll(page)
    screenshot(page, f"follow-ups-{language}-01-list.png")

    page.select_option("#id_channel", "office")
    page.locator("#follow-up-filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Długo czekałam")
    # Close it from its row; the page comes back with the same filter.
    rows.first.locator("summary").click()
    rows.first.locator("textarea").fill("Oddzwoniono, przeproszono.")
    screenshot(page, f"follow-ups-{language}-02-closing.png")
    rows.first.get_by_role("button", name=record).click()
    page.wait_for_url(re.compile(r"channel=office"))
    expect(page.locator(".alert-success")).to_be_visible()
    expect(rows).to_have_count(0)
    _no_horizontal_scroll(page)
    context.close()
    problems.assert_none(live_server.url)
    assert FollowUp.objects.get(outcome="Oddzwoniono, przeproszono.").response.channel == office
