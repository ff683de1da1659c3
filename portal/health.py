"""Background-worker liveness, kept in the shared cache by the beat-scheduled heartbeat.

The cache may be away (Redis down): the status is then "unknown", never an error page.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from django.utils import timezone

from core import cache as shared_cache

HEARTBEAT_KEY = "portal:worker-heartbeat"
STALE_AFTER = timedelta(minutes=2)
#: The answer when the cache could not be read, told apart from "no heartbeat yet".
_UNREADABLE = object()


class WorkerStatus(enum.StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    UNKNOWN = "unknown"  # the cache that holds the heartbeat cannot be read


def record_heartbeat(at: datetime | None = None) -> datetime:
    at = at or timezone.now()
    shared_cache.set(HEARTBEAT_KEY, at.isoformat(), timeout=None)
    return at


def _read() -> datetime | object | None:
    value = shared_cache.get(HEARTBEAT_KEY, unavailable=_UNREADABLE)
    if value is _UNREADABLE:
        return _UNREADABLE
    return datetime.fromisoformat(value) if value else None


def worker_status(now: datetime | None = None) -> tuple[WorkerStatus, datetime | None]:
    """The worker's status and when it was last seen (None if never, or unknown)."""
    seen = _read()
    if seen is _UNREADABLE:
        return WorkerStatus.UNKNOWN, None
    if seen is not None and (now or timezone.now()) - seen < STALE_AFTER:
        return WorkerStatus.RUNNING, seen
    return WorkerStatus.STOPPED, seen
