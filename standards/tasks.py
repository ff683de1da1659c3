"""Celery tasks of the standards app."""

from celery import shared_task
from django.db import DatabaseError

from standards import services


@shared_task(
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
)
def send_review_reminders() -> int:
    """Daily: write to owners 14 days before and on each review date. Safe to run any number of
    times; what was sent is recorded, so nothing goes out twice."""
    return services.review_reminders_send()
