"""Recomputing stored deadlines after a calendar, channel or policy edit, in batches.

A request is a row first (so an edit made while the broker is down is not forgotten; the
periodic sweep task picks up unfinished rows), then a task works through the affected open
contacts in id order, one short transaction per batch, remembering where it got to.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q

from core.clock import now_or
from sla.models import Contact, ContactEvent, DeadlineRecomputation, Metric
from sla.services import deadlines as dl
from sla.services.breaches import breaches_record
from sla.services.common import enqueue
from sla.services.sweep import sla_sweep

BATCH_SIZE = 500

_STORED = (
    "sla_policy_id",
    "first_response_due_at",
    "first_response_warn_at",
    "first_response_state",
    "resolution_due_at",
    "resolution_warn_at",
    "resolution_state",
)


def contacts_recompute_deadlines(
    *, channel_ids=None, calendar_ids=None
) -> DeadlineRecomputation | None:
    """Schedule the recomputation of the open contacts of these channels or calendars.

    Call it inside the transaction of the edit: the request commits with it, and the task that
    works through it (``sla.tasks.recompute_deadlines``) is sent after the commit.
    """
    channel_ids = sorted({int(pk) for pk in channel_ids or ()})
    calendar_ids = sorted({int(pk) for pk in calendar_ids or ()})
    if not channel_ids and not calendar_ids:
        return None
    job = DeadlineRecomputation.objects.create(channel_ids=channel_ids, calendar_ids=calendar_ids)
    from sla import tasks

    enqueue(tasks.recompute_deadlines, job.pk)
    return job


def _affected(job: DeadlineRecomputation):
    scope = Q(channel_id__in=job.channel_ids) | Q(channel__calendar_id__in=job.calendar_ids)
    return Contact.objects.open().undecided().filter(scope, id__gt=job.last_contact_id)


def deadline_recomputation_run(
    *, job_id: int, batch_size: int = BATCH_SIZE, now: datetime | None = None
) -> bool:
    """Recompute the next batch of one request; True once the request is finished.

    Safe to run twice or concurrently: the request row is claimed with ``SKIP LOCKED`` (a second
    worker returns at once) and recomputing a deadline twice gives the same deadline.
    """
    now = now_or(now)
    with transaction.atomic():
        jobs = DeadlineRecomputation.objects.filter(pk=job_id, finished_at__isnull=True)
        if connection.features.has_select_for_update_skip_locked:
            jobs = jobs.select_for_update(skip_locked=True)
        job = jobs.first()
        if job is None:
            return True
        contacts = list(
            _affected(job)
            .select_for_update(of=("self",))
            .select_related("channel__calendar", "sla_policy")
            .order_by("id")[:batch_size]
        )
        policies = dl.policies_for_channels({c.channel_id for c in contacts})
        changed, events, found = [], [], []
        for contact in contacts:
            before = tuple(getattr(contact, name) for name in _STORED)
            policy = dl.policy_pick(policies, contact.channel_id, contact.priority)
            for metric in dl.deadlines_refresh(contact, policy=policy, now=now):
                due = (
                    contact.first_response_due_at
                    if metric == Metric.FIRST_RESPONSE
                    else contact.resolution_due_at
                )
                found.append((contact, metric, due))
            if tuple(getattr(contact, name) for name in _STORED) == before:
                continue
            changed.append(contact)
            events.append(
                ContactEvent(
                    contact=contact,
                    kind=ContactEvent.Kind.DEADLINES_RECOMPUTED,
                    at=now,
                    recorded_at=now,
                    detail={
                        "first_response_due_at": _iso(contact.first_response_due_at),
                        "resolution_due_at": _iso(contact.resolution_due_at),
                    },
                )
            )
        if changed:
            Contact.objects.bulk_update(
                changed, [name.removesuffix("_id") for name in _STORED], batch_size=batch_size
            )
            ContactEvent.objects.bulk_create(events)
        queued = breaches_record(found, now=now)
        late = [c.pk for c in changed if dl.needs_sweep(c, now)]
        if late:
            queued += sla_sweep(now=now, contact_ids=late)["notifications"]
        if queued:
            from sla import tasks

            enqueue(tasks.send_notifications)
        if contacts:
            job.last_contact_id = contacts[-1].pk
        job.processed += len(contacts)
        finished = len(contacts) < batch_size
        if finished:
            job.finished_at = now
        job.save()
    return finished


def _iso(value):
    return value.isoformat() if value else None
