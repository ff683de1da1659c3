"""Every page, its filters and its forms answer hostile values without a server error.

The pages are found by crawling the demo portal (links and forms), so a new list, filter or
form is covered without being named here. Hypothesis draws huge numbers, year 1 and 9999 dates
and instants, NUL characters, lone surrogates (as the invalid UTF-8 a client can send) and
random text into every query key, every path id and every POST field.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from hypothesis import given, note
from hypothesis import strategies as st

from core.tests.hostile import (
    HOSTILE_TEXT,
    HUGE_INTS,
    crawl,
    examples,
    query_check,
    query_string,
    run_collecting,
)
from surveys.models import Invitation, Kiosk

EXAMPLES = examples(10)


@pytest.fixture
def demo(db):
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())


def _client(username: str | None) -> Client:
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def _public_pages() -> list[str]:
    invitation = Invitation.objects.filter(response__isnull=True).order_by("pk").first()
    kiosk = Kiosk.objects.filter(is_active=True).order_by("pk").first()
    link = invitation and urlsplit(invitation.url).path  # absolute, for emails
    return [p for p in (link, kiosk and f"/kiosk/{kiosk.key}/") if p]


def _path_check(client, page, ids):
    @EXAMPLES
    @given(HUGE_INTS.filter(lambda n: n >= 0), st.sampled_from(ids))
    def check(number, old):
        url = page.url.replace(f"/{old}/", f"/{number}/", 1)
        for method in (client.get, client.post):
            assert method(url).status_code < 500, (method.__name__, url)

    return check


def _form_check(client, page, names):
    @EXAMPLES
    @given(
        st.dictionaries(st.sampled_from(names), HOSTILE_TEXT, min_size=1),
        st.sampled_from(names),
        st.lists(HUGE_INTS.map(str), min_size=1, max_size=3),
    )
    def check(values, multi, ids):
        body = query_string(values) + "".join(f"&{multi}={n}" for n in ids)
        note(f"POST {page.url} {body}")
        response = client.post(page.url, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, (page.url, body)

    return check


def _fuzz(client, pages, *, forms: bool = True, paths: bool = True) -> list[str]:
    failures: list[str] = []
    for page in pages.values():
        run_collecting(
            failures,
            f"GET {page.url}?...",
            query_check(client.get, page.url, page.query_keys | {"page"}, 10),
        )
        ids = re.findall(r"/(\d+)(?=/)", page.url)
        if paths and ids:
            run_collecting(failures, f"ids of {page.url}", _path_check(client, page, ids))
        for form in page.post_forms if forms else ():
            if form.fields:
                run_collecting(
                    failures, f"POST {page.url}", _form_check(client, page, sorted(form.fields))
                )
    return failures


@pytest.mark.parametrize("username", ["manager", "agent"])
def test_every_page_filter_path_and_form_answers_hostile_input_without_500(demo, username):
    client = _client(username)
    pages = crawl(client, ["/"])
    assert len(pages) > (15 if username == "manager" else 4)  # the crawler found the portal
    failures = _fuzz(client, pages)
    assert not failures, "\n".join(failures)


def test_public_survey_pages_answer_hostile_input_without_500(demo):
    client = _client(None)
    pages = crawl(client, _public_pages())
    assert {"s/<str:token>/", "kiosk/<str:key>/"} <= set(pages)
    failures = _fuzz(client, pages, paths=False)
    assert not failures, "\n".join(failures)
