"""Periodic sending of the invitation outbox; safe to run twice or concurrently."""

from celery import shared_task

from surveys import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_invitations():
    return services.invitations_send_due()
