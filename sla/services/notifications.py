"""The notification outbox: rows are written with the breach, a retrying task sends them.

A digest is one email per recipient with everything due for them. Rows are claimed with
``SELECT ... FOR UPDATE SKIP LOCKED`` where the database has it (on SQLite writers are
serialised anyway) and leased by moving ``not_before`` ahead, so several workers share the work
without sending a row twice, and a dead worker's rows come back on their own.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import translation

from sla.models import SlaNotification
from sla.services.common import now_or

logger = logging.getLogger("sla")

MAX_ATTEMPTS = 8
BATCH_SIZE = 200
# Longer than any digest takes to send; a worker that died mid-send is retried after it.
LEASE = timedelta(minutes=10)


def _retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, at most an hour: a mail server outage is waited out, not hammered."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def _claim(now: datetime, limit: int) -> list[SlaNotification]:
    """Lease up to ``limit`` due rows: a short transaction moves their ``not_before`` ahead.

    Nobody else picks a leased row, and no transaction stays open while mail is being sent (on
    SQLite that would block every writer). A worker that dies while sending leaves its rows
    pending; they are due again when the lease runs out.
    """
    with transaction.atomic():
        due = SlaNotification.objects.due(now).order_by("recipient_id", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        SlaNotification.objects.filter(pk__in=ids).update(not_before=now + LEASE)
    return list(
        SlaNotification.objects.filter(pk__in=ids)
        .select_related("recipient", "channel", "contact")
        .order_by("recipient_id", "id")
    )


def _digest(recipient, rows: list[SlaNotification]) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "recipient": recipient,
            "breaches": [r for r in rows if r.kind == SlaNotification.Kind.BREACH],
            "at_risk": [r for r in rows if r.kind == SlaNotification.Kind.AT_RISK],
        }
        subject = render_to_string("sla/email/digest_subject.txt", context)
        body = render_to_string("sla/email/digest.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )


def notifications_send(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict:
    """Send every due outbox row as one digest per recipient; returns counts.

    Rows are marked sent right after their email went out (at least once, never lost). A
    recipient whose email fails is retried later with backoff, without holding up the others,
    and given up (``failed``) after ``MAX_ATTEMPTS``.
    """
    now = now_or(now)
    counts = {"sent": 0, "emails": 0, "retrying": 0, "failed": 0}
    while rows := _claim(now, batch_size):
        with get_connection() as mail:
            for _recipient_id, group in groupby(rows, key=lambda r: r.recipient_id):
                group = list(group)
                ids = [row.pk for row in group]
                try:
                    mail.send_messages([_digest(group[0].recipient, group)])
                except Exception as exc:  # any transport error: retry these rows later
                    logger.warning("SLA digest to %s failed: %s", group[0].recipient, exc)
                    _failed(group, str(exc), now, counts)
                    continue
                SlaNotification.objects.filter(pk__in=ids).update(
                    status=SlaNotification.Status.SENT, sent_at=now, last_error=""
                )
                counts["sent"] += len(ids)
                counts["emails"] += 1
        if len(rows) < batch_size:
            break
    return counts


def _failed(rows: list[SlaNotification], error: str, now: datetime, counts: dict) -> None:
    for row in rows:
        row.attempts += 1
        row.last_error = error[:1000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = SlaNotification.Status.FAILED
            counts["failed"] += 1
        else:
            row.not_before = now + _retry_delay(row.attempts)
            counts["retrying"] += 1
    SlaNotification.objects.bulk_update(rows, ["attempts", "last_error", "status", "not_before"])
