"""Answers: from an invitation link or an office kiosk, checked against the survey's scales, and
the follow-up a low answer opens (with the kiosk's daily cap and its follow-up pause)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from channels_app.selectors import channel_business_calendar
from core import languages, outbox
from core.clock import now_or
from core.parse import storable
from surveys import formulas, scales
from surveys.models import FollowUp, Invitation, Kiosk, Response, Survey
from surveys.services.invitations import FOLLOW_UP

COMMENT_MAX = 2000


class AlreadyAnswered(Exception):
    pass


class LinkExpired(Exception):
    pass


class KioskBusy(Exception):
    pass


class KioskFull(Exception):
    """The kiosk took ``SURVEYS_KIOSK_DAILY_CAP`` answers today (its local day)."""


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
    now = now_or(now)
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
    now = now_or(now)
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
