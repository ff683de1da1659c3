"""Celery tasks of the standards app."""

from smtplib import SMTPException

from celery import shared_task

from standards import services


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=8,
)
def send_review_reminders() -> int:
    """Daily: e-mail owners 14 days before and on each review date. Safe to run any number of
    times; what was sent is recorded, so nothing goes out twice."""
    return services.review_reminders_send()
