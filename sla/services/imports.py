"""Contacts from a helpdesk's CSV export: every row checked, all or nothing.

The file is only parsed here (text to channels, users and aware datetimes); every rule about
contacts is :func:`contacts_bulk_create`'s, called in chunks of ``BULK_MAX`` inside one
transaction, so the import judges a row exactly as the API judges the same contact.

Rules (shown on the import page too):

* UTF-8 with or without a byte-order mark; ``,`` or ``;`` between cells (sniffed from the header).
* A header row is required; ``channel``, ``external_id`` and ``opened_at`` columns must be there;
  the other known columns are optional and unknown columns are ignored.
* Times in ISO 8601 with a UTC offset (``2026-01-31T09:30:00+01:00`` or ``…Z``); a time without
  an offset is refused: a naive local time is ambiguous around daylight-saving changes.
* Empty cells mean "not given" (the API's defaults apply).
* The same channel and external id twice in one file is an error (the file contradicts itself).
* At most ``MAX_BYTES`` and ``MAX_ROWS`` data rows. Line numbers are a spreadsheet's: header = 1.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core import parse
from sla import selectors
from sla.services.common import now_or
from sla.services.contacts import BULK_MAX, BulkValidationError, contacts_bulk_create

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
REQUIRED_COLUMNS = ("channel", "external_id", "opened_at")
OPTIONAL_COLUMNS = (
    "priority",
    "subject",
    "customer_name",
    "customer_email",
    "customer_language",
    "agent",
    "first_response_at",
    "resolved_at",
    "status",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
TIME_COLUMNS = ("opened_at", "first_response_at", "resolved_at")
LOWERCASE_COLUMNS = ("priority", "status", "customer_language")

MSG_TOO_BIG = _("The file is larger than %(max)d MB; split it into smaller files.")
MSG_TOO_MANY = _("The file has %(count)d rows; import at most %(max)d rows at a time.")
MSG_EMPTY = _("The file is empty.")
MSG_ENCODING = _("The file is not UTF-8 text; save it as “CSV UTF-8” and try again.")
MSG_NO_ROWS = _("The file has a header row but no contacts.")
MSG_MISSING = _("The header row lacks the required column(s): %(columns)s.")
MSG_DUPLICATE_COLUMN = _("The header row names the column “%(column)s” twice.")
MSG_BAD_CSV = _("The file is not valid CSV: %(error)s")
MSG_CHANNEL = _("There is no channel with the code “%(value)s”.")
MSG_AGENT = _(
    "“%(value)s” is not an active staff member or manager; only they can be a contact's agent."
)
MSG_TIME = _("“%(value)s” is not a date and time; use e.g. 2026-01-31T09:30:00+01:00.")
MSG_NAIVE = _("“%(value)s” has no UTC offset; give it as e.g. 2026-01-31T09:30:00+01:00 or …Z.")
MSG_REPEAT = _("The same channel and external id as line %(line)d.")
MSG_NUL = _("This cell contains a NUL character, which cannot be stored; remove it.")
MSG_TIME_RANGE = _("“%(value)s” is out of range: give a time between %(min)s and %(max)s.")


class ContactImportError(Exception):
    """The file was refused; ``errors`` lists (line or None for the file, column, message)."""

    def __init__(self, errors: list[tuple[int | None, str, str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    existing: int = 0


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ContactImportError([(None, "", str(MSG_EMPTY))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContactImportError([(None, "", str(MSG_ENCODING))]) from None
    if not text.strip():
        raise ContactImportError([(None, "", str(MSG_EMPTY))])
    return text


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=",;").delimiter
    except csv.Error:
        return ";" if header.count(";") > header.count(",") else ","


def _read(text: str) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The header's known columns (name -> position) and the data rows with their line numbers."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ContactImportError([(None, "", str(MSG_EMPTY))])
        columns: dict[str, int] = {}
        for position, name in enumerate(header):
            name = name.strip().lower()
            if name in COLUMNS:
                if name in columns:
                    raise ContactImportError(
                        [(1, name, str(MSG_DUPLICATE_COLUMN % {"column": name}))]
                    )
                columns[name] = position
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            raise ContactImportError([(1, "", str(MSG_MISSING % {"columns": ", ".join(missing)}))])
        line = reader.line_num
        for cells in reader:
            first, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line (spreadsheets often add one at the end)
            rows.append((first, cells))
    except csv.Error as exc:
        raise ContactImportError([(None, "", str(MSG_BAD_CSV % {"error": exc}))]) from None
    if len(rows) > MAX_ROWS:
        raise ContactImportError(
            [(None, "", str(MSG_TOO_MANY % {"count": len(rows), "max": MAX_ROWS}))]
        )
    if not rows:
        raise ContactImportError([(None, "", str(MSG_NO_ROWS))])
    return columns, rows


def _parse_time(value: str) -> tuple[datetime | None, str | None]:
    """The cell as an aware instant in UTC (:func:`core.parse.parse_instant`), or the line's
    message, which names the cell (the parser's own messages do not echo values)."""
    try:
        return parse.parse_instant(value), None
    except parse.OutsideValueError as exc:
        if exc.code == "naive":
            return None, str(MSG_NAIVE % {"value": value})
        if exc.code == "instant_range":
            return None, str(MSG_TIME_RANGE % {"value": value, **parse.RANGE})
        return None, str(MSG_TIME % {"value": value})


def _items(columns, rows) -> tuple[list[tuple[int, dict]], list[tuple[int, str, str]]]:
    """Rows as ``contacts_bulk_create`` items (channel and agent looked up in two queries)."""
    raw = []
    codes, usernames = set(), set()
    for line, cells in rows:
        values = {}
        for name, position in columns.items():
            cell = cells[position].strip() if position < len(cells) else ""
            if cell:
                values[name] = cell.lower() if name in LOWERCASE_COLUMNS else cell
        unstorable = {name for name, value in values.items() if not parse.storable(value)}
        if not unstorable:
            codes.add(values.get("channel"))
            usernames.add(values.get("agent"))
        raw.append((line, values, unstorable))
    channels = {c.code: c for c in Channel.objects.with_related().filter(code__in=codes - {None})}
    agents = {
        u.username: u for u in selectors.contact_agents().filter(username__in=usernames - {None})
    }
    items, errors, seen = [], [], {}
    for line, values, unstorable in raw:
        problems = []
        item: dict = {}
        for name, value in values.items():
            if name in unstorable:
                problems.append((name, str(MSG_NUL)))
            elif name == "channel":
                item[name] = channels.get(value)
                if item[name] is None:
                    problems.append((name, str(MSG_CHANNEL % {"value": value})))
            elif name == "agent":
                item[name] = agents.get(value)
                if item[name] is None:
                    problems.append((name, str(MSG_AGENT % {"value": value})))
            elif name in TIME_COLUMNS:
                item[name], problem = _parse_time(value)
                if problem:
                    problems.append((name, problem))
            else:
                item[name] = value
        key = (values.get("channel"), values.get("external_id"))
        if None not in key:
            if key in seen:
                problems.append(("external_id", str(MSG_REPEAT % {"line": seen[key]})))
            else:
                seen[key] = line
        if problems:
            errors.extend((line, name, message) for name, message in problems)
        else:
            items.append((line, item))
    return items, errors


def _error_order(error: tuple[int | None, str, str]) -> tuple[int, int]:
    line, column, _message = error
    return line or 0, COLUMNS.index(column) if column in COLUMNS else len(COLUMNS)


def contacts_import_csv(*, data: bytes, now: datetime | None = None) -> ImportResult:
    """Import a helpdesk export; raises :class:`ContactImportError` listing every problem.

    Nothing is written unless every row is valid: the chunks share one transaction, and the
    chunks after a bad one are still checked (then rolled back) so that every error is reported.
    """
    if len(data) > MAX_BYTES:
        raise ContactImportError([(None, "", str(MSG_TOO_BIG % {"max": MAX_BYTES // 2**20}))])
    now = now_or(now)
    columns, rows = _read(_decode(data))
    items, errors = _items(columns, rows)
    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        for start in range(0, len(items), BULK_MAX):
            chunk = items[start : start + BULK_MAX]
            try:
                bulk = contacts_bulk_create(items=[item for _, item in chunk], now=now)
            except BulkValidationError as exc:
                for index, fields in exc.errors.items():
                    line = chunk[index][0]
                    for name, messages in fields.items():
                        errors.extend((line, name, str(message)) for message in messages)
                continue
            result.created += bulk.created
            result.existing += bulk.existing
        if errors:
            transaction.set_rollback(True)
    if errors:
        errors.sort(key=_error_order)
        raise ContactImportError(errors)
    return result
