"""Helpers shared by the SLA services: clocks, enqueueing, recipients and "not before"."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings

from channels_app import businesstime
from channels_app.models import Channel
from channels_app.selectors import channel_business_calendar
from core.queue import enqueue_on_commit

# Clients' clocks drift; a timestamp this far ahead of ours still counts as "now", not future.
CLOCK_SKEW = timedelta(seconds=60)
ALWAYS_OPEN = businesstime.Calendar.always()


def whole_minutes(minutes: float) -> int:
    """Business minutes as the stored integer: rounded half up, never negative."""
    return max(0, math.floor(minutes + 0.5))


def enqueue(task, *args, **kwargs) -> None:
    """Send ``task`` after the current transaction commits; a broker outage is logged, not raised.

    The work the task does is recorded in the database first (outbox, recomputation rows), and the
    periodic sweep enqueues it again, so a message lost here is only a delay.
    """
    enqueue_on_commit(task, *args, **kwargs)


def alert_grace() -> timedelta:
    """How long a new alert waits, so a breach that a late event withdraws is never sent."""
    return timedelta(seconds=settings.SLA_ALERT_GRACE_SECONDS)


def alert_history_window() -> timedelta:
    """A deadline this long past when the portal learned of a contact is history: no alert."""
    return timedelta(hours=settings.SLA_ALERT_HISTORY_HOURS)


def alert_not_before(channel: Channel, now: datetime) -> datetime:
    """When an alert found now may be sent: after the grace period and the channel's opening."""
    return max(next_opening(channel, now), now + alert_grace())


def next_opening(channel: Channel, now: datetime) -> datetime:
    """When the channel's calendar next opens (``now`` if open): notifications wait for it."""
    calendar = channel_business_calendar(channel)
    try:
        return calendar.next_opening(now)
    except ValueError:  # a calendar with no opening hours at all: do not hold mail forever
        return now
