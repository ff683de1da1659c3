"""Review reminders: each owner hears 14 days before and on the review date, once per cycle.

What was sent is recorded in ``ReviewReminder`` (unique per standard, review date and kind). The
row is inserted and the e-mail sent in one transaction: a failed send rolls the row back so the
next run tries again, and a second worker running at the same moment waits on the row and then
finds it taken. The selection is state-based ("due and not yet sent"), so a day the beat
scheduler missed is caught up by the next run.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

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
        Standard.objects.filter(
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


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL + path


def _send(standard: Standard, kind: str, *, today: date) -> bool:
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReviewReminder.objects.create(
                    standard=standard,
                    review_date=standard.next_review_date,
                    kind=kind,
                    recipient=standard.owner.email,
                )
        except IntegrityError:
            return False  # another run sent it
        with translation.override(settings.LANGUAGE_CODE):
            context = {
                "standard": standard,
                "owner": standard.owner,
                "kind": kind,
                "days_left": (standard.next_review_date - today).days,
                "url": _absolute(standard.get_absolute_url()),
            }
            if kind == Kind.ADVANCE:
                subject = gettext("Review due on %(date)s: %(title)s")
            else:
                subject = gettext("Review due today: %(title)s")
            subject = subject % {
                "date": standard.next_review_date.isoformat(),
                "title": standard.title,
            }
            body = render_to_string("standards/email/review_reminder.txt", context)
        send_mail(subject, body, None, [standard.owner.email])
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
