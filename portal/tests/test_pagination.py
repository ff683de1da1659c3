"""One pagination include for every list; its links keep the list's filters."""

from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory


def _render(url: str, number: int) -> str:
    page = Paginator(list(range(30)), 10).page(number)
    request = RequestFactory().get(url)
    return Template('{% include "includes/pagination.html" %}').render(
        Context({"request": request, "page_obj": page})
    )


def test_links_keep_the_filters_and_replace_the_page():
    html = _render("/sla/contacts/?channel=chat&agent=anna&page=2", 2)
    assert 'href="?channel=chat&amp;agent=anna&amp;page=1"' in html
    assert 'href="?channel=chat&amp;agent=anna&amp;page=3"' in html
    assert "Page 2 of 3" in html


def test_a_single_page_draws_nothing():
    page = Paginator([1, 2], 10).page(1)
    html = Template('{% include "includes/pagination.html" %}').render(
        Context({"request": RequestFactory().get("/"), "page_obj": page})
    )
    assert html.strip() == ""
