"""The one place where values from outside are parsed: URL parts, query strings, form fields,
JSON bodies and CSV cells.

Each parser takes the raw value (text, or what a JSON decoder produced) and returns a value that
every database the portal runs on, and the business-time arithmetic, can hold, or raises
:class:`OutsideValueError`, whose message is translated and never echoes the value (an echoed
lone surrogate cannot be rendered). The form fields, serializer fields, filters and URL
converters built on these (``core.fields``, ``core.converters``) are how the apps use them.

Bounds, and why:

* ids and page numbers: 1 .. 2**63 - 1, a signed 64-bit integer (PostgreSQL ``bigint``; SQLite's
  ``INTEGER``): beyond it SQLite raises ``OverflowError`` and PostgreSQL "out of range".
* dates: 1970-01-01 .. 9000-12-31, and instants within the same years in UTC. Python's
  ``datetime`` ends at years 1 and 9999, and the business-time arithmetic steps through local
  days up to three years ahead of an instant and converts it to any time zone: an instant in
  year 1 or 9999 overflows there. No real contact, evaluation or report lies outside these years.
* text: no NUL character (PostgreSQL refuses it in any string) and no lone surrogate (valid
  JSON, ``"\\ud800"``, that no UTF-8 encoder takes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date as _django_parse_date
from django.utils.dateparse import parse_datetime as _django_parse_datetime
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1
MIN_DATE = dt.date(1970, 1, 1)
MAX_DATE = dt.date(9000, 12, 31)
MIN_INSTANT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: Exclusive: the first instant after MAX_DATE in UTC.
MAX_INSTANT = dt.datetime(9001, 1, 1, tzinfo=dt.UTC)
#: Deeper JSON than this is refused: real bodies nest three or four levels.
MAX_JSON_DEPTH = 32

MSG_ID = _("Give a whole number from 1 to %(max_id)s.")
MSG_INTEGER = _("Give a whole number.")
MSG_TOO_LARGE = _("This number is too large.")
MSG_DATE = _("Give a date in the form YYYY-MM-DD.")
MSG_DATE_RANGE = _("Give a date between %(min)s and %(max)s.")
MSG_INSTANT = _("Give a date and time such as 2026-01-31T09:30:00+01:00.")
MSG_NAIVE = _("Give the time with a UTC offset, e.g. 2026-01-31T09:30:00+01:00 or …Z.")
MSG_INSTANT_RANGE = _("Give a time between %(min)s and %(max)s.")
#: The interpolation of every range message, done when the message is shown (in its language).
RANGE = {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat(), "max_id": MAX_ID}
MSG_TEXT = _("This contains a NUL character or a lone surrogate, which cannot be stored.")
MSG_NOT_TEXT = _("Give text.")


class OutsideValueError(ValidationError, ValueError):
    """A value from outside that the portal cannot take.

    A Django ``ValidationError``, so forms, django-filter and DRF serializers turn it into a
    field error; and a ``ValueError``, so URL converters turn it into a 404.
    """

    def __init__(self, message, code: str = "invalid"):
        # Every message takes its figures from RANGE, interpolated when shown.
        ValidationError.__init__(self, message, code=code, params=RANGE)


# -- integers ------------------------------------------------------------------------------------


def parse_int(value, *, minimum: int | None = None, maximum: int = MAX_ID) -> int:
    """A whole number given as an int or as decimal digits (an optional sign, surrounding spaces
    allowed), within ``minimum`` .. ``maximum`` (the database's 64-bit range by default)."""
    if isinstance(value, bool):
        raise OutsideValueError(MSG_INTEGER)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        # ASCII digits only, and a sane length: int() accepts other scripts' digits and, for
        # thousands of digits, refuses (or spends time) instead of saying "too large".
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 30:
            raise OutsideValueError(MSG_TOO_LARGE if _all_digits(digits) else MSG_INTEGER)
        value = int(text)
    if not isinstance(value, int):
        raise OutsideValueError(MSG_INTEGER)
    if value > maximum or value < -MAX_ID - 1:
        raise OutsideValueError(MSG_TOO_LARGE, code="max_value")
    if minimum is not None and value < minimum:
        raise OutsideValueError(MSG_ID if minimum == 1 else MSG_INTEGER, code="min_value")
    return value


def _all_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def parse_id(value) -> int:
    """A primary key: 1 .. 2**63 - 1."""
    try:
        return parse_int(value, minimum=1)
    except OutsideValueError:
        raise OutsideValueError(MSG_ID) from None


def parse_page(value, *, last: int | None = None) -> int:
    """A page number: 1 and up, or ``"last"`` (which is ``last``, when given)."""
    if isinstance(value, str) and value.strip() == "last" and last is not None:
        return last
    return parse_id(value)


# -- dates and instants --------------------------------------------------------------------------


def check_date(value: dt.date) -> dt.date:
    if not (MIN_DATE <= value <= MAX_DATE):
        raise OutsideValueError(MSG_DATE_RANGE, code="date_range")
    return value


def parse_date(value) -> dt.date:
    """A calendar date (YYYY-MM-DD) within MIN_DATE .. MAX_DATE."""
    if isinstance(value, dt.datetime):
        raise OutsideValueError(MSG_DATE)
    if isinstance(value, dt.date):
        return check_date(value)
    text = parse_text(value).strip()
    try:
        parsed = _django_parse_date(text)
    except ValueError:  # well formed, but no such day (2026-02-30)
        parsed = None
    if parsed is None:
        raise OutsideValueError(MSG_DATE)
    return check_date(parsed)


def check_instant(value: dt.datetime) -> dt.datetime:
    """An aware instant within the bounds, in UTC: PostgreSQL refuses offsets beyond ±15:59,
    which ISO 8601 and Python allow, so it is stored as UTC."""
    if timezone.is_naive(value):
        raise OutsideValueError(MSG_NAIVE, code="naive")
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError:  # year 1 with a positive offset, year 9999 with a negative one
        raise OutsideValueError(MSG_INSTANT_RANGE, code="instant_range") from None
    if not (MIN_INSTANT <= value < MAX_INSTANT):
        raise OutsideValueError(MSG_INSTANT_RANGE, code="instant_range")
    return value


def parse_instant(value) -> dt.datetime:
    """An ISO 8601 date and time with a UTC offset, returned in UTC; naive ones are refused
    (ambiguous around daylight-saving changes)."""
    if isinstance(value, dt.datetime):
        return check_instant(value)
    text = parse_text(value).strip()
    try:
        parsed = _django_parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None:
        raise OutsideValueError(MSG_INSTANT)
    return check_instant(parsed)


# -- text ----------------------------------------------------------------------------------------


def storable(value: str) -> bool:
    """Text every database can take: no NUL character and no lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_text(value) -> str:
    if not isinstance(value, str):
        raise OutsideValueError(MSG_NOT_TEXT)
    if not storable(value):
        raise OutsideValueError(MSG_TEXT, code="unstorable")
    return value


def stripped(value) -> str:
    """Optional free text from a form or a JSON body: a string stripped, anything else empty
    (storability is the caller's check, with its own message)."""
    return value.strip() if isinstance(value, str) else ""


def all_storable(data: Mapping) -> bool:
    """Whether every key and value of a query dict (``request.GET``) is storable text."""
    lists = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    return all(
        storable(key) and all(storable(v) for v in values if isinstance(v, str))
        for key, values in lists
    )


# -- JSON ----------------------------------------------------------------------------------------


def json_too_deep(data, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether decoded JSON nests lists and objects deeper than ``limit``. Iterative, and
    linear in the number of containers: validating, saving or rendering such data recurses."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


@cache
def timezone_names() -> frozenset[str]:
    """IANA time zone names the machine knows (what a ``tz`` or a zone field may name); cached
    because the lookup walks the tz database."""
    return frozenset(available_timezones())
