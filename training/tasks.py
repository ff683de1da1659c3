"""Celery tasks of onboarding: each takes ids, calls a service and is safe to run twice."""

from celery import shared_task
from django.db import DatabaseError

from training import reminders

# Only the database can fail here: the emails are outbox rows, sent and retried by core.
RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(**RETRY)
def send_reminders(user_id: int | None = None) -> int:
    """Hourly (and on assignment for one person): reminder steps that are due and not sent."""
    return reminders.reminders_send(user_ids=[user_id] if user_id else None)


@shared_task(**RETRY)
def send_manager_digest() -> int:
    """Weekly: managers hear who is overdue. Once per manager and week."""
    return reminders.digest_send()
