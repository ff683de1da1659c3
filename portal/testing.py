"""Browser-test helpers shared by every app: a Playwright-driven Debian Chromium, a recorder of
everything a page complained about, and screenshots under var/screenshots/."""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections

#: Debian's Chromium; Playwright's own browser download cannot work on our machines.
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    configured = os.environ.get("CHROMIUM_PATH", "").strip() or DEFAULT_CHROMIUM
    found = shutil.which(configured) or shutil.which("chromium")
    if not found or not Path(found).is_file():
        # Fail, never skip: a browser test that silently skips protects nothing.
        pytest.fail(
            f"Chromium not found at {configured!r} (set CHROMIUM_PATH or install it with "
            "`make chromium`, i.e. `apt-get install chromium`). The browser tests need it.",
            pytrace=False,
        )
    return found


@pytest.fixture
def browser(monkeypatch):
    """A headless Chromium driven by Playwright's sync API, closed after the test.

    Function-scoped on purpose: while Playwright runs, its event loop counts as running in
    this thread, so Django refuses ORM calls from the test body ("async unsafe"). The
    escape hatch is limited to the test that uses the browser; a session-wide Playwright would
    trip (or, with the variable set, disable) that check in every later test of the run.
    """
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()
            # While Playwright's loop runs, Django keeps this thread's connections per context:
            # the test body's queries used one that pytest-django does not know about, and an
            # open one would stop PostgreSQL from dropping the test database at the end.
            connections.close_all()


# Runs in the page before its own scripts, so it sees violations of the first paint too.
# Scripts injected this way are not subject to the page's CSP.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile || document.location.href}:${event.lineNumber}`
  );
});
"""


class PageProblems:
    """Everything the browser complained about, and every URL the page asked for."""

    def __init__(self, page):
        self.requests: list[str] = []
        self.csp_violations: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []
        page.expose_function("reportCspViolation", self._on_csp_violation)
        page.add_init_script(REPORT_CSP_VIOLATIONS)
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_csp_violation(self, text):
        self.csp_violations.append(text)

    def _on_console(self, message):
        if message.type != "error":
            return
        text = f"{message.text} ({message.location.get('url', '')})"
        if "Content Security Policy" in message.text:
            self.csp_violations.append(text)
        else:
            self.console_errors.append(text)

    def _on_request_failed(self, request):
        # A navigation cancels the requests still in flight (often the favicon); that is the
        # browser's choice, not a fault of the page. Real faults arrive as error responses.
        if request.failure == "net::ERR_ABORTED":
            return
        self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def _on_response(self, response):
        if response.status >= 400:
            self.failed_requests.append(
                f"{response.request.method} {response.url}: {response.status}"
            )

    def assert_none(self, origin: str):
        foreign = sorted(
            {
                url
                for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob")
                and urlsplit(url).netloc != urlsplit(origin).netloc
            }
        )
        report = {
            "CSP violations": self.csp_violations,
            "console errors": self.console_errors,
            "JavaScript errors": self.page_errors,
            "failed requests": self.failed_requests,
            f"requests to hosts other than {origin}": foreign,
        }
        problems = {kind: found for kind, found in report.items() if found}
        assert not problems, "\n".join(
            f"{kind}:\n  " + "\n  ".join(found) for kind, found in problems.items()
        )


def screenshot(page, name: str):
    folder = settings.VAR_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


# conftest.make_user gives every test user this one (a test fixture, not a secret).
TEST_PASSWORD = "correct-horse-battery"  # noqa: S105


def log_in_page(page, base_url: str, username: str, password: str = TEST_PASSWORD):
    """Log in through the real form on an open page; returns on the dashboard."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")


def log_in(browser, base_url: str, username: str, *, password=TEST_PASSWORD, **context_args):
    """A new browser context (English unless ``locale`` says otherwise) logged in as
    ``username``: ``(context, page, problems)``, the page watched by :class:`PageProblems`."""
    context = browser.new_context(**{"locale": "en-GB", **context_args})
    page = context.new_page()
    problems = PageProblems(page)
    log_in_page(page, base_url, username, password)
    return context, page, problems
