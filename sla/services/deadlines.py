"""Which policy applies to a contact and what its deadlines are: computed once, then stored.

Pure functions over model instances: they change attributes and report what was decided, the
caller saves. The resolution clock is measured as business time since opening minus the business
time spent waiting, so one formula serves creation, resumption and recomputation alike:
``due = add_minutes(opened_at, target + paused minutes)``, which is the same instant as adding the
remaining minutes at the moment of resuming.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from channels_app import businesstime
from channels_app.selectors import channel_business_calendar
from sla.models import Contact, Metric, SlaPolicy
from sla.services.common import ALWAYS_OPEN

logger = logging.getLogger("sla")

RUNNING = (Contact.FirstResponseState.PENDING, Contact.FirstResponseState.AT_RISK)
FR = Contact.FirstResponseState
RES = Contact.ResolutionState

PolicyMap = dict[tuple[int, str | None], SlaPolicy]


def policies_for_channels(channel_ids: Iterable[int]) -> PolicyMap:
    """Active policies of the channels, keyed by (channel id, priority or None): one query."""
    return {
        (p.channel_id, p.priority): p
        for p in SlaPolicy.objects.active().filter(channel_id__in=set(channel_ids))
    }


def policy_pick(policies: PolicyMap, channel_id: int, priority: str) -> SlaPolicy | None:
    """The channel's policy for the priority, else its any-priority policy, else none."""
    return policies.get((channel_id, priority)) or policies.get((channel_id, None))


def clock_calendar(policy: SlaPolicy | None, channel) -> businesstime.Calendar:
    """Business hours of the channel, or around the clock when the policy says calendar time."""
    if policy is not None and not policy.business_hours:
        return ALWAYS_OPEN
    return channel_business_calendar(channel)


def _add(calendar, start: datetime, minutes: float) -> datetime | None:
    try:
        return calendar.add_minutes(start, minutes)
    except ValueError:
        # A calendar without any opening hours never lets business time pass: no deadline.
        logger.warning("No deadline: calendar %r has no usable opening hours.", calendar)
        return None


def _running_state(old: str, warn_at: datetime | None, now: datetime) -> str:
    """Keep "at risk" only while it is still true, so a warning is never given twice."""
    if old == FR.AT_RISK and warn_at is not None and warn_at <= now:
        return FR.AT_RISK
    return FR.PENDING


def judge(at: datetime, due: datetime | None) -> str | None:
    """Met when the event came by the deadline, breached after it; None without a deadline."""
    if due is None:
        return None
    return FR.MET if at <= due else FR.BREACHED


def first_response_deadlines(contact: Contact, policy, calendar) -> tuple:
    if policy is None:
        return None, None
    minutes = policy.first_response_minutes
    return (
        _add(calendar, contact.opened_at, minutes),
        _add(calendar, contact.opened_at, minutes * policy.warning_percent / 100),
    )


def resolution_deadlines(contact: Contact, policy, calendar, paused: float) -> tuple:
    if policy is None:
        return None, None
    minutes = policy.resolution_minutes
    return (
        _add(calendar, contact.opened_at, minutes + paused),
        _add(calendar, contact.opened_at, minutes * policy.warning_percent / 100 + paused),
    )


def deadlines_refresh(
    contact: Contact, *, policy, now: datetime, calendar: businesstime.Calendar | None = None
) -> list[str]:
    """Set the policy and the deadlines of every metric not decided yet.

    A metric whose event is already known (a replayed response on a contact that had no policy)
    is judged right away, so "pending with a deadline" always means "no event yet", which is what
    the sweep relies on. Returns the metrics this call found breached. ``calendar`` is
    :func:`clock_calendar`'s answer when the caller has it already (a batch looks it up once).
    """
    if calendar is None:
        calendar = clock_calendar(policy, contact.channel)
    contact.sla_policy = policy
    breached: list[str] = []
    if contact.first_response_state in RUNNING:
        due, warn = first_response_deadlines(contact, policy, calendar)
        contact.first_response_due_at, contact.first_response_warn_at = due, warn
        contact.first_response_state = _running_state(contact.first_response_state, warn, now)
        if contact.first_response_at is not None and due is not None:
            contact.first_response_state = judge(contact.first_response_at, due)
            if contact.first_response_state == FR.BREACHED:
                breached.append(Metric.FIRST_RESPONSE)
    if contact.resolution_state in (*RUNNING, RES.PAUSED):
        due, warn = resolution_deadlines(contact, policy, calendar, contact.paused_business_minutes)
        contact.resolution_due_at, contact.resolution_warn_at = due, warn
        if contact.resolution_state != RES.PAUSED:
            contact.resolution_state = _running_state(contact.resolution_state, warn, now)
        if contact.resolved_at is not None and due is not None:
            contact.resolution_state = judge(contact.resolved_at, due)
            if contact.resolution_state == RES.BREACHED:
                breached.append(Metric.RESOLUTION)
    return breached


def minutes_taken(contact: Contact, end: datetime, *, paused: float = 0.0, calendar=None) -> float:
    """Business minutes from opening to ``end`` on the contact's clock, less time waiting.

    ``calendar``: :func:`clock_calendar`'s answer when the caller has it already."""
    if calendar is None:
        calendar = clock_calendar(contact.sla_policy, contact.channel)
    return max(0.0, calendar.minutes_between(contact.opened_at, end) - paused)


def paused_minutes(contact: Contact, start: datetime, end: datetime) -> float:
    calendar = clock_calendar(contact.sla_policy, contact.channel)
    return calendar.minutes_between(start, end)


def late(state: str, due: datetime | None, warn: datetime | None, now: datetime) -> str | None:
    """What the sweep flags on a metric at ``now``: breached once a running metric's deadline
    has passed, at risk once a pending one's warning has; None otherwise. (Both metrics'
    states share these values.)"""
    if state in RUNNING and due is not None and due < now:
        return FR.BREACHED
    if state == FR.PENDING and warn is not None and warn <= now:
        return FR.AT_RISK
    return None


def needs_sweep(contact: Contact, now: datetime) -> bool:
    """Whether a running metric is already past its warning or deadline (a late import)."""
    c = contact
    return any(
        late(state, due, warn, now) is not None
        for state, due, warn in (
            (c.first_response_state, c.first_response_due_at, c.first_response_warn_at),
            (c.resolution_state, c.resolution_due_at, c.resolution_warn_at),
        )
    )
