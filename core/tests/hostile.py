"""Hypothesis strategies of hostile outside values, and a crawler that finds every page's filters
and forms, for the "never a 500" tests of the pages and the API."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

from django.urls import Resolver404, resolve
from hypothesis import strategies as st

HUGE_INTS = st.one_of(
    st.integers(min_value=2**31 - 2, max_value=2**31 + 2),
    st.integers(min_value=2**63 - 2, max_value=2**64 + 2),
    st.integers(min_value=10**19, max_value=10**30),
    st.integers(max_value=-(2**31)),
    st.sampled_from([0, -1]),
)
EDGE_DATES = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:30:00+01:00",
        "0001-01-01T00:00:00-14:00",
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-14:00",
        "9999-12-31T23:59:59+14:00",
        "2026-01-01T00:00:00+23:59",
        "2026-01-01T00:00:00",
        "2026-02-30",
        "1969-12-31",
        "9000-12-31T23:59:59-05:00",
    ]
)
NUL = st.sampled_from(["\x00", "a\x00b"])
SURROGATES = st.sampled_from(["\ud800", "x\udfff", "\udb6d\ude61"])
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "last",
        "1e400",
        "NaN",
        "١٢",
        "9" * 400,
        "<script>alert(1)</script>",
        "%",
        "' OR 1=1 --",
        "a" * 5000,
    ]
)
#: The classes that answered 500, one representative each, drawn as often as everything else.
REPRESENTATIVE = st.sampled_from(
    [
        "\ud800",
        "a\x00b",
        str(10**20),
        str(2**31),
        "-1",
        "0",
        "0001-01-01",
        "9999-12-31",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-14:00",
        "2026-01-01T00:00:00+23:59",
    ]
)
#: One hostile value as text, as a query string or form field carries it.
HOSTILE_TEXT = st.one_of(
    REPRESENTATIVE,
    HUGE_INTS.map(str),
    EDGE_DATES,
    NUL,
    SURROGATES,
    NASTY_TEXT,
    st.text(max_size=40),
)

#: One hostile JSON value: the text ones, big numbers, and wrong types and shapes.
HOSTILE_JSON = st.one_of(
    REPRESENTATIVE,
    st.sampled_from([10**20, 2**63, 2**31, -1, 0, 1.5, True, None, [], {}, [[[]]]]),
    HOSTILE_TEXT,
    HUGE_INTS,
    st.floats(allow_nan=False),
    st.lists(st.one_of(HUGE_INTS, SURROGATES, NUL), max_size=3),
    st.dictionaries(st.sampled_from(["id", "\ud800", "a"]), HUGE_INTS, max_size=2),
)


def query_string(params: dict[str, str]) -> str:
    """Percent-encoded with ``surrogatepass``: a lone surrogate arrives as the invalid UTF-8 a
    real client can send (``%ED%A0%80``)."""
    return "&".join(
        f"{quote(k.encode('utf-8', 'surrogatepass'))}={quote(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in params.items()
    )


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


# -- the crawler ---------------------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: set[str] = field(default_factory=set)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[Form] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self.forms.append(
                Form((attrs.get("method") or "get").lower(), attrs.get("action") or "")
            )
        elif tag in ("input", "select", "textarea", "button") and self.forms:
            name = attrs.get("name")
            if name and name != "csrfmiddlewaretoken":
                self.forms[-1].fields.add(name)


@dataclass
class Page:
    url: str
    route: str
    query_keys: set[str] = field(default_factory=set)
    post_forms: list[Form] = field(default_factory=list)


SKIP = re.compile(r"^/(admin|api|static|i18n|jsi18n|accounts/logout|_errors)/")


def crawl(client, start: list[str], limit: int = 200) -> dict[str, Page]:
    """Every route reachable from ``start`` by links and GET forms, one page per route, with
    the query keys its links and GET forms use and its POST forms."""
    pages: dict[str, Page] = {}
    queue, seen = list(start), set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or SKIP.match(parts.path) or parts.path in seen:
            continue
        seen.add(parts.path)
        try:
            route = resolve(parts.path).route
        except Resolver404:
            continue
        response = client.get(parts.path)
        fresh = route in pages and pages[route].post_forms  # POST forms of one page per route
        page = pages.setdefault(route, Page(url=parts.path, route=route))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _PageParser()
        parser.feed(response.content.decode())
        for form in parser.forms:
            target = urlsplit(form.action).path or parts.path
            if form.method == "get":
                with contextlib.suppress(Resolver404):
                    found = resolve(target).route
                    pages.setdefault(found, Page(url=target, route=found)).query_keys.update(
                        form.fields
                    )
            elif target == parts.path and not fresh:
                page.post_forms.append(form)
        for link in parser.links:
            linked = urlsplit(link)
            if linked.netloc:
                continue
            path = linked.path or parts.path
            if linked.query:
                try:
                    found = resolve(path).route
                except Resolver404:
                    continue
                keys = {pair.split("=", 1)[0] for pair in linked.query.split("&") if pair}
                pages.setdefault(found, Page(url=path, route=found)).query_keys.update(keys)
            queue.append(path)
    return pages


def examples(count: int):
    """Hypothesis settings of the crawls: ``count`` drawn examples each, reproducible, and no
    shrinking (a failing example is reported as drawn: shrinking costs a request per step)."""
    from hypothesis import HealthCheck, Phase, settings

    return settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )


def run_collecting(failures: list[str], label: str, check) -> None:
    """Run one target's hypothesis test, noting a failure and going on to the next target, so
    one run reports every target that fails."""
    import traceback

    try:
        check()
    except Exception as exc:  # the report names the target and the error
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if "site-packages" not in f.filename
        ]
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else ""
        failures.append(f"{label}: {type(exc).__name__} at {where}: {str(exc)[:200]}")


def query_check(get, url: str, keys, count: int):
    """A hypothesis test: GET ``url`` with up to four of ``keys`` set to hostile text; no 500."""
    from hypothesis import given, note
    from hypothesis import strategies as st

    @examples(count)
    @given(st.dictionaries(st.sampled_from(sorted(keys)), HOSTILE_TEXT, min_size=1, max_size=4))
    def check(params):
        target = f"{url}?{query_string(params)}"
        note(target)
        assert get(target).status_code < 500, target

    return check
