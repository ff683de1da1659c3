"""Contacts: creation, idempotent, one or a thousand at a time (changes: ``contact_changes``).

Every write validates everything first and raises a Django ``ValidationError`` keyed by the API's
field names, so the API, the CSV import and the pages show the same messages and nothing is
written unless all of it is valid. Deadlines are computed here, once, and stored.

Decisions worth knowing:

* Times may not lie in the future (beyond a minute of clock skew) nor before ``opened_at``.
* Resolving a contact that has no first response records the first response at the same
  instant: the customer got an answer when the contact was resolved.
* Recorded times are facts: replaying the same value is a no-op, a different value is refused;
  only a first response inferred from the resolution gives way to an earlier reported one.
* A contact created ``waiting`` waits from its latest known event (first response or opening).
* A resolved contact cannot be reopened (push a new contact instead).
* Events may arrive late and in any order: states, deadlines, minutes and breaches depend on
  the events' times only (``contact_changes``). A breach the full timeline disproves (a wait
  reported late, a response replayed in time) is withdrawn; a status change after the
  resolution is refused.
* Contacts created already resolved are judged like any other but never notified.
* Contacts created already late (history) are flagged as they are written, breached or at
  risk, with the rows and alerts the sweep would have written (none for old history).

One path for one contact, a bulk request, the CSV import and background imports: plain
validation, then drafts (plain objects, not model instances) with their deadlines on cached
calendars, written set-based: ``COPY`` and one ``INSERT ... ON CONFLICT DO NOTHING`` on
PostgreSQL, ``bulk_create`` and ``executemany`` on SQLite, with the same results.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import parse
from core.db import retry_transient
from sla import signals
from sla.models import Breach, Contact, ContactEvent, Metric, SlaNotification
from sla.services import deadlines as dl
from sla.services.breaches import breach_notifications
from sla.services.common import CLOCK_SKEW, enqueue, now_or, whole_minutes

BULK_MAX = 1000
_INSERT_ATTEMPTS = 3

FR = Contact.FirstResponseState
RES = Contact.ResolutionState
Status = Contact.Status

TIME_FIELDS = ("opened_at", "first_response_at", "resolved_at")
TEXT_DEFAULTS = {
    "priority": Contact.Priority.NORMAL,
    "subject": "",
    "customer_name": "",
    "customer_email": "",
    "customer_language": Contact.Language.EN,
}
DETAIL_FIELDS = ("subject", "customer_name", "customer_email", "customer_language")

MSG_FUTURE = _("This time is in the future.")
MSG_BEFORE_OPENED = _("This time is before the contact was opened (opened_at).")
MSG_BEFORE_RESPONSE = _("The resolution cannot come before the first response.")
MSG_AFTER_RESOLUTION = _("The first response cannot come after the resolution.")
MSG_RESOLVED_NEEDS_TIME = _("Give resolved_at for a resolved contact.")
MSG_STATUS_CONFLICT = _(
    "A contact with resolved_at is resolved; its status cannot be “%(status)s”."
)
MSG_NO_REOPEN = _("A resolved contact cannot be reopened; push a new contact instead.")
MSG_ALREADY = _("Already recorded as %(value)s; recorded times cannot be changed.")
MSG_NO_CLEAR = _("A recorded time cannot be removed.")
MSG_BEFORE_WAIT = _("This time is before the contact started waiting (%(value)s).")
MSG_REQUIRED = _("This field is required.")


class BulkValidationError(Exception):
    """Some items of a bulk create are invalid: ``errors`` maps input index to field errors."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class BulkResult:
    created: int = 0
    existing: int = 0
    ids: list[int] = field(default_factory=list)
    created_flags: list[bool] = field(default_factory=list)


# -- validation ----------------------------------------------------------------------------------


def _time_errors(name: str, value, *, now: datetime, opened_at=None) -> list:
    if value is None:
        return []
    if timezone.is_naive(value):
        return [parse.MSG_NAIVE]
    errors = []
    if value > now + CLOCK_SKEW:
        errors.append(MSG_FUTURE)
    if opened_at is not None and timezone.is_aware(opened_at) and value < opened_at:
        errors.append(MSG_BEFORE_OPENED)
    return errors


def _fmt(value: datetime) -> str:
    return value.isoformat()


def _normalise(data: Mapping) -> dict:
    """Defaults filled in; a resolution without a first response is a first response too."""
    item = {**TEXT_DEFAULTS, **{k: v for k, v in data.items() if v is not None}}
    for name in ("agent", "first_response_at", "resolved_at", "status"):
        item.setdefault(name, None)
    if item["resolved_at"] is not None and item["first_response_at"] is None:
        item["first_response_at"] = item["resolved_at"]
        item["first_response_inferred"] = True  # gives way to one reported later
    return item


_CHOICES = {
    "priority": frozenset(Contact.Priority.values),
    "customer_language": frozenset(Contact.Language.values),
    "status": frozenset(Contact.Status.values),
}
_MAX_LENGTH = {
    name: Contact._meta.get_field(name).max_length
    for name in ("external_id", "subject", "customer_name", "customer_email")
}
MSG_CHOICE = _("“%(value)s” is not a valid choice.")
MSG_LENGTH = _("Ensure this value has at most %(max)d characters (it has %(length)d).")
MSG_TEXT = _("Not a valid string.")
_validate_email = EmailValidator()
# Addresses of the common form (dot-atom of plain characters, host names, a letters-only top
# level domain), all of which EmailValidator accepts: a tenth of its cost. Others go through it.
PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\Z"
)


def _field_errors(item: dict) -> dict[str, list]:
    """Choices, lengths and the email address: cheap checks, so 1000 items cost little."""
    errors: dict[str, list] = {}
    for name, allowed in _CHOICES.items():
        value = item.get(name)
        if value is not None and value not in allowed:
            errors[name] = [MSG_CHOICE % {"value": value}]
    for name, limit in _MAX_LENGTH.items():
        value = item.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = [MSG_TEXT]
        elif len(value) > limit:
            errors[name] = [MSG_LENGTH % {"max": limit, "length": len(value)}]
    email = item.get("customer_email")
    if email and "customer_email" not in errors and not PLAIN_EMAIL.match(email):
        try:
            _validate_email(email)
        except ValidationError as exc:
            errors["customer_email"] = list(exc.messages)
    return errors


def _input_errors(item: dict, *, now: datetime) -> dict[str, list]:
    errors: dict[str, list] = {}
    for name in ("channel", "external_id", "opened_at"):
        if item.get(name) in (None, ""):
            errors[name] = [MSG_REQUIRED]
    for name, messages in _field_errors(item).items():
        errors.setdefault(name, []).extend(messages)
    opened = item.get("opened_at")
    for name in TIME_FIELDS:
        value = item.get(name)
        problems = _time_errors(
            name, value, now=now, opened_at=None if name == "opened_at" else opened
        )
        if problems:
            errors.setdefault(name, []).extend(problems)
    response, resolved, status = item["first_response_at"], item["resolved_at"], item["status"]
    if (
        response is not None
        and resolved is not None
        and "resolved_at" not in errors
        and "first_response_at" not in errors
        and resolved < response
    ):
        errors.setdefault("resolved_at", []).append(MSG_BEFORE_RESPONSE)
    if status == Status.RESOLVED and resolved is None:
        errors.setdefault("resolved_at", []).append(MSG_RESOLVED_NEEDS_TIME)
    if resolved is not None and status in (Status.OPEN, Status.WAITING):
        errors.setdefault("status", []).append(MSG_STATUS_CONFLICT % {"status": status})
    return errors


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


def _build(item: dict, policy, now: datetime, written: datetime, calendar=None) -> Draft:
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


def _existing_ids(keys) -> dict[tuple[int, str], int]:
    """The ids of the keys already stored: on PostgreSQL a join with the keys as two arrays,
    which the unique index answers exactly (two ``IN`` lists match their cross product)."""
    wanted = set(keys)
    if not wanted:
        return {}
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Contact._meta.db_table)
        channels, externals = zip(*wanted, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT channel_id, external_id, c.id FROM {table} c "  # noqa: S608 -- model identifiers
                "JOIN unnest(%s::bigint[], %s::text[]) AS k(channel_id, external_id) "
                "USING (channel_id, external_id)",
                [list(channels), list(externals)],
            )
            return {(c, e): pk for c, e, pk in cursor.fetchall()}
    rows = Contact.objects.filter(
        channel_id__in={c for c, _ in wanted}, external_id__in={e for _, e in wanted}
    ).values_list("channel_id", "external_id", "id")
    return {(c, e): pk for c, e, pk in rows if (c, e) in wanted}


def _insert(items: list[dict], *, now: datetime) -> BulkResult:
    """Insert the items not there yet; concurrent duplicates lose the race and are re-read.

    Rows go in in (channel, external id) order, whatever the request's order: each inserted row
    holds its unique-index entry until commit, so two requests inserting shared keys in
    different orders could each wait for the other (a deadlock). In one order, the later one
    waits for the earlier's commit, then finds those keys taken and re-reads them.
    """
    keys = [(item["channel"].pk, item["external_id"]) for item in items]
    first_index: dict[tuple[int, str], int] = {}
    for index, key in sorted(enumerate(keys), key=lambda pair: pair[1]):
        first_index.setdefault(key, index)
    postgres = connection.vendor == "postgresql"
    created_ids: dict[tuple[int, str], int] = {}
    for attempt in range(_INSERT_ATTEMPTS):
        existing = _existing_ids(keys)
        new_keys = [key for key in first_index if key not in existing]
        if not new_keys:
            break
        policies = dl.policies_for_channels({key[0] for key in new_keys})
        written = timezone.now()
        built = []
        calendars = {}  # by (channel, policy): looked up once a batch, not once a contact
        for key in new_keys:
            item = items[first_index[key]]
            policy = dl.policy_pick(policies, key[0], item["priority"])
            clock = (key[0], None if policy is None else policy.pk)
            calendar = calendars.get(clock)
            if calendar is None:
                calendar = calendars[clock] = dl.clock_calendar(policy, item["channel"])
            built.append(_build(item, policy, now, written, calendar))
        if postgres:
            # ON CONFLICT skips the keys a concurrent request took meanwhile: read them again.
            built = _copy_contacts(built)
            taken = {(c.channel.pk, c.external_id) for c in built}
            existing.update(_existing_ids([key for key in new_keys if key not in taken]))
        else:
            try:
                with transaction.atomic():
                    _create_contacts(built)
            except IntegrityError:
                if attempt == _INSERT_ATTEMPTS - 1:
                    raise
                continue  # someone inserted one of these keys meanwhile: read again, insert rest
        _after_insert(built, now=now, postgres=postgres)
        created_ids = {(c.channel.pk, c.external_id): c.pk for c in built}
        break
    result = BulkResult()
    for index, key in enumerate(keys):
        is_new = key in created_ids and first_index[key] == index
        result.ids.append(created_ids.get(key) or existing[key])
        result.created_flags.append(is_new)
        if is_new:
            result.created += 1
        else:
            result.existing += 1
    return result


# -- writing: PostgreSQL's COPY, or the ORM's bulk_create on SQLite -------------------------------


def _create_contacts(built: list[Draft]) -> None:
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


def _copy_contacts(built: list[Draft]) -> list[Draft]:
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


def _after_insert(built: list[Draft], *, now: datetime, postgres: bool) -> None:
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
        _enqueue_sending()


def _enqueue_sending() -> None:
    from sla import tasks

    enqueue(tasks.send_notifications)


@retry_transient
def contacts_bulk_create(
    *, items: Sequence[Mapping], now: datetime | None = None, max_items: int = BULK_MAX
) -> BulkResult:
    """Create up to ``max_items`` contacts, all or nothing; the ones already there are untouched.

    ``items`` hold :func:`contact_create`'s keyword arguments (``channel`` a ``Channel``, ``agent``
    a user or None). Invalid items raise :class:`BulkValidationError` (errors by input index) and
    nothing is written. Answers the ids in input order; a key given twice counts once as created.
    A few queries per call whatever the number of items (SQLite splits the insert in batches).
    A deadlock or serialisation failure runs the whole call again (:func:`retry_transient`).
    """
    now = now_or(now)
    if len(items) > max_items:
        raise ValidationError(
            _("Send at most %(max)d contacts at a time."), params={"max": max_items}
        )
    normalised = [_normalise(item) for item in items]
    errors = {}
    for index, item in enumerate(normalised):
        problems = _input_errors(item, now=now)
        if problems:
            errors[index] = problems
    if errors:
        raise BulkValidationError(errors)
    if not normalised:
        return BulkResult()
    return _insert(normalised, now=now)


@retry_transient
def contact_create(
    *,
    channel,
    external_id: str,
    opened_at: datetime,
    priority: str = Contact.Priority.NORMAL,
    subject: str = "",
    customer_name: str = "",
    customer_email: str = "",
    customer_language: str = Contact.Language.EN,
    agent=None,
    first_response_at: datetime | None = None,
    resolved_at: datetime | None = None,
    status: str | None = None,
    now: datetime | None = None,
) -> tuple[Contact, bool]:
    """Create a contact, or return the one with this (channel, external id) untouched.

    Safe under concurrency: ten clients posting the same contact at once make one row.
    """
    now = now_or(now)
    item = _normalise(
        {
            "channel": channel,
            "external_id": external_id,
            "opened_at": opened_at,
            "priority": priority,
            "subject": subject,
            "customer_name": customer_name,
            "customer_email": customer_email,
            "customer_language": customer_language,
            "agent": agent,
            "first_response_at": first_response_at,
            "resolved_at": resolved_at,
            "status": status,
        }
    )
    errors = _input_errors(item, now=now)
    if errors:
        raise ValidationError(errors)
    result = _insert([item], now=now)
    contact = (
        Contact.objects.with_related().select_related("channel__calendar").get(pk=result.ids[0])
    )
    return contact, result.created_flags[0]
