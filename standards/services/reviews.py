"""Review reminders: each owner hears 14 days before and on the review date, once per cycle.

What was sent is recorded in ``ReviewReminder`` (unique per standard, review date and kind). The
row and the outbox's email are written in one transaction: a second worker running at the same
moment waits on the row and then finds it taken, and the outbox retries a failed send. The
selection is state-based ("due and not yet sent"), so a day the beat
scheduler missed is caught up by the next run.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import outbox
from standards.models import ReviewReminder, Standard

logger = logging.getLogger(__name__)

REMINDER_LEAD_DAYS = 14

Kind = ReviewReminder.Kind


def _sent(kind: str):
    return Exists(
        ReviewReminder.objects.filter(
            standard=OuterRef("pk"), review_date=OuterRef("next_review_date"), kind=kind
        )
    )


def reminders_due(*, today: date) -> list[tuple[Standard, str]]:
    """(standard, kind) pairs that should be e-mailed today and were not yet."""
    candidates = (
        Standard.objects.in_use()
        .filter(
            next_review_date__lte=today + timedelta(days=REMINDER_LEAD_DAYS),
            owner__isnull=False,
            owner__is_active=True,
        )
        .exclude(owner__email="")
        .select_related("owner")
        .annotate(advance_sent=_sent(Kind.ADVANCE), due_sent=_sent(Kind.DUE))
        .order_by("next_review_date", "pk")
    )
    due: list[tuple[Standard, str]] = []
    for standard in candidates:
        if today >= standard.next_review_date:
            # On (or after) the date only the "due" reminder makes sense.
            if not standard.due_sent:
                due.append((standard, Kind.DUE))
        elif not standard.advance_sent:
            due.append((standard, Kind.ADVANCE))
    return due


REVIEW_REMINDER = "standards.review_reminder"


def register_messages() -> None:
    outbox.register(
        REVIEW_REMINDER,
        label=_("Review reminder"),
        template="standards/email/review_reminder",
    )


@transaction.atomic
def _send(standard: Standard, kind: str, *, today: date) -> bool:
    """Record the reminder (unique per standard, review date and kind) and write its email."""
    try:
        with transaction.atomic():
            ReviewReminder.objects.create(
                standard=standard,
                review_date=standard.next_review_date,
                kind=kind,
                recipient=standard.owner.email,
            )
    except IntegrityError:
        return False  # another run wrote it
    owner = standard.owner
    outbox.enqueue(
        outbox.message(
            kind=REVIEW_REMINDER,
            user=owner,
            context={
                "name": owner.get_full_name() or owner.get_username(),
                "title": standard.title,
                "kind": kind,
                "review_date": standard.next_review_date,
                # Negative once the date has passed: the email says "overdue since".
                "days_left": (standard.next_review_date - today).days,
                "url": outbox.absolute_url(standard.get_absolute_url()),
            },
        )
    )
    return True


def review_reminders_send(*, today: date | None = None) -> int:
    """Send every reminder that is due; returns how many were sent. Safe to run any time."""
    today = today or timezone.localdate()
    sent = 0
    for standard, kind in reminders_due(today=today):
        if _send(standard, kind, today=today):
            sent += 1
    if sent:
        logger.info("Sent %d standard review reminder(s).", sent)
    return sent
