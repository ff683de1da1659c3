"""The outbox and its digests; Celery wiring; nothing lost when the broker is down."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import DatabaseError
from kombu.exceptions import OperationalError

from portal.celery import app as celery_app
from sla import services, tasks
from sla.models import Breach, Contact, SlaNotification
from sla.services.notifications import MAX_ATTEMPTS
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact

pytestmark = pytest.mark.django_db

MON_10 = warsaw(2026, 3, 2, 10, 0)
NOON = warsaw(2026, 3, 2, 12, 0)


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
    counts = services.notifications_send(now=NOON)
    assert counts == {"sent": 6, "emails": 2, "retrying": 0, "failed": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["agent@example.com", "owner@example.com"]
    digest = next(m for m in mail.outbox if m.to == ["agent@example.com"])
    assert digest.subject == "SLA: 3 breaches"
    for contact in breached:
        assert contact.external_id in digest.body
    assert "First response was due 2026-03-02 11:00" in digest.body
    assert set(SlaNotification.objects.values_list("status", flat=True)) == {"sent"}
    assert services.notifications_send(now=NOON)["sent"] == 0  # sent rows stay sent
    assert len(mail.outbox) == 2


def test_digest_lists_breaches_and_contacts_at_risk(chat, chat_policy, staff_user):
    make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    eleven = warsaw(2026, 3, 2, 11, 0)
    make_contact(channel=chat, opened_at=eleven, agent=staff_user, now=eleven)
    services.sla_sweep(now=warsaw(2026, 3, 2, 11, 50))
    services.notifications_send(now=warsaw(2026, 3, 2, 11, 50))
    digest = next(m for m in mail.outbox if m.to == ["agent@example.com"])
    assert digest.subject == "SLA: 1 breach, 1 contact at risk"
    assert "close to missing" in digest.body


class _FlakyBackend(EmailBackend):
    """Refuses mail to the agent, delivers the rest."""

    def send_messages(self, messages):
        if any("agent@example.com" in m.to for m in messages):
            raise ConnectionRefusedError("mail server said no")
        return super().send_messages(messages)


def test_failed_digest_is_retried_with_backoff_without_holding_up_others(breached, settings):
    settings.EMAIL_BACKEND = "sla.tests.test_notifications._FlakyBackend"
    counts = services.notifications_send(now=NOON)
    assert counts == {"sent": 3, "emails": 1, "retrying": 3, "failed": 0}
    waiting = SlaNotification.objects.filter(recipient__username="agent")
    assert {(r.status, r.attempts, r.not_before) for r in waiting} == {
        ("pending", 1, NOON + dt.timedelta(minutes=1))
    }
    assert "mail server said no" in waiting.first().last_error
    assert services.notifications_send(now=NOON)["sent"] == 0  # not due again yet
    moment = NOON
    for _attempt in range(MAX_ATTEMPTS):
        moment += dt.timedelta(hours=1)
        services.notifications_send(now=moment)
    assert set(waiting.values_list("status", "attempts")) == {("failed", MAX_ATTEMPTS)}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    SlaNotification.objects.filter(status="failed").update(status="pending", not_before=moment)
    assert services.notifications_send(now=moment)["sent"] == 3


def test_beat_runs_the_sweep_every_minute_and_expires_before_the_next():
    entry = celery_app.conf.beat_schedule["sla-sweep"]
    assert entry["task"] == "sla.tasks.sweep"
    assert entry["schedule"] == 60.0
    assert 0 < entry["options"]["expires"] < 60


def test_tasks_retry_with_backoff():
    for task in (tasks.sweep, tasks.send_notifications, tasks.recompute_deadlines):
        assert DatabaseError in task.autoretry_for
        assert task.retry_backoff


def test_sweep_task_flags_then_sends(
    at_noon, chat, chat_policy, staff_user, django_capture_on_commit_callbacks
):
    make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    with django_capture_on_commit_callbacks(execute=True):
        counts = tasks.sweep.delay().get()
    assert counts["first_response_breached"] == 1
    assert len(mail.outbox) == 2


def test_broker_down_the_api_still_accepts_and_nothing_is_lost(
    at_noon,
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
    # The broker is back: the next periodic sweep sends what was queued.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep.delay()
    assert len(mail.outbox) == 2
    assert not SlaNotification.objects.filter(status="pending").exists()


def test_broker_down_during_the_sweep_keeps_the_outbox(
    at_noon, chat, chat_policy, staff_user, django_capture_on_commit_callbacks
):
    make_contact(channel=chat, opened_at=MON_10, agent=staff_user, now=MON_10)
    with (
        mock.patch.object(
            tasks.send_notifications, "apply_async", side_effect=OperationalError("down")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        counts = tasks.sweep()
    assert counts["breaches"] == 1
    assert SlaNotification.objects.filter(status="pending").count() == 2
    assert Contact.objects.get().first_response_state == "breached"
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sweep()
    assert len(mail.outbox) == 2


def test_worker_dying_while_sending_loses_nothing(breached, monkeypatch):
    from sla.services import notifications

    def killed(*args, **kwargs):
        raise SystemExit("worker killed while talking to the mail server")

    monkeypatch.setattr(notifications, "_digest", killed)
    with pytest.raises(SystemExit):
        services.notifications_send(now=NOON)
    rows = SlaNotification.objects.all()
    assert {(r.status, r.attempts) for r in rows} == {("pending", 0)}
    monkeypatch.undo()
    assert services.notifications_send(now=NOON)["sent"] == 0  # leased to the dead worker
    later = NOON + notifications.LEASE
    assert services.notifications_send(now=later)["sent"] == 6
    assert len(mail.outbox) == 2
