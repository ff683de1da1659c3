"""New contacts as rows: drafts with their deadlines, and the set-based writing of the contacts,
their timelines, breaches and alerts (``COPY`` on PostgreSQL, ``bulk_create`` and ``executemany``
on SQLite, with the same results).
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime

from django.db import connection

from sla import signals
from sla.models import Breach, Contact, ContactEvent, Metric, SlaNotification
from sla.services import deadlines as dl
from sla.services.breaches import breach_notifications
from sla.services.common import enqueue, whole_minutes

FR = Contact.FirstResponseState
RES = Contact.ResolutionState
Status = Contact.Status

# -- creation ------------------------------------------------------------------------------------

#: The columns a new contact is written with (the id comes from the database).
CONTACT_COLUMNS = (
    "created_at", "updated_at", "channel_id", "external_id", "priority", "subject",
    "customer_name", "customer_email", "customer_language", "agent_id", "opened_at",
    "first_response_at", "resolved_at", "status", "sla_policy_id", "first_response_due_at",
    "resolution_due_at", "first_response_warn_at", "resolution_warn_at",
    "first_response_minutes", "resolution_minutes", "first_response_state", "resolution_state",
    "paused_at", "paused_business_minutes", "notify",
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
    opened = contact.opened_at  # minutes below: dl.minutes_taken on the calendar at hand
    if contact.first_response_at is not None:
        contact.first_response_minutes = whole_minutes(
            max(0.0, calendar.minutes_between(opened, contact.first_response_at))
        )
        inferred = _IMPLIED if item.get("first_response_inferred") else {}
        events.append((ContactEvent.Kind.FIRST_RESPONSE, contact.first_response_at, inferred))
    if resolved is not None:
        contact.resolution_minutes = whole_minutes(
            max(0.0, calendar.minutes_between(opened, resolved))
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
    """Flag at once what the sweep would flag first thing: a running metric past its deadline
    is breached (added to ``breached``), a pending one past its warning is at risk (returned,
    with its warning instant). History imported late is thus recorded in the same statements
    as the contacts, not by an ``UPDATE`` of rows just written.
    """
    at_risk = []
    # The two clocks spelled out (no attribute names built per contact).
    state, due = contact.first_response_state, contact.first_response_due_at
    warn = contact.first_response_warn_at
    if state in dl.RUNNING and due is not None and due < now:
        contact.first_response_state = FR.BREACHED
        contact.breached.append((Metric.FIRST_RESPONSE, due))
    elif state == FR.PENDING and warn is not None and warn <= now:
        contact.first_response_state = FR.AT_RISK
        at_risk.append((Metric.FIRST_RESPONSE, warn))
    state, due = contact.resolution_state, contact.resolution_due_at
    warn = contact.resolution_warn_at
    if state in dl.RUNNING and due is not None and due < now:
        contact.resolution_state = FR.BREACHED
        contact.breached.append((Metric.RESOLUTION, due))
    elif state == FR.PENDING and warn is not None and warn <= now:
        contact.resolution_state = FR.AT_RISK
        at_risk.append((Metric.RESOLUTION, warn))
    return at_risk


# -- writing: PostgreSQL's COPY, or the ORM's bulk_create on SQLite -------------------------------


def create_contacts(built: list[Draft]) -> None:
    """SQLite: ``bulk_create`` (it returns the ids); a taken key raises ``IntegrityError``."""
    contacts = [
        Contact(**{name: getattr(draft, name) for name in CONTACT_COLUMNS if name != "updated_at"})
        for draft in built
    ]
    Contact.objects.bulk_create(contacts)
    for draft, contact in zip(built, contacts, strict=True):
        draft.pk = contact.pk


_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))


def _copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        for char, escaped in _ESCAPES:
            if char in value:
                value = value.replace(char, escaped)
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _copy_text(rows) -> io.StringIO:
    return io.StringIO("".join("\t".join(map(_copy_value, row)) + "\n" for row in rows))


_needs_escape = re.compile(r"[\\\t\n\r]").search


def _text(value: str) -> str:
    """Free text in COPY's format (the common case, nothing to escape, costs one search)."""
    return value if _needs_escape(value) is None else _copy_value(value)


def _instant(value: datetime | None) -> str:
    return "\\N" if value is None else value.isoformat()


def _number(value) -> str:
    return "\\N" if value is None else str(value)


# One line of ``CONTACT_COLUMNS`` (a test holds it to ``_copy_value`` of ``Draft.row``).
_CONTACT_LINE = "\t".join(["%s"] * len(CONTACT_COLUMNS)) + "\n"


def _contact_lines(built: list[Draft]) -> str:
    """The drafts as COPY text, column by column as each column's type needs: choices (checked
    against their values) and numbers go in as they are, only free text is escaped, and the
    two stamps every row shares are formatted once."""
    created = _instant(built[0].created_at) if built else ""
    updated = _instant(built[0].updated_at) if built else ""
    policy_ids = {}
    lines = []
    for d in built:
        policy = d.sla_policy
        if policy is None:
            policy_id = "\\N"
        else:
            policy_id = policy_ids.get(policy)
            if policy_id is None:
                policy_id = policy_ids[policy] = str(policy.pk)
        lines.append(
            _CONTACT_LINE
            % (
                created,
                updated,
                d.channel.pk,
                _text(d.external_id),
                d.priority,
                _text(d.subject),
                _text(d.customer_name),
                _text(d.customer_email),
                d.customer_language,
                _number(d.agent_id),
                d.opened_at.isoformat(),
                _instant(d.first_response_at),
                _instant(d.resolved_at),
                d.status,
                policy_id,
                _instant(d.first_response_due_at),
                _instant(d.resolution_due_at),
                _instant(d.first_response_warn_at),
                _instant(d.resolution_warn_at),
                _number(d.first_response_minutes),
                _number(d.resolution_minutes),
                d.first_response_state,
                d.resolution_state,
                _instant(d.paused_at),
                d.paused_business_minutes,
                "t" if d.notify else "f",
            )
        )
    return "".join(lines)


def copy_contacts(built: list[Draft]) -> list[Draft]:
    """PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT ... SELECT ... ON CONFLICT
    DO NOTHING RETURNING`` in key order; answers the drafts inserted, with their ids.

    The ORM's ``bulk_create`` spends longer building its statement than the database spends
    running it; ``COPY`` sends the rows as text the server parses itself.
    """
    table = connection.ops.quote_name(Contact._meta.db_table)
    columns = ", ".join(CONTACT_COLUMNS)
    with connection.cursor() as cursor:
        # One table per connection, kept: created when missing (a rolled-back transaction
        # takes it away), emptied by the statement that moves its rows.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS ingest_contact ON COMMIT DELETE ROWS AS "  # noqa: S608 -- model identifiers
            f"SELECT {columns} FROM {table} WITH NO DATA"
        )
        cursor.copy_expert(
            f"COPY ingest_contact ({columns}) FROM STDIN", io.StringIO(_contact_lines(built))
        )
        cursor.execute(
            f"WITH moved AS (DELETE FROM ingest_contact RETURNING {columns}) "  # noqa: S608 -- model identifiers
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM moved "
            "ORDER BY channel_id, external_id "
            "ON CONFLICT (channel_id, external_id) DO NOTHING "
            "RETURNING id, channel_id, external_id"
        )
        ids = {(channel, external): pk for pk, channel, external in cursor.fetchall()}
    inserted = []
    for draft in built:
        pk = ids.get((draft.channel.pk, draft.external_id))
        if pk is not None:
            draft.pk = pk
            inserted.append(draft)
    return inserted


def _insert_many(model, columns: tuple, rows) -> None:
    """SQLite: one ``executemany`` (``bulk_create`` would split the rows into batches of 999
    parameters, so its query count would grow with the rows)."""
    adapt = connection.ops.adapt_datetimefield_value
    rows = [tuple(adapt(v) if isinstance(v, datetime) else v for v in row) for row in rows]
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608 -- model identifiers


_EVENT_COLUMNS = ("contact_id", "kind", "metric", "at", "detail", "recorded_at")
_BREACH_COLUMNS = ("contact_id", "metric", "due_at", "detected_at")


def _event_lines(built: list[Draft], found: list, warned: list, now: datetime) -> str:
    """The timeline rows (``_EVENT_COLUMNS``) as COPY text; kinds and metrics are choices, the
    details our own small dicts, the recording stamp formatted once."""
    stamp = now.isoformat()
    lines = []
    for d in built:
        pk = d.pk
        for kind, at, detail in d.events:
            text = _text(json.dumps(detail)) if detail else "{}"
            lines.append(f"{pk}\t{kind}\t\t{at.isoformat()}\t{text}\t{stamp}\n")
    for kind, rows in ((ContactEvent.Kind.BREACHED, found), (ContactEvent.Kind.AT_RISK, warned)):
        for d, metric, at in rows:
            lines.append(f"{d.pk}\t{kind}\t{metric}\t{at.isoformat()}\t{{}}\t{stamp}\n")
    return "".join(lines)


def after_insert(built: list[Draft], *, now: datetime, postgres: bool) -> None:
    """The timeline, the breaches and warnings found at creation, and their alerts: the rows
    the sweep would write, set-based (``COPY`` on PostgreSQL, ``bulk_create`` on SQLite)."""
    found = [(draft, metric, due) for draft in built for metric, due in draft.breached]
    warned = [(draft, metric, warn) for draft in built for metric, warn in draft.at_risk]
    if postgres:
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {ContactEvent._meta.db_table} ({', '.join(_EVENT_COLUMNS)}) FROM STDIN",
                io.StringIO(_event_lines(built, found, warned, now)),
            )
            if found:
                stamp = now.isoformat()
                cursor.copy_expert(
                    f"COPY {Breach._meta.db_table} ({', '.join(_BREACH_COLUMNS)}) FROM STDIN",
                    io.StringIO(
                        "".join(f"{d.pk}\t{m}\t{due.isoformat()}\t{stamp}\n" for d, m, due in found)
                    ),
                )
    else:
        events = [
            (draft.pk, kind, "", at, detail) for draft in built for kind, at, detail in draft.events
        ]
        events += [(d.pk, ContactEvent.Kind.BREACHED, m, due, {}) for d, m, due in found]
        events += [(d.pk, ContactEvent.Kind.AT_RISK, m, warn, {}) for d, m, warn in warned]
        _insert_many(
            ContactEvent,
            _EVENT_COLUMNS,
            ((*event[:4], json.dumps(event[4]), now) for event in events),
        )
        _insert_many(Breach, _BREACH_COLUMNS, ((d.pk, m, due, now) for d, m, due in found))
    queued = breach_notifications([f for f in found if f[0].notify], now=now)
    queued += breach_notifications(
        [w for w in warned if w[0].notify], now=now, kind=SlaNotification.Kind.AT_RISK
    )
    resolved = [draft for draft in built if draft.resolved_at is not None]
    if resolved:
        signals.contacts_resolved.send(
            sender=Contact,
            contact_ids=[draft.pk for draft in resolved],
            channel_ids={draft.channel.pk for draft in resolved},
            imported=True,
        )
    if queued:
        enqueue_sending()


def enqueue_sending() -> None:
    from sla import tasks

    enqueue(tasks.send_notifications)
