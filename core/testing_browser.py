"""Browser-test helpers shared by every app: a Playwright-driven Debian Chromium, a recorder of
everything a page complained about, an accessibility audit (axe-core) of every page a journey
shows, and screenshots under var/screenshots/."""

import os
import shutil
import weakref
from functools import cache
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


#: axe-core, from the npm package pinned in package.json (`make test` runs `npm ci`): the
#: engine the accessibility tools people bring (Lighthouse, the axe browser extension) use.
AXE_SOURCE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0 and 2.1, levels A and AA: what the portal promises.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: Impacts that fail a journey; "moderate" and "minor" findings are left to reviews ...
AXE_FAILING_IMPACTS = ("serious", "critical")
#: ... except these, found in the portal once and fixed: they must not come back. (Both are
#: axe "best-practice" rules, which the audit runs next to the WCAG ones.)
AXE_FAILING_RULES = ("empty-table-header", "heading-order")

# Runs axe in the page and keeps only what a report needs (the full result is megabytes).
RUN_AXE = """
async ([context, tags]) => {
  const result = await axe.run(context, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    nodes: rule.nodes.map((node) => ({
      target: node.target.join(" "),
      summary: (node.failureSummary || "").split("\\n").slice(1, 3).join(" ").trim(),
    })),
  }));
}
"""


# What axe only "needs to review": aria-describedby / aria-labelledby naming an element that is
# not there (Django points aria-describedby at a field's help text even when a template does
# not show it). Regions matching the exclusions are skipped.
MISSING_ARIA_TARGETS = """
(exclude) => [...document.querySelectorAll("[aria-describedby], [aria-labelledby]")]
  .filter((element) => !exclude.some((selector) => element.closest(selector)))
  .flatMap((element) => ["aria-describedby", "aria-labelledby"].flatMap((attribute) =>
    (element.getAttribute(attribute) || "").split(/\\s+/)
      .filter((id) => id && !document.getElementById(id))
      .map((id) => `${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""} ` +
                   `${attribute}="${id}"`)))
"""


@cache
def axe_source() -> str:
    if not AXE_SOURCE.is_file():
        # Fail, never skip: an audit that silently does not run protects nothing.
        pytest.fail(
            f"axe-core not found at {AXE_SOURCE} (run `npm ci`, as `make test` does).",
            pytrace=False,
        )
    return AXE_SOURCE.read_text(encoding="utf-8")


def audit_accessibility(page, *, exclude: tuple[str, ...] = ()):
    """Run axe-core (WCAG 2.0/2.1 A and AA, and axe's best practices) on the page as it is now;
    fail the test on any serious or critical violation (or one of :data:`AXE_FAILING_RULES`),
    naming the rule, the elements, the URL and the language.

    ``exclude``: CSS selectors of regions we do not draw (only the API docs page's third-party
    viewer); everything outside them, ``<html lang>`` included, is still checked.
    """
    page.wait_for_load_state("load")
    watcher = _WATCHERS.get(page)
    if watcher is not None and not watcher.scripts:
        watcher.audited.add(page.url)
        return
    # Evaluated through the DevTools protocol, which the page's CSP does not govern; a
    # <script> tag (Playwright's add_script_tag) would be inline script, which the CSP blocks.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;undefined")
    context = {"exclude": [[selector] for selector in exclude]} if exclude else "html"
    violations = page.evaluate(RUN_AXE, [context, [*AXE_TAGS, "best-practice"]])
    url = page.url
    language = page.evaluate("() => document.documentElement.lang") or "(no lang)"
    if watcher is not None:
        watcher.audited.add(url)
    missing = page.evaluate(MISSING_ARIA_TARGETS, list(exclude))
    if missing:
        violations.append(
            {
                "id": "aria-target-missing",
                "impact": "serious",
                "help": "ARIA references must name elements that exist",
                "nodes": [{"target": text, "summary": ""} for text in missing],
            }
        )
    failing = [
        rule
        for rule in violations
        if rule["impact"] in AXE_FAILING_IMPACTS or rule["id"] in AXE_FAILING_RULES
    ]
    if not failing:
        return
    lines = [f"Accessibility (axe-core, WCAG 2.1 AA) on {url} [lang={language}]:"]
    for rule in failing:
        lines.append(f"  {rule['impact']} {rule['id']}: {rule['help']} ({len(rule['nodes'])})")
        for node in rule["nodes"][:5]:
            lines.append(f"    {node['target']}  {node['summary']}")
        if len(rule["nodes"]) > 5:
            lines.append(f"    ... and {len(rule['nodes']) - 5} more")
    pytest.fail("\n".join(lines), pytrace=False)


#: The PageProblems watching each page, so screenshot() can tell it a page was audited.
_WATCHERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class PageProblems:
    """Everything the browser complained about, every URL the page asked for, and every page
    it loaded that no accessibility audit looked at."""

    def __init__(self, page, *, scripts: bool = True):
        #: False in a context with JavaScript off: axe cannot run there (the journeys with
        #: scripts on audit the same pages), so its pages count as audited.
        self.scripts = scripts
        self.requests: list[str] = []
        self.loaded: list[str] = []
        self.audited: set[str] = set()
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
        page.on("load", lambda loaded: self.loaded.append(loaded.url))
        _WATCHERS[page] = self

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
            "pages loaded but never audited for accessibility (screenshot or "
            "audit_accessibility them)": sorted(set(self.loaded) - self.audited),
        }
        problems = {kind: found for kind, found in report.items() if found}
        assert not problems, "\n".join(
            f"{kind}:\n  " + "\n  ".join(found) for kind, found in problems.items()
        )


def screenshot(page, name: str, *, exclude: tuple[str, ...] = ()):
    """Audit the page for accessibility (see :func:`audit_accessibility`), then save what a
    human would see. Every page a journey shows is audited this way."""
    audit_accessibility(page, exclude=exclude)
    folder = settings.VAR_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name), full_page=True)


# conftest.make_user gives every test user this one (a test fixture, not a secret).
TEST_PASSWORD = "correct-horse-battery"  # noqa: S105


def log_in_page(page, base_url: str, username: str, password: str = TEST_PASSWORD):
    """Log in through the real form on an open page; returns on the dashboard."""
    page.goto(f"{base_url}/accounts/login/")
    audit_accessibility(page)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")
    audit_accessibility(page)


def log_in(browser, base_url: str, username: str, *, password=TEST_PASSWORD, **context_args):
    """A new browser context (English unless ``locale`` says otherwise) logged in as
    ``username``: ``(context, page, problems)``, the page watched by :class:`PageProblems`."""
    context = browser.new_context(**{"locale": "en-GB", **context_args})
    page = context.new_page()
    problems = PageProblems(page, scripts=context_args.get("java_script_enabled", True))
    log_in_page(page, base_url, username, password)
    return context, page, problems
