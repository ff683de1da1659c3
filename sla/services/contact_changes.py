"""Changes to a contact after its creation: the events of its life (PATCH), under its row lock.

Every change validates everything against the locked row first and raises a Django
``ValidationError`` keyed by the API's field names; nothing is written unless all of it is valid.
The decisions behind the checks are listed in :mod:`sla.services.contacts`.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from sla import signals
from sla.models import Contact, ContactEvent, Metric
from sla.services import deadlines as dl
from sla.services.breaches import breach_withdraw, breaches_record
from sla.services.common import now_or, whole_minutes
from sla.services.contacts import (
    DETAIL_FIELDS,
    MSG_AFTER_RESOLUTION,
    MSG_ALREADY,
    MSG_BEFORE_RESPONSE,
    MSG_BEFORE_RESUME,
    MSG_BEFORE_WAIT,
    MSG_NO_CLEAR,
    MSG_NO_REOPEN,
    MSG_STATUS_CONFLICT,
    _enqueue_sending,
    _field_errors,
    _fmt,
    _time_errors,
)
from sla.services.sweep import sla_sweep

FR = Contact.FirstResponseState
RES = Contact.ResolutionState
Status = Contact.Status


def _lock(contact: Contact) -> Contact:
    return (
        Contact.objects.select_for_update(of=("self",))
        .select_related("channel__calendar", "agent", "sla_policy")
        .get(pk=contact.pk)
    )


def _copy_into(target: Contact, source: Contact) -> None:
    for f in Contact._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    for name in ("channel", "agent", "sla_policy"):
        if Contact._meta.get_field(name).is_cached(source):
            setattr(target, name, getattr(source, name))


class _Change:
    """One contact being changed under its row lock: what to write, record and queue."""

    def __init__(self, contact: Contact, now: datetime):
        self.c = contact
        self.now = now
        self.events: list[ContactEvent] = []
        self.breaches: list[tuple[str, datetime]] = []
        self.withdrawn: list[tuple[str, datetime]] = []

    def event(self, kind, at, metric="", **detail):
        self.events.append(
            ContactEvent(
                contact=self.c, kind=kind, at=at, metric=metric, detail=detail, recorded_at=self.now
            )
        )

    def judge(self, metric: str, at: datetime) -> None:
        prefix = "first_response" if metric == Metric.FIRST_RESPONSE else "resolution"
        old = getattr(self.c, f"{prefix}_state")
        due = getattr(self.c, f"{prefix}_due_at")
        new = dl.judge(at, due) or FR.PENDING
        if old == FR.BREACHED and new != FR.BREACHED:
            self.withdrawn.append((metric, at))
        if new == FR.BREACHED and old != FR.BREACHED:
            self.breaches.append((metric, due))
        setattr(self.c, f"{prefix}_state", new)

    # Each step below assumes its input was validated by contact_update.

    def first_response(self, at: datetime) -> None:
        c = self.c
        c.first_response_at = at
        c.first_response_minutes = whole_minutes(dl.minutes_taken(c, at))
        self.judge(Metric.FIRST_RESPONSE, at)
        self.event(ContactEvent.Kind.FIRST_RESPONSE, at)

    def close_pause(self, at: datetime) -> None:
        c = self.c
        c.paused_business_minutes += dl.paused_minutes(c, c.paused_at, at)
        c.paused_at = None
        if c.resolution_state == RES.PAUSED:
            calendar = dl.clock_calendar(c.sla_policy, c.channel)
            due, warn = dl.resolution_deadlines(
                c, c.sla_policy, calendar, c.paused_business_minutes
            )
            c.resolution_due_at, c.resolution_warn_at = due, warn
            c.resolution_state = RES.PENDING

    def pause(self, at: datetime) -> None:
        c = self.c
        due = c.resolution_due_at
        if c.resolution_state in dl.RUNNING and due is not None and at > due:
            self.judge(Metric.RESOLUTION, at)  # the deadline passed before the wait began
        if c.resolution_state in dl.RUNNING:
            c.resolution_state = RES.PAUSED
        c.paused_at = at
        c.status = Status.WAITING
        self.event(ContactEvent.Kind.PAUSED, at)

    def resume(self, at: datetime) -> None:
        self.close_pause(at)
        self.c.status = Status.OPEN
        self.event(ContactEvent.Kind.RESUMED, at)

    def resolve(self, at: datetime) -> None:
        c = self.c
        if c.first_response_at is None:
            self.first_response(at)
        if c.paused_at is not None:
            self.close_pause(at)
        c.resolved_at = at
        c.status = Status.RESOLVED
        c.resolution_minutes = whole_minutes(
            dl.minutes_taken(c, at, paused=c.paused_business_minutes)
        )
        self.judge(Metric.RESOLUTION, at)
        self.event(ContactEvent.Kind.RESOLVED, at)

    def priority(self, priority: str) -> None:
        c = self.c
        old = c.priority
        c.priority = priority
        policy = dl.policy_pick(dl.policies_for_channels([c.channel_id]), c.channel_id, priority)
        for metric in dl.deadlines_refresh(c, policy=policy, now=self.now):
            due = (
                c.first_response_due_at if metric == Metric.FIRST_RESPONSE else c.resolution_due_at
            )
            self.breaches.append((metric, due))
        self.event(ContactEvent.Kind.PRIORITY_CHANGED, self.now, **{"from": old, "to": priority})

    def agent(self, agent) -> None:
        old = self.c.agent.get_username() if self.c.agent else None
        self.c.agent = agent
        new = agent.get_username() if agent else None
        self.event(ContactEvent.Kind.AGENT_CHANGED, self.now, **{"from": old, "to": new})

    def save(self) -> None:
        c = self.c
        c.save()
        ContactEvent.objects.bulk_create(self.events)
        for metric, at in self.withdrawn:
            breach_withdraw(c, metric, at=at, now=self.now)
        queued = breaches_record([(c, m, due) for m, due in self.breaches], now=self.now)
        if dl.needs_sweep(c, self.now):
            queued += sla_sweep(now=self.now, contact_ids=[c.pk])["notifications"]
            fresh = Contact.objects.filter(pk=c.pk).values(
                "first_response_state", "resolution_state"
            )[0]
            c.first_response_state = fresh["first_response_state"]
            c.resolution_state = fresh["resolution_state"]
        if queued:
            _enqueue_sending()


_UNSET = object()


def _last_resumed_at(contact: Contact) -> datetime | None:
    return (
        contact.events.filter(kind=ContactEvent.Kind.RESUMED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )


def _update_errors(c: Contact, changes: dict, event_at: datetime, now: datetime) -> dict:
    """Everything wrong with a change, checked against the locked row before anything is set."""
    errors: dict[str, list] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    status = changes.get("status", _UNSET)
    response = changes.get("first_response_at", _UNSET)
    resolved = changes.get("resolved_at", _UNSET)
    for name, value in (("first_response_at", response), ("resolved_at", resolved)):
        if value is _UNSET:
            continue
        recorded = getattr(c, name)
        if value is None:
            if recorded is not None:
                add(name, MSG_NO_CLEAR)
            continue
        for problem in _time_errors(name, value, now=now, opened_at=c.opened_at):
            add(name, problem)
        if recorded is not None and value != recorded and name not in errors:
            add(name, MSG_ALREADY % {"value": _fmt(recorded)})
    if errors:
        return errors
    new_response = response if response not in (_UNSET, None) else c.first_response_at
    new_resolved = resolved if resolved not in (_UNSET, None) else c.resolved_at
    if status == Status.RESOLVED and new_resolved is None:
        new_resolved = event_at
    if new_resolved is not None and c.resolved_at is None:
        if new_response is not None and new_resolved < new_response:
            add(
                "resolved_at" if resolved not in (_UNSET, None) else "event_at", MSG_BEFORE_RESPONSE
            )
        if c.paused_at is not None and new_resolved < c.paused_at:
            add(
                "resolved_at" if resolved not in (_UNSET, None) else "event_at",
                MSG_BEFORE_WAIT % {"value": _fmt(c.paused_at)},
            )
    if response not in (_UNSET, None) and c.resolved_at is not None and response > c.resolved_at:
        add("first_response_at", MSG_AFTER_RESOLUTION)
    if status is not _UNSET:
        if c.status == Status.RESOLVED and status != Status.RESOLVED:
            add("status", MSG_NO_REOPEN)
        elif resolved not in (_UNSET, None) and status in (Status.OPEN, Status.WAITING):
            add("status", MSG_STATUS_CONFLICT % {"status": status})
        elif status == Status.OPEN and c.status == Status.WAITING and event_at < c.paused_at:
            add("event_at", MSG_BEFORE_WAIT % {"value": _fmt(c.paused_at)})
        elif status == Status.WAITING and c.status == Status.OPEN:
            resumed = _last_resumed_at(c)
            if resumed is not None and event_at < resumed:
                add("event_at", MSG_BEFORE_RESUME % {"value": _fmt(resumed)})
    checked = {k: changes[k] for k in (*DETAIL_FIELDS, "priority", "status") if k in changes}
    for name, messages in _field_errors(checked).items():
        for message in messages:
            add(name, message)
    return errors


@transaction.atomic
def contact_update(
    *, contact: Contact, event_at: datetime | None = None, now: datetime | None = None, **changes
) -> Contact:
    """Apply a PATCH: details, ``agent``, ``priority``, ``first_response_at``, ``status``
    (``waiting`` pauses, ``open`` resumes, ``resolved`` resolves) and ``resolved_at``.

    ``event_at`` says when a status change happened (default now; not before ``opened_at`` nor in
    the future). Returns the updated contact (the given instance is refreshed too).
    """
    allowed = {*DETAIL_FIELDS, "priority", "agent", "status", "first_response_at", "resolved_at"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"contact_update() got unexpected fields: {sorted(unknown)}")
    now = now_or(now)
    c = _lock(contact)
    errors = {}
    if event_at is not None:
        problems = _time_errors("event_at", event_at, now=now, opened_at=c.opened_at)
        if problems:
            errors["event_at"] = problems
    if errors:
        raise ValidationError(errors)
    at = event_at or now
    errors = _update_errors(c, changes, at, now)
    if errors:
        raise ValidationError(errors)

    change = _Change(c, now)
    for name in DETAIL_FIELDS:
        if name in changes and changes[name] is not None:
            setattr(c, name, changes[name])
    if "agent" in changes and changes["agent"] != c.agent:
        change.agent(changes["agent"])
    if changes.get("priority") not in (None, c.priority):
        change.priority(changes["priority"])
    response = changes.get("first_response_at")
    if response is not None and c.first_response_at is None:
        change.first_response(response)
    status = changes.get("status")
    resolved = changes.get("resolved_at")
    was_resolved = c.status == Status.RESOLVED
    if c.status != Status.RESOLVED:
        if resolved is not None:
            change.resolve(resolved)
        elif status == Status.RESOLVED:
            change.resolve(at)
        elif status == Status.WAITING and c.status == Status.OPEN:
            change.pause(at)
        elif status == Status.OPEN and c.status == Status.WAITING:
            change.resume(at)
    change.save()
    if not was_resolved and c.status == Status.RESOLVED:
        signals.contacts_resolved.send(sender=Contact, contact_ids=[c.pk], imported=False)
    if contact is not c:
        _copy_into(contact, c)
    return c


def contact_record_first_response(*, contact: Contact, at: datetime, now=None) -> Contact:
    """The first answer reached the customer at ``at``: stores the minutes and judges the target."""
    return contact_update(contact=contact, first_response_at=at, now=now)


def contact_resolve(*, contact: Contact, at: datetime, now=None) -> Contact:
    return contact_update(contact=contact, resolved_at=at, now=now)


def contact_pause(*, contact: Contact, at: datetime, now=None) -> Contact:
    """Waiting on the customer from ``at``: the resolution clock stops."""
    return contact_update(contact=contact, status=Status.WAITING, event_at=at, now=now)


def contact_resume(*, contact: Contact, at: datetime, now=None) -> Contact:
    """The customer answered at ``at``: the resolution deadline moves by the time waited."""
    return contact_update(contact=contact, status=Status.OPEN, event_at=at, now=now)


def contact_change_priority(*, contact: Contact, priority: str, now=None) -> Contact:
    """New priority: the policy and the deadlines of the running metrics are computed again."""
    return contact_update(contact=contact, priority=priority, now=now)


def contact_assign(*, contact: Contact, agent, now=None) -> Contact:
    return contact_update(contact=contact, agent=agent, now=now)
