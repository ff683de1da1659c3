"""Breaches found by the services when an event is recorded (the sweep has its own SQL path)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model

from sla.models import Breach, Contact, ContactEvent, SlaNotification
from sla.services.common import alert_history_window, alert_not_before
from sla.services.notifications import notifications_withdraw


def breaches_record(items: list[tuple[Contact, str, datetime]], *, now: datetime) -> int:
    """Record ``(contact, metric, due_at)`` breaches with their timeline events and outbox rows.

    Set-based (a few queries whatever the number of items); the unique constraint keeps a breach
    recorded once. Returns how many notification rows were offered to the outbox.
    """
    if not items:
        return 0
    Breach.objects.bulk_create(
        [Breach(contact_id=c.pk, metric=m, due_at=due, detected_at=now) for c, m, due in items],
        ignore_conflicts=True,
    )
    ContactEvent.objects.bulk_create(
        [
            ContactEvent(
                contact_id=c.pk,
                kind=ContactEvent.Kind.BREACHED,
                metric=m,
                at=due,
                recorded_at=now,
            )
            for c, m, due in items
        ]
    )
    return breach_notifications(items, now=now)


def breach_notifications(
    items: list[tuple[Contact, str, datetime]],
    *,
    now: datetime,
    kind: str = SlaNotification.Kind.BREACH,
) -> int:
    """Outbox rows for breaches (or, with ``kind``, warnings) just recorded, as the sweep writes
    them: to the channel's owner and the contact's agent, unless the contact is not notified or
    the instant is history (long before the portal learned of the contact). ``items`` are
    ``(contact, metric, instant)``; a contact needs ``pk``, ``channel``, ``agent_id``,
    ``notify`` and ``created_at`` only. Returns how many rows were offered to the outbox.
    """
    history = alert_history_window()
    notify = [
        (c, m)
        for c, m, due in items
        if c.notify and (c.created_at is None or due >= c.created_at - history)
    ]
    if not notify:
        return 0
    wanted = {c.channel.owner_id for c, _ in notify} | {c.agent_id for c, _ in notify}
    wanted.discard(None)
    recipients = set(
        get_user_model()
        .objects.filter(pk__in=wanted, is_active=True)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    opening: dict[int, datetime] = {}
    rows = []
    for contact, metric in notify:
        channel = contact.channel
        if channel.pk not in opening:
            opening[channel.pk] = alert_not_before(channel, now)
        for user_id in {channel.owner_id, contact.agent_id} & recipients:
            rows.append(
                SlaNotification(
                    recipient_id=user_id,
                    channel_id=channel.pk,
                    contact_id=contact.pk,
                    metric=metric,
                    kind=kind,
                    created_at=now,
                    not_before=opening[channel.pk],
                )
            )
    SlaNotification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def breach_withdraw(contact: Contact, metric: str, *, at: datetime, now: datetime) -> None:
    """A late event shows the recorded breach was wrong (the target was met, or its deadline
    moved): the breach row goes, and so does every alert about it not sent yet.

    "Not sent yet" covers an alert waiting for its grace period, its channel's opening or a
    retry, and one in a digest the outbox has not sent (the digest is drawn when it is sent, so
    it leaves the breach out). The timeline keeps both stories: the breach and its withdrawal.
    """
    deleted, _ = Breach.objects.filter(contact=contact, metric=metric).delete()
    notifications_withdraw(contact=contact, metric=metric)
    if deleted:
        ContactEvent.objects.create(
            contact=contact,
            kind=ContactEvent.Kind.BREACH_WITHDRAWN,
            metric=metric,
            at=at,
            recorded_at=now,
        )
