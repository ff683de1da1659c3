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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.clock import now_or
from core.db import retry_transient
from sla.models import Contact
from sla.services import deadlines as dl
from sla.services.contact_input import (
    BulkValidationError,
    input_errors,
    normalise,
)
from sla.services.contact_rows import Draft, after_insert, build
from sla.services.contact_writes import copy_contacts, copy_new, create_contacts

BULK_MAX = 1000
_INSERT_ATTEMPTS = 3

__all__ = [
    "BULK_MAX",
    "BulkResult",
    "BulkValidationError",
    "contact_create",
    "contacts_bulk_create",
]


@dataclass
class BulkResult:
    created: int = 0
    existing: int = 0
    ids: list[int] = field(default_factory=list)
    created_flags: list[bool] = field(default_factory=list)


def existing_ids(keys) -> dict[tuple[int, str], int]:
    """The ids of the keys already stored: on PostgreSQL one probe of the unique index per key
    (the keys as two arrays; two ``IN`` lists would match their cross product).

    The probe is a ``LATERAL ... LIMIT 1`` subquery, which the planner cannot turn into a plain
    join: a join is planned from the table's statistics, and statistics taken while the table
    was empty (a new installation about to load its history) made it scan the whole table once
    per key, slower with every batch loaded, until the next ``ANALYZE``."""
    wanted = set(keys)
    if not wanted:
        return {}
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Contact._meta.db_table)
        channels, externals = zip(*wanted, strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT k.channel_id, k.external_id, c.id "  # noqa: S608 -- model identifiers
                "FROM unnest(%s::bigint[], %s::text[]) AS k(channel_id, external_id) "
                f"CROSS JOIN LATERAL (SELECT id FROM {table} "
                "WHERE channel_id = k.channel_id AND external_id = k.external_id LIMIT 1) c",
                [list(channels), list(externals)],
            )
            return {(c, e): pk for c, e, pk in cursor.fetchall()}
    rows = Contact.objects.filter(
        channel_id__in={c for c, _ in wanted}, external_id__in={e for _, e in wanted}
    ).values_list("channel_id", "external_id", "id")
    return {(c, e): pk for c, e, pk in rows if (c, e) in wanted}


def _drafts(items: list[dict], first_index: dict, new_keys: list, now: datetime) -> Iterator[Draft]:
    """The new keys' contacts as drafts with their deadlines, built one by one as they are
    written. Policies and calendars are read first (each calendar once a batch, not once a
    contact): the drafts are built while ``COPY`` holds the connection."""
    policies = dl.policies_for_channels({key[0] for key in new_keys})
    written = timezone.now()
    calendars = {}
    plan = []
    for key in new_keys:
        item = items[first_index[key]]
        policy = dl.policy_pick(policies, key[0], item["priority"])
        clock = (key[0], None if policy is None else policy.pk)
        calendar = calendars.get(clock)
        if calendar is None:
            calendar = calendars[clock] = dl.clock_calendar(policy, item["channel"])
        plan.append((item, policy, calendar))
    return (build(item, policy, now, written, calendar) for item, policy, calendar in plan)


def _insert(items: list[dict], *, now: datetime, invite_customers: bool = True) -> BulkResult:
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
        # Read first, even though history being loaded is new: writing blind and letting the
        # unique index refuse a stored key saved 5 % of a backfill, and made a replayed batch 5x
        # slower (the whole batch is built and sent before the server's refusal is read).
        existing = existing_ids(keys)
        new_keys = [key for key in first_index if key not in existing]
        if not new_keys:
            break
        drafts = _drafts(items, first_index, new_keys, now)
        if postgres and attempt == 0:
            try:
                built = copy_new(drafts, len(new_keys), now=now)
            except IntegrityError:
                continue  # a concurrent request stored one of these keys: read again
        elif postgres:
            # ON CONFLICT skips the keys a concurrent request took meanwhile: read them again.
            built = copy_contacts(list(drafts), now=now)
            taken = {(c.channel.pk, c.external_id) for c in built}
            existing.update(existing_ids([key for key in new_keys if key not in taken]))
        else:
            built = list(drafts)
            try:
                with transaction.atomic():
                    create_contacts(built, now=now)
            except IntegrityError:
                if attempt == _INSERT_ATTEMPTS - 1:
                    raise
                continue  # someone inserted one of these keys meanwhile: read again, insert rest
        after_insert(built, now=now, invite_customers=invite_customers)
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


@retry_transient
def contacts_bulk_create(
    *,
    items: Sequence[Mapping],
    now: datetime | None = None,
    max_items: int = BULK_MAX,
    invite_customers: bool = True,
) -> BulkResult:
    """Create up to ``max_items`` contacts, all or nothing; the ones already there are untouched.

    ``items`` hold :func:`contact_create`'s keyword arguments (``channel`` a ``Channel``, ``agent``
    a user or None). Invalid items raise :class:`BulkValidationError` (errors by input index) and
    nothing is written. Answers the ids in input order; a key given twice counts once as created.
    A few queries per call whatever the number of items (SQLite splits the insert in batches).
    A deadlock or serialisation failure runs the whole call again (:func:`retry_transient`).
    ``invite_customers=False`` (history loaded by an import) tells the receivers of
    ``contacts_resolved`` not to write to the customers.
    """
    now = now_or(now)
    if len(items) > max_items:
        raise ValidationError(
            _("Send at most %(max)d contacts at a time."), params={"max": max_items}
        )
    normalised = [normalise(item) for item in items]
    errors = {}
    for index, item in enumerate(normalised):
        problems = input_errors(item, now=now)
        if problems:
            errors[index] = problems
    if errors:
        raise BulkValidationError(errors)
    if not normalised:
        return BulkResult()
    return _insert(normalised, now=now, invite_customers=invite_customers)


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
    item = normalise(
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
    errors = input_errors(item, now=now)
    if errors:
        raise ValidationError(errors)
    result = _insert([item], now=now)
    contact = (
        Contact.objects.with_related().select_related("channel__calendar").get(pk=result.ids[0])
    )
    return contact, result.created_flags[0]
