"""The follow-ups page: filters, the most urgent first, pages, links, bounded queries."""

import datetime as dt

import pytest
from django.utils import timezone

from surveys import services
from surveys.models import FollowUp, Invitation, Response
from surveys.tests.conftest import resolve

pytestmark = pytest.mark.django_db
URL = "/surveys/follow-ups/"


def _follow_up(channel, *, owner, due_in_hours, comment="", csat=1, closed=False, by=None):
    now = timezone.now()
    response = Response.objects.create(channel=channel, csat=csat, comment=comment, created_at=now)
    follow_up = FollowUp.objects.create(
        response=response, owner=owner, due_at=now + dt.timedelta(hours=due_in_hours)
    )
    if closed:
        services.follow_up_close(follow_up=follow_up, outcome="Called back", user=by)
    return follow_up


def _rows(page) -> list[int]:
    return [f.pk for f in page.context["page_obj"]]


@pytest.fixture
def mixed(chat, phone, owner, manager):
    return {
        "late": _follow_up(chat, owner=owner, due_in_hours=-5, comment="Late one"),
        "later": _follow_up(phone, owner=manager, due_in_hours=-1, comment="Phone late"),
        "soon": _follow_up(chat, owner=None, due_in_hours=3, comment="Nobody's"),
        "closed": _follow_up(chat, owner=owner, due_in_hours=-9, closed=True, by=manager),
    }


def test_most_urgent_first_and_closed_on_request(manager_client, mixed):
    f = mixed
    page = manager_client.get(URL)
    assert _rows(page) == [f["late"].pk, f["later"].pk, f["soon"].pk]
    html = page.content.decode()
    assert html.count("badge text-bg-danger") == 2  # the two overdue rows say so
    assert _rows(manager_client.get(URL, {"status": "closed"})) == [f["closed"].pk]
    everything = _rows(manager_client.get(URL, {"status": "all"}))
    assert everything == [f["late"].pk, f["later"].pk, f["soon"].pk, f["closed"].pk]


def test_filters_by_owner_channel_and_overdue(manager_client, mixed, owner):
    f = mixed
    assert _rows(manager_client.get(URL, {"owner": "owner"})) == [f["late"].pk]
    assert _rows(manager_client.get(URL, {"owner": "none"})) == [f["soon"].pk]
    assert _rows(manager_client.get(URL, {"channel": "phone"})) == [f["later"].pk]
    assert _rows(manager_client.get(URL, {"overdue": "on"})) == [f["late"].pk, f["later"].pk]
    both = manager_client.get(URL, {"overdue": "on", "channel": "chat", "status": "all"})
    assert _rows(both) == [f["late"].pk]  # overdue means open and past due, never closed


@pytest.mark.parametrize(
    "params", [{"status": "lost"}, {"channel": "fax"}, {"owner": "ghost"}, {"page": "x"}]
)
def test_unknown_filter_values_show_the_open_list_with_a_message(manager_client, mixed, params):
    page = manager_client.get(URL, params)
    assert page.status_code == 200
    assert _rows(page) == [mixed["late"].pk, mixed["later"].pk, mixed["soon"].pk]
    if "page" not in params:
        assert "Showing open follow-ups instead." in page.content.decode()


def test_pages_keep_the_filters(manager_client, chat, owner):
    for hours in range(30):
        _follow_up(chat, owner=owner, due_in_hours=hours + 1)
    first = manager_client.get(URL, {"channel": "chat"})
    assert len(_rows(first)) == 25
    assert "?channel=chat&amp;page=2" in first.content.decode()
    second = manager_client.get(URL, {"channel": "chat", "page": "2"})
    assert len(_rows(second)) == 5
    due = [f.due_at for f in second.context["page_obj"]]
    assert due == sorted(due) and min(due) > max(f.due_at for f in first.context["page_obj"])


def test_rows_link_to_the_contact_and_the_answer(manager_client, survey, chat):
    contact = resolve(chat, email="ann@example.com")
    invitation = Invitation.objects.get(contact=contact)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.SENT)
    response = services.response_submit(invitation=invitation, csat=1, nps=2)
    follow_up = FollowUp.objects.get(response=response)
    html = manager_client.get(URL).content.decode()
    assert f'href="/sla/contacts/{contact.pk}/"' in html
    assert f'href="/surveys/responses/?id={response.pk}"' in html
    answer = manager_client.get("/surveys/responses/", {"id": response.pk})
    assert [r.pk for r in answer.context["responses"]] == [response.pk]
    one = manager_client.get(URL, {"id": follow_up.pk})
    assert _rows(one) == [follow_up.pk]


def test_dashboard_items_link_to_their_follow_up(manager_client, mixed):
    html = manager_client.get("/surveys/dashboard/").content.decode()
    assert f'href="/surveys/follow-ups/?id={mixed["late"].pk}"' in html
    home = manager_client.get("/").content.decode()
    assert 'id="open-follow-ups-link"' in home and 'href="/surveys/follow-ups/"' in home


def test_queries_do_not_grow_with_the_rows(
    manager_client, chat, owner, django_assert_max_num_queries
):
    _follow_up(chat, owner=owner, due_in_hours=1)
    with django_assert_max_num_queries(20) as captured:
        manager_client.get(URL, {"status": "all"})
    before = len(captured)
    for hours in range(20):
        _follow_up(chat, owner=owner, due_in_hours=hours - 10, closed=hours % 2 == 0, by=owner)
    with django_assert_max_num_queries(before):
        manager_client.get(URL, {"status": "all"})


def test_closing_returns_to_the_same_filters_and_keeps_the_first_outcome(
    manager_client, mixed, owner
):
    late = mixed["late"]
    back = f"{URL}?channel=chat&overdue=on"
    r = manager_client.post(f"{URL}{late.pk}/close/", {"outcome": "Refunded", "next": back})
    assert r.status_code == 302 and r["Location"] == back
    again = manager_client.post(
        f"{URL}{late.pk}/close/", {"outcome": "Second try", "next": "https://evil.example/"}
    )
    assert again["Location"] == URL  # a foreign address is never followed
    late.refresh_from_db()
    assert late.outcome == "Refunded" and late.closed_by.username == "manager"
