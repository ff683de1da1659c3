"""What a contact pushed from outside may be: its defaults, the checks every path runs before
writing anything (one contact, a bulk request, the CSV import's check pass) and their messages,
keyed by the API's field names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import parse
from sla import contact_fields
from sla.models import Contact
from sla.services.common import CLOCK_SKEW

Status = Contact.Status

TIME_FIELDS = contact_fields.TIMES
DETAIL_FIELDS = contact_fields.DETAILS

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


# -- validation ----------------------------------------------------------------------------------


def time_errors(name: str, value, *, now: datetime, opened_at=None) -> list:
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


def fmt(value: datetime) -> str:
    return value.isoformat()


def normalise(data: Mapping) -> dict:
    """Defaults filled in; a resolution without a first response is a first response too."""
    item = {**contact_fields.DEFAULTS, **{k: v for k, v in data.items() if v is not None}}
    if item["resolved_at"] is not None and item["first_response_at"] is None:
        item["first_response_at"] = item["resolved_at"]
        item["first_response_inferred"] = True  # gives way to one reported later
    return item


_CHOICES = contact_fields.CHOICES
_MAX_LENGTH = contact_fields.MAX_LENGTHS
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


def field_errors(item: dict) -> dict[str, list]:
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
    for name in contact_fields.EMAILS:
        email = item.get(name)
        if email and name not in errors and not PLAIN_EMAIL.match(email):
            try:
                _validate_email(email)
            except ValidationError as exc:
                errors[name] = list(exc.messages)
    return errors


def input_errors(item: dict, *, now: datetime) -> dict[str, list]:
    errors: dict[str, list] = {}
    for name in contact_fields.REQUIRED:
        if item.get(name) in (None, ""):
            errors[name] = [MSG_REQUIRED]
    for name, messages in field_errors(item).items():
        errors.setdefault(name, []).extend(messages)
    opened = item.get("opened_at")
    for name in TIME_FIELDS:
        value = item.get(name)
        problems = time_errors(
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
