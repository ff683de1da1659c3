"""Test helpers of the kernel."""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

from core.models import OutboxMessage


def flush_outbox() -> dict[str, int]:
    """Send every pending message now, as the worker would once each one's time has come."""
    from core.outbox import outbox_send

    latest = OutboxMessage.objects.filter(status="pending").aggregate(t=Max("not_before"))["t"]
    return outbox_send(now=max(filter(None, [latest, timezone.now()])))
