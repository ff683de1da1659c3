"""Changes to a contact after its creation: the events of its life (PATCH), under its row lock.

Every change validates everything against the locked row first and raises a Django
``ValidationError`` keyed by the API's field names; nothing is written unless all of it is valid.
The decisions behind the checks are listed in :mod:`sla.services.contacts`; the checks
themselves and their messages are :mod:`sla.services.contact_input`.

Clients may replay events late and in any order (``event_at``), so an event is not a step applied
to the stored state: it joins the contact's timeline, and the metrics it touches are derived again
from the whole timeline in time order (:func:`timeline_fold`, a pure function). The breach rows are
then reconciled with what the timeline says: a provisional breach it disproves is withdrawn (with
any alert not sent yet), one it shows is recorded. Live and late arrival give the same contact.

Over 400 lines on purpose: the checks, the timeline fold and the reconciliation of breaches are
one state machine, read together when a rule changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction

from core.clock import now_or
from sla import signals
from sla.models import Breach, Contact, ContactEvent, Metric
from sla.services import deadlines as dl
from sla.services.breaches import breach_withdraw, breaches_record
from sla.services.common import whole_minutes
from sla.services.contact_input import (
    DETAIL_FIELDS,
    MSG_AFTER_RESOLUTION,
    MSG_ALREADY,
    MSG_BEFORE_RESPONSE,
    MSG_BEFORE_WAIT,
    MSG_NO_CLEAR,
    MSG_NO_REOPEN,
    MSG_STATUS_CONFLICT,
    field_errors,
    fmt,
    time_errors,
)
from sla.services.contact_rows import enqueue_sending
from sla.services.sweep import sla_sweep

FR = Contact.FirstResponseState
RES = Contact.ResolutionState
Status = Contact.Status
Kind = ContactEvent.Kind


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


class Fact(NamedTuple):
    """One event of a contact's timeline that its states derive from."""

    kind: str
    at: datetime
    implied: bool = False  # a first response inferred from the resolution, not reported


# Events at the same instant: a resume before a pause, so "answered, and waiting again at once"
# keeps both waits; the resolution last, closing whatever wait is open.
_RANK = {Kind.FIRST_RESPONSE: 0, Kind.RESUMED: 1, Kind.PAUSED: 2, Kind.RESOLVED: 3}
TIMELINE_KINDS = tuple(_RANK)
FIRST_RESPONSE_FIELDS = (
    "first_response_at",
    "first_response_due_at",
    "first_response_warn_at",
    "first_response_state",
    "first_response_minutes",
)
RESOLUTION_FIELDS = (
    "status",
    "resolved_at",
    "paused_at",
    "paused_business_minutes",
    "resolution_due_at",
    "resolution_warn_at",
    "resolution_state",
    "resolution_minutes",
)
_RUNNING = "running"


def _running(old: str, due: datetime | None, warn: datetime | None, now: datetime) -> str:
    """A metric still without its event: breached once its deadline has passed (what the sweep
    would flag), "at risk" kept only while still true so that a warning is never given twice."""
    if due is not None and due < now:
        return FR.BREACHED
    if old == FR.AT_RISK and warn is not None and warn <= now:
        return FR.AT_RISK
    return FR.PENDING


def timeline_fold(contact: Contact, facts, *, now: datetime) -> tuple[dict, dict, dict]:
    """What a contact's timeline means at ``now``, whatever order its events arrived in.

    A pure function of the events' times, the contact's opening, policy and calendar: answers
    the first-response fields, the resolution fields (status and wait included) and the breached
    metrics with their deadlines. It replays the live rules in time order: a wait stops the
    resolution clock unless it began after the deadline (a breach), resuming moves the deadline
    by the business time waited, the resolution closes an open wait and is the first response
    when none was reported; events after the resolution do not count. ``contact`` is only read.
    """
    policy = contact.sla_policy
    calendar = dl.clock_calendar(policy, contact.channel)
    ordered = sorted(facts, key=lambda f: (f.at, _RANK[f.kind]))
    resolved = next((f.at for f in ordered if f.kind == Kind.RESOLVED), None)
    reported = [f.at for f in ordered if f.kind == Kind.FIRST_RESPONSE and not f.implied]
    response = reported[0] if reported else resolved
    breaches: dict[str, datetime] = {}

    due, warn = dl.first_response_deadlines(contact, policy, calendar)
    if response is None:
        state, minutes = _running(contact.first_response_state, due, warn, now), None
    else:
        state = dl.judge(response, due) or FR.PENDING
        minutes = whole_minutes(dl.minutes_taken(contact, response))
    if state == FR.BREACHED:
        breaches[Metric.FIRST_RESPONSE] = due
    first = dict(zip(FIRST_RESPONSE_FIELDS, (response, due, warn, state, minutes), strict=True))

    paused, since = 0.0, None
    due, warn = dl.resolution_deadlines(contact, policy, calendar, paused)
    state, minutes = _RUNNING, None
    for fact in ordered:
        if fact.kind == Kind.FIRST_RESPONSE:
            continue
        if resolved is not None and fact.at > resolved:
            break
        if fact.kind == Kind.PAUSED:
            if since is None:
                if state == _RUNNING:
                    late = due is not None and fact.at > due  # the deadline passed before the wait
                    state = RES.BREACHED if late else RES.PAUSED
                since = fact.at
            continue
        if since is not None:  # a resume, or a resolution while waiting
            paused += dl.paused_minutes(contact, since, fact.at)
            since = None
            if state == RES.PAUSED:
                due, warn = dl.resolution_deadlines(contact, policy, calendar, paused)
                state = _RUNNING
        if fact.kind == Kind.RESOLVED:
            state = dl.judge(fact.at, due) or RES.PENDING
            minutes = whole_minutes(dl.minutes_taken(contact, fact.at, paused=paused))
    if state == _RUNNING:
        state = _running(contact.resolution_state, due, warn, now)
    if state == RES.BREACHED:
        breaches[Metric.RESOLUTION] = due
    status = Status.RESOLVED if resolved else Status.WAITING if since else Status.OPEN
    resolution = dict(
        zip(
            RESOLUTION_FIELDS,
            (status, resolved, since, paused, due, warn, state, minutes),
            strict=True,
        )
    )
    return first, resolution, breaches


def _timeline(contact: Contact) -> list[tuple[int, Fact]]:
    rows = contact.events.filter(kind__in=TIMELINE_KINDS).values_list("pk", "kind", "at", "detail")
    return [(pk, Fact(kind, at, bool(detail.get("implied")))) for pk, kind, at, detail in rows]


class _Change:
    """One contact being changed under its row lock: what to write, record and queue."""

    def __init__(self, contact: Contact, now: datetime, timeline: list[tuple[int, Fact]]):
        self.c = contact
        self.now = now
        self.timeline = timeline
        self.facts: list[Fact] = []
        self.superseded: list[int] = []
        self.events: list[ContactEvent] = []
        self.breaches: list[tuple[str, datetime]] = []

    def event(self, kind, at, metric="", **detail):
        self.events.append(
            ContactEvent(
                contact=self.c, kind=kind, at=at, metric=metric, detail=detail, recorded_at=self.now
            )
        )

    def fact(self, kind: str, at: datetime, *, implied: bool = False) -> None:
        """A timeline event; one already known (same kind, same instant) is a replay: nothing."""
        known = [f for _, f in self.timeline] + self.facts
        if any(f.kind == kind and f.at == at for f in known):
            return
        if kind == Kind.FIRST_RESPONSE and not implied:
            # A reported first response replaces the one inferred from the resolution.
            self.superseded += [
                pk for pk, f in self.timeline if f.kind == Kind.FIRST_RESPONSE and f.implied
            ]
        self.facts.append(Fact(kind, at, implied))
        self.event(kind, at, **({"implied": True} if implied else {}))

    # Each step below assumes its input was validated by contact_update.

    def first_response(self, at: datetime) -> None:
        self.fact(Kind.FIRST_RESPONSE, at)

    def pause(self, at: datetime) -> None:
        self.fact(Kind.PAUSED, at)

    def resume(self, at: datetime) -> None:
        self.fact(Kind.RESUMED, at)

    def resolve(self, at: datetime) -> None:
        if self.c.first_response_at is None and not any(
            f.kind == Kind.FIRST_RESPONSE for f in self.facts
        ):
            self.fact(Kind.FIRST_RESPONSE, at, implied=True)
        self.fact(Kind.RESOLVED, at)

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
        self.event(Kind.PRIORITY_CHANGED, self.now, **{"from": old, "to": priority})

    def agent(self, agent) -> None:
        old = self.c.agent.get_username() if self.c.agent else None
        self.c.agent = agent
        new = agent.get_username() if agent else None
        self.event(Kind.AGENT_CHANGED, self.now, **{"from": old, "to": new})

    def _derive(self) -> tuple[list[str], dict[str, datetime]]:
        """Derive the metrics the new events touch from the whole timeline; answer which
        breaches to withdraw and which to record so the breach rows say what the timeline says."""
        kinds = {f.kind for f in self.facts}
        touched = []
        if kinds & {Kind.FIRST_RESPONSE, Kind.RESOLVED}:
            touched.append(Metric.FIRST_RESPONSE)
        if kinds & {Kind.PAUSED, Kind.RESUMED, Kind.RESOLVED}:
            touched.append(Metric.RESOLUTION)
        if not touched:
            return [], {}
        facts = [f for _, f in self.timeline] + self.facts
        first, resolution, found = timeline_fold(self.c, facts, now=self.now)
        recorded = dict(Breach.objects.filter(contact=self.c).values_list("metric", "due_at"))
        withdraw, record = [], {}
        for metric in touched:
            for name, value in (first if metric == Metric.FIRST_RESPONSE else resolution).items():
                setattr(self.c, name, value)
            wanted, had = found.get(metric), recorded.get(metric)
            if had is not None and had != wanted:
                withdraw.append(metric)
            if wanted is not None and had != wanted:
                record[metric] = wanted
        # The timeline decides these metrics; what a priority change found for them is stale.
        self.breaches = [(m, due) for m, due in self.breaches if m not in touched]
        return withdraw, record

    def save(self) -> None:
        c = self.c
        withdraw, record = self._derive()
        c.save()
        ContactEvent.objects.bulk_create(self.events)
        if self.superseded:
            ContactEvent.objects.filter(pk__in=self.superseded).delete()
        for metric in withdraw:  # on the timeline when the portal learned it was wrong
            breach_withdraw(c, metric, at=self.now, now=self.now)
        self.breaches += list(record.items())
        queued = breaches_record([(c, m, due) for m, due in self.breaches], now=self.now)
        if dl.needs_sweep(c, self.now):
            queued += sla_sweep(now=self.now, contact_ids=[c.pk])["notifications"]
            fresh = Contact.objects.filter(pk=c.pk).values(
                "first_response_state", "resolution_state"
            )[0]
            c.first_response_state = fresh["first_response_state"]
            c.resolution_state = fresh["resolution_state"]
        if queued:
            enqueue_sending()


_UNSET = object()


def _update_errors(
    c: Contact, changes: dict, event_at: datetime, now: datetime, timeline: list
) -> dict:
    """Everything wrong with a change, checked against the locked row before anything is set.

    Only what no order of arrival can make right is refused: a recorded time changed, a
    resolution before the first response or the wait it ends, a status change after the
    resolution. A resume before the wait it ends, or a wait before the last resume, is a late
    event and welcome.
    """
    errors: dict[str, list] = {}
    # A first response inferred from the resolution gives way to the one the client reports.
    inferred = c.first_response_at is not None and not any(
        f.kind == Kind.FIRST_RESPONSE and not f.implied for _, f in timeline
    )

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
        for problem in time_errors(name, value, now=now, opened_at=c.opened_at):
            add(name, problem)
        if name == "first_response_at" and inferred:
            continue
        if recorded is not None and value != recorded and name not in errors:
            add(name, MSG_ALREADY % {"value": fmt(recorded)})
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
                MSG_BEFORE_WAIT % {"value": fmt(c.paused_at)},
            )
    if response not in (_UNSET, None) and c.resolved_at is not None and response > c.resolved_at:
        add("first_response_at", MSG_AFTER_RESOLUTION)
    if status is not _UNSET:
        reopens = status != Status.RESOLVED and c.resolved_at is not None
        if reopens and event_at > c.resolved_at:
            add("status", MSG_NO_REOPEN)
        elif resolved not in (_UNSET, None) and status in (Status.OPEN, Status.WAITING):
            add("status", MSG_STATUS_CONFLICT % {"status": status})
    checked = {k: changes[k] for k in (*DETAIL_FIELDS, "priority", "status") if k in changes}
    for name, messages in field_errors(checked).items():
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
        problems = time_errors("event_at", event_at, now=now, opened_at=c.opened_at)
        if problems:
            errors["event_at"] = problems
    if errors:
        raise ValidationError(errors)
    at = event_at or now
    timeline = _timeline(c)
    errors = _update_errors(c, changes, at, now, timeline)
    if errors:
        raise ValidationError(errors)

    change = _Change(c, now, timeline)
    for name in DETAIL_FIELDS:
        if name in changes and changes[name] is not None:
            setattr(c, name, changes[name])
    if "agent" in changes and changes["agent"] != c.agent:
        change.agent(changes["agent"])
    if changes.get("priority") not in (None, c.priority):
        change.priority(changes["priority"])
    # Every event joins the timeline, whatever the current status: an "open" on an open contact
    # may end a wait reported later with an earlier time. Validated above: none is after the
    # resolution, and a replay of a known event adds nothing.
    response = changes.get("first_response_at")
    if response is not None:
        change.first_response(response)
    status = changes.get("status")
    resolved = changes.get("resolved_at")
    was_resolved = c.status == Status.RESOLVED
    if resolved is not None:
        change.resolve(resolved)
    elif status == Status.RESOLVED:
        if not was_resolved:
            change.resolve(at)
    elif status == Status.WAITING:
        change.pause(at)
    elif status == Status.OPEN:
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
