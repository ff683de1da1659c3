"""Housekeeping tasks of the project itself."""

from celery import shared_task
from django.core import management

from portal import health


@shared_task
def heartbeat() -> str:
    """Record that a worker is alive and beat is scheduling, for the status shown to managers."""
    return health.record_heartbeat().isoformat()


@shared_task
def echo(value):
    """Return its argument: lets a test see a round trip through broker, worker and results."""
    return value


@shared_task
def clear_sessions() -> None:
    management.call_command("clearsessions")
