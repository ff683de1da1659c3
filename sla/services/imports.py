"""Contacts from a helpdesk's CSV export, as a background job: upload, check, import in chunks.

The upload is kept as a file (``ContactImport.file``, plain or gzip, any size up to the
``CONTACT_IMPORT_MAX_MB`` cap) and a job row. Two passes stream it, a chunk of
``CONTACT_IMPORT_CHUNK_ROWS`` rows at a time, in constant memory:

* **check**: every line parsed and validated as the import will (the same parsing, the same
  validation as :func:`contacts_bulk_create`), nothing written but the job's own counts and the
  first ``CONTACT_IMPORT_PROBLEMS_KEPT`` refused lines;
* **import**: each chunk goes through :func:`contacts_bulk_create` (the one write path, shared
  with the API) in one transaction with the job's progress (rows done, counts, byte offset), so
  a worker that dies mid-import is resumed exactly where the last committed chunk ended; a
  re-run chunk is safe anyway (idempotent on channel and external id).

Valid rows are imported and refused rows are listed with their reasons (downloadable, with the
cells as given, to be corrected and imported again). A worker holds a job through a lease
(``leased_until``, renewed with each chunk); a lease that ran out, or whose process on this host
is gone, is taken over (the SLA sweep and a starting worker look for such jobs). One import at a
time per channel: starting one takes a lock row per channel the check found in the file
(``ContactImportLock``, unique per channel), released when it ends.

Rules (shown on the import page too):

* UTF-8 with or without a byte-order mark; ``,`` or ``;`` between cells (sniffed from the header);
  the file may be gzip-compressed.
* A header row is required; ``channel``, ``external_id`` and ``opened_at`` columns must be there;
  the other known columns are optional and unknown columns are ignored.
* Times in ISO 8601 with a UTC offset; a time without an offset is refused.
* Empty cells mean "not given" (the API's defaults apply).
* The same channel and external id again in one file is refused (the file contradicts itself):
  the check finds it within a chunk, the import anywhere in the file.
* Line numbers are a spreadsheet's: header = 1.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core import parse
from core.db import retry_transient
from sla import contact_fields, selectors
from sla.models import (
    Contact,
    ContactImport,
    ContactImportLock,
    ContactImportProblem,
    ContactImportRange,
)
from sla.services.common import enqueue, now_or

# Validation only (nothing is written): the check judges a row as contacts_bulk_create will.
from sla.services.contact_input import BulkValidationError, input_errors, normalise
from sla.services.contacts import contacts_bulk_create

Status = ContactImport.Status
Phase = ContactImportProblem.Phase

#: How long a worker holds a job without news; renewed with every chunk.
LEASE = timedelta(seconds=60)
#: A task works this long, then sends itself again (short tasks; other work interleaves).
SLICE_SECONDS = 20
#: A physical line longer than this stops the file (a file without line ends is not a CSV).
MAX_LINE_BYTES = 1024 * 1024
#: Checked files nobody imported are dropped after this long (on the next upload).
UPLOAD_KEEP = timedelta(days=1)

# The columns are a contact's outside fields (sla.contact_fields), required ones first.
REQUIRED_COLUMNS = contact_fields.REQUIRED
OPTIONAL_COLUMNS = contact_fields.OPTIONAL
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
TIME_COLUMNS = contact_fields.TIMES
#: Cells of a choice are taken in any case ("High" is "high").
LOWERCASE_COLUMNS = tuple(contact_fields.CHOICES)

MSG_TOO_BIG = _("The file is larger than %(max)d MB; split it into smaller files.")
MSG_EMPTY = _("The file is empty.")
MSG_ENCODING = _("Line %(line)d is not UTF-8 text; save the file as “CSV UTF-8” and try again.")
MSG_LONG_LINE = _("Line %(line)d is longer than %(max)d MB; is this a CSV file?")
MSG_NO_ROWS = _("The file has a header row but no contacts.")
MSG_MISSING = _("The header row lacks the required column(s): %(columns)s.")
MSG_DUPLICATE_COLUMN = _("The header row names the column “%(column)s” twice.")
MSG_BAD_CSV = _("The file is not valid CSV at line %(line)d: %(error)s")
MSG_CHANNEL = _("There is no channel with the code “%(value)s”.")
MSG_AGENT = _(
    "“%(value)s” is not an active staff member or manager; only they can be a contact's agent."
)
MSG_TIME = _("“%(value)s” is not a date and time; use e.g. 2026-01-31T09:30:00+01:00.")
MSG_NAIVE = _("“%(value)s” has no UTC offset; give it as e.g. 2026-01-31T09:30:00+01:00 or …Z.")
MSG_REPEAT = _("The same channel and external id as line %(line)d.")
MSG_REPEAT_EARLIER = _("The same channel and external id as an earlier line of this file.")
MSG_NUL = _("This cell contains a NUL character, which cannot be stored; remove it.")
MSG_TIME_RANGE = _("“%(value)s” is out of range: give a time between %(min)s and %(max)s.")
MSG_GONE = _("This upload was already imported, cancelled or has expired; upload the file again.")
MSG_NOTHING = _("No row of this file can be imported.")
MSG_BUSY = _(
    "An import for the channel “%(channel)s” is running (“%(file)s”); start this one when it "
    "has finished."
)


class ContactImportError(Exception):
    """The action was refused; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _FileProblem(Exception):
    """The file cannot be read further (encoding, CSV syntax, header)."""


def max_bytes() -> int:
    return settings.CONTACT_IMPORT_MAX_MB * 2**20


def chunk_rows() -> int:
    """Rows per chunk: one transaction, one contacts_bulk_create call, one progress update."""
    return settings.CONTACT_IMPORT_CHUNK_ROWS


def problems_kept() -> int:
    return settings.CONTACT_IMPORT_PROBLEMS_KEPT


# -- reading the file, a line at a time ----------------------------------------------------------


class _Lines:
    """The file's physical lines as text, counting lines and (uncompressed) bytes consumed.

    ``csv.reader`` pulls lines only as it needs them, so after it yields a record ``offset`` is
    exactly where the next record starts: the resume point stored with each chunk.
    """

    def __init__(self, stream, *, offset: int = 0, line: int = 0):
        self.stream, self.offset, self.line = stream, offset, line

    def __iter__(self):
        return self

    def __next__(self) -> str:
        data = self.stream.readline(MAX_LINE_BYTES)
        if not data:
            raise StopIteration
        self.line += 1
        if len(data) == MAX_LINE_BYTES and not data.endswith(b"\n"):
            raise _FileProblem(MSG_LONG_LINE % {"line": self.line, "max": MAX_LINE_BYTES // 2**20})
        try:
            text = data.decode("utf-8-sig" if self.offset == 0 else "utf-8")
        except UnicodeDecodeError:
            raise _FileProblem(MSG_ENCODING % {"line": self.line}) from None
        self.offset += len(data)
        return text


@dataclass
class _Reader:
    raw: object  # the stored file (its position is the check's progress)
    lines: _Lines
    records: Iterator
    columns: dict[str, int]

    def close(self) -> None:
        self.raw.close()


def _delimiter(header: str) -> str:
    try:
        return csv.Sniffer().sniff(header, delimiters=",;").delimiter
    except csv.Error:
        return ";" if header.count(";") > header.count(",") else ","


def _header_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, name in enumerate(header):
        name = name.strip().lower()
        if name in COLUMNS:
            if name in columns:
                raise _FileProblem(MSG_DUPLICATE_COLUMN % {"column": name})
            columns[name] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise _FileProblem(MSG_MISSING % {"columns": ", ".join(missing)})
    return columns


def _records(reader, lines: _Lines):
    """(first line, cells) of each record, skipping blank lines."""
    while True:
        first = lines.line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _FileProblem(MSG_BAD_CSV % {"line": first, "error": exc}) from None
        if any(cell.strip() for cell in cells):
            yield first, cells


def _open(job: ContactImport, *, offset: int, line: int) -> _Reader:
    """The job's file (gunzipped when it is gzip), its header read, positioned at ``offset``."""
    raw = job.file.storage.open(job.file.name, "rb")
    try:
        stream = gzip.GzipFile(fileobj=raw) if raw.read(2) == b"\x1f\x8b" else raw
        raw.seek(0)
        lines = _Lines(stream)
        first = next((text for text in lines if text.strip()), None)
        if first is None:
            raise _FileProblem(MSG_EMPTY)
        delimiter = _delimiter(first.split("\n", 1)[0])
        reader = csv.reader(chain([first], lines), delimiter=delimiter)
        try:
            header = next(reader)
        except csv.Error as exc:
            raise _FileProblem(MSG_BAD_CSV % {"line": 1, "error": exc}) from None
        columns = _header_columns(header)
        if offset > lines.offset:
            stream.seek(offset)
            lines.offset, lines.line = offset, line
        reader = csv.reader(lines, delimiter=delimiter)
        return _Reader(raw, lines, _records(reader, lines), columns)
    except BaseException:
        raw.close()
        raise


# -- one chunk: cells to contacts_bulk_create items ----------------------------------------------


def _parse_time(value: str) -> tuple[datetime | None, str | None]:
    """The cell as an aware instant (:func:`core.parse.parse_instant`), or the line's message."""
    try:
        return parse.parse_instant(value), None
    except parse.OutsideValueError as exc:
        if exc.code == "naive":
            return None, str(MSG_NAIVE % {"value": value})
        if exc.code == "instant_range":
            return None, str(MSG_TIME_RANGE % {"value": value, **parse.RANGE})
        return None, str(MSG_TIME % {"value": value})


class _Lookups:
    """Channels and agents by code and username, asked once per new name (bounded caches)."""

    LIMIT = 10_000

    def __init__(self, channel_ids: set[int] | None = None):
        self.channels: dict[str, Channel | None] = {}
        self.agents: dict[str, object] = {}
        self.channel_ids = channel_ids  # the import: only the channels it holds

    def resolve(self, codes: set, usernames: set) -> None:
        for cache in (self.channels, self.agents):
            if len(cache) > self.LIMIT:
                cache.clear()
        codes = codes - self.channels.keys() - {None}
        if codes:
            found = Channel.objects.with_related().filter(code__in=codes)
            if self.channel_ids is not None:
                found = found.filter(pk__in=self.channel_ids)
            found = {channel.code: channel for channel in found}
            self.channels.update({code: found.get(code) for code in codes})
        usernames = usernames - self.agents.keys() - {None}
        if usernames:
            found = {
                u.username: u for u in selectors.contact_agents().filter(username__in=usernames)
            }
            self.agents.update({name: found.get(name) for name in usernames})


@dataclass
class _Chunk:
    rows: int  # data rows read
    items: list  # (line, item, cells) of the rows that parse
    problems: dict  # line -> [(column, message)]
    cells: dict  # line -> {column: cell} of every row (for the refused ones' record)
    # Every existing channel the rows name, refused rows too: the import looks channels up
    # only among the job's, and a row refused for another reason must not gain "no channel".
    channel_ids: set = field(default_factory=set)


def _chunk(records: Iterator, columns: dict[str, int], lookups: _Lookups) -> _Chunk:
    raw = []
    codes, usernames = set(), set()
    size = chunk_rows()
    for line, cells in records:
        values = {}
        for name, position in columns.items():
            cell = cells[position].strip() if position < len(cells) else ""
            if cell:
                values[name] = cell.lower() if name in LOWERCASE_COLUMNS else cell
        # Text decoded from UTF-8 has no lone surrogate: only a NUL can be unstorable.
        unstorable = (
            {name for name, value in values.items() if not parse.storable(value)}
            if any("\x00" in value for value in values.values())
            else ()
        )
        if not unstorable:
            codes.add(values.get("channel"))
            usernames.add(values.get("agent"))
        raw.append((line, values, unstorable))
        if len(raw) == size:
            break
    lookups.resolve(codes, usernames)
    chunk = _Chunk(rows=len(raw), items=[], problems={}, cells={})
    seen: dict = {}
    for line, values, unstorable in raw:
        chunk.cells[line] = {
            name: value for name, value in values.items() if name not in unstorable
        }
        problems = []
        item: dict = {}
        for name, value in values.items():
            if name in unstorable:
                problems.append((name, str(MSG_NUL)))
            elif name == "channel":
                item[name] = lookups.channels.get(value)
                if item[name] is None:
                    problems.append((name, str(MSG_CHANNEL % {"value": value})))
                else:
                    chunk.channel_ids.add(item[name].pk)
            elif name == "agent":
                item[name] = lookups.agents.get(value)
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
            chunk.problems[line] = problems
        else:
            chunk.items.append((line, item))
    return chunk


def _add_errors(chunk: _Chunk, line: int, fields: dict) -> None:
    for name, messages in fields.items():
        chunk.problems.setdefault(line, []).extend((name, str(m)) for m in messages)


def _order(problems: list) -> list:
    return sorted(problems, key=lambda p: COLUMNS.index(p[0]) if p[0] in COLUMNS else len(COLUMNS))


def _store_problems(job: ContactImport, phase: str, chunk: _Chunk, refused_before: int) -> None:
    """Keep the chunk's refused lines while fewer than the limit are kept for this pass."""
    room = problems_kept() - refused_before
    if room <= 0 or not chunk.problems:
        return
    ContactImportProblem.objects.bulk_create(
        [
            ContactImportProblem(
                contact_import=job,
                phase=phase,
                line=line,
                reasons=[list(p) for p in _order(chunk.problems[line])],
                cells=chunk.cells.get(line, {}),
            )
            for line in sorted(chunk.problems)[:room]
        ]
    )


# -- the job: lease, passes, progress ------------------------------------------------------------


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _holder_gone(holder: str) -> bool:
    """True when the lease holder was a process on this host that no longer exists."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return _zombie(int(pid))


def _zombie(pid: int) -> bool:
    """A killed process whose parent died too stays a zombie until something reaps it (a
    container's init may never): it answers signal 0 but holds nothing (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _lease_free(job: ContactImport, now: datetime) -> bool:
    return job.leased_until is None or job.leased_until <= now or _holder_gone(job.leased_by)


def _locked(pk: int):
    jobs = ContactImport.objects.filter(pk=pk)
    if connection.features.has_select_for_update_skip_locked:
        return jobs.select_for_update(skip_locked=True)
    return jobs.select_for_update()


def _claim(pk: int, now: datetime) -> tuple[ContactImport | None, str]:
    """Hold a running job (None when it is not running or another live worker holds it)."""
    with transaction.atomic():
        job = _locked(pk).first()
        if job is None or not job.running or not _lease_free(job, now):
            return None, ""
        holder = _holder()
        job.leased_by, job.leased_until = holder, now + LEASE
        job.save(update_fields=["leased_by", "leased_until"])
    return job, holder


def _release(pk: int, holder: str) -> None:
    ContactImport.objects.filter(pk=pk, leased_by=holder).update(leased_until=None, leased_by="")


def _held(pk: int, holder: str, status: str) -> ContactImport | None:
    """The job, row-locked, if this worker still holds it in this pass (else None)."""
    job = ContactImport.objects.select_for_update().filter(pk=pk).first()
    if job is None or job.leased_by != holder or job.status != status:
        return None
    return job


def _advance_position(job: ContactImport, reader: _Reader, now: datetime) -> None:
    job.offset, job.line = reader.lines.offset, reader.lines.line
    job.read_bytes = reader.raw.tell()
    job.updated_at, job.leased_until = now, now + LEASE


@retry_transient
def _check_chunk(pk: int, holder: str, chunk: _Chunk, reader: _Reader, now: datetime) -> bool:
    """Record one checked chunk: counts, kept problems, where the check got to."""
    job = _held(pk, holder, Status.CHECKING)
    if job is None:
        return False
    for line, item in chunk.items:
        errors = input_errors(normalise(item), now=now)
        if errors:
            _add_errors(chunk, line, errors)
    valid = [(line, item) for line, item in chunk.items if line not in chunk.problems]
    keys = {(item["channel"].pk, item["external_id"]) for _, item in valid}
    existing = set()
    if keys:
        existing = set(
            Contact.objects.filter(
                channel_id__in={c for c, _ in keys}, external_id__in={e for _, e in keys}
            ).values_list("channel_id", "external_id")
        )
    there = sum((item["channel"].pk, item["external_id"]) in existing for _, item in valid)
    _store_problems(job, Phase.CHECK, chunk, job.check_refused)
    job.rows += chunk.rows
    job.check_refused += len(chunk.problems)
    job.check_existing += there
    job.check_create += len(valid) - there
    job.channel_ids = sorted(set(job.channel_ids) | chunk.channel_ids)
    _advance_position(job, reader, now)
    job.save()
    return True


def _ranges(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as (first, last) runs of consecutive ids."""
    runs: list[tuple[int, int]] = []
    for pk in sorted(ids):
        if runs and pk == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    return runs


class _Created:
    """The ids this job created so far, as ranges, to tell a repeat of an earlier line."""

    def __init__(self, job_id: int):
        self.runs = sorted(
            ContactImportRange.objects.filter(contact_import_id=job_id).values_list(
                "first_id", "last_id"
            )
        )

    def add(self, runs) -> None:
        self.runs = sorted(self.runs + list(runs))

    def __contains__(self, pk: int) -> bool:
        index = bisect.bisect_right(self.runs, (pk, float("inf"))) - 1
        return index >= 0 and self.runs[index][0] <= pk <= self.runs[index][1]


@retry_transient
def _import_chunk(
    pk: int, holder: str, chunk: _Chunk, reader: _Reader, now: datetime, created: _Created
) -> list | None:
    """Import one chunk and record the job's progress in the same transaction; the new id
    ranges, or None when this worker no longer holds the job."""
    job = _held(pk, holder, Status.IMPORTING)
    if job is None:
        return None
    pending = chunk.items
    created_ids, existing = [], []
    while pending:
        try:
            result = contacts_bulk_create(
                items=[item for _, item in pending], now=now, max_items=len(pending)
            )
        except BulkValidationError as exc:
            for index, fields in exc.errors.items():
                _add_errors(chunk, pending[index][0], fields)
            pending = [p for index, p in enumerate(pending) if index not in exc.errors]
            continue
        for (line, _item), contact_id, new in zip(
            pending, result.ids, result.created_flags, strict=True
        ):
            if new:
                created_ids.append(contact_id)
            else:
                existing.append((line, contact_id))
        break
    runs = _ranges(created_ids)
    ContactImportRange.objects.bulk_create(
        ContactImportRange(contact_import=job, first_id=first, last_id=last) for first, last in runs
    )
    repeats = 0
    for line, contact_id in existing:
        if contact_id in created:  # created by an earlier chunk of this file
            chunk.problems.setdefault(line, []).append(("external_id", str(MSG_REPEAT_EARLIER)))
            repeats += 1
    _store_problems(job, Phase.IMPORT, chunk, job.refused)
    job.rows_done += chunk.rows
    job.created += len(created_ids)
    job.existing += len(existing) - repeats
    job.refused += len(chunk.problems)
    _advance_position(job, reader, now)
    job.save()
    return runs


def _finish(pk: int, holder: str, status: str, *, now: datetime, error: str = "") -> None:
    with transaction.atomic():
        job = _held(pk, holder, status)
        if job is None:
            return
        job.leased_until, job.leased_by = None, ""
        job.offset = job.line = job.read_bytes = 0
        if error:
            job.status, job.error = Status.REJECTED, error
        elif status == Status.CHECKING:
            if job.rows == 0:
                job.status, job.error = Status.REJECTED, str(MSG_NO_ROWS)
            else:
                job.status = Status.CHECKED
        else:
            job.status, job.imported_at = Status.DONE, now
        job.updated_at = now
        job.save()
        if job.status != Status.CHECKED:
            ContactImportLock.objects.filter(contact_import=job).delete()
            _drop_file(job)


def _drop_file(job: ContactImport) -> None:
    """The stored upload is no longer needed (imported, refused or cancelled): free the disk."""
    if job.file:
        name = job.file.name
        transaction.on_commit(lambda: job.file.storage.delete(name))
        ContactImport.objects.filter(pk=job.pk).update(file="")


#: What :func:`contact_import_advance` tells its caller.
DONE, PAUSED, BUSY = "done", "paused", "busy"


def contact_import_advance(
    *,
    import_id: int,
    max_seconds: float = SLICE_SECONDS,
    max_chunks: int | None = None,
    progress: Callable[[ContactImport], None] | None = None,
) -> str:
    """Work on a running job (its check or its import) for a while, a chunk at a time.

    Answers ``DONE`` (the pass ended: nothing more to do), ``PAUSED`` (time or ``max_chunks``
    is up: run again to go on) or ``BUSY`` (another live worker holds it, or it is not running).
    Safe to call any number of times, from any number of workers: only the lease holder writes.
    """
    job, holder = _claim(import_id, timezone.now())
    if job is None:
        return BUSY
    status = job.status
    lookups = _Lookups(set(job.channel_ids) if status == Status.IMPORTING else None)
    created = _Created(job.pk) if status == Status.IMPORTING else None
    started = time.monotonic()
    chunks = 0
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            reader = _open(job, offset=job.offset, line=job.line)
        except _FileProblem as exc:
            _finish(import_id, holder, status, now=timezone.now(), error=str(exc))
            return DONE
        except FileNotFoundError:
            _finish(import_id, holder, status, now=timezone.now(), error=str(MSG_GONE))
            return DONE
        try:
            while True:
                try:
                    chunk = _chunk(reader.records, reader.columns, lookups)
                except _FileProblem as exc:
                    _finish(import_id, holder, status, now=timezone.now(), error=str(exc))
                    return DONE
                if not chunk.rows:
                    _finish(import_id, holder, status, now=timezone.now())
                    return DONE
                if status == Status.CHECKING:
                    written = _check_chunk(import_id, holder, chunk, reader, timezone.now())
                else:
                    written = _import_chunk(
                        import_id, holder, chunk, reader, timezone.now(), created
                    )
                    if written is not None:
                        created.add(written)
                if written is None or written is False:
                    return BUSY  # cancelled, or the lease was taken over
                chunks += 1
                if progress is not None:
                    progress(ContactImport.objects.get(pk=import_id))
                if (max_chunks is not None and chunks >= max_chunks) or (
                    time.monotonic() - started >= max_seconds
                ):
                    _release(import_id, holder)
                    return PAUSED
        finally:
            reader.close()


# -- the actions: upload, start, cancel; stalled jobs --------------------------------------------


def _purge(now: datetime) -> None:
    """Uploads never imported and past ``UPLOAD_KEEP`` go, files and all."""
    stale = ContactImport.objects.filter(
        status__in=[Status.CHECKED, Status.REJECTED, Status.CANCELLED],
        created_at__lt=now - UPLOAD_KEEP,
    )
    for job in stale.exclude(file=""):
        job.file.storage.delete(job.file.name)
    stale.filter(contacts__isnull=True, ranges__isnull=True).delete()


def contact_import_create(
    *, file, file_name: str, user=None, language: str = "", now=None, run: bool = True
) -> ContactImport:
    """Keep an uploaded file and start its check (a task; ``run=False`` for in-process use).

    ``file`` is any file object (Django's uploaded file, an open file): it is copied to storage
    in chunks, never read whole.
    """
    now = now_or(now)
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes():
        raise ContactImportError(str(MSG_TOO_BIG % {"max": settings.CONTACT_IMPORT_MAX_MB}))
    _purge(now)
    job = ContactImport(
        created_by=user,
        file_name=file_name[:255],
        language=language,
        status=Status.CHECKING,
        created_at=now,
        started_at=now,
    )
    job.file.save("contacts.csv", file if isinstance(file, File) else File(file), save=False)
    job.size = job.file.size
    if job.size > max_bytes():  # a file object that did not know its size (the command's)
        job.file.storage.delete(job.file.name)
        raise ContactImportError(str(MSG_TOO_BIG % {"max": settings.CONTACT_IMPORT_MAX_MB}))
    with transaction.atomic():
        job.save()
        if run:
            _enqueue(job.pk)
    return job


def _enqueue(pk: int) -> None:
    from sla import tasks

    enqueue(tasks.import_contacts, pk)


@retry_transient
def contact_import_start(*, import_id: int, user=None, now=None, run: bool = True) -> ContactImport:
    """Start importing a checked upload: one running import per channel (``MSG_BUSY``)."""
    now = now_or(now)
    job = ContactImport.objects.select_for_update().filter(pk=import_id).first()
    if job is None or job.status != Status.CHECKED or (user and job.created_by_id != user.pk):
        raise ContactImportError(str(MSG_GONE))
    if not job.channel_ids:
        raise ContactImportError(str(MSG_NOTHING))
    try:
        with transaction.atomic():
            ContactImportLock.objects.bulk_create(
                [ContactImportLock(channel_id=pk, contact_import=job) for pk in job.channel_ids]
            )
    except IntegrityError:
        lock = (
            ContactImportLock.objects.filter(channel_id__in=job.channel_ids)
            .select_related("channel", "contact_import")
            .first()
        )
        channel, other = (lock.channel.code, lock.contact_import.file_name) if lock else ("", "")
        raise ContactImportError(str(MSG_BUSY % {"channel": channel, "file": other})) from None
    job.status = Status.IMPORTING
    job.offset = job.line = job.read_bytes = 0
    job.started_at = job.updated_at = now
    job.leased_until, job.leased_by = None, ""
    job.save()
    if run:
        _enqueue(job.pk)
    return job


@transaction.atomic
def contact_import_cancel(*, import_id: int, user=None) -> ContactImport:
    """Stop a job before it ends (an import stops after its current chunk; what was imported
    stays) and drop its file."""
    job = ContactImport.objects.select_for_update().filter(pk=import_id).first()
    if job is None or (user and job.created_by_id != user.pk):
        raise ContactImportError(str(MSG_GONE))
    if job.status in (Status.CHECKING, Status.CHECKED, Status.IMPORTING):
        job.status = Status.CANCELLED
        job.leased_until, job.leased_by = None, ""
        job.save()
        ContactImportLock.objects.filter(contact_import=job).delete()
        _drop_file(job)
    return job


def contact_imports_stalled(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Running jobs nobody works on: the lease ran out (or was released and its message lost),
    or its holder was a process on this host that is gone (a restarted worker)."""
    now = now_or(now)
    running = ContactImport.objects.filter(status__in=[Status.CHECKING, Status.IMPORTING])
    ids = list(
        running.filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now)).values_list(
            "pk", flat=True
        )[:limit]
    )
    held = running.filter(leased_until__gt=now).values_list("pk", "leased_by")[:limit]
    ids += [pk for pk, holder in held if _holder_gone(holder)]
    return ids


def contact_imports_resume(*, now: datetime | None = None) -> int:
    """Send the task again for every stalled job (the SLA sweep and a starting worker)."""
    ids = contact_imports_stalled(now=now)
    for pk in ids:
        _enqueue(pk)
    return len(ids)
