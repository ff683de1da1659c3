"""The kernel's tasks: the one sender of every email."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError, connection, transaction

from core import outbox
from core.queue import send_now


@shared_task(
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def send_outbox() -> dict[str, int]:
    """Every minute (beat) and after a commit that wrote messages: send what is due."""
    return outbox.outbox_send()


def _kick() -> None:
    send_now(send_outbox)


def kick_outbox() -> None:
    """Ask for a sending run once the current transaction commits: once per transaction.

    A writer that enqueues in many batches inside one transaction sends one broker message.
    """
    if connection.in_atomic_block and any(entry[1] is _kick for entry in connection.run_on_commit):
        return
    transaction.on_commit(_kick)
