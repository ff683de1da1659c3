"""Every page runs a bounded number of queries: the same bound for 3 and for 30 standards or
versions. The bounds include the session, the user and the role lookups of each request."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from standards import dashboard
from standards.models import Standard, StandardVersion
from standards.tests.factories import (
    ChannelFactory,
    StandardFactory,
    make_published_standard,
    make_version,
)

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status

# Measured with 3 and with 30 standards (or versions): list 9; standard page 10 (manager) and
# 9 (staff); history 5; version page 7; diff 8; the dashboard card 5. One query of headroom.
BOUNDS = {
    "list": 10,
    "detail": 11,
    "history": 6,
    "version": 8,
    "diff": 9,
    "dashboard": 6,
}


def _standards(n: int) -> list[Standard]:
    channels = [ChannelFactory(), ChannelFactory()]
    made = []
    for _ in range(n):
        standard = make_published_standard(archived=1, open_status=Status.IN_REVIEW, criteria=3)
        standard.channels.set(channels)
        made.append(standard)
    return made


def _versions(standard: Standard, n: int) -> None:
    for _ in range(n):
        make_version(standard, status=Status.ARCHIVED, criteria=3, situations=2)


@pytest.mark.parametrize("client_name", ["manager_client", "staff_client"])
def test_list_page(request, client_name, django_assert_max_num_queries):
    client = request.getfixturevalue(client_name)
    url = reverse("standards:list")
    _standards(3)
    with django_assert_max_num_queries(BOUNDS["list"]):
        assert len(client.get(url).context["standards"]) == 3
    _standards(22)
    with django_assert_max_num_queries(BOUNDS["list"]):
        assert len(client.get(url).context["standards"]) == 25  # one page
    with django_assert_max_num_queries(BOUNDS["list"]):
        assert client.get(url, {"q": "customer", "channel": "channel0"}).status_code == 200


@pytest.mark.parametrize("client_name", ["manager_client", "staff_client"])
def test_standard_page(request, client_name, django_assert_max_num_queries):
    client = request.getfixturevalue(client_name)
    standard = StandardFactory()
    standard.channels.set([ChannelFactory() for _ in range(3)])
    _versions(standard, 2)
    make_version(standard, status=Status.PUBLISHED, criteria=3, situations=3)
    with django_assert_max_num_queries(BOUNDS["detail"]):
        assert client.get(standard.get_absolute_url()).status_code == 200
    _versions(standard, 27)
    StandardVersion.objects.filter(standard=standard, status=Status.PUBLISHED)  # still one
    current = standard.versions.get(status=Status.PUBLISHED)
    assert current.number == 3
    with django_assert_max_num_queries(BOUNDS["detail"]):
        assert client.get(standard.get_absolute_url()).status_code == 200


def test_bigger_published_version_costs_no_more_queries(
    manager_client, django_assert_max_num_queries
):
    standard = StandardFactory()
    make_version(standard, status=Status.PUBLISHED, criteria=30, situations=30)
    with django_assert_max_num_queries(BOUNDS["detail"]):
        assert manager_client.get(standard.get_absolute_url()).status_code == 200


def test_history_page(manager_client, django_assert_max_num_queries):
    standard = make_published_standard(archived=2)
    url = reverse("standards:history", args=[standard.slug])
    with django_assert_max_num_queries(BOUNDS["history"]):
        assert len(manager_client.get(url).context["versions"]) == 3
    _versions(standard, 27)
    with django_assert_max_num_queries(BOUNDS["history"]):
        assert len(manager_client.get(url).context["versions"]) == 30


@pytest.mark.parametrize("criteria", [3, 30])
def test_version_page(manager_client, django_assert_max_num_queries, criteria):
    standard = StandardFactory()
    version = make_version(
        standard, status=Status.PUBLISHED, criteria=criteria, situations=criteria
    )
    with django_assert_max_num_queries(BOUNDS["version"]):
        assert manager_client.get(version.get_absolute_url()).status_code == 200


def test_diff_page(manager_client, django_assert_max_num_queries):
    standard = StandardFactory()
    _versions(standard, 2)
    make_version(standard, status=Status.PUBLISHED, criteria=3)
    url = reverse("standards:diff", args=[standard.slug])
    with django_assert_max_num_queries(BOUNDS["diff"]):
        assert manager_client.get(url).status_code == 200
    _versions(standard, 27)
    with django_assert_max_num_queries(BOUNDS["diff"]):
        assert manager_client.get(url + "?from=1&to=30").status_code == 200


def test_dashboard_card(manager, django_assert_max_num_queries):
    """Measured on the card itself, so other apps' cards do not move this bound."""
    request = RequestFactory().get("/")
    request.user = manager

    def overdue(n):
        for standard in _standards(n):
            Standard.objects.filter(pk=standard.pk).update(
                next_review_date=timezone.localdate() - timezone.timedelta(days=1)
            )

    def render() -> str:
        (card,) = dashboard.cards(request)
        return render_to_string(card["template"], {"card": card["context"]})

    overdue(3)
    with django_assert_max_num_queries(BOUNDS["dashboard"]):
        render()
    overdue(27)
    request.user = type(manager).objects.get(pk=manager.pk)  # roles are cached per instance
    with django_assert_max_num_queries(BOUNDS["dashboard"]):
        html = render()
    assert "and 20 more" in html
    assert html.count("<li>") == 20  # 10 overdue, 10 awaiting review
