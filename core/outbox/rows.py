"""Writing rows (in the caller's transaction), putting failed ones back, and reading them for
the managers' page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from core.clock import now_or
from core.languages import language_for
from core.models import OutboxMessage
from core.outbox.kinds import _KINDS, encode

Status = OutboxMessage.Status


def retry_window() -> timedelta:
    return timedelta(hours=settings.OUTBOX_RETRY_HOURS)


def absolute_url(path: str) -> str:
    """A link for an email: a task has no request to take the host from."""
    return settings.PORTAL_BASE_URL + path


def message(
    *,
    kind: str,
    context: dict,
    to: str = "",
    user=None,
    language: str | None = None,
    ref: str | int = "",
    not_before: datetime | None = None,
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """An unsaved row: to ``user`` (their address and preferred language) or to an address.

    Customers have no account: pass ``to`` and the contact's ``language``.
    """
    _KINDS[kind]  # a typo fails here, in the caller's transaction, not in the worker
    now = now_or(now)
    return OutboxMessage(
        kind=kind,
        recipient=user,
        to=to or (user.email if user is not None else ""),
        language=language or (language_for(user) if user is not None else settings.LANGUAGE_CODE),
        context=encode(context),
        ref=str(ref),
        created_at=now,
        not_before=not_before or now,
        retry_until=max(not_before or now, now) + retry_window(),
        expires_at=expires_at,
    )


def enqueue(
    messages: Iterable[OutboxMessage] | OutboxMessage, *, kick: bool = True
) -> list[OutboxMessage]:
    """Store rows (in the caller's transaction) and ask for a sending run after it commits.

    ``kick=False`` leaves them to the periodic run (a writer of many batches, such as the demo).
    """
    if isinstance(messages, OutboxMessage):
        messages = [messages]
    rows = [m for m in messages if m.to]
    if not rows:
        return []
    created = OutboxMessage.objects.bulk_create(rows)
    now = timezone.now()
    if kick and any(m.not_before <= now for m in created):
        from core import tasks

        tasks.kick_outbox()
    return created


def messages_resend(*, ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Put failed (or still retrying) rows back in the queue now; returns how many.

    ``ids`` None means every failed row. Sent and cancelled rows are left alone: sending a
    message twice is a decision for a person, not a button on a list.
    """
    now = now_or(now)
    rows = (
        OutboxMessage.objects.filter(status__in=[Status.FAILED, Status.PENDING], pk__in=list(ids))
        if ids is not None
        else OutboxMessage.objects.filter(status=Status.FAILED)
    )
    with transaction.atomic():
        count = rows.update(
            status=Status.PENDING,
            not_before=now,
            leased_until=None,
            retry_until=now + retry_window(),
        )
        if count:
            from core import tasks

            tasks.kick_outbox()
    return count


# --- reading ----------------------------------------------------------------------------------


def message_list(*, state: str = "", kind_name: str = "", search: str = ""):
    """Messages, newest first, for the managers' page (a bounded number of queries).

    ``state``: "attention", "retrying" (pending after a failure), "pending" (never tried yet),
    or a stored status."""
    rows = OutboxMessage.objects.select_related("recipient").order_by("-created_at", "-id")
    if state == "attention":
        rows = rows.needs_attention()
    elif state == "retrying":
        rows = rows.filter(status=Status.PENDING, attempts__gt=0)
    elif state == "pending":
        rows = rows.filter(status=Status.PENDING, attempts=0)
    elif state in (Status.FAILED, Status.SENT, Status.CANCELLED):
        rows = rows.filter(status=state)
    if kind_name:
        rows = rows.filter(kind=kind_name)
    if search:
        rows = rows.filter(to__icontains=search)
    return rows


def attention_counts() -> dict[str, int]:
    """How many messages failed for good and how many are retrying: one query."""
    return OutboxMessage.objects.needs_attention().aggregate(
        failed=Count("id", filter=Q(status=Status.FAILED)),
        retrying=Count("id", filter=Q(status=Status.PENDING)),
    )
