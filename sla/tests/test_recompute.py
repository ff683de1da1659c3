"""Calendar, channel and policy edits recompute the open contacts they affect, in batches."""

import datetime as dt

import pytest
import time_machine

from channels_app import services as channel_services
from sla import services, tasks
from sla.models import Contact, DeadlineRecomputation
from sla.tests.conftest import warsaw
from sla.tests.factories import SlaPolicyFactory, make_contact

pytestmark = pytest.mark.django_db

MON_10 = warsaw(2026, 3, 2, 10, 0)
NOW = warsaw(2026, 3, 2, 10, 5)


@pytest.fixture(autouse=True)
def _monday():
    # Ticking: the calendar cache keys on updated_at, which a frozen clock would never move.
    with time_machine.travel(NOW, tick=True):
        yield


def _run_all(job, batch_size=500, now=NOW):
    runs = 0
    while not services.deadline_recomputation_run(job_id=job.pk, batch_size=batch_size, now=now):
        runs += 1
    return runs + 1


def test_policy_edit_recomputes_open_contacts_only(chat, chat_policy):
    running = make_contact(channel=chat, opened_at=MON_10, now=NOW)
    answered = make_contact(
        channel=chat, opened_at=MON_10, first_response_at=warsaw(2026, 3, 2, 10, 2), now=NOW
    )
    done = make_contact(
        channel=chat,
        opened_at=MON_10,
        first_response_at=warsaw(2026, 3, 2, 10, 1),
        resolved_at=warsaw(2026, 3, 2, 10, 3),
        now=NOW,
    )
    services.sla_policy_update(policy=chat_policy, first_response_minutes=30, resolution_minutes=60)
    job = DeadlineRecomputation.objects.get()
    assert job.channel_ids == [chat.pk]
    _run_all(job)
    running.refresh_from_db()
    answered.refresh_from_db()
    done.refresh_from_db()
    assert running.first_response_due_at == warsaw(2026, 3, 2, 10, 30)
    assert running.resolution_due_at == warsaw(2026, 3, 2, 11, 0)
    assert answered.first_response_state == "met"  # decided: judged by the policy it ran under
    assert answered.resolution_due_at == warsaw(2026, 3, 2, 11, 0)
    assert done.resolution_due_at == warsaw(2026, 3, 2, 18, 0)  # resolved: untouched
    assert running.events.filter(kind="deadlines_recomputed").exists()
    job.refresh_from_db()
    assert job.finished_at is not None and job.processed == 2


def test_renaming_a_policy_recomputes_nothing(chat, chat_policy):
    services.sla_policy_update(policy=chat_policy, name="Renamed")
    assert not DeadlineRecomputation.objects.exists()


def test_new_priority_policy_applies_to_open_contacts(chat, chat_policy, staff_user):
    urgent = make_contact(channel=chat, opened_at=MON_10, priority="urgent", now=NOW)
    services.sla_policy_create(
        name="Urgent",
        channel=chat,
        priority="urgent",
        first_response_minutes=3,
        resolution_minutes=30,
    )
    _run_all(DeadlineRecomputation.objects.get())
    urgent.refresh_from_db()
    assert urgent.sla_policy.name == "Urgent"
    assert urgent.first_response_due_at == warsaw(2026, 3, 2, 10, 3)
    assert urgent.first_response_state == "breached"  # already past: flagged at once
    assert urgent.breaches.count() == 1


def test_policy_for_a_channel_that_had_none_judges_known_events(owner):
    from channels_app.tests.factories import ChannelFactory

    channel = ChannelFactory(code="late-policy", owner=owner)
    contact = make_contact(
        channel=channel, opened_at=MON_10, first_response_at=warsaw(2026, 3, 2, 10, 4), now=NOW
    )
    assert contact.first_response_state == "pending"
    services.sla_policy_create(
        name="Now", channel=channel, first_response_minutes=2, resolution_minutes=600
    )
    _run_all(DeadlineRecomputation.objects.get())
    contact.refresh_from_db()
    assert contact.first_response_state == "breached"  # the response (10:04) was after 10:02
    assert contact.resolution_state == "pending"


def test_calendar_edit_recomputes_through_the_signal_receiver(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=MON_10, now=NOW)
    calendar = chat.calendar
    # channels_app changes the hours (Mondays now open from 10:30); its signal asks sla.
    channel_services.calendar_update(
        calendar=calendar, hours=[(d, 630 if d == 0 else 540, 1080) for d in range(5)]
    )
    _run_all(DeadlineRecomputation.objects.get())
    contact.refresh_from_db()
    assert contact.first_response_due_at == warsaw(2026, 3, 2, 11, 30)


def test_channel_edit_recomputes_through_the_signal_receiver(chat, chat_policy):
    friday = warsaw(2026, 3, 6, 17, 35)
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 6, 17, 30), now=friday)
    channel_services.channel_update(channel=chat, calendar=None)  # now always open
    _run_all(DeadlineRecomputation.objects.get(), now=friday)
    contact.refresh_from_db()
    assert contact.first_response_due_at == warsaw(2026, 3, 6, 18, 30)


def test_recomputation_runs_in_batches(chat, chat_policy):
    contacts = [make_contact(channel=chat, opened_at=MON_10, now=NOW) for _ in range(5)]
    chat_policy.first_response_minutes = 20
    chat_policy.save()
    job = services.contacts_recompute_deadlines(channel_ids=[chat.pk])
    assert _run_all(job, batch_size=2) == 3
    job.refresh_from_db()
    assert (job.processed, job.last_contact_id) == (5, contacts[-1].pk)
    assert set(Contact.objects.values_list("first_response_due_at", flat=True)) == {
        warsaw(2026, 3, 2, 10, 20)
    }
    # Running a finished request again does nothing.
    assert services.deadline_recomputation_run(job_id=job.pk, now=NOW) is True


def test_the_task_chains_batches_after_commit(
    chat, chat_policy, django_capture_on_commit_callbacks
):
    for _ in range(3):
        make_contact(channel=chat, opened_at=MON_10, now=NOW)
    chat_policy.first_response_minutes = 15
    chat_policy.save()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.contacts_recompute_deadlines(channel_ids=[chat.pk])
    job.refresh_from_db()
    assert job.finished_at is not None
    assert set(Contact.objects.values_list("first_response_due_at", flat=True)) == {
        warsaw(2026, 3, 2, 10, 15)
    }


def test_stalled_request_is_picked_up_by_the_periodic_sweep(
    chat, chat_policy, django_capture_on_commit_callbacks
):
    contact = make_contact(channel=chat, opened_at=MON_10, now=NOW)
    chat_policy.first_response_minutes = 25
    chat_policy.save()
    job = services.contacts_recompute_deadlines(channel_ids=[chat.pk])  # its message was lost
    DeadlineRecomputation.objects.filter(pk=job.pk).update(created_at=NOW - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep_once()
    contact.refresh_from_db()
    assert contact.first_response_due_at == warsaw(2026, 3, 2, 10, 25)


def test_channels_app_edits_record_recomputation_requests(chat, chat_policy):
    channel_services.channel_update(channel=chat, name="Live chat")  # same calendar
    assert not DeadlineRecomputation.objects.exists()
    channel_services.calendar_update(calendar=chat.calendar, timezone="Europe/London")
    channel_services.channel_update(channel=chat, calendar=None)
    jobs = list(
        DeadlineRecomputation.objects.order_by("pk").values_list("calendar_ids", "channel_ids")
    )
    assert jobs == [([chat_policy.channel.calendar_id or jobs[0][0][0]], []), ([], [chat.pk])]


def test_nothing_to_recompute_records_nothing():
    assert services.contacts_recompute_deadlines() is None
    assert not DeadlineRecomputation.objects.exists()


def test_priority_policy_deactivated_falls_back(chat, chat_policy):
    urgent_policy = SlaPolicyFactory(channel=chat, priority="urgent", first_response_minutes=5)
    contact = make_contact(channel=chat, opened_at=MON_10, priority="urgent", now=MON_10)
    assert contact.first_response_due_at == warsaw(2026, 3, 2, 10, 5)
    services.sla_policy_update(policy=urgent_policy, is_active=False)
    _run_all(DeadlineRecomputation.objects.get())
    contact.refresh_from_db()
    assert contact.sla_policy == chat_policy
    assert contact.first_response_due_at == warsaw(2026, 3, 2, 11, 0)
