"""Helpers shared by the SLA services: clocks, enqueueing, recipients and "not before"."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.utils import timezone

from channels_app import businesstime
from channels_app.models import Channel
from channels_app.selectors import channel_business_calendar
from core.queue import enqueue_on_commit

# Clients' clocks drift; a timestamp this far ahead of ours still counts as "now", not future.
CLOCK_SKEW = timedelta(seconds=60)
ALWAYS_OPEN = businesstime.Calendar.always()


def now_or(now: datetime | None) -> datetime:
    return timezone.now() if now is None else now


def whole_minutes(minutes: float) -> int:
    """Business minutes as the stored integer: rounded half up, never negative."""
    return max(0, math.floor(minutes + 0.5))


def enqueue(task, *args, **kwargs) -> None:
    """Send ``task`` after the current transaction commits; a broker outage is logged, not raised.

    The work the task does is recorded in the database first (outbox, recomputation rows), and the
    periodic sweep enqueues it again, so a message lost here is only a delay.
    """
    enqueue_on_commit(task, *args, **kwargs)


def next_opening(channel: Channel, now: datetime) -> datetime:
    """When the channel's calendar next opens (``now`` if open): notifications wait for it."""
    calendar = channel_business_calendar(channel)
    try:
        return calendar.next_opening(now)
    except ValueError:  # a calendar with no opening hours at all: do not hold mail forever
        return now
