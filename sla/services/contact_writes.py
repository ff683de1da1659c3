"""Writing new contacts set-based, with their timelines and breaches: ``COPY`` on PostgreSQL
(straight into the tables while the drafts are built, or through a staging table when a
concurrent request may hold the same keys), ``bulk_create`` and ``executemany`` on SQLite, with
the same results.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime

from django.db import connection, transaction

from sla.models import Breach, Contact, ContactEvent
from sla.services.contact_rows import CONTACT_COLUMNS, Draft

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
    """What every contact row of one write shares, formatted once: its two stamps and each
    policy's id."""

    __slots__ = ("created", "policy_ids", "updated")

    def __init__(self, created: datetime, updated: datetime):
        self.created = created.isoformat()
        self.updated = updated.isoformat()
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
    stamps = _Stamps(built[0].created_at, built[0].updated_at)
    return "".join([_contact_line(d, stamps) for d in built])


_EVENT_COLUMNS = ("contact_id", "kind", "metric", "at", "detail", "recorded_at")
_BREACH_COLUMNS = ("contact_id", "metric", "due_at", "detected_at")
_BREACHED = ContactEvent.Kind.BREACHED
_AT_RISK = ContactEvent.Kind.AT_RISK


def _timeline_lines(drafts: list[Draft], stamp: str, breaches: list) -> Iterator[str]:
    """Written drafts' timeline rows (``_EVENT_COLUMNS``: their events, then what was found
    breached or at risk) as COPY text, made as ``COPY`` reads them; their breach rows
    (``_BREACH_COLUMNS``) are appended to ``breaches`` on the way. Kinds and metrics are
    choices, details our own small dicts."""
    for d in drafts:
        pk = d.pk
        for kind, at, detail in d.events:
            text = _text(json.dumps(detail)) if detail else "{}"
            yield f"{pk}\t{kind}\t\t{at.isoformat()}\t{text}\t{stamp}\n"
        for metric, due in d.breached:
            at = due.isoformat()
            yield f"{pk}\t{_BREACHED}\t{metric}\t{at}\t{{}}\t{stamp}\n"
            breaches.append(f"{pk}\t{metric}\t{at}\t{stamp}\n")
        for metric, warn in d.at_risk:
            yield f"{pk}\t{_AT_RISK}\t{metric}\t{warn.isoformat()}\t{{}}\t{stamp}\n"


class _Stream:
    """A file whose text is made as ``COPY`` reads it. The server inserts the rows sent while
    Python builds the next ones (a contact's deadlines and line, or timeline rows), so on two
    cores the two overlap instead of one waiting for the other. An error in building is kept
    in ``error``: the driver reports it only as a failed ``COPY``."""

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
    built, and the timelines likewise while their own ``COPY`` runs. If a concurrent request
    stored one of the keys meanwhile, the unique index refuses it: ``IntegrityError``, and
    nothing of this call is left (a savepoint); the caller then takes :func:`copy_contacts`.
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

    def lines() -> Iterator[str]:
        stamps = None
        for draft, pk in zip(drafts, ids, strict=True):
            if stamps is None:
                stamps = _Stamps(draft.created_at, draft.updated_at)
            draft.pk = pk
            built.append(draft)
            yield f"{pk}\t{_contact_line(draft, stamps)}"

    with transaction.atomic(), connection.cursor() as cursor:
        _copy(
            cursor, f"COPY {table} (id, {', '.join(CONTACT_COLUMNS)}) FROM STDIN", _Stream(lines())
        )
        _copy_timeline(cursor, built, now.isoformat())
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


def _copy_timeline(cursor, drafts: list[Draft], stamp: str) -> None:
    """The written drafts' timelines and breaches. The timeline text is made while ``COPY``
    inserts what was sent (as the contacts are), not before: the server's work on the two
    tables follows one after the other, and this way Python's share hides in the second."""
    breaches: list[str] = []
    _copy(
        cursor,
        f"COPY {ContactEvent._meta.db_table} ({', '.join(_EVENT_COLUMNS)}) FROM STDIN",
        _Stream(_timeline_lines(drafts, stamp, breaches)),
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
        for draft in built:
            pk = ids.get((draft.channel.pk, draft.external_id))
            if pk is not None:
                draft.pk = pk
                inserted.append(draft)
        if inserted:
            _copy_timeline(cursor, inserted, now.isoformat())
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
