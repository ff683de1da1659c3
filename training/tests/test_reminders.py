"""Reminder steps, never twice, working hours; the weekly digest."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.testing import flush_outbox
from training import reminders
from training.models import DigestSent, Obligation, ReminderSent, TrainingProfile

pytestmark = pytest.mark.django_db
Step = ReminderSent.Step


@pytest.mark.parametrize(
    ("offset", "step"),
    [
        (-10, Step.ASSIGNED),
        (-4, Step.ASSIGNED),
        (-3, Step.BEFORE_DUE),
        (-1, Step.BEFORE_DUE),
        (0, Step.DUE),
        (2, Step.DUE),
        (3, Step.OVERDUE_1),
        (6, Step.OVERDUE_2),
        (14, Step.OVERDUE_4),
        (15, Step.OVERDUE_5),
        (90, Step.OVERDUE_5),
    ],
)
def test_step_for(offset, step):
    due = datetime(2026, 3, 10).date()
    assert reminders.step_for(due=due, today=due + timedelta(days=offset)) == step


def _run_on(day):
    sent = reminders.reminders_send(now=timezone.make_aware(datetime.combine(day, time(10, 0))))
    flush_outbox()
    return sent


def test_each_step_once_and_at_most_five_overdue(assigned):
    today = timezone.localdate()
    assert _run_on(today) == 1  # both items in one e-mail
    assert "Greeting" in mail.outbox[0].body and "Closing" in mail.outbox[0].body
    assert _run_on(today) == 0  # same step: not again
    # Walk 40 days: the 3-day item goes before_due, due, then 5 overdue steps and stops.
    for day in range(1, 41):
        _run_on(today + timedelta(days=day))
    greeting = Obligation.objects.get(user=assigned, standard__slug="greeting")
    steps = list(greeting.reminders.values_list("step", flat=True))
    assert sorted(steps) == sorted(
        [Step.ASSIGNED, Step.BEFORE_DUE, Step.DUE, *reminders.OVERDUE_STEPS]
    )
    assert ReminderSent.objects.filter(obligation=greeting).count() == 8


def test_each_line_is_one_sentence_with_its_date(assigned):
    """Translators get whole sentences: the date sits inside the message, not after it."""
    today = timezone.localdate()
    _run_on(today)
    due = Obligation.objects.get(user=assigned, standard__slug="greeting").due_date
    assert f"(version 1): due on {due.day} {due:%b %Y}" in mail.outbox[0].body
    _run_on(due + timedelta(days=3))
    assert f"(version 1): overdue since {due.day} {due:%b %Y}" in mail.outbox[-1].body


def test_acknowledged_items_are_not_reminded(assigned, standard_a, standard_b):
    from training.tests.conftest import acknowledge

    acknowledge(assigned, standard_a.current_version)
    _run_on(timezone.localdate())
    assert "Greeting" not in mail.outbox[0].body


def test_working_hours_are_respected(assigned):
    TrainingProfile.objects.create(
        user=assigned, timezone="Asia/Tokyo", work_start=time(9), work_end=time(17)
    )
    monday = datetime(2026, 3, 9, tzinfo=UTC)
    # 03:00 UTC is 12:00 in Tokyo; 12:00 UTC is 21:00 there.
    assert reminders.reminders_send(now=monday.replace(hour=12)) == 0
    assert reminders.reminders_send(now=monday.replace(hour=3)) == 1
    flush_outbox()


def test_profile_without_hours_means_any_time(assigned):
    TrainingProfile.objects.create(user=assigned, timezone="Asia/Tokyo")
    sunday_night = datetime(2026, 3, 8, 23, tzinfo=UTC)
    assert reminders.reminders_send(now=sunday_night) == 1
    flush_outbox()


def test_weekly_digest_once_per_week(assigned, manager):
    Obligation.objects.filter(user=assigned).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    assert reminders.digest_send() == 1
    flush_outbox()
    assert reminders.digest_send() == 0
    assert DigestSent.objects.count() == 1
    [message] = mail.outbox
    assert message.to == ["manager@example.com"]
    assert "Adam Agent" in message.body


def test_no_digest_when_nobody_is_overdue(assigned, manager):
    assert reminders.digest_send() == 0


def test_tasks_run(assigned):
    from training import tasks

    assert tasks.send_reminders.delay().get() == 1
    assert tasks.send_manager_digest.delay().get() == 0


def test_a_russian_speaking_person_gets_a_russian_reminder_with_a_correct_date(assigned):
    from core.models import Profile

    Profile.objects.create(user=assigned, language="ru")
    Obligation.objects.filter(user=assigned).update(due_date=date(2026, 12, 13))
    reminders.reminders_send(now=timezone.make_aware(datetime(2026, 12, 1, 10, 0)))
    flush_outbox()
    [message] = mail.outbox
    assert message.subject == "2 стандарта нужно прочитать и подтвердить"
    assert "срок 13 декабря 2026 г." in message.body
    assert "Декабрь" not in message.body
