"""Background-worker liveness, kept in the shared cache by the beat-scheduled heartbeat."""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "portal:worker-heartbeat"
STALE_AFTER = timedelta(minutes=2)


def record_heartbeat(at: datetime | None = None) -> datetime:
    at = at or timezone.now()
    cache.set(HEARTBEAT_KEY, at.isoformat(), timeout=None)
    return at


def last_heartbeat() -> datetime | None:
    value = cache.get(HEARTBEAT_KEY)
    return datetime.fromisoformat(value) if value else None


def worker_is_alive(now: datetime | None = None) -> bool:
    seen = last_heartbeat()
    return seen is not None and (now or timezone.now()) - seen < STALE_AFTER
