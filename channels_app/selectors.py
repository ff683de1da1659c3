"""Reads for channels and business calendars."""

from __future__ import annotations

import threading

from django.db.models import Count, QuerySet, prefetch_related_objects

from channels_app import businesstime
from channels_app.models import BusinessCalendar, Channel
from core.roles import user_roles

# Pure calendars by calendar id, with the ``updated_at`` they were built from. One entry per
# calendar: a newer ``updated_at`` replaces the old entry, so the dict cannot grow without bound,
# and every process notices an edit as soon as it reads the calendar row again.
_PURE_CALENDARS: dict[int, tuple[object, businesstime.Calendar]] = {}
_PURE_CALENDARS_LOCK = threading.Lock()
_ALWAYS_OPEN = businesstime.Calendar.always()


def calendar_list(*, user) -> QuerySet[BusinessCalendar]:
    """Calendars a user may see (every role sees all of them), hours and holidays prefetched."""
    if not user_roles(user):
        return BusinessCalendar.objects.none()
    return BusinessCalendar.objects.with_schedule()


def calendar_list_with_counts(*, user) -> QuerySet[BusinessCalendar]:
    """For the list page: hours prefetched, holidays and channels only counted."""
    return (
        calendar_list(user=user)
        .prefetch_related(None)
        .prefetch_related("hours")
        .annotate(
            holiday_count=Count("holidays", distinct=True),
            channel_count=Count("channels", distinct=True),
        )
        .order_by("name")  # Meta.ordering does not apply to aggregating queries
    )


def channel_list(*, user) -> QuerySet[Channel]:
    """Channels a user may see (every role sees all of them), calendar and owner joined."""
    if not user_roles(user):
        return Channel.objects.none()
    return Channel.objects.with_related()


def calendar_business_calendar(calendar: BusinessCalendar) -> businesstime.Calendar:
    """The pure calendar for ``calendar``, built once per (id, updated_at) and then reused.

    A cache hit runs no query; a miss loads the hours and holidays (two queries).
    """
    entry = _PURE_CALENDARS.get(calendar.pk)
    if entry is not None and entry[0] == calendar.updated_at:
        return entry[1]
    prefetch_related_objects([calendar], "hours", "holidays")
    pure = calendar.to_business_calendar()
    with _PURE_CALENDARS_LOCK:
        current = _PURE_CALENDARS.get(calendar.pk)
        # Never let a reader holding an older row overwrite a newer entry.
        if current is None or current[0] <= calendar.updated_at:
            _PURE_CALENDARS[calendar.pk] = (calendar.updated_at, pure)
    return pure


def channel_business_calendar(channel: Channel) -> businesstime.Calendar:
    """The pure calendar a channel's SLA clocks run on; always open when it has none.

    Fetch channels with ``Channel.objects.with_related()`` and a cache hit costs no query.
    """
    if channel.calendar_id is None:
        return _ALWAYS_OPEN
    return calendar_business_calendar(channel.calendar)


def clear_business_calendar_cache() -> None:
    """For tests, and for anyone who wants the memory back."""
    with _PURE_CALENDARS_LOCK:
        _PURE_CALENDARS.clear()
