"""The standard editor's formatting toolbar, in Polish and in Russian: a manager who does not
know Markdown writes a heading, bold and italic words, a list, a link and a table with buttons
and the keyboard, and the live preview shows them, the table ruled. Screenshots:
var/screenshots/standards-toolbar-<lang>.png."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from core.preferences import set_preferred_language
from core.testing_browser import log_in, screenshot

pytestmark = [pytest.mark.browser]

DESK = {"width": 1280, "height": 900}


def _select(page, start: int, end: int):
    page.locator("#id_body_markdown").evaluate(
        "(area, [s, e]) => { area.focus(); area.setSelectionRange(s, e); }", [start, end]
    )


@pytest.mark.parametrize("language", ["pl", "ru"])
def test_manager_formats_a_standard_with_the_toolbar(
    transactional_db, live_server, browser, manager, language
):
    url = live_server.url
    set_preferred_language(manager, language)
    with translation.override(language):
        names = {
            key: gettext(msgid)
            for key, msgid in {
                "bold": "Bold",
                "italic": "Italic",
                "heading": "Heading",
                "list": "List",
                "link": "Link",
                "table": "Table",
            }.items()
        }
    context, page, problems = log_in(browser, url, manager.username, viewport=DESK)
    page.goto(f"{url}/standards/new/")
    bar = page.get_by_role("toolbar")
    expect(bar).to_be_visible()
    area = page.locator("#id_body_markdown")

    # A heading from a plain line; bold on a selected word; italic with Ctrl+I.
    area.fill("Powitanie\nOdpowiadamy szybko i uprzejmie.")
    _select(page, 0, 0)
    bar.get_by_role("button", name=names["heading"]).click()
    expect(area).to_have_value("## Powitanie\nOdpowiadamy szybko i uprzejmie.")
    text = area.input_value()
    word = text.index("szybko")
    _select(page, word, word + len("szybko"))
    bar.get_by_role("button", name=names["bold"]).click()
    assert "**szybko**" in area.input_value()
    text = area.input_value()
    word = text.index("uprzejmie")
    _select(page, word, word + len("uprzejmie"))
    area.press("Control+i")
    assert "_uprzejmie_." in area.input_value()
    # Bold pressed again on the same selection takes the marks away.
    text = area.input_value()
    word = text.index("szybko")
    _select(page, word, word + len("szybko"))
    bar.get_by_role("button", name=names["bold"]).click()
    assert "**" not in area.input_value()
    bar.get_by_role("button", name=names["bold"]).click()

    # A list from two lines, a link around selected words, and a table at the end.
    area.press("Control+End")
    area.type("\n\nUśmiech\nImię\n")
    text = area.input_value()
    _select(page, text.index("Uśmiech"), len(text) - 1)
    bar.get_by_role("button", name=names["list"]).click()
    assert "- Uśmiech\n- Imię" in area.input_value()
    area.press("Control+End")
    area.type("Regulamin")
    text = area.input_value()
    _select(page, text.index("Regulamin"), len(text))
    bar.get_by_role("button", name=names["link"]).click()
    page.keyboard.type("https://example.com/regulamin")
    assert "[Regulamin](https://example.com/regulamin)" in area.input_value()
    area.press("Control+End")
    # The toolbar is one tab stop; the arrow keys walk along it to "Table".
    bar.get_by_role("button", name=names["bold"]).focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(bar.get_by_role("button", name=names["table"])).to_be_focused()
    page.keyboard.press("Enter")
    assert "| --- | --- |" in area.input_value()

    # The live preview (the server's renderer) shows all of it; the table is ruled.
    preview = page.locator("#preview")
    expect(preview.locator("h3")).to_have_text("Powitanie")
    expect(preview.locator("strong")).to_have_text("szybko")
    expect(preview.locator("em")).to_have_text("uprzejmie")
    expect(preview.locator("li")).to_have_count(2)
    expect(preview.locator("a")).to_have_attribute("href", "https://example.com/regulamin")
    expect(preview.locator("table th")).to_have_count(2)
    width = preview.locator("table td").first.evaluate("c => getComputedStyle(c).borderTopWidth")
    assert width == "1px"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    bar.scroll_into_view_if_needed()
    screenshot(page, f"standards-toolbar-{language}.png")
    context.close()
    problems.assert_none(url)
