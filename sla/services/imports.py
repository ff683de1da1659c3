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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core import parse
from core.db import retry_transient
from sla import selectors
from sla.models import Contact, ContactImport
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


@dataclass
class LineOutcome:
    """What the import does (or would do) with one data line."""

    line: int
    channel: str
    external_id: str
    outcome: str  # CREATE, EXISTING or REFUSED
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


CREATE, EXISTING, REFUSED = "create", "existing", "refused"


@dataclass
class ImportCheck:
    """The check step's report: every line in file order, grouped by outcome on the page."""

    rows: int
    lines: list[LineOutcome]

    def of(self, outcome: str) -> list[LineOutcome]:
        return [line for line in self.lines if line.outcome == outcome]

    @property
    def created(self) -> int:
        return len(self.of(CREATE))

    @property
    def existing(self) -> int:
        return len(self.of(EXISTING))

    @property
    def refused(self) -> int:
        return len(self.of(REFUSED))


def _run(items, errors, *, now: datetime, check: bool, batch=None) -> dict[int, bool]:
    """Every chunk through ``contacts_bulk_create``: line -> created (True) or existing.

    The real import checks the chunks after a bad one too (so every error is reported) and the
    caller rolls back. The check goes further: the good rows of a chunk with bad ones are run
    again without them, so each line gets its own outcome.
    """
    outcomes: dict[int, bool] = {}
    for start in range(0, len(items), BULK_MAX):
        pending = items[start : start + BULK_MAX]
        while pending:
            try:
                bulk = contacts_bulk_create(items=[item for _, item in pending], now=now)
            except BulkValidationError as exc:
                for index, fields in exc.errors.items():
                    line = pending[index][0]
                    for name, messages in fields.items():
                        errors.extend((line, name, str(message)) for message in messages)
                if not check:
                    break
                pending = [p for index, p in enumerate(pending) if index not in exc.errors]
                continue
            for (line, _item), created in zip(pending, bulk.created_flags, strict=True):
                outcomes[line] = created
            if batch is not None:
                new = [
                    pk for pk, created in zip(bulk.ids, bulk.created_flags, strict=True) if created
                ]
                Contact.objects.filter(pk__in=new).update(import_batch=batch)
            break
    return outcomes


def contacts_import_check(*, data: bytes, now: datetime | None = None) -> ImportCheck:
    """What importing ``data`` would do, line by line; nothing is kept.

    Runs exactly the real import's path (the same parsing and ``contacts_bulk_create``) inside a
    transaction that is always rolled back, so "would create" means what the import will create
    (unless someone adds the same contacts meanwhile). A file-level problem (encoding, header,
    size) raises :class:`ContactImportError`, as the import does.
    """
    if len(data) > MAX_BYTES:
        raise ContactImportError([(None, "", str(MSG_TOO_BIG % {"max": MAX_BYTES // 2**20}))])
    now = now_or(now)
    columns, rows = _read(_decode(data))
    items, errors = _items(columns, rows)
    with transaction.atomic():
        outcomes = _run(items, errors, now=now, check=True)
        transaction.set_rollback(True)
    problems: dict[int, list[tuple[str, str]]] = {}
    for line, column, message in sorted(errors, key=_error_order):
        problems.setdefault(line, []).append((column, message))
    lines = []
    for line, cells in rows:
        key = {
            name: cells[columns[name]].strip() if columns[name] < len(cells) else ""
            for name in ("channel", "external_id")
        }
        outcome = REFUSED if line in problems else CREATE if outcomes.get(line) else EXISTING
        lines.append(
            LineOutcome(line, key["channel"], key["external_id"], outcome, problems.get(line, []))
        )
    return ImportCheck(rows=len(rows), lines=lines)


@retry_transient  # its chunks share one transaction: only the whole import can run again
def contacts_import_csv(*, data: bytes, now: datetime | None = None, batch=None) -> ImportResult:
    """Import a helpdesk export; raises :class:`ContactImportError` listing every problem.

    Nothing is written unless every row is valid: the chunks share one transaction, and the
    chunks after a bad one are still checked (then rolled back) so that every error is reported.
    The contacts created point to ``batch`` (a :class:`~sla.models.ContactImport`) when given.
    """
    if len(data) > MAX_BYTES:
        raise ContactImportError([(None, "", str(MSG_TOO_BIG % {"max": MAX_BYTES // 2**20}))])
    now = now_or(now)
    columns, rows = _read(_decode(data))
    items, errors = _items(columns, rows)
    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        outcomes = _run(items, errors, now=now, check=False, batch=batch)
        if errors:
            transaction.set_rollback(True)
    if errors:
        errors.sort(key=_error_order)
        raise ContactImportError(errors)
    result.created = sum(outcomes.values())
    result.existing = len(outcomes) - result.created
    return result


# -- the two steps: upload and check, then import ------------------------------------------------

MSG_GONE = _("This upload was already imported or has expired; upload the file again.")
#: Checked files nobody imported are dropped after this long (on the next upload).
UPLOAD_KEEP = timedelta(days=1)


def contact_import_upload(
    *, data: bytes, file_name: str, user, now: datetime | None = None
) -> ContactImport:
    """Keep a checked file until its uploader confirms the import (any web process may answer)."""
    now = now_or(now)
    ContactImport.objects.filter(imported_at=None, created_at__lt=now - UPLOAD_KEEP).delete()
    return ContactImport.objects.create(
        created_by=user, file_name=file_name[:255], data=data, created_at=now
    )


def contact_import_run(*, upload_id: int, user, now: datetime | None = None) -> ContactImport:
    """Import a checked upload once (a second click or another tab finds it done): the same
    path as :func:`contacts_import_csv`, the created contacts marked with the upload."""
    now = now_or(now)
    with transaction.atomic():
        upload = (
            ContactImport.objects.select_for_update()
            .filter(pk=upload_id, created_by=user, imported_at=None)
            .first()
        )
        if upload is None:
            raise ContactImportError([(None, "", str(MSG_GONE))])
        result = contacts_import_csv(data=bytes(upload.data), now=now, batch=upload)
        upload.imported_at = now
        upload.rows, upload.created, upload.existing = result.rows, result.created, result.existing
        upload.data = b""  # the contacts are the record now
        upload.save()
    return upload
