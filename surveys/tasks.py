"""Periodic housekeeping of invitations; the outbox (``core``) sends their emails."""

from celery import shared_task

from surveys import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def expire_invitations() -> int:
    """Every few minutes: unanswered links past their lifetime become expired."""
    return services.invitations_expire()
