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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.db import retry_transient
from sla import signals
from sla.models import Contact, ContactEvent, Metric
from sla.services import deadlines as dl
from sla.services.breaches import breaches_record
from sla.services.common import CLOCK_SKEW, enqueue, now_or, whole_minutes
from sla.services.sweep import sla_sweep

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

MSG_NAIVE = _("Give the time with a UTC offset, e.g. 2026-01-31T09:30:00+01:00.")
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
        return [MSG_NAIVE]
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
    if email and "customer_email" not in errors:
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


def _build(item: dict, policy, now: datetime) -> tuple[Contact, list, list]:
    """An unsaved contact with its deadlines, and what to record once it has an id."""
    resolved = item["resolved_at"]
    status = Status.RESOLVED if resolved is not None else (item["status"] or Status.OPEN)
    contact = Contact(
        created_at=now,  # when the portal learned of it: history older than that is not alerted
        channel=item["channel"],
        external_id=item["external_id"],
        opened_at=item["opened_at"],
        first_response_at=item["first_response_at"],
        resolved_at=resolved,
        status=status,
        agent=item["agent"],
        notify=resolved is None,
        **{k: item[k] for k in TEXT_DEFAULTS},
    )
    breached = dl.deadlines_refresh(contact, policy=policy, now=now)
    events = [(ContactEvent.Kind.OPENED, contact.opened_at, {})]
    if contact.first_response_at is not None:
        contact.first_response_minutes = whole_minutes(
            dl.minutes_taken(contact, contact.first_response_at)
        )
        inferred = {"implied": True} if item.get("first_response_inferred") else {}
        events.append((ContactEvent.Kind.FIRST_RESPONSE, contact.first_response_at, inferred))
    if resolved is not None:
        contact.resolution_minutes = whole_minutes(dl.minutes_taken(contact, resolved))
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
    return contact, events, [(metric, due_of[metric]) for metric in breached]


def _existing_ids(keys) -> dict[tuple[int, str], int]:
    wanted = set(keys)
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
    created_ids: dict[tuple[int, str], int] = {}
    for attempt in range(_INSERT_ATTEMPTS):
        existing = _existing_ids(keys)
        new_keys = [key for key in first_index if key not in existing]
        if not new_keys:
            break
        policies = dl.policies_for_channels({key[0] for key in new_keys})
        built = []
        for key in new_keys:
            item = items[first_index[key]]
            policy = dl.policy_pick(policies, key[0], item["priority"])
            built.append(_build(item, policy, now))
        try:
            with transaction.atomic():
                Contact.objects.bulk_create([contact for contact, _, _ in built])
        except IntegrityError:
            if attempt == _INSERT_ATTEMPTS - 1:
                raise
            continue  # someone inserted one of these keys meanwhile: read again, insert the rest
        _after_insert(built, now=now)
        created_ids = {
            key: contact.pk for key, (contact, _, _) in zip(new_keys, built, strict=True)
        }
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


def _after_insert(built, *, now: datetime) -> None:
    ContactEvent.objects.bulk_create(
        [
            ContactEvent(contact=contact, kind=kind, at=at, detail=detail, recorded_at=now)
            for contact, events, _ in built
            for kind, at, detail in events
        ]
    )
    queued = breaches_record(
        [(contact, metric, due) for contact, _, found in built for metric, due in found],
        now=now,
    )
    resolved = [contact.pk for contact, _, _ in built if contact.resolved_at is not None]
    if resolved:
        signals.contacts_resolved.send(sender=Contact, contact_ids=resolved, imported=True)
    late = [contact.pk for contact, _, _ in built if dl.needs_sweep(contact, now)]
    if late:
        queued += sla_sweep(now=now, contact_ids=late)["notifications"]
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
