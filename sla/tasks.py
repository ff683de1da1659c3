"""Celery tasks of the SLA engine: thin wrappers that take ids and call the services.

Every task is safe to run twice (``task_acks_late`` redelivers a task whose worker died) and
retries database hiccups with exponential backoff. What they act on is in the database (stored
deadlines, the outbox, recomputation rows), so a lost message only delays the work until the
next periodic sweep.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import DatabaseError
from django.utils import timezone

from sla import services
from sla.models import DeadlineRecomputation
from sla.services import imports
from sla.services.common import enqueue

logger = logging.getLogger("sla")

RETRY = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}
# A recomputation request older than this with no progress is assumed to have lost its message.
STALLED_AFTER = timedelta(minutes=2)


def sweep_once() -> dict[str, int]:
    """One sweep, the digests of what is due, any stalled recomputation: the beat task and the
    command. One digest per recipient per sweep; the outbox sends it."""
    counts = services.sla_sweep()
    counts["digests"] = services.notifications_digest()["messages"]
    stalled = DeadlineRecomputation.objects.filter(
        finished_at__isnull=True, created_at__lt=timezone.now() - STALLED_AFTER
    ).values_list("pk", flat=True)[:100]
    for job_id in stalled:
        enqueue(recompute_deadlines, job_id)
    services.contact_imports_resume()
    return counts


@shared_task(**RETRY)
def sweep() -> dict[str, int]:
    """Every minute (beat): flag at-risk and breached contacts, then send what is due."""
    counts = sweep_once()
    if any(counts.values()):
        logger.info("SLA sweep: %s", counts)
    return counts


@shared_task(**RETRY)
def fold_report_summary() -> int:
    """Every minute (beat): move the report summary's deltas into it (PostgreSQL)."""
    from sla.reports import summary

    return summary.fold()


@shared_task(**RETRY)
def send_notifications() -> dict[str, int]:
    """Gather due alerts into digests now (the sweep does it every minute too)."""
    return services.notifications_digest()


@shared_task(**RETRY)
def recompute_deadlines(job_id: int) -> bool:
    """One batch of a recomputation request; sends itself again until the request is done."""
    finished = services.deadline_recomputation_run(job_id=job_id)
    if not finished:
        enqueue(recompute_deadlines, job_id)
    return finished


@shared_task(**RETRY)
def import_contacts(import_id: int) -> str:
    """A slice of a CSV import's check or import; sends itself again until the pass is done.

    A second copy of the message (the sweep, a restarted worker) finds the job held and stops.
    """
    outcome = services.contact_import_advance(import_id=import_id)
    if outcome == imports.PAUSED:
        enqueue(import_contacts, import_id)
    return outcome
