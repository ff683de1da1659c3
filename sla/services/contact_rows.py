"""New contacts as drafts: plain objects with their deadlines and what to record once written
(timeline, breaches, warnings), and, once written, their alerts. The writing itself is
``contact_writes``.
"""

from __future__ import annotations

from datetime import datetime

from sla import contact_fields, signals
from sla.models import Contact, ContactEvent, Metric, SlaNotification
from sla.services import deadlines as dl
from sla.services.breaches import breach_notifications
from sla.services.common import enqueue, whole_minutes

FR = Contact.FirstResponseState
RES = Contact.ResolutionState
Status = Contact.Status

# -- creation ------------------------------------------------------------------------------------

#: The columns a new contact is written with (the id comes from the database): its stamps, the
#: outside fields as declared (``sla.contact_fields``), then what the portal computes. A field
#: declared there and not formatted by ``_contact_line`` and ``Draft.new`` fails every write
#: loudly (the format's count, a missing slot), never silently.
CONTACT_COLUMNS = (
    "created_at", "updated_at", *contact_fields.ATTNAMES,
    "sla_policy_id", "first_response_due_at", "resolution_due_at", "first_response_warn_at",
    "resolution_warn_at", "first_response_minutes", "resolution_minutes",
    "first_response_state", "resolution_state", "paused_at", "paused_business_minutes", "notify",
)  # fmt: skip


class Draft:
    """A contact about to be inserted: what the deadline functions read and the columns written.

    A plain object, not a model instance: building a ``Contact`` costs more than computing its
    deadlines, and a bulk request builds a thousand. ``events``, ``breached`` and ``at_risk``
    are what to record once it has an id (``pk``).
    """

    __slots__ = (
        *(name for name in CONTACT_COLUMNS if name not in ("channel_id", "sla_policy_id")),
        "channel",
        "sla_policy",
        "pk",
        "events",
        "breached",
        "at_risk",
    )

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)

    @classmethod
    def new(cls, item: dict, status: str, now: datetime, written: datetime) -> Draft:
        """A contact as first written, before its deadlines: slots assigned one by one (a
        keyword dict of 26 values set by ``setattr`` cost more than its deadlines)."""
        d = cls.__new__(cls)
        d.created_at = now  # when the portal learned of it: history older is not alerted
        d.updated_at = written
        d.channel = item["channel"]
        d.external_id = item["external_id"]
        d.priority = item["priority"]
        d.subject = item["subject"]
        d.customer_name = item["customer_name"]
        d.customer_email = item["customer_email"]
        d.customer_language = item["customer_language"]
        agent = item["agent"]
        d.agent_id = None if agent is None else agent.pk
        d.opened_at = item["opened_at"]
        d.first_response_at = item["first_response_at"]
        d.resolved_at = resolved = item["resolved_at"]
        d.status = status
        d.notify = resolved is None
        d.first_response_due_at = d.resolution_due_at = None
        d.first_response_warn_at = d.resolution_warn_at = None
        d.first_response_minutes = d.resolution_minutes = None
        d.first_response_state = FR.PENDING
        d.resolution_state = RES.PENDING
        d.paused_at = None
        d.paused_business_minutes = 0.0
        d.pk = None
        return d

    @property
    def channel_id(self) -> int:
        return self.channel.pk

    @property
    def sla_policy_id(self) -> int | None:
        return None if self.sla_policy is None else self.sla_policy.pk

    def row(self) -> tuple:
        return tuple(getattr(self, name) for name in CONTACT_COLUMNS)


def build(item: dict, policy, now: datetime, written: datetime, calendar=None) -> Draft:
    """A contact to insert with its deadlines, and what to record once it has an id.

    ``calendar``: the clock's calendar (``dl.clock_calendar``), when the caller has it."""
    resolved = item["resolved_at"]
    status = Status.RESOLVED if resolved is not None else (item["status"] or Status.OPEN)
    contact = Draft.new(item, status, now, written)
    if calendar is None:
        calendar = dl.clock_calendar(policy, contact.channel)
    breached = dl.deadlines_refresh(contact, policy=policy, now=now, calendar=calendar)
    events = [(ContactEvent.Kind.OPENED, contact.opened_at, {})]
    if contact.first_response_at is not None:
        contact.first_response_minutes = whole_minutes(
            dl.minutes_taken(contact, contact.first_response_at, calendar=calendar)
        )
        inferred = _IMPLIED if item.get("first_response_inferred") else {}
        events.append((ContactEvent.Kind.FIRST_RESPONSE, contact.first_response_at, inferred))
    if resolved is not None:
        contact.resolution_minutes = whole_minutes(
            dl.minutes_taken(contact, resolved, calendar=calendar)
        )
        events.append((ContactEvent.Kind.RESOLVED, resolved, {}))
    if status == Status.WAITING:
        start = max(contact.opened_at, contact.first_response_at or contact.opened_at)
        due = contact.resolution_due_at
        if contact.resolution_state in dl.RUNNING and due is not None and start > due:
            contact.resolution_state = RES.BREACHED  # the deadline passed before the wait
            breached.append(Metric.RESOLUTION)
        elif contact.resolution_state in dl.RUNNING:
            contact.resolution_state = RES.PAUSED
        contact.paused_at = start
        events.append((ContactEvent.Kind.PAUSED, start, {}))
    due_of = {
        Metric.FIRST_RESPONSE: contact.first_response_due_at,
        Metric.RESOLUTION: contact.resolution_due_at,
    }
    contact.events = events
    contact.breached = [(metric, due_of[metric]) for metric in breached]
    contact.at_risk = _flag_late(contact, now)
    return contact


_IMPLIED = {"implied": True}  # read only: a first response inferred from the resolution


def _flag_late(contact: Draft, now: datetime) -> list[tuple[str, datetime]]:
    """Flag at once what the sweep would flag first thing (``dl.late``): a breached metric is
    added to ``breached``, one at risk is returned with its warning instant. History imported
    late is thus recorded in the same statements as the contacts, not by an ``UPDATE`` of rows
    just written.
    """
    c = contact
    first = dl.late(c.first_response_state, c.first_response_due_at, c.first_response_warn_at, now)
    resolution = dl.late(c.resolution_state, c.resolution_due_at, c.resolution_warn_at, now)
    if first is not None:
        c.first_response_state = first
    if resolution is not None:
        c.resolution_state = resolution
    at_risk = []
    for metric, found, due, warn in (
        (Metric.FIRST_RESPONSE, first, c.first_response_due_at, c.first_response_warn_at),
        (Metric.RESOLUTION, resolution, c.resolution_due_at, c.resolution_warn_at),
    ):
        if found == FR.BREACHED:
            c.breached.append((metric, due))
        elif found == FR.AT_RISK:
            at_risk.append((metric, warn))
    return at_risk


# -- after the write ---------------------------------------------------------------------------


def after_insert(built: list[Draft], *, now: datetime, invite_customers: bool = True) -> None:
    """The alerts for what was found breached or at risk at creation, and the news of the
    contacts that arrived resolved (``invite_customers``: whether its receivers may write to
    the customers)."""
    found = [(d, metric, due) for d in built if d.notify for metric, due in d.breached]
    warned = [(d, metric, warn) for d in built if d.notify for metric, warn in d.at_risk]
    queued = breach_notifications(found, now=now)
    queued += breach_notifications(warned, now=now, kind=SlaNotification.Kind.AT_RISK)
    resolved = [draft for draft in built if draft.resolved_at is not None]
    if resolved:
        signals.contacts_resolved.send(
            sender=Contact,
            contact_ids=[draft.pk for draft in resolved],
            channel_ids={draft.channel.pk for draft in resolved},
            imported=True,
            invite_customers=invite_customers,
        )
    if queued:
        enqueue_sending()


def enqueue_sending() -> None:
    from sla import tasks

    enqueue(tasks.send_notifications)
