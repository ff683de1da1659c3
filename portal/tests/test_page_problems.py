"""The browser journeys' referee: what it counts as a fault of the page, and what it forgives."""

from types import SimpleNamespace

import pytest

from core.testing_browser import PageProblems


class FakePage:
    def __init__(self):
        self.handlers = {}

    def on(self, event, handler):
        self.handlers[event] = handler

    def expose_function(self, name, function):
        pass

    def add_init_script(self, script):
        pass


def _failed(url, failure):
    return SimpleNamespace(method="GET", url=url, failure=failure)


def test_a_request_cancelled_by_navigation_is_not_a_fault():
    page = FakePage()
    problems = PageProblems(page)
    page.handlers["requestfailed"](_failed("http://t/static/favicon.svg", "net::ERR_ABORTED"))
    problems.assert_none("http://t")
    assert problems.failed_requests == []


def test_blocked_requests_and_error_responses_are_faults():
    page = FakePage()
    problems = PageProblems(page)
    page.handlers["requestfailed"](_failed("http://t/a.js", "net::ERR_BLOCKED_BY_CSP"))
    page.handlers["response"](
        SimpleNamespace(status=404, url="http://t/b.css", request=SimpleNamespace(method="GET"))
    )
    assert problems.failed_requests == [
        "GET http://t/a.js: net::ERR_BLOCKED_BY_CSP",
        "GET http://t/b.css: 404",
    ]


def test_a_page_loaded_but_never_audited_is_a_fault():
    page = FakePage()
    problems = PageProblems(page)
    page.handlers["load"](SimpleNamespace(url="http://t/audited/"))
    page.handlers["load"](SimpleNamespace(url="http://t/forgotten/"))
    problems.audited.add("http://t/audited/")
    with pytest.raises(AssertionError) as failure:
        problems.assert_none("http://t")
    assert "never audited" in str(failure.value)
    assert "http://t/forgotten/" in str(failure.value)
    assert "http://t/audited/" not in str(failure.value)
