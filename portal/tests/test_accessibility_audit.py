"""The accessibility referee itself (core.testing_browser.audit_accessibility): it must fail on what
WCAG 2.1 AA forbids, say where, and pass a clean page. Without this, a journey that "passes
axe" could be one whose audit never ran."""

import pytest
from _pytest.outcomes import Failed

from core.testing_browser import PageProblems, audit_accessibility

pytestmark = pytest.mark.browser

CLEAN = """<!DOCTYPE html><html lang="pl"><head><title>Dobrze</title></head>
<body><main><h1>Tytuł</h1><p>Czarny tekst na białym tle.</p></main></body></html>"""

FAULTY = """<!DOCTYPE html><html lang="ru"><head><title>Плохо</title></head>
<body><main><h1>Заголовок</h1>
<p class="pale" style="color:#92befe;background:#0d6efd">Бледный текст</p>
<table><thead><tr><th></th><th>Вы</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<label for="q">Поиск</label><input id="q" aria-describedby="q_helptext">
<div id="swagger-ui"><p style="color:#eee;background:#fff">Not ours</p></div>
</main></body></html>"""


def _page(browser, html):
    context = browser.new_context()
    page = context.new_page()
    problems = PageProblems(page)
    page.set_content(html)
    return context, page, problems


def test_a_clean_page_passes_and_counts_as_audited(browser):
    context, page, problems = _page(browser, CLEAN)
    audit_accessibility(page)
    assert page.url in problems.audited
    context.close()


def test_violations_fail_with_rule_elements_url_and_language(browser):
    context, page, _ = _page(browser, FAULTY)
    with pytest.raises(Failed) as failure:
        audit_accessibility(page)
    message = str(failure.value)
    assert "[lang=ru]" in message
    assert page.url in message
    assert "serious color-contrast" in message
    assert ".pale" in message  # the element, by selector
    assert "critical image-alt" in message
    assert "empty-table-header" in message  # minor, but held from coming back
    assert 'input#q aria-describedby="q_helptext"' in message  # a help text not shown
    context.close()


def test_an_excluded_region_is_excused_and_nothing_else(browser):
    outside = CLEAN.replace(
        "</main>", '<div id="swagger-ui"><p class="x" style="color:#eee">Pale</p></div></main>'
    )
    context, page, _ = _page(browser, outside)
    audit_accessibility(page, exclude=("#swagger-ui",))
    with pytest.raises(Failed, match="color-contrast"):
        audit_accessibility(page)
    context.close()
