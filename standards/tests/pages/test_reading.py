"""Pages for reading: who may open what, the list, a standard, the diff, the dashboard."""

import pytest
from django.urls import reverse
from django.utils import timezone

from standards import services
from standards.models import Standard, StandardVersion
from standards.tests.factories import (
    CategoryFactory,
    ChannelFactory,
    make_published_standard,
    make_version,
)
from standards.tests.pages.helpers import client_for as _client

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


def _urls(slug: str, number: int) -> dict[str, str]:
    return {
        "detail": reverse("standards:detail", args=[slug]),
        "version": reverse("standards:version-detail", args=[slug, number]),
        "diff": reverse("standards:diff", args=[slug]) + f"?from=1&to={number}",
    }


MANAGER_PAGES = [
    ("standards:create", []),
    ("standards:history", ["greeting"]),
    ("standards:settings", ["greeting"]),
    ("standards:version-edit", ["greeting", 3]),
    ("standards:version-publish", ["greeting", 3]),
    ("standards:version-return", ["greeting", 3]),
    ("standards:version-discard", ["greeting", 3]),
]
MANAGER_ACTIONS = [
    ("standards:preview", []),
    ("standards:reviewed", ["greeting"]),
    ("standards:version-create", ["greeting"]),
    ("standards:version-submit", ["greeting", 3]),
    ("standards:version-publish", ["greeting", 3]),
    ("standards:version-return", ["greeting", 3]),
    ("standards:version-discard", ["greeting", 3]),
    ("standards:version-edit", ["greeting", 3]),
]


# -- who may open what ---------------------------------------------------------------------------


def test_anonymous_users_go_to_the_login_page(standard):
    client = _client()
    for url in [reverse("standards:list"), *_urls("greeting", 2).values()]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_users_without_a_reader_role_get_403(standard, no_role_user, integration_user):
    for user in (no_role_user, integration_user):
        client = _client(user)
        assert client.get(reverse("standards:list")).status_code == 403
        for url in _urls("greeting", 2).values():
            assert client.get(url).status_code == 403


def test_staff_read_published_standards(standard, staff_user):
    client = _client(staff_user)
    assert client.get(reverse("standards:list")).status_code == 200
    urls = _urls("greeting", 2)
    for url in urls.values():
        assert client.get(url).status_code == 200, url
    # An archived version can be read too (it was once the rule).
    assert client.get(_urls("greeting", 1)["version"]).status_code == 200


def test_staff_never_see_drafts(standard, draft_only, staff_user):
    client = _client(staff_user)
    assert client.get(_urls("greeting", 3)["version"]).status_code == 404
    assert client.get(_urls("greeting", 3)["diff"]).status_code == 404
    for url in _urls("secret", 1).values():
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("standards:list")).content.decode()
    assert standard.title in listing
    assert draft_only.title not in listing


def test_staff_get_403_on_every_manager_page_and_action(standard, staff_user):
    client = _client(staff_user)
    for name, args in MANAGER_PAGES:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    for name, args in MANAGER_ACTIONS:
        assert client.post(reverse(name, args=args), {}).status_code == 403, name
    assert client.post(reverse("standards:create"), {"title": "X"}).status_code == 403
    assert standard.versions.get(number=3).status == Status.DRAFT
    assert Standard.objects.count() == 1


def test_managers_open_every_page(standard, manager_client):
    for url in _urls("greeting", 3).values():
        assert manager_client.get(url).status_code == 200, url
    for name, args in MANAGER_PAGES:
        if name in {"standards:version-publish"}:
            continue  # a draft is not publishable: covered below
        assert manager_client.get(reverse(name, args=args)).status_code == 200, name


def test_managers_see_unpublished_standards_with_a_notice(draft_only, manager_client):
    response = manager_client.get(draft_only.get_absolute_url())
    assert response.status_code == 200
    assert 'id="not-published"' in response.content.decode()


# -- reading -------------------------------------------------------------------------------------


def test_standard_page_shows_body_criteria_situations_and_print_styles(standard, staff_client):
    version = standard.versions.get(status=Status.PUBLISHED)
    body = staff_client.get(standard.get_absolute_url()).content.decode()
    assert version.body_html in body
    for criterion in version.criteria.all():
        assert criterion.text in body
    for situation in version.situations.all():
        assert situation.title in body
        assert situation.prescribed_response in body
    assert "standards/print.css" in body
    assert 'media="print"' in body
    assert "standards/standard.js" in body
    assert 'id="what-changed"' in body  # v1 -> v2
    assert 'id="manager-panel"' not in body
    # The draft's existence is not revealed to staff.
    assert "Version 3" not in body


def test_print_stylesheet_has_print_rules():
    from django.contrib.staticfiles import finders

    with open(finders.find("standards/print.css"), encoding="utf-8") as css:
        assert "@media print" in css.read()


def test_list_filters_by_category_channel_and_search(staff_client):
    communication = CategoryFactory(name="Communication")
    office = CategoryFactory(name="Office")
    chat = ChannelFactory(code="chat", name="Chat")
    greeting = make_published_standard(title="Greeting the customer", category=communication)
    greeting.channels.set([chat])
    make_published_standard(title="Premises", category=office)
    make_published_standard(title="Closing", category=communication)
    url = reverse("standards:list")

    def titles(**params):
        response = staff_client.get(url, params)
        assert response.status_code == 200
        return [s.title for s in response.context["standards"]]

    assert titles() == ["Closing", "Greeting the customer", "Premises"]
    assert titles(category=communication.pk) == ["Closing", "Greeting the customer"]
    assert titles(channel="chat") == ["Greeting the customer"]
    assert titles(q="premises") == ["Premises"]
    assert titles(q="GREETING") == ["Greeting the customer"]
    # The factory body says "Greet every customer": the search reads the published text too.
    assert set(titles(q="every customer")) == {"Closing", "Greeting the customer", "Premises"}
    assert titles(q="nothing like this") == []
    # Nonsense filters are ignored, not a 500.
    assert len(titles(category="abc", channel="fax")) == 3


def test_search_does_not_find_draft_text(staff_client):
    standard = make_published_standard(title="Greeting")
    make_version(standard, body_markdown="A secret new rule about zebras")
    response = staff_client.get(reverse("standards:list"), {"q": "zebras"})
    assert list(response.context["standards"]) == []


def test_diff_marks_additions_and_deletions(manager, manager_client):
    standard = services.standard_create(user=manager, title="Greeting")
    v1 = services.version_create_draft(
        standard=standard,
        user=manager,
        body_markdown="Line one\nAnswer within 3 rings\nLine three",
        change_summary="First",
        criteria=[{"text": "Answers within 3 rings", "weight": 2}],
    )
    services.version_publish(version=v1, user=manager, allow_draft=True)
    v2 = services.version_create_draft(
        standard=standard,
        user=manager,
        body_markdown="Line one\nAnswer within 5 seconds\nLine three\n<b>new</b> line",
        change_summary="Seconds",
        criteria=[{"text": "Answers within 5 seconds", "weight": 2}],
    )
    services.version_publish(version=v2, user=manager, allow_draft=True)
    response = manager_client.get(reverse("standards:diff", args=[standard.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>3 rings</del>" in html
    assert "<ins>5 seconds</ins>" in html
    assert "<ins>&lt;b&gt;new&lt;/b&gt; line</ins>" in html  # escaped, marked
    assert 'class="diff-insert"' in html
    assert 'class="diff-delete"' in html
    assert response.context["body_counts"] == (2, 1)
    same = manager_client.get(reverse("standards:diff", args=[standard.slug]) + "?from=2&to=2")
    assert 'id="no-changes"' in same.content.decode()
    assert (
        manager_client.get(reverse("standards:diff", args=[standard.slug]) + "?from=x").status_code
        == 404
    )
    assert (
        manager_client.get(reverse("standards:diff", args=[standard.slug]) + "?from=9").status_code
        == 404
    )


def test_history_lists_every_version(standard, manager_client):
    response = manager_client.get(reverse("standards:history", args=["greeting"]))
    assert [v.number for v in response.context["versions"]] == [3, 2, 1]
    html = response.content.decode()
    assert 'id="compare-form"' in html


# -- dashboard -----------------------------------------------------------------------------------


def test_manager_dashboard_lists_overdue_reviews(manager_client):
    overdue = make_published_standard(title="Old and overdue")
    Standard.objects.filter(pk=overdue.pk).update(
        next_review_date=timezone.localdate() - timezone.timedelta(days=3)
    )
    fine = make_published_standard(title="Fresh")
    Standard.objects.filter(pk=fine.pk).update(
        next_review_date=timezone.localdate() + timezone.timedelta(days=30)
    )
    make_version(fine, status=Status.IN_REVIEW)
    response = manager_client.get(reverse("dashboard"))
    html = response.content.decode()
    assert 'id="overdue-reviews"' in html
    assert "Old and overdue" in html
    overdue_list = html.split('id="overdue-reviews"')[1].split("</ul>")[0]
    assert "Fresh" not in overdue_list
    assert 'id="awaiting-review"' in html


def test_staff_dashboard_lists_recent_standards(staff_client):
    make_published_standard(title="Greeting")
    html = staff_client.get(reverse("dashboard")).content.decode()
    assert 'id="recent-standards"' in html
    assert "Greeting" in html
    assert 'id="overdue-reviews"' not in html


def test_navigation_link(manager_client, staff_client):
    assert reverse("standards:list") in manager_client.get(reverse("dashboard")).content.decode()
