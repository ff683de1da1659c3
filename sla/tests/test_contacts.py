"""Contact services: idempotent creation, bulk, events, pause and resume, judging at event time."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sla import services
from sla.models import Breach, Contact, ContactEvent, SlaNotification
from sla.tests.conftest import warsaw
from sla.tests.factories import SlaPolicyFactory, make_contact

pytestmark = pytest.mark.django_db

MON_10 = warsaw(2026, 3, 2, 10, 0)  # Monday; first response due 11:00, resolution due 18:00
NOW = warsaw(2026, 3, 20, 12, 0)


def _kinds(contact):
    return list(contact.events.order_by("at", "id").values_list("kind", flat=True))


def _snapshot():
    return (
        Contact.objects.count(),
        ContactEvent.objects.count(),
        Breach.objects.count(),
        SlaNotification.objects.count(),
    )


# -- creation --------------------------------------------------------------------------------


def test_create_is_idempotent_and_changes_nothing(chat, chat_policy, staff_user):
    first, created = services.contact_create(
        channel=chat, external_id="ZD-1", opened_at=MON_10, subject="Hello", now=MON_10
    )
    again, created_again = services.contact_create(
        channel=chat,
        external_id="ZD-1",
        opened_at=warsaw(2026, 3, 2, 11, 0),
        subject="Changed",
        agent=staff_user,
        now=MON_10 + dt.timedelta(hours=2),
    )
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.subject, again.agent, again.opened_at) == ("Hello", None, MON_10)
    assert _kinds(again) == ["opened"]


def test_same_external_id_on_two_channels_is_two_contacts(chat, always, chat_policy):
    a, _ = services.contact_create(channel=chat, external_id="X", opened_at=MON_10, now=NOW)
    b, _ = services.contact_create(channel=always, external_id="X", opened_at=MON_10, now=NOW)
    assert a.pk != b.pk


def test_late_first_response_on_creation_is_a_breach_notified(chat, chat_policy, staff_user):
    contact = make_contact(
        channel=chat,
        opened_at=MON_10,
        first_response_at=warsaw(2026, 3, 2, 11, 30),
        agent=staff_user,
        now=warsaw(2026, 3, 2, 11, 31),
    )
    assert contact.first_response_state == "breached"
    assert contact.first_response_minutes == 90
    breach = Breach.objects.get()
    assert (breach.metric, breach.due_at) == ("first_response", warsaw(2026, 3, 2, 11, 0))
    recipients = set(SlaNotification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"owner", "agent"}
    assert _kinds(contact) == ["opened", "breached", "first_response"]


def test_contact_imported_already_resolved_is_judged_but_never_notified(
    chat, chat_policy, staff_user
):
    contact = make_contact(
        channel=chat,
        opened_at=MON_10,
        first_response_at=warsaw(2026, 3, 2, 12, 0),
        resolved_at=warsaw(2026, 3, 3, 17, 0),
        agent=staff_user,
        now=NOW,
    )
    assert contact.notify is False
    assert (contact.first_response_state, contact.resolution_state) == ("breached", "breached")
    assert Breach.objects.count() == 2
    assert SlaNotification.objects.count() == 0
    services.sla_sweep(now=NOW)
    assert SlaNotification.objects.count() == 0


def test_old_open_contact_is_flagged_as_soon_as_it_is_created(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=warsaw(2026, 3, 2, 10, 55))
    assert contact.first_response_state == "at_risk"
    late = make_contact(channel=chat, opened_at=MON_10, now=NOW)
    assert (late.first_response_state, late.resolution_state) == ("breached", "breached")
    assert Breach.objects.filter(contact=late).count() == 2


def test_resolving_without_first_response_records_it_too(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    contact = services.contact_resolve(
        contact=contact, at=warsaw(2026, 3, 2, 10, 20), now=warsaw(2026, 3, 2, 10, 30)
    )
    assert contact.first_response_at == warsaw(2026, 3, 2, 10, 20)
    assert (contact.first_response_state, contact.resolution_state) == ("met", "met")
    assert (contact.first_response_minutes, contact.resolution_minutes) == (20, 20)
    assert contact.status == "resolved"


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"opened_at": dt.datetime(2026, 3, 2, 10, 0)}, "opened_at", "UTC offset"),
        ({"first_response_at": MON_10 - dt.timedelta(minutes=1)}, "first_response_at", "before"),
        ({"resolved_at": MON_10 - dt.timedelta(minutes=1)}, "resolved_at", "before"),
        ({"opened_at": NOW + dt.timedelta(hours=1)}, "opened_at", "future"),
        ({"first_response_at": NOW + dt.timedelta(hours=1)}, "first_response_at", "future"),
        (
            {
                "first_response_at": warsaw(2026, 3, 2, 12, 0),
                "resolved_at": warsaw(2026, 3, 2, 11, 0),
            },
            "resolved_at",
            "before the first response",
        ),
        ({"status": "resolved"}, "resolved_at", "resolved_at"),
        ({"resolved_at": warsaw(2026, 3, 2, 11, 0), "status": "open"}, "status", "resolved"),
        ({"priority": "critical"}, "priority", "not a valid choice"),
        ({"customer_language": "de"}, "customer_language", "not a valid choice"),
        ({"customer_email": "nope"}, "customer_email", "valid email"),
        ({"external_id": ""}, "external_id", "required"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(chat, chat_policy, fields, field, fragment):
    kwargs = {"channel": chat, "external_id": "ZD-9", "opened_at": MON_10, "now": NOW, **fields}
    before = _snapshot()
    with pytest.raises(ValidationError) as caught:
        services.contact_create(**kwargs)
    assert field in caught.value.message_dict
    assert fragment in " ".join(caught.value.message_dict[field])
    assert _snapshot() == before


# -- bulk ------------------------------------------------------------------------------------


def _item(chat, n, **extra):
    return {"channel": chat, "external_id": f"B-{n:04d}", "opened_at": MON_10, **extra}


def test_bulk_creates_in_input_order_and_counts_existing(chat, chat_policy):
    existing = make_contact(channel=chat, opened_at=MON_10, external_id="B-0002")
    items = [_item(chat, 1), _item(chat, 2), _item(chat, 3), _item(chat, 1)]
    result = services.contacts_bulk_create(items=items, now=warsaw(2026, 3, 2, 10, 5))
    assert (result.created, result.existing) == (2, 2)
    assert result.ids[1] == existing.pk
    assert result.ids[0] == result.ids[3]
    assert [Contact.objects.get(pk=pk).external_id for pk in result.ids] == [
        "B-0001",
        "B-0002",
        "B-0003",
        "B-0001",
    ]
    fresh = Contact.objects.get(pk=result.ids[0])
    assert fresh.first_response_due_at == warsaw(2026, 3, 2, 11, 0)
    assert _kinds(fresh) == ["opened"]


def test_bulk_of_1000_with_deadlines_in_bounded_queries(
    chat, chat_policy, django_assert_max_num_queries
):
    items = [_item(chat, n) for n in range(1000)]
    # SQLite splits a bulk insert into batches of ~35 rows (999 parameters); PostgreSQL does not.
    with django_assert_max_num_queries(80):
        result = services.contacts_bulk_create(items=items, now=warsaw(2026, 3, 2, 10, 5))
    assert result.created == 1000
    assert Contact.objects.filter(first_response_due_at=warsaw(2026, 3, 2, 11, 0)).count() == 1000


def test_bulk_over_1000_is_refused(chat, chat_policy):
    with pytest.raises(ValidationError):
        services.contacts_bulk_create(items=[_item(chat, n) for n in range(1001)], now=NOW)
    assert Contact.objects.count() == 0


def test_bulk_with_one_bad_item_writes_nothing(chat, chat_policy):
    items = [_item(chat, n) for n in range(5)]
    items[3]["first_response_at"] = MON_10 - dt.timedelta(hours=1)
    with pytest.raises(services.BulkValidationError) as caught:
        services.contacts_bulk_create(items=items, now=NOW)
    assert list(caught.value.errors) == [3]
    assert "first_response_at" in caught.value.errors[3]
    assert Contact.objects.count() == 0


# -- events ----------------------------------------------------------------------------------


def test_first_response_in_time_is_met(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    at = warsaw(2026, 3, 2, 11, 0)  # exactly at the deadline still counts as met
    services.contact_record_first_response(contact=contact, at=at, now=at)
    contact.refresh_from_db()
    assert (contact.first_response_state, contact.first_response_minutes) == ("met", 60)
    assert Breach.objects.count() == 0


def test_first_response_after_deadline_is_breached_once(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.sla_sweep(now=warsaw(2026, 3, 2, 11, 5))  # the sweep flags it first
    at = warsaw(2026, 3, 2, 11, 10)
    services.contact_record_first_response(contact=contact, at=at, now=at)
    contact.refresh_from_db()
    assert contact.first_response_state == "breached"
    assert Breach.objects.filter(contact=contact).count() == 1
    assert _kinds(contact).count("breached") == 1


def test_replayed_event_in_time_withdraws_a_flagged_breach(chat, chat_policy, staff_user):
    contact = make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    services.sla_sweep(now=warsaw(2026, 3, 2, 11, 5))
    assert SlaNotification.objects.filter(kind="breach").count() == 2
    # The helpdesk replays, late, a response that was in fact given at 10:50.
    services.contact_record_first_response(
        contact=contact, at=warsaw(2026, 3, 2, 10, 50), now=warsaw(2026, 3, 2, 11, 6)
    )
    contact.refresh_from_db()
    assert contact.first_response_state == "met"
    assert not Breach.objects.filter(contact=contact).exists()
    assert not SlaNotification.objects.filter(kind="breach").exists()
    assert "breach_withdrawn" in _kinds(contact)


def test_recorded_times_are_facts(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    at = warsaw(2026, 3, 2, 10, 30)
    services.contact_record_first_response(contact=contact, at=at, now=at)
    services.contact_record_first_response(contact=contact, at=at, now=at)  # replay: no-op
    with pytest.raises(ValidationError) as caught:
        services.contact_record_first_response(contact=contact, at=at + dt.timedelta(minutes=1))
    assert "first_response_at" in caught.value.message_dict
    assert _kinds(contact) == ["opened", "first_response"]


def test_pause_and_resume_move_the_resolution_deadline(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.contact_pause(
        contact=contact, at=warsaw(2026, 3, 2, 11, 0), now=warsaw(2026, 3, 2, 11, 0)
    )
    assert contact.status == "waiting"
    assert contact.resolution_state == "paused"
    # Waiting past the old deadline (18:00) is not a breach: the clock is stopped.
    assert services.sla_sweep(now=warsaw(2026, 3, 3, 9, 30))["resolution_breached"] == 0
    resume = warsaw(2026, 3, 3, 10, 0)
    services.contact_resume(contact=contact, at=resume, now=resume)
    contact.refresh_from_db()
    # Waited Mon 11:00–18:00 and Tue 09:00–10:00: 480 business minutes, so 7 h were left
    # at resume: due Tuesday 17:00 (10:00 + 7 h), the old deadline moved by the time waited.
    assert contact.paused_business_minutes == 480
    assert contact.resolution_due_at == warsaw(2026, 3, 3, 17, 0)
    assert (contact.status, contact.resolution_state, contact.paused_at) == (
        "open",
        "pending",
        None,
    )
    resolved = warsaw(2026, 3, 3, 16, 0)
    services.contact_resolve(contact=contact, at=resolved, now=resolved)
    contact.refresh_from_db()
    assert contact.resolution_state == "met"
    assert contact.resolution_minutes == 420  # 480 + 420 elapsed − 480 waited
    timeline = [k for k in _kinds(contact) if k in ("opened", "paused", "resumed", "resolved")]
    assert timeline == ["opened", "paused", "resumed", "resolved"]


def test_resolving_while_waiting_closes_the_pause(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.contact_pause(contact=contact, at=warsaw(2026, 3, 2, 11, 0), now=NOW)
    services.contact_resolve(contact=contact, at=warsaw(2026, 3, 4, 10, 0), now=NOW)
    contact.refresh_from_db()
    assert contact.resolution_state == "met"
    assert contact.paused_at is None
    assert contact.resolution_minutes == 60


def test_pausing_after_the_deadline_is_a_breach(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.contact_pause(contact=contact, at=warsaw(2026, 3, 3, 10, 0), now=NOW)
    contact.refresh_from_db()
    assert (contact.resolution_state, contact.status) == ("breached", "waiting")
    assert Breach.objects.filter(contact=contact, metric="resolution").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "waiting", "event_at": MON_10 - dt.timedelta(minutes=1)}, "event_at"),
        ({"status": "waiting", "event_at": NOW + dt.timedelta(hours=1)}, "event_at"),
        ({"status": "waiting", "event_at": dt.datetime(2026, 3, 2, 11, 0)}, "event_at"),
        ({"resolved_at": MON_10 - dt.timedelta(minutes=1)}, "resolved_at"),
        ({"first_response_at": MON_10 - dt.timedelta(minutes=1)}, "first_response_at"),
        ({"priority": "critical"}, "priority"),
    ],
)
def test_update_rejects_bad_input_and_writes_nothing(chat, chat_policy, changes, field):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    before = _snapshot()
    with pytest.raises(ValidationError) as caught:
        services.contact_update(contact=contact, now=NOW, **changes)
    assert field in caught.value.message_dict
    assert _snapshot() == before
    assert Contact.objects.get(pk=contact.pk).status == "open"


def test_resume_before_the_wait_is_a_late_event_and_reopening_is_refused(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=MON_10)
    services.contact_pause(contact=contact, at=warsaw(2026, 3, 2, 12, 0), now=NOW)
    # A resume older than the wait is a late event from before it: it ends nothing.
    services.contact_resume(contact=contact, at=warsaw(2026, 3, 2, 11, 0), now=NOW)
    contact.refresh_from_db()
    assert (contact.status, contact.paused_at) == ("waiting", warsaw(2026, 3, 2, 12, 0))
    services.contact_resolve(contact=contact, at=warsaw(2026, 3, 2, 13, 0), now=NOW)
    with pytest.raises(ValidationError) as caught:
        services.contact_update(contact=contact, status="open", now=NOW)
    assert "status" in caught.value.message_dict


def test_priority_change_recomputes_running_deadlines(chat, chat_policy, staff_user):
    SlaPolicyFactory(
        channel=chat, priority="urgent", first_response_minutes=15, resolution_minutes=60
    )
    contact = make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    now = warsaw(2026, 3, 2, 10, 20)
    services.contact_change_priority(contact=contact, priority="urgent", now=now)
    contact.refresh_from_db()
    assert contact.first_response_due_at == warsaw(2026, 3, 2, 10, 15)
    assert contact.resolution_due_at == warsaw(2026, 3, 2, 11, 0)
    # The tighter target has already passed: flagged at once, and the owner is told.
    assert contact.first_response_state == "breached"
    assert Breach.objects.filter(contact=contact, metric="first_response").exists()
    assert contact.resolution_state == "pending"  # at risk only from 10:48
    event = contact.events.get(kind="priority_changed")
    assert event.detail == {"from": "normal", "to": "urgent"}


def test_agent_change_is_on_the_timeline(chat, chat_policy, staff_user, agent2):
    contact = make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    services.contact_assign(contact=contact, agent=agent2, now=NOW)
    contact.refresh_from_db()
    assert contact.agent == agent2
    event = contact.events.get(kind="agent_changed")
    assert event.detail == {"from": "agent", "to": "agent2"}
