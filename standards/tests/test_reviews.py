"""Review reminders: 14 days before and on the review date, once per review cycle."""

import io
from datetime import date, timedelta
from smtplib import SMTPException

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from core.models import OutboxMessage
from core.testing import flush_outbox
from portal.celery import app as celery_app
from standards import services, tasks
from standards.models import ReviewReminder, Standard
from standards.tests.factories import make_published_standard

pytestmark = pytest.mark.django_db

REVIEW = date(2026, 12, 15)


@pytest.fixture
def standard(manager):
    standard = make_published_standard(title="Greeting the customer", owner=manager)
    Standard.objects.filter(pk=standard.pk).update(next_review_date=REVIEW)
    standard.refresh_from_db()
    return standard


def _send(day: date) -> int:
    sent = services.review_reminders_send(today=day)
    flush_outbox()
    return sent


def test_nothing_before_the_two_week_window(standard):
    assert _send(REVIEW - timedelta(days=15)) == 0
    assert mail.outbox == []


def test_advance_reminder_fourteen_days_before_then_nothing_twice(standard, manager):
    assert _send(REVIEW - timedelta(days=14)) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manager.email]
    assert "Greeting the customer" in message.subject
    assert "15 Dec 2026" in message.subject
    assert "in 14 days" in message.body
    assert standard.get_absolute_url() in message.body
    reminder = ReviewReminder.objects.get()
    assert (reminder.kind, reminder.review_date, reminder.recipient) == (
        "advance",
        REVIEW,
        manager.email,
    )
    # Later runs in the same cycle send nothing more until the day itself.
    for offset in (14, 13, 1):
        assert _send(REVIEW - timedelta(days=offset)) == 0
    assert len(mail.outbox) == 1


def test_due_reminder_on_the_day_once(standard):
    _send(REVIEW - timedelta(days=14))
    assert _send(REVIEW) == 1
    assert len(mail.outbox) == 2
    assert "today" in mail.outbox[1].subject
    assert _send(REVIEW) == 0
    assert _send(REVIEW + timedelta(days=5)) == 0
    assert set(ReviewReminder.objects.values_list("kind", flat=True)) == {"advance", "due"}


def test_a_missed_day_is_caught_up(standard):
    """Beat was down on the 14th-day run: the next run sends the advance reminder."""
    assert _send(REVIEW - timedelta(days=10)) == 1
    assert "in 10 days" in mail.outbox[0].body


def test_overdue_without_any_reminder_gets_only_the_due_one(standard):
    assert _send(REVIEW + timedelta(days=3)) == 1
    assert ReviewReminder.objects.get().kind == "due"


def test_a_new_review_cycle_reminds_again(standard, manager):
    _send(REVIEW)
    services.standard_mark_reviewed(standard=standard, user=manager, on=REVIEW)
    standard.refresh_from_db()
    assert standard.next_review_date == date(2027, 12, 15)
    assert _send(date(2027, 12, 1)) == 1
    assert _send(date(2027, 12, 15)) == 1
    assert ReviewReminder.objects.count() == 3


def test_owners_without_an_address_are_skipped(standard, manager):
    manager.email = ""
    manager.save()
    assert _send(REVIEW) == 0
    Standard.objects.filter(pk=standard.pk).update(owner=None)
    assert _send(REVIEW) == 0
    assert not ReviewReminder.objects.exists()


def test_a_failed_send_is_retried_by_the_outbox(standard, monkeypatch):
    def broken(*args, **kwargs):
        raise SMTPException("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    assert _send(REVIEW) == 1
    assert ReviewReminder.objects.count() == 1  # due once: the outbox owns the retrying
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "mail server down" in message.last_error
    monkeypatch.undo()
    assert _send(REVIEW) == 0
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().status == "sent"


def test_the_celery_task_uses_today_and_is_idempotent(standard):
    with time_machine.travel("2026-12-01 08:00 +01:00", tick=False):
        assert tasks.send_review_reminders.delay().get() == 1
        assert tasks.send_review_reminders.delay().get() == 0
    flush_outbox()
    assert len(mail.outbox) == 1


def test_the_task_is_scheduled_daily():
    entry = celery_app.conf.beat_schedule["standards-review-reminders"]
    assert entry["task"] == "standards.tasks.send_review_reminders"
    assert entry["task"] in celery_app.tasks


def test_management_command(standard):
    out = io.StringIO()
    call_command("send_review_reminders", "--today", "2026-12-15", stdout=out)
    assert "1 review reminder(s) sent." in out.getvalue()
    call_command("send_review_reminders", "--today", "2026-12-15", stdout=out)
    flush_outbox()
    assert len(mail.outbox) == 1


def test_a_review_overdue_for_months_is_not_called_due_today(standard, manager):
    """The first run after a long gap: the owner reads "overdue since", in their language."""
    from core.models import Profile

    Profile.objects.create(user=manager, language="ru")
    assert _send(REVIEW + timedelta(days=80)) == 1
    [message] = mail.outbox
    assert "today" not in message.subject
    assert message.subject.startswith("Пересмотр просрочен с 15 декабря 2026 г.")
    assert "15 декабря 2026 г." in message.body
