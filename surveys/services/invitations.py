"""Invitations: who is asked after a resolved contact (and who is not), their emails through the
outbox, and their expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy

from core import languages, outbox
from core.clock import now_or
from core.models import OutboxMessage
from surveys.models import Invitation, Survey


@transaction.atomic
def invitations_create_for_contacts(
    *,
    contact_ids,
    imported: bool = False,
    channel_ids=None,
    now: datetime | None = None,
    enqueue: bool = True,
) -> list[Invitation]:
    """Write an invitation (or a suppressed one, with the reason) per contact and covering survey.

    Runs inside the transaction that resolved the contacts, so both commit together.
    ``imported`` contacts (already resolved on arrival) are invited only while a link would still
    be valid, i.e. resolved less than the survey's link lifetime ago; older ones are skipped.
    A bounded number of queries whatever the number of contacts.

    New pending invitations ask for a sending run after commit; ``enqueue=False`` leaves them to
    the periodic outbox run (``send_invitations``, every minute), for a caller that writes many
    batches in one go (the demo's history) and should not send one broker message per batch.
    """
    from sla.models import Contact

    now = now_or(now)
    contact_ids = list(contact_ids)
    # The surveys first, from the contacts' channels alone (given by a caller that knows them,
    # as bulk ingestion does): a bulk import of history into channels without a survey (or
    # resolved too long ago) loads no contact rows at all.
    if channel_ids is None:
        channel_ids = set(
            Contact.objects.filter(pk__in=contact_ids)
            .values_list("channel_id", flat=True)
            .order_by()
            .distinct()
        )
    surveys = list(
        Survey.objects.filter(channels__in=channel_ids).distinct().prefetch_related("channels")
    )
    if not surveys:
        return []
    contacts = Contact.objects.filter(pk__in=contact_ids).select_related("channel")
    if imported:
        oldest = now - timedelta(days=max(s.link_lifetime_days for s in surveys))
        contacts = contacts.filter(Q(resolved_at__isnull=True) | Q(resolved_at__gt=oldest))
    contacts = list(contacts)
    if not contacts:
        return []
    by_channel: dict[int, list[Survey]] = {}
    for survey in surveys:
        for channel in survey.channels.all():
            by_channel.setdefault(channel.pk, []).append(survey)
    # A channel covered by an active survey uses it; only otherwise is the inactive one recorded.
    emails = {c.customer_email.lower() for c in contacts if c.customer_email}
    max_throttle = max(s.throttle_days for s in surveys)
    recent: dict[str, datetime] = {}
    for email, created in (
        Invitation.objects.filter(
            email__in=emails, created_at__gte=now - timedelta(days=max_throttle)
        )
        .exclude(status=Invitation.Status.SUPPRESSED)
        .values_list("email", "created_at")
    ):
        recent[email] = max(created, recent.get(email, created))
    existing = set(
        Invitation.objects.filter(contact_id__in=[c.pk for c in contacts]).values_list(
            "contact_id", "survey_id"
        )
    )
    rows = []
    for contact in contacts:
        candidates = by_channel.get(contact.channel_id, [])
        active = [s for s in candidates if s.is_active]
        chosen = active[:1] or candidates[:1]
        if not chosen:
            continue
        survey = chosen[0]
        if (contact.pk, survey.pk) in existing:
            continue
        resolved_at = contact.resolved_at or now
        if imported and resolved_at + timedelta(days=survey.link_lifetime_days) <= now:
            continue
        email = contact.customer_email.lower()
        reason = ""
        if not survey.is_active:
            reason = Invitation.Reason.SURVEY_INACTIVE
        elif not email:
            reason = Invitation.Reason.NO_EMAIL
        elif email in recent and recent[email] >= now - timedelta(days=survey.throttle_days):
            reason = Invitation.Reason.THROTTLED
        language = (
            contact.customer_language if contact.customer_language in languages.codes() else "en"
        )
        rows.append(
            Invitation(
                contact=contact,
                survey=survey,
                channel_id=contact.channel_id,
                agent_id=contact.agent_id,
                email=email,
                language=language,
                status=Invitation.Status.SUPPRESSED if reason else Invitation.Status.PENDING,
                suppression_reason=reason,
                scheduled_for=max(resolved_at + timedelta(minutes=survey.send_delay_minutes), now)
                if not imported
                else now,
                expires_at=(resolved_at if imported else max(resolved_at, now))
                + timedelta(days=survey.link_lifetime_days),
            )
        )
        if not reason:
            recent[email] = now  # a second contact of the same batch is throttled too
    created = Invitation.objects.bulk_create(rows)
    outbox.enqueue(
        [invitation_message(i, now=now) for i in created if i.status == Invitation.Status.PENDING],
        kick=enqueue,
    )
    return created


INVITATION = "surveys.invitation"
FOLLOW_UP = "surveys.follow_up"


def invitation_message(invitation: Invitation, *, now: datetime | None = None) -> OutboxMessage:
    """The email of a pending invitation: sent when it is scheduled, never after the link dies."""
    return outbox.message(
        now=now,
        kind=INVITATION,
        to=invitation.email,
        language=invitation.language,
        ref=invitation.pk,
        not_before=invitation.scheduled_for,
        expires_at=invitation.expires_at,
        context={
            "url": invitation.url,
            "intro": invitation.survey.text("intro", invitation.language),
            "expires_at": invitation.expires_at,
        },
    )


def _invitations_sent(refs: list[str], at: datetime) -> None:
    Invitation.objects.filter(
        pk__in=[int(r) for r in refs],
        status__in=[Invitation.Status.PENDING, Invitation.Status.FAILED],
    ).update(status=Invitation.Status.SENT, sent_at=at)


def _invitations_failed(refs: list[str]) -> None:
    Invitation.objects.filter(
        pk__in=[int(r) for r in refs], status=Invitation.Status.PENDING
    ).update(status=Invitation.Status.FAILED)


def register_messages() -> None:
    outbox.register(
        INVITATION,
        label=gettext_lazy("Survey invitation"),
        template="surveys/email/invitation",
        html=True,
        on_sent=_invitations_sent,
        on_failed=_invitations_failed,
    )
    outbox.register(
        FOLLOW_UP,
        label=gettext_lazy("Low score to follow up"),
        template="surveys/email/follow_up",
    )


@transaction.atomic
def invitations_expire(*, now: datetime | None = None) -> int:
    """One set-based statement: every unanswered link past its lifetime becomes expired."""
    return Invitation.objects.expirable(now_or(now)).update(status=Invitation.Status.EXPIRED)
