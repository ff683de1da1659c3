"""Breach alerts: one digest per recipient through the outbox, a grace period in which late
events withdraw breaches, no alerts for history; Celery wiring; nothing lost when the broker is
down."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import DatabaseError
from kombu.exceptions import OperationalError

from core.models import OutboxMessage
from portal.celery import app as celery_app
from sla import services, tasks
from sla.models import Breach, Contact, SlaNotification
from sla.tests.conftest import send_alerts, warsaw
from sla.tests.factories import make_contact

pytestmark = pytest.mark.django_db

MON_10 = warsaw(2026, 3, 2, 10, 0)
NOON = warsaw(2026, 3, 2, 12, 0)
GRACE = dt.timedelta(seconds=120)
AFTER = NOON + GRACE


@pytest.fixture
def at_noon():
    """The clock of tasks that read it: a Monday noon, while the office channel is open."""
    with time_machine.travel(NOON, tick=False):
        yield NOON


@pytest.fixture
def breached(chat, chat_policy, staff_user):
    """Three contacts of the staff user whose first response is overdue at noon."""
    contacts = [
        make_contact(
            channel=chat, opened_at=MON_10, agent=staff_user, subject=f"Case {n}", now=MON_10
        )
        for n in range(3)
    ]
    services.sla_sweep(now=NOON)
    return contacts


def test_one_digest_per_recipient(breached):
    counts = send_alerts(AFTER)
    assert counts["rows"] == 6 and counts["messages"] == 2 and counts["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["agent@example.com", "owner@example.com"]
    digest = next(m for m in mail.outbox if m.to == ["agent@example.com"])
    assert digest.subject == "SLA: 3 breaches"
    for contact in breached:
        assert contact.external_id in digest.body
        assert f"/sla/contacts/{contact.pk}/" in digest.body
    assert "First response was due 2 Mar 2026, 11:00 (CET)" in digest.body
    assert set(SlaNotification.objects.values_list("status", flat=True)) == {"queued"}
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert send_alerts(AFTER)["messages"] == 0  # queued rows are not digested twice
    assert len(mail.outbox) == 2


def test_nothing_is_sent_during_the_grace_period(breached):
    assert send_alerts(NOON + GRACE - dt.timedelta(seconds=1))["messages"] == 0
    assert mail.outbox == []
    assert send_alerts(AFTER)["sent"] == 2


def test_a_sweep_that_breaches_many_contacts_gives_each_person_one_digest(
    chat, chat_policy, staff_user, settings
):
    settings.SLA_DIGEST_ITEMS = 5
    for _n in range(40):
        make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    services.sla_sweep(now=NOON)
    assert send_alerts(AFTER)["sent"] == 2
    digest = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    assert digest.subject == "SLA: 40 breaches"
    assert digest.body.count("First response was due") == 5
    assert "The first 5 of 40 breaches are listed." in digest.body


def test_digest_lists_breaches_and_contacts_at_risk(chat, chat_policy, staff_user):
    make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    eleven = warsaw(2026, 3, 2, 11, 0)
    make_contact(channel=chat, opened_at=eleven, agent=staff_user, now=eleven)
    services.sla_sweep(now=warsaw(2026, 3, 2, 11, 50))
    send_alerts(warsaw(2026, 3, 2, 11, 55))
    digest = next(m for m in mail.outbox if m.to == ["agent@example.com"])
    assert digest.subject == "SLA: 1 breach, 1 contact at risk"
    assert "close to missing" in digest.body


def test_a_breach_withdrawn_by_a_late_event_is_never_announced(
    integration_api, chat, chat_policy, staff_user
):
    """The helpdesk creates the contact, then sends its first response seconds later."""
    contact = make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    services.sla_sweep(now=NOON)
    assert SlaNotification.objects.filter(contact=contact).count() == 2
    services.contact_record_first_response(
        contact=contact, at=warsaw(2026, 3, 2, 10, 30), now=NOON + dt.timedelta(seconds=20)
    )
    assert not Breach.objects.filter(contact=contact).exists()
    assert not SlaNotification.objects.filter(contact=contact).exists()
    assert send_alerts(AFTER)["messages"] == 0
    assert mail.outbox == []


def test_a_breach_withdrawn_after_the_digest_was_written_leaves_it(chat, chat_policy, staff_user):
    a = make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    b = make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    services.sla_sweep(now=NOON)
    services.notifications_digest(now=AFTER)  # written, not sent yet (mail server slow, say)
    services.contact_record_first_response(
        contact=a, at=warsaw(2026, 3, 2, 10, 30), now=AFTER + dt.timedelta(seconds=5)
    )
    from core.outbox import outbox_send

    assert outbox_send(now=AFTER + dt.timedelta(seconds=10))["sent"] == 2
    digest = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    assert digest.subject == "SLA: 1 breach"
    assert b.external_id in digest.body and a.external_id not in digest.body


def test_a_digest_whose_every_breach_was_withdrawn_is_cancelled(chat, chat_policy, staff_user):
    a = make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    services.sla_sweep(now=NOON)
    services.notifications_digest(now=AFTER)
    services.contact_record_first_response(
        contact=a, at=warsaw(2026, 3, 2, 10, 30), now=AFTER + dt.timedelta(seconds=5)
    )
    from core.outbox import outbox_send

    counts = outbox_send(now=AFTER + dt.timedelta(seconds=10))
    assert counts["sent"] == 0 and counts["cancelled"] == 2
    assert mail.outbox == []


def test_history_is_recorded_but_not_alerted(chat, chat_policy, staff_user):
    """A backfill: contacts whose deadlines passed days before the portal learned of them."""
    services.contacts_bulk_create(
        items=[
            {"channel": chat, "external_id": "OLD-1", "opened_at": MON_10, "agent": staff_user},
        ],
        now=warsaw(2026, 3, 5, 12, 0),
    )
    recent = make_contact(
        channel=chat,
        opened_at=warsaw(2026, 3, 5, 10, 0),
        agent=staff_user,
        now=warsaw(2026, 3, 5, 10, 0),
    )
    services.sla_sweep(now=warsaw(2026, 3, 5, 12, 0))
    assert Breach.objects.filter(contact__external_id="OLD-1").exists()
    assert Breach.objects.filter(contact=recent).exists()
    assert not SlaNotification.objects.filter(contact__external_id="OLD-1").exists()
    assert SlaNotification.objects.filter(contact=recent).count() == 2


def test_digest_is_in_the_recipients_language(breached, staff_user):
    from core.models import Profile

    Profile.objects.create(user=staff_user, language="ru")
    send_alerts(AFTER)
    digest = next(m for m in mail.outbox if m.to == ["agent@example.com"])
    assert digest.subject == "SLA: 3 нарушения"
    assert "2 марта 2026 г." in digest.body
    owners = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    assert owners.subject == "SLA: 3 breaches"


def test_beat_runs_the_sweep_every_minute_and_expires_before_the_next():
    entry = celery_app.conf.beat_schedule["sla-sweep"]
    assert entry["task"] == "sla.tasks.sweep"
    assert entry["schedule"] == 60.0
    assert 0 < entry["options"]["expires"] < 60


def test_tasks_retry_with_backoff():
    for task in (tasks.sweep, tasks.send_notifications, tasks.recompute_deadlines):
        assert DatabaseError in task.autoretry_for
        assert task.retry_backoff


def test_sweep_task_flags_then_digests_after_the_grace_period(
    chat, chat_policy, staff_user, django_capture_on_commit_callbacks
):
    make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        counts = tasks.sweep.delay().get()
    assert counts["first_response_breached"] == 1 and counts["digests"] == 0
    with time_machine.travel(AFTER, tick=False), django_capture_on_commit_callbacks(execute=True):
        counts = tasks.sweep.delay().get()
    assert counts["digests"] == 2
    assert len(mail.outbox) == 2


def test_broker_down_the_api_still_accepts_and_nothing_is_lost(
    integration_api,
    chat,
    chat_policy,
    staff_user,
    django_capture_on_commit_callbacks,
    caplog,
):
    body = {
        "channel": "chat",
        "external_id": "ZD-LATE",
        "opened_at": "2026-03-02T10:00:00+01:00",
        "first_response_at": "2026-03-02T12:00:00+01:00",  # late: a breach to notify about
        "agent": "agent",
    }
    with (
        time_machine.travel(NOON, tick=False),
        mock.patch.object(
            celery_app.Task,
            "apply_async",
            autospec=True,
            side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379."),
        ) as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = integration_api.post("/api/v1/contacts/", body, format="json")
    assert response.status_code == 201, response.json()
    assert apply_async.called
    assert "broker unavailable" in caplog.text
    assert Breach.objects.filter(contact__external_id="ZD-LATE").exists()
    assert SlaNotification.objects.filter(status="pending").count() == 2
    assert mail.outbox == []
    # The broker is back: the next periodic sweep after the grace period sends what was queued.
    with time_machine.travel(AFTER, tick=False), django_capture_on_commit_callbacks(execute=True):
        tasks.sweep.delay()
    assert len(mail.outbox) == 2
    assert not SlaNotification.objects.filter(status="pending").exists()


def test_broker_down_during_the_sweep_keeps_the_outbox(
    chat, chat_policy, staff_user, django_capture_on_commit_callbacks
):
    from core import tasks as core_tasks

    make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    with (
        time_machine.travel(AFTER, tick=False),
        mock.patch.object(
            core_tasks.send_outbox, "apply_async", side_effect=OperationalError("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.sweep()
        counts = tasks.sweep()
    assert counts["digests"] == 0  # the first sweep's rows were still in their grace period
    assert Contact.objects.get().first_response_state == "breached"
    with (
        time_machine.travel(AFTER + GRACE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        with mock.patch.object(
            core_tasks.send_outbox, "apply_async", side_effect=OperationalError("down")
        ):
            assert tasks.sweep()["digests"] == 2
        assert OutboxMessage.objects.filter(status="pending").count() == 2
        assert mail.outbox == []
        core_tasks.send_outbox()  # the beat's periodic run, once the broker is back
    assert len(mail.outbox) == 2
