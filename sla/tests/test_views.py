"""SLA pages: contacts list and page, policies; permissions, outcomes and query bounds."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from channels_app.tests.factories import ChannelFactory
from sla.models import Contact, SlaPolicy
from sla.tests.conftest import warsaw
from sla.tests.factories import SlaPolicyFactory, make_contact
from sla.views import SlaClock, sla_clock

pytestmark = pytest.mark.django_db

NOW = warsaw(2026, 3, 2, 12, 0)  # a Monday noon
LIST = reverse("sla:contact-list")
POLICIES = reverse("sla:policy-list")
NEW_POLICY = reverse("sla:policy-create")
IMPORT = reverse("sla:contact-import")


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _rows(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"', 1)[1]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


def _contact(chat, **fields):
    fields.setdefault("opened_at", NOW - dt.timedelta(minutes=30))
    return make_contact(channel=chat, now=NOW, **fields)


# -- permissions and markup --------------------------------------------------------------------


def test_anonymous_goes_to_login(client, chat_policy):
    contact = _contact(chat_policy.channel)
    urls = [
        LIST,
        reverse("sla:contact-detail", args=[contact.pk]),
        POLICIES,
        NEW_POLICY,
        reverse("sla:policy-update", args=[chat_policy.pk]),
        IMPORT,
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


def test_staff_cannot_reach_manager_pages(staff_client, chat_policy):
    for url in [POLICIES, NEW_POLICY, reverse("sla:policy-update", args=[chat_policy.pk]), IMPORT]:
        assert staff_client.get(url).status_code == 403, url
        assert staff_client.post(url, {}).status_code == 403, url
    assert SlaPolicy.objects.count() == 1


def test_integration_and_no_role_get_403(client, integration_user, no_role_user, chat_policy):
    for user in (integration_user, no_role_user):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.get(POLICIES).status_code == 403


def test_staff_see_only_their_own_contacts_read_only(staff_client, staff_user, agent2, chat_policy):
    mine = _contact(chat_policy.channel, external_id="MINE-1", agent=staff_user)
    other = _contact(chat_policy.channel, external_id="OTHER-1", agent=agent2)
    html = staff_client.get(LIST).content.decode()
    assert "MINE-1" in html
    assert "OTHER-1" not in html
    assert 'name="agent"' not in html  # no agent filter for staff
    assert reverse("sla:contact-import") not in html.split('id="main"', 1)[1]
    assert staff_client.get(reverse("sla:contact-detail", args=[mine.pk])).status_code == 200
    assert staff_client.get(reverse("sla:contact-detail", args=[other.pk])).status_code == 404


def test_pages_have_no_inline_styles_or_scripts(manager_client, chat_policy):
    contact = _contact(chat_policy.channel)
    for url in [
        LIST,
        reverse("sla:contact-detail", args=[contact.pk]),
        POLICIES,
        NEW_POLICY,
        reverse("sla:policy-update", args=[chat_policy.pk]),
        IMPORT,
    ]:
        response = manager_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url


def test_nav_links_by_role(manager_client, client, staff_user):
    html = manager_client.get(reverse("dashboard")).content.decode()
    for url in (LIST, POLICIES, IMPORT):
        assert f'href="{url}"' in html
    client.force_login(staff_user)
    html = client.get(reverse("dashboard")).content.decode()
    assert f'href="{LIST}"' in html
    assert f'href="{POLICIES}"' not in html
    assert f'href="{IMPORT}"' not in html


# -- contacts list -----------------------------------------------------------------------------


def test_list_shows_countdown_and_states(manager_client, chat_policy):
    chat = chat_policy.channel
    _contact(chat, external_id="RUNNING", opened_at=NOW - dt.timedelta(minutes=20))
    _contact(
        chat,
        external_id="DONE",
        opened_at=NOW - dt.timedelta(minutes=50),
        first_response_at=NOW - dt.timedelta(minutes=40),
        resolved_at=NOW - dt.timedelta(minutes=10),
    )
    _contact(
        chat,
        external_id="WAITING",
        opened_at=NOW - dt.timedelta(minutes=50),
        first_response_at=NOW - dt.timedelta(minutes=40),
        status="waiting",
    )
    response = manager_client.get(LIST)
    html = response.content.decode()
    rows = {re.search(r">([A-Z]+)</a>", row).group(1): row for row in _rows(html, "contact-table")}
    assert set(rows) == {"RUNNING", "DONE", "WAITING"}
    # 60 business minutes from 11:40: due 12:40, 40 minutes from now; the script updates it.
    due = warsaw(2026, 3, 2, 12, 40)
    assert f'datetime="{due.isoformat()}"' in rows["RUNNING"]
    assert ">40\xa0min left</time>" in rows["RUNNING"]
    assert "text-danger" not in rows["RUNNING"]
    assert "Met" in rows["DONE"] and "<time class" not in rows["DONE"]
    assert "Paused" in rows["WAITING"] and "<time class" not in rows["WAITING"]
    assert 'src="/static/sla/time_to_breach.js"' in html


def test_overdue_contact_counts_negative_in_red(manager_client, chat_policy):
    _contact(chat_policy.channel, external_id="LATE", opened_at=NOW - dt.timedelta(minutes=90))
    html = manager_client.get(LIST).content.decode()
    (row,) = _rows(html, "contact-table")
    assert re.search(
        r'class="sla-countdown[^"]*text-danger[^"]*"[^>]*>overdue by 30\xa0min</time>', row
    )


def test_list_filters(manager_client, manager, staff_user, agent2, chat_policy, always_policy):
    chat, always = chat_policy.channel, always_policy.channel
    _contact(chat, external_id="A-1", subject="Broken printer", agent=staff_user)
    _contact(always, external_id="B-1", customer_name="Zofia Nowak", agent=agent2)
    _contact(
        chat,
        external_id="C-1",
        opened_at=NOW - dt.timedelta(days=3),
        first_response_at=NOW - dt.timedelta(days=3) + dt.timedelta(minutes=5),
        resolved_at=NOW - dt.timedelta(days=2),
    )

    def ids(**params):
        html = manager_client.get(LIST, params).content.decode()
        if 'id="contact-table"' not in html:
            return set()
        return set(re.findall(r">([A-Z]-1)</a>", html))

    assert ids() == {"A-1", "B-1", "C-1"}
    assert ids(channel=always.pk) == {"B-1"}
    assert ids(agent=staff_user.pk) == {"A-1"}
    assert ids(status="resolved") == {"C-1"}
    assert ids(first_response_state="met") == {"C-1"}
    assert ids(resolution_state="pending") == {"A-1", "B-1"}
    assert ids(q="printer") == {"A-1"}
    assert ids(q="nowak") == {"B-1"}
    assert ids(q="c-1") == {"C-1"}
    assert ids(opened_from="2026-03-02") == {"A-1", "B-1"}
    assert ids(opened_to="2026-02-28") == {"C-1"}
    # Bad filter values are ignored with a message next to the field, never a 500.
    response = manager_client.get(LIST, {"status": "nonsense", "opened_from": "soon"})
    assert response.status_code == 200
    assert set(re.findall(r">([A-Z]-1)</a>", response.content.decode())) == {"A-1", "B-1", "C-1"}
    response = manager_client.get(LIST, {"opened_from": "2026-03-02", "opened_to": "2026-03-01"})
    assert "The end date is before the start date." in response.content.decode()


def test_list_paginates_and_keeps_filters(manager_client, chat_policy):
    chat = chat_policy.channel
    for n in range(55):
        _contact(chat, external_id=f"P-{n:03d}", subject="paged")
    html = manager_client.get(LIST, {"q": "paged"}).content.decode()
    assert len(_rows(html, "contact-table")) == 50
    assert "?q=paged&amp;page=2" in html
    html = manager_client.get(LIST, {"q": "paged", "page": 2}).content.decode()
    assert len(_rows(html, "contact-table")) == 5


@pytest.mark.parametrize("count", [3, 30])
def test_list_queries_are_bounded(
    manager_client, chat_policy, staff_user, count, django_assert_max_num_queries
):
    for n in range(count):
        _contact(chat_policy.channel, external_id=f"Q-{n}", agent=staff_user)
    with django_assert_max_num_queries(12):
        response = manager_client.get(LIST)
    assert len(_rows(response.content.decode(), "contact-table")) == count


# -- contact page ------------------------------------------------------------------------------


def test_contact_page_shows_deadlines_and_timeline(manager_client, chat_policy):
    from sla import services

    chat = chat_policy.channel
    contact = _contact(
        chat,
        external_id="T-9",
        subject="Invoice",
        opened_at=NOW - dt.timedelta(minutes=90),
        first_response_at=NOW - dt.timedelta(minutes=80),
    )
    services.sla_sweep(now=NOW)  # nothing due yet for resolution; at risk not reached either
    services.contact_pause(contact=contact, at=NOW - dt.timedelta(minutes=60))
    services.contact_resume(contact=contact, at=NOW - dt.timedelta(minutes=30))
    response = manager_client.get(reverse("sla:contact-detail", args=[contact.pk]))
    html = response.content.decode()
    assert "Invoice" in html
    assert chat_policy.name in html
    timeline = html.split('id="contact-timeline"', 1)[1].split("</ol>", 1)[0]
    kinds = re.findall(r'<span class="fw-semibold">([^<]+)</span>', timeline)
    assert kinds == ["Opened", "First response", "Waiting on the customer", "Resumed"]
    targets = html.split('id="contact-targets"', 1)[1].split("</table>", 1)[0]
    assert "Met" in targets  # first response after 10 minutes
    assert "<td>10</td>" in targets


def test_contact_page_lists_breaches(manager_client, chat_policy):
    from sla import services

    contact = _contact(chat_policy.channel, opened_at=NOW - dt.timedelta(minutes=90))
    services.sla_sweep(now=NOW)
    html = manager_client.get(reverse("sla:contact-detail", args=[contact.pk])).content.decode()
    assert 'id="contact-breaches"' in html
    timeline = html.split('id="contact-timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Breached" in timeline
    assert "text-danger" in html.split('id="contact-clock"', 1)[1].split("</dd>", 1)[0]


def test_contact_page_404_for_unknown(manager_client):
    assert manager_client.get(reverse("sla:contact-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("events", [2, 20])
def test_contact_page_queries_are_bounded(
    manager_client, chat_policy, events, django_assert_max_num_queries
):
    from sla import services

    contact = _contact(chat_policy.channel, opened_at=NOW - dt.timedelta(minutes=100))
    for n in range(events // 2):
        at = NOW - dt.timedelta(minutes=90 - 4 * n)
        services.contact_pause(contact=contact, at=at)
        services.contact_resume(contact=contact, at=at + dt.timedelta(minutes=1))
    with django_assert_max_num_queries(10):
        response = manager_client.get(reverse("sla:contact-detail", args=[contact.pk]))
    assert response.content.decode().count("Resumed") == events // 2


# -- the clock ---------------------------------------------------------------------------------


def test_clock_text_and_labels():
    assert SlaClock(seconds=3723).text == "1\xa0h 02\xa0min left"
    assert SlaClock(seconds=-61).text == "overdue by 1\xa0min"
    assert SlaClock(seconds=-90061).text == "overdue by 1\xa0d 1\xa0h"
    contact = Contact(first_response_state="pending", resolution_state="pending")
    assert sla_clock(contact, NOW).label == "No SLA"


# -- policies ----------------------------------------------------------------------------------


def _policy_data(chat, **extra):
    data = {
        "name": "Chat urgent",
        "channel": chat.pk,
        "priority": "urgent",
        "first_response_minutes": 5,
        "resolution_minutes": 60,
        "warning_percent": 80,
        "business_hours": "on",
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_policy_list(manager_client, chat_policy, always_policy):
    html = manager_client.get(POLICIES).content.decode()
    rows = _rows(html, "policy-table")
    assert len(rows) == 2
    assert any(chat_policy.name in row and "Business hours" in row for row in rows)


def test_policy_create(manager_client, chat):
    response = manager_client.post(NEW_POLICY, _policy_data(chat))
    assert response.status_code == 302
    assert response.url == POLICIES
    policy = SlaPolicy.objects.get()
    assert (policy.channel, policy.priority, policy.first_response_minutes) == (chat, "urgent", 5)
    assert policy.business_hours and policy.is_active
    assert _messages(response) == ["SLA policy “Chat urgent” saved."]


def test_policy_create_any_priority(manager_client, chat):
    response = manager_client.post(NEW_POLICY, _policy_data(chat, priority=""))
    assert response.status_code == 302
    assert SlaPolicy.objects.get().priority is None


def test_second_active_policy_is_a_form_error(manager_client, chat_policy):
    chat = chat_policy.channel
    response = manager_client.post(NEW_POLICY, _policy_data(chat, priority=""))
    assert response.status_code == 200
    assert (
        "This channel already has an active policy for any priority." in response.content.decode()
    )
    SlaPolicyFactory(channel=chat, priority="urgent")
    response = manager_client.post(NEW_POLICY, _policy_data(chat))
    assert (
        "This channel already has an active policy for this priority." in response.content.decode()
    )
    assert SlaPolicy.objects.count() == 2


def test_policy_bad_input_is_a_form_error(manager_client, chat):
    response = manager_client.post(
        NEW_POLICY,
        _policy_data(
            chat, first_response_minutes=0, warning_percent=100, priority="asap", channel=999999
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"first_response_minutes", "warning_percent", "priority", "channel"}
    assert not SlaPolicy.objects.exists()


def test_policy_update(manager_client, chat_policy):
    url = reverse("sla:policy-update", args=[chat_policy.pk])
    html = manager_client.get(url).content.decode()
    assert f'value="{chat_policy.name}"' in html
    response = manager_client.post(
        url,
        _policy_data(chat_policy.channel, name="Chat all", priority="", first_response_minutes=30),
    )
    assert response.status_code == 302
    chat_policy.refresh_from_db()
    assert (chat_policy.name, chat_policy.first_response_minutes) == ("Chat all", 30)


def test_policy_update_recomputes_open_contacts(
    manager_client, chat_policy, django_capture_on_commit_callbacks
):
    contact = _contact(chat_policy.channel, opened_at=NOW - dt.timedelta(minutes=20))
    url = reverse("sla:policy-update", args=[chat_policy.pk])
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            url, _policy_data(chat_policy.channel, priority="", first_response_minutes=120)
        )
    contact.refresh_from_db()
    assert contact.first_response_due_at == warsaw(2026, 3, 2, 13, 40)


def test_policy_update_clash_is_a_form_error(manager_client, chat_policy):
    other = SlaPolicyFactory(channel=chat_policy.channel, priority="high", is_active=False)
    response = manager_client.post(
        reverse("sla:policy-update", args=[other.pk]),
        _policy_data(chat_policy.channel, priority=""),
    )
    assert response.status_code == 200
    assert "already has an active policy for any priority" in response.content.decode()
    other.refresh_from_db()
    assert other.priority == "high" and not other.is_active


def test_policy_update_404(manager_client):
    assert manager_client.get(reverse("sla:policy-update", args=[999999])).status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_policy_list_queries_are_bounded(manager_client, count, django_assert_max_num_queries):
    for n in range(count):
        SlaPolicyFactory(channel=ChannelFactory(code=f"c{n}"))
    with django_assert_max_num_queries(8):
        response = manager_client.get(POLICIES)
    assert len(_rows(response.content.decode(), "policy-table")) == count
