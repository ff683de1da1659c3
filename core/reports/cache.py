"""Report figures everyone sees alike (a dashboard's, a team's, the scorecards'), computed once
and shared between requests and processes through the shared cache for
``SLA_REPORT_DASHBOARD_CACHE_SECONDS`` (named for the SLA dashboard that had it first; every
report page reads it): over a million contacts they take seconds to aggregate.
"""

from __future__ import annotations

from django.conf import settings

from core import cache as shared_cache


def shared_cache_seconds() -> int:
    """How long figures everyone sees alike (the team's, the dashboard's) may be reused, in
    seconds (``SLA_REPORT_DASHBOARD_CACHE_SECONDS``); 0 turns the cache off."""
    return settings.SLA_REPORT_DASHBOARD_CACHE_SECONDS


def shared(key: str, compute):
    """The value under ``key`` in the shared cache, computed once a minute at most."""
    seconds = shared_cache_seconds()
    value = shared_cache.get(key) if seconds else None
    if value is None:
        value = compute()
        if seconds:
            shared_cache.set(key, value, seconds)
    return value
