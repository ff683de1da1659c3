"""Writes: invitations (the outbox), sending, answers, kiosks and follow-ups.

Every function is keyword-only and atomic; pages, the API, tasks and the demo call these.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channels_app.selectors import channel_business_calendar
from core import languages, outbox
from core.models import OutboxMessage
from core.parse import storable
from surveys import formulas, scales
from surveys.models import FollowUp, Invitation, Kiosk, Response, Survey

logger = logging.getLogger(__name__)

COMMENT_MAX = 2000


class AlreadyAnswered(Exception):
    pass


class LinkExpired(Exception):
    pass


class KioskBusy(Exception):
    pass


class KioskFull(Exception):
    """The kiosk took ``SURVEYS_KIOSK_DAILY_CAP`` answers today (its local day)."""


def _now(now):
    return timezone.now() if now is None else now


# --- invitations ------------------------------------------------------------------------------


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

    now = _now(now)
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
    return Invitation.objects.expirable(_now(now)).update(status=Invitation.Status.EXPIRED)


# --- answers ----------------------------------------------------------------------------------


def _clean_answer(*, survey: Survey | None, csat, nps, ces, comment) -> dict:
    """Validated scores; ``survey`` None means a kiosk (CSAT and comment only)."""
    errors: dict[str, list[str]] = {}
    asks = {
        "csat": survey.ask_csat if survey else True,
        "nps": survey.ask_nps if survey else False,
        "ces": survey.ask_ces if survey else False,
    }
    values = {"csat": csat, "nps": nps, "ces": ces}
    clean: dict = {}
    for name, value in values.items():
        if value in (None, ""):
            clean[name] = None
            continue
        lo, hi = scales.SCALES[name].low, scales.SCALES[name].high
        if not asks[name]:
            errors[name] = [_("This survey does not ask this question.")]
            continue
        try:
            number = int(value)
            if isinstance(value, bool) or str(number) != str(value).strip():
                raise ValueError
        except (TypeError, ValueError):
            errors[name] = [_("Give a whole number from %(lo)d to %(hi)d.") % {"lo": lo, "hi": hi}]
            continue
        if not lo <= number <= hi:
            errors[name] = [_("Give a whole number from %(lo)d to %(hi)d.") % {"lo": lo, "hi": hi}]
            continue
        clean[name] = number
    comment = comment if isinstance(comment, str) else ("" if comment is None else None)
    if comment is None:
        errors["comment"] = [_("The comment must be text.")]
        comment = ""
    comment = comment.strip()
    if comment and survey is not None and not survey.ask_comment:
        errors["comment"] = [_("This survey does not ask for a comment.")]
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [_("Keep the comment under %(max)d characters.") % {"max": COMMENT_MAX}]
    if not storable(comment):  # the public page and kiosk post raw text, not through a form
        errors["comment"] = [_("The comment contains a NUL character, which cannot be stored.")]
    clean["comment"] = comment
    if not errors and all(clean[k] is None for k in scales.SCALES) and not comment:
        errors["non_field_errors"] = [_("Answer at least one question.")]
    if errors:
        raise ValidationError(errors)
    return clean


def invitation_usable(invitation: Invitation, *, now: datetime) -> None:
    """Raise LinkExpired / AlreadyAnswered when the link cannot take an answer any more."""
    if invitation.status == Invitation.Status.ANSWERED:
        raise AlreadyAnswered
    if invitation.status == Invitation.Status.EXPIRED or invitation.expires_at <= now:
        raise LinkExpired


def _follow_up_open(*, response: Response, business_hours: int) -> FollowUp | None:
    if not formulas.is_low(response.csat, response.nps):
        return None
    channel = response.channel
    calendar = channel_business_calendar(channel)
    try:
        due = calendar.add_minutes(response.created_at, business_hours * 60)
    except Exception:
        due = response.created_at + timedelta(hours=business_hours)
    follow_up = FollowUp.objects.create(response=response, owner_id=channel.owner_id, due_at=due)
    owner = channel.owner
    if owner is not None and owner.is_active and owner.email:
        outbox.enqueue(
            outbox.message(
                kind=FOLLOW_UP,
                user=owner,
                now=response.created_at,
                ref=follow_up.pk,
                context={
                    "channel": channel.name,
                    "csat": response.csat,
                    "nps": response.nps,
                    "comment": response.comment,
                    "due_at": due,
                    "url": outbox.absolute_url(reverse("surveys:follow-up-list")),
                },
            )
        )
    return follow_up


@transaction.atomic
def response_submit(
    *,
    invitation: Invitation,
    csat=None,
    nps=None,
    ces=None,
    comment="",
    now: datetime | None = None,
) -> Response:
    """Record the answer to an invitation: once, even when two arrive at the same moment.

    Raises ValidationError (bad scores), LinkExpired, AlreadyAnswered.
    """
    now = _now(now)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("survey", "channel__calendar", "channel")
        .get(pk=invitation.pk)
    )
    invitation_usable(invitation, now=now)
    clean = _clean_answer(survey=invitation.survey, csat=csat, nps=nps, ces=ces, comment=comment)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                invitation=invitation,
                channel=invitation.channel,
                agent_id=invitation.agent_id,
                language=invitation.language,
                created_at=now,
                **clean,
            )
    except IntegrityError as exc:
        raise AlreadyAnswered from exc
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.ANSWERED)
    invitation.status = Invitation.Status.ANSWERED
    _follow_up_open(response=response, business_hours=invitation.survey.follow_up_business_hours)
    return response


@transaction.atomic
def kiosk_submit(
    *, kiosk: Kiosk, csat, comment: str = "", language: str = "en", now: datetime | None = None
) -> Response:
    """A kiosk answer for the kiosk's channel; KioskBusy inside the minimum interval.

    The interval is claimed with a conditional UPDATE of ``last_response_at``, so two taps at
    once (or two tablets sharing a key) make one answer. That UPDATE also locks the kiosk's row
    until commit, so the daily cap and the follow-up period below are checked one answer at a
    time. A key in the wrong hands can therefore add at most the cap per day (KioskFull after
    it, nothing stored) and open at most one follow-up per ``SURVEYS_KIOSK_FOLLOWUP_HOURS``.
    """
    now = _now(now)
    clean = _clean_answer(survey=None, csat=csat, nps=None, ces=None, comment=comment)
    if clean["csat"] is None:
        raise ValidationError({"csat": [_("Choose one of the faces.")]})
    threshold = now - timedelta(seconds=kiosk.min_interval_seconds)
    claimed = (
        Kiosk.objects.filter(pk=kiosk.pk, is_active=True)
        .filter(Q(last_response_at__isnull=True) | Q(last_response_at__lte=threshold))
        .update(last_response_at=now)
    )
    if not claimed:
        raise KioskBusy
    kiosk = Kiosk.objects.select_related("channel__calendar", "channel").get(pk=kiosk.pk)
    if _kiosk_answers_today(kiosk=kiosk, now=now) >= settings.SURVEYS_KIOSK_DAILY_CAP:
        raise KioskFull  # rolls the claim back too
    response = Response.objects.create(
        kiosk=kiosk,
        channel=kiosk.channel,
        language=language if language in languages.codes() else "en",
        created_at=now,
        **clean,
    )
    # Later low scores inside the period are kept as answers but open nothing: the follow-up
    # already opened for this kiosk is the managers' cue to look at it.
    if formulas.is_low(response.csat, None) and not _kiosk_followed_up_lately(kiosk=kiosk, now=now):
        _follow_up_open(response=response, business_hours=settings_follow_up_hours())
    return response


def _kiosk_answers_today(*, kiosk: Kiosk, now: datetime) -> int:
    """Answers of ``kiosk`` on the local day of ``now`` (the channel's calendar's time zone)."""
    calendar = kiosk.channel.calendar
    zone = zoneinfo.ZoneInfo(calendar.timezone if calendar else settings.TIME_ZONE)
    start = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)  # wall-clock arithmetic: the next local midnight
    return Response.objects.filter(kiosk=kiosk, created_at__gte=start, created_at__lt=end).count()


def _kiosk_followed_up_lately(*, kiosk: Kiosk, now: datetime) -> bool:
    """A follow-up (open or closed) came from this kiosk within the follow-up period."""
    since = now - timedelta(hours=settings.SURVEYS_KIOSK_FOLLOWUP_HOURS)
    return FollowUp.objects.filter(
        response__kiosk=kiosk, response__created_at__gt=since, response__created_at__lte=now
    ).exists()


def settings_follow_up_hours() -> int:
    return settings.SURVEYS_FOLLOW_UP_BUSINESS_HOURS


# --- kiosks, surveys, follow-ups --------------------------------------------------------------


@transaction.atomic
def kiosk_create(
    *, name: str, channel, min_interval_seconds: int = 10, language: str | None = None
) -> Kiosk:
    kiosk = Kiosk(name=name, channel=channel, min_interval_seconds=min_interval_seconds)
    if language is not None:
        kiosk.language = language
    kiosk.full_clean()
    kiosk.save()
    return kiosk


@transaction.atomic
def kiosk_set_language(*, kiosk: Kiosk, language: str) -> Kiosk:
    """The language the kiosk opens in for each new customer; ValidationError for an unknown one."""
    if language not in languages.codes():
        raise ValidationError({"language": [_("Choose one of the offered languages.")]})
    Kiosk.objects.filter(pk=kiosk.pk).update(language=language, updated_at=timezone.now())
    kiosk.language = language
    return kiosk


@transaction.atomic
def kiosk_revoke(*, kiosk: Kiosk) -> Kiosk:
    """The key stops working at once; a new kiosk gets a new key."""
    Kiosk.objects.filter(pk=kiosk.pk).update(is_active=False)
    kiosk.is_active = False
    return kiosk


@transaction.atomic
def survey_save(*, survey: Survey | None = None, channels=None, **fields) -> Survey:
    survey = survey or Survey()
    for name, value in fields.items():
        setattr(survey, name, value)
    survey.full_clean(exclude=["channels"])
    survey.save()
    if channels is not None:
        survey.channels.set(channels)
    return survey


@transaction.atomic
def survey_delete(*, survey: Survey) -> None:
    """Only a survey that never invited anyone; else deactivate it (its answers stay)."""
    if survey.invitations.exists():
        raise ValidationError(
            {"non_field_errors": [_("This survey has invitations: deactivate it instead.")]}
        )
    survey.delete()


@transaction.atomic
def follow_up_close(*, follow_up: FollowUp, outcome: str, user, now: datetime | None = None):
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": [_("Say what was done before closing.")]})
    # Only an open one: of two managers closing it at once, the first outcome stays.
    FollowUp.objects.filter(pk=follow_up.pk, closed_at__isnull=True).update(
        outcome=outcome, closed_at=_now(now), closed_by=user, updated_at=timezone.now()
    )
    follow_up.refresh_from_db()
    return follow_up
