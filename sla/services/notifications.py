"""Breach alerts: due notification rows become one digest per recipient in the outbox.

The sweep (and the services that find breaches) write ``SlaNotification`` rows, one per contact,
metric, kind and recipient, held by ``not_before`` through a grace period and until the channel
opens. ``notifications_digest`` then gives each recipient one outbox message for everything due
to them, however many contacts it covers. The message is drawn when it is sent, from the rows
still attached to it: a breach that a late event withdrew in the meantime is left out, and a
digest with nothing left is not sent at all.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import outbox
from core.clock import now_or
from core.models import OutboxMessage
from sla.models import SlaNotification

KIND = "sla.digest"
Status = SlaNotification.Status
#: Serialises digest runs on PostgreSQL (SQLite has one writer at a time anyway).
_LOCK_KEY = 0x51A_D16E57


def notifications_digest(*, now: datetime | None = None) -> dict[str, int]:
    """One outbox message per recipient with due rows; returns how many rows and messages.

    A bounded number of queries per recipient, whatever the number of rows (a sweep that breaches
    100,000 contacts of one owner gives that owner one email).
    """
    now = now_or(now)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        due = SlaNotification.objects.due(now)
        per_recipient = dict(
            due.values_list("recipient_id").annotate(n=Count("id")).order_by("recipient_id")
        )
        if not per_recipient:
            return {"rows": 0, "messages": 0}
        users = (
            get_user_model().objects.filter(pk__in=per_recipient).select_related("portal_profile")
        )
        messages = {
            user.pk: outbox.message(kind=KIND, user=user, context={}, now=now)
            for user in users
            if user.email
        }
        outbox.enqueue(list(messages.values()))
        for recipient_id, message in messages.items():
            due.filter(recipient_id=recipient_id).update(status=Status.QUEUED, message=message)
        # Recipients who lost their address meanwhile: nothing to send, nothing to retry.
        due.exclude(recipient_id__in=list(messages)).update(
            status=Status.FAILED, last_error="no email address"
        )
    return {"rows": sum(per_recipient.values()), "messages": len(messages)}


def notifications_withdraw(*, contact, metric: str) -> int:
    """A withdrawn breach is not announced: its rows leave any digest not sent yet."""
    unsent = Q(status__in=[Status.PENDING, Status.FAILED]) | Q(
        status=Status.QUEUED, message__status=OutboxMessage.Status.PENDING
    )
    deleted, _ = SlaNotification.objects.filter(
        unsent, contact=contact, metric=metric, kind=SlaNotification.Kind.BREACH
    ).delete()
    return deleted


def _contexts(messages: list[OutboxMessage]) -> dict[int, dict | None]:
    """The digests' contents as they stand now: two queries for the whole batch."""
    ids = [m.pk for m in messages]
    rows = SlaNotification.objects.filter(message_id__in=ids, status=Status.QUEUED)
    counts: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for message_id, kind, n in (
        rows.values_list("message_id", "kind").annotate(n=Count("id")).order_by()
    ):
        counts[message_id][kind] = n
    listed = (
        rows.annotate(
            rank=Window(RowNumber(), partition_by=[F("message_id")], order_by=[F("id").asc()])
        )
        .filter(rank__lte=settings.SLA_DIGEST_ITEMS)
        .select_related("contact", "channel")
        .order_by("message_id", "id")
    )
    items: dict[int, dict[str, list]] = {pk: {"breach": [], "at_risk": []} for pk in ids}
    for row in listed:
        contact = row.contact
        due = (
            contact.first_response_due_at
            if row.metric == SlaNotification.Metric.FIRST_RESPONSE
            else contact.resolution_due_at
        )
        items[row.message_id][row.kind].append(
            {
                "channel": row.channel.name,
                "external_id": contact.external_id,
                "subject": contact.subject,
                "metric": row.metric,
                "due_at": due,
                "url": outbox.absolute_url(reverse("sla:contact-detail", args=[contact.pk])),
            }
        )
    result: dict[int, dict | None] = {}
    for message in messages:
        found = counts[message.pk]
        if not found:
            result[message.pk] = None  # every alert in it was withdrawn
            continue
        result[message.pk] = {
            "breaches": items[message.pk]["breach"],
            "breach_count": found.get(SlaNotification.Kind.BREACH, 0),
            "at_risk": items[message.pk]["at_risk"],
            "at_risk_count": found.get(SlaNotification.Kind.AT_RISK, 0),
            "contacts_url": outbox.absolute_url(reverse("sla:contact-list")),
        }
    return result


def register() -> None:
    outbox.register(
        KIND,
        label=_("SLA alert digest"),
        template="sla/email/digest",
        contexts=_contexts,
    )
