"""The one "now" of the services: each takes an optional ``now`` (tests, replays and a sweep's
batch pin it), and reads the clock only when none is given."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now_or(now: datetime | None) -> datetime:
    """``now`` when given, else the current instant (aware, UTC)."""
    return timezone.now() if now is None else now
