"""New contacts as rows: drafts with their deadlines, and the set-based writing of the contacts,
their timelines, breaches and alerts (``COPY`` on PostgreSQL, ``bulk_create`` and ``executemany``
on SQLite, with the same results).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime

from django.db import connection, transaction

from sla import contact_fields, signals
from sla.models import Breach, Contact, ContactEvent, Metric, SlaNotification
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


class _Stamps:
    """What every row of one write shares, formatted once: the two stamps of the contacts, the
    recording stamp of their timelines, and each policy's id."""

    __slots__ = ("created", "policy_ids", "recorded", "updated")

    def __init__(self, created: datetime, updated: datetime, recorded: datetime):
        self.created = created.isoformat()
        self.updated = updated.isoformat()
        self.recorded = recorded.isoformat()
        self.policy_ids: dict = {}


def _contact_line(d: Draft, stamps: _Stamps) -> str:
    """A draft as COPY text, column by column as each column's type needs: choices (checked
    against their values) and numbers go in as they are, only free text is escaped."""
    policy = d.sla_policy
    if policy is None:
        policy_id = "\\N"
    else:
        policy_id = stamps.policy_ids.get(policy)
        if policy_id is None:
            policy_id = stamps.policy_ids[policy] = str(policy.pk)
    return _CONTACT_LINE % (
        stamps.created,
        stamps.updated,
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


def _contact_lines(built: list[Draft]) -> str:
    if not built:
        return ""
    stamps = _Stamps(built[0].created_at, built[0].updated_at, built[0].created_at)
    return "".join([_contact_line(d, stamps) for d in built])


_EVENT_COLUMNS = ("contact_id", "kind", "metric", "at", "detail", "recorded_at")
_BREACH_COLUMNS = ("contact_id", "metric", "due_at", "detected_at")
_BREACHED = ContactEvent.Kind.BREACHED
_AT_RISK = ContactEvent.Kind.AT_RISK


def _timeline_lines(d: Draft, stamp: str, events: list, breaches: list) -> None:
    """A written draft's timeline rows (``_EVENT_COLUMNS``: its events, then what was found
    breached or at risk) and breach rows (``_BREACH_COLUMNS``), as COPY text appended to
    ``events`` and ``breaches``; kinds and metrics are choices, details our own small dicts."""
    pk = d.pk
    for kind, at, detail in d.events:
        text = _text(json.dumps(detail)) if detail else "{}"
        events.append(f"{pk}\t{kind}\t\t{at.isoformat()}\t{text}\t{stamp}\n")
    for metric, due in d.breached:
        at = due.isoformat()
        events.append(f"{pk}\t{_BREACHED}\t{metric}\t{at}\t{{}}\t{stamp}\n")
        breaches.append(f"{pk}\t{metric}\t{at}\t{stamp}\n")
    for metric, warn in d.at_risk:
        events.append(f"{pk}\t{_AT_RISK}\t{metric}\t{warn.isoformat()}\t{{}}\t{stamp}\n")


class _Stream:
    """A file whose text is made as ``COPY`` reads it. The server inserts the rows sent while
    Python builds the next ones (its deadlines, its line), so on two cores the two overlap
    instead of one waiting for the other. An error in building is kept in ``error``: the
    driver reports it only as a failed ``COPY``."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self.error: BaseException | None = None

    def read(self, size: int = 65536) -> str:
        parts, length = [], 0
        try:
            for line in self._lines:
                parts.append(line)
                length += len(line)
                if length >= size:
                    break
        except BaseException as exc:
            self.error = exc
            raise
        return "".join(parts)


def copy_new(drafts: Iterator[Draft], count: int, *, now: datetime) -> list[Draft]:
    """PostgreSQL: write ``count`` drafts none of whose keys is stored, with their timelines
    and breaches; answers the drafts, with their ids.

    The ids are drawn from the table's sequence first, so the contact rows go straight into
    the table by ``COPY`` (no staging table, no ``RETURNING``) while ``drafts`` is still being
    built, and the timeline text is made in the same pass. If a concurrent request stored one
    of the keys meanwhile, the unique index refuses it: ``IntegrityError``, and nothing of
    this call is left (a savepoint); the caller then takes :func:`copy_contacts`.
    """
    table = connection.ops.quote_name(Contact._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(s.seq) FROM generate_series(1, %s), "
            "(SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) s",
            [count, Contact._meta.db_table],
        )
        ids = [row[0] for row in cursor.fetchall()]
    built: list[Draft] = []
    events: list[str] = []
    breaches: list[str] = []

    def lines() -> Iterator[str]:
        stamps = None
        for draft, pk in zip(drafts, ids, strict=True):
            if stamps is None:
                stamps = _Stamps(draft.created_at, draft.updated_at, now)
            draft.pk = pk
            built.append(draft)
            yield f"{pk}\t{_contact_line(draft, stamps)}"
            _timeline_lines(draft, stamps.recorded, events, breaches)

    with transaction.atomic(), connection.cursor() as cursor:
        _copy(
            cursor, f"COPY {table} (id, {', '.join(CONTACT_COLUMNS)}) FROM STDIN", _Stream(lines())
        )
        _copy_timeline(cursor, events, breaches)
    return built


def _copy(cursor, sql: str, source) -> None:
    """``COPY ... FROM STDIN`` with the driver's errors as Django's (``IntegrityError``,
    ``OperationalError``), as for any other statement: Django's cursor leaves ``copy_expert``
    unwrapped. A :class:`_Stream` that failed to build a row raises its own error instead."""
    try:
        with connection.wrap_database_errors:
            cursor.copy_expert(sql, source)
    except Exception:
        error = getattr(source, "error", None)
        if error is not None:
            raise error from None
        raise


def _copy_timeline(cursor, events: list[str], breaches: list[str]) -> None:
    _copy(
        cursor,
        f"COPY {ContactEvent._meta.db_table} ({', '.join(_EVENT_COLUMNS)}) FROM STDIN",
        io.StringIO("".join(events)),
    )
    if breaches:
        _copy(
            cursor,
            f"COPY {Breach._meta.db_table} ({', '.join(_BREACH_COLUMNS)}) FROM STDIN",
            io.StringIO("".join(breaches)),
        )


def copy_contacts(built: list[Draft], *, now: datetime) -> list[Draft]:
    """PostgreSQL, when a concurrent request may be storing the same keys: ``COPY`` into a
    temporary table, then one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING`` in key
    order, then the timelines of the drafts inserted; answers those, with their ids (the keys
    taken meanwhile are the caller's to read again).
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
        _copy(
            cursor,
            f"COPY ingest_contact ({columns}) FROM STDIN",
            io.StringIO(_contact_lines(built)),
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
        events: list[str] = []
        breaches: list[str] = []
        stamp = now.isoformat()
        for draft in built:
            pk = ids.get((draft.channel.pk, draft.external_id))
            if pk is not None:
                draft.pk = pk
                inserted.append(draft)
                _timeline_lines(draft, stamp, events, breaches)
        if inserted:
            _copy_timeline(cursor, events, breaches)
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


def create_contacts(built: list[Draft], *, now: datetime) -> None:
    """SQLite: ``bulk_create`` (it returns the ids), then the timelines; a taken key raises
    ``IntegrityError``."""
    contacts = [
        Contact(**{name: getattr(draft, name) for name in CONTACT_COLUMNS if name != "updated_at"})
        for draft in built
    ]
    Contact.objects.bulk_create(contacts)
    for draft, contact in zip(built, contacts, strict=True):
        draft.pk = contact.pk
    events = [
        (draft.pk, kind, "", at, detail) for draft in built for kind, at, detail in draft.events
    ]
    events += [(d.pk, _BREACHED, m, due, {}) for d in built for m, due in d.breached]
    events += [(d.pk, _AT_RISK, m, warn, {}) for d in built for m, warn in d.at_risk]
    _insert_many(
        ContactEvent,
        _EVENT_COLUMNS,
        ((*event[:4], json.dumps(event[4]), now) for event in events),
    )
    _insert_many(
        Breach, _BREACH_COLUMNS, ((d.pk, m, due, now) for d in built for m, due in d.breached)
    )


def after_insert(built: list[Draft], *, now: datetime) -> None:
    """The alerts for what was found breached or at risk at creation, and the news of the
    contacts that arrived resolved."""
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
        )
    if queued:
        enqueue_sending()


def enqueue_sending() -> None:
    from sla import tasks

    enqueue(tasks.send_notifications)
