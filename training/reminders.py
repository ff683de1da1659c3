"""Reminder e-mails about outstanding acknowledgements, and the managers' weekly digest.

Steps per obligation: on assignment, 3 days before the due date, on it, then every 3 days while
overdue (at most 5). The first e-mail about an obligation is always the "assigned" one; after
it, each run sends only the latest step that applies and records it in
``ReminderSent`` (unique per obligation and step) in the transaction that writes the email to
the outbox: a second worker finds the row taken, and the outbox retries a failed send.
Selection is state-based, so a missed run is caught up by the next; earlier steps that were
missed are skipped, not sent late. People with known working hours are written to only within
them, which is why the task runs hourly.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import outbox
from core.clock import now_or
from core.roles import MANAGER
from training.models import DigestSent, Obligation, ReminderSent, TrainingProfile

logger = logging.getLogger(__name__)

Step = ReminderSent.Step
LEAD_DAYS = 3
OVERDUE_EVERY_DAYS = 3
OVERDUE_MAX = 5
OVERDUE_STEPS = [Step.OVERDUE_1, Step.OVERDUE_2, Step.OVERDUE_3, Step.OVERDUE_4, Step.OVERDUE_5]


def step_for(*, due: date, today: date) -> str | None:
    """The latest reminder step that applies today (None after the last overdue one's window
    is still the last step: the constraint keeps it from going twice)."""
    if today < due - timedelta(days=LEAD_DAYS):
        return Step.ASSIGNED
    if today < due:
        return Step.BEFORE_DUE
    overdue_steps = (today - due).days // OVERDUE_EVERY_DAYS
    if overdue_steps == 0:
        return Step.DUE
    return OVERDUE_STEPS[min(overdue_steps, OVERDUE_MAX) - 1]


def in_working_hours(profile: TrainingProfile | None, now: datetime) -> bool:
    if profile is None or profile.work_start is None or profile.work_end is None:
        return True
    try:
        zone = zoneinfo.ZoneInfo(profile.timezone) if profile.timezone else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = None
    local = timezone.localtime(now, zone) if zone else timezone.localtime(now)
    if local.weekday() >= 5:
        return False
    start, end = profile.work_start, profile.work_end
    return start <= local.time() < end if start < end else not (end <= local.time() < start)


REMINDER = "training.reminder"
DIGEST = "training.digest"
ATTEMPTS_EXHAUSTED = "training.attempts_exhausted"


def register_messages() -> None:
    outbox.register(REMINDER, label=_("Onboarding reminder"), template="training/email/reminder")
    outbox.register(DIGEST, label=_("Weekly onboarding digest"), template="training/email/digest")
    outbox.register(
        ATTEMPTS_EXHAUSTED,
        label=_("Check attempts used up"),
        template="training/email/attempts_exhausted",
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def _send_to(user: User, items: list[tuple[Obligation, str]], now: datetime) -> bool:
    """Record the steps (unique per obligation and step) and write the one email about them.

    Both in one transaction: a second worker finds the steps taken, and the outbox sends the
    email after commit, with retries, in the person's language.
    """
    today = timezone.localdate(now)
    claimed = []
    for obligation, step in items:
        try:
            with transaction.atomic():
                ReminderSent.objects.create(obligation=obligation, step=step, sent_at=now)
        except IntegrityError:
            continue
        claimed.append(obligation)
    if not claimed:
        return False
    outbox.enqueue(
        outbox.message(
            kind=REMINDER,
            user=user,
            now=now,
            context={
                "name": _name(user),
                "items": [
                    {
                        "title": o.standard.title,
                        "number": o.version.number,
                        "due_date": o.due_date,
                        "overdue": o.due_date < today,
                        "changed": o.reason == Obligation.Reason.CHANGED,
                    }
                    for o in claimed
                ],
                "overdue": sum(1 for o in claimed if o.due_date < today),
                "url": outbox.absolute_url(reverse("training:my-onboarding")),
            },
        )
    )
    return True


def reminders_send(*, now: datetime | None = None, user_ids=None) -> int:
    """Send every reminder step that is due; returns how many e-mails went out."""
    now = now_or(now)
    today = timezone.localdate(now)
    obligations = (
        Obligation.objects.open()
        .required()  # withdrawn when a track loses it; this guards any path that forgot to
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "user__training_profile", "standard", "version")
        .order_by("user_id", "due_date")
    )
    if user_ids is not None:
        obligations = obligations.filter(user_id__in=user_ids)
    sent_steps = set()
    sent_today = set()
    for obligation_id, step, sent_at in ReminderSent.objects.filter(
        obligation__in=obligations.values("pk")
    ).values_list("obligation_id", "step", "sent_at"):
        sent_steps.add((obligation_id, step))
        if sent_at >= now - timedelta(hours=20):
            sent_today.add(obligation_id)
    per_user: dict[int, list[tuple[Obligation, str]]] = defaultdict(list)
    users = {}
    reminded = {obligation_id for obligation_id, _step in sent_steps}
    for obligation in obligations:
        if obligation.pk in sent_today:
            continue  # one e-mail a day about an item at most
        if obligation.pk in reminded:
            step = step_for(due=obligation.due_date, today=today)
        else:
            step = Step.ASSIGNED  # the first e-mail about an obligation, whatever its date

        if (obligation.pk, step) in sent_steps:
            continue
        profile = getattr(obligation.user, "training_profile", None)
        if not in_working_hours(profile, now):
            continue
        users[obligation.user_id] = obligation.user
        per_user[obligation.user_id].append((obligation, step))
    sent = 0
    for user_id, items in per_user.items():
        if _send_to(users[user_id], items, now):
            sent += 1
    if sent:
        logger.info("Sent %d onboarding reminder(s).", sent)
    return sent


def digest_send(*, today: date | None = None) -> int:
    """E-mail each manager the people with overdue items, once per week."""
    today = today or timezone.localdate()
    week = today - timedelta(days=today.weekday())
    overdue = list(
        Obligation.objects.overdue(today)
        .required()
        .select_related("user", "standard")
        .order_by("user__last_name", "user__username", "due_date")
    )
    if not overdue:
        return 0
    people = defaultdict(list)
    for obligation in overdue:
        people[obligation.user].append(obligation)
    managers = (
        User.objects.filter(is_active=True, groups__name=MANAGER).exclude(email="").distinct()
    )
    sent = 0
    for manager in managers.select_related("portal_profile"):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    DigestSent.objects.create(manager=manager, week=week)
            except IntegrityError:
                continue
            outbox.enqueue(
                outbox.message(
                    kind=DIGEST,
                    user=manager,
                    context={
                        "people": [
                            {
                                "name": _name(person),
                                "items": [
                                    {"title": o.standard.title, "due_date": o.due_date}
                                    for o in items
                                ],
                            }
                            for person, items in people.items()
                        ],
                        "url": outbox.absolute_url(reverse("training:matrix")),
                    },
                )
            )
            sent += 1
    return sent


def attempts_exhausted_notify(*, attempt_id: int) -> bool:
    """Tell the assigners of the person's tracks and the standard's owner (else all managers)."""
    from training.models import CheckAttempt, TrackAssignment

    attempt = (
        CheckAttempt.objects.select_related("user", "version__standard__owner")
        .filter(pk=attempt_id)
        .first()
    )
    if attempt is None:
        return False
    standard = attempt.version.standard
    assigners = User.objects.filter(
        pk__in=TrackAssignment.objects.filter(
            user=attempt.user, track__items__standard=standard
        ).values("assigned_by")
    )
    recipients = {u for u in assigners if u.is_active and u.email}
    owner = standard.owner
    if owner is not None and owner.email and owner.is_active:
        recipients.add(owner)
    if not recipients:
        recipients = set(
            User.objects.filter(is_active=True, groups__name=MANAGER).exclude(email="")
        )
    if not recipients:
        return False
    context = {
        "name": _name(attempt.user),
        "title": standard.title,
        "number": attempt.version.number,
        "url": outbox.absolute_url(
            reverse("training:person", kwargs={"username": attempt.user.username})
        ),
    }
    outbox.enqueue(
        [
            outbox.message(kind=ATTEMPTS_EXHAUSTED, user=user, ref=attempt.pk, context=context)
            for user in sorted(recipients, key=lambda u: u.pk)
        ]
    )
    return True
