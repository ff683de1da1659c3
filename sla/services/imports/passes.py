"""The check and import passes, a chunk at a time under the lease, and their end."""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.db import retry_transient
from sla.models import (
    ContactImport,
    ContactImportLock,
    ContactImportProblem,
    ContactImportRange,
)

# Validation only (nothing is written): the check judges a row as contacts_bulk_create will.
from sla.services.contact_input import BulkValidationError, input_errors, normalise
from sla.services.contacts import contacts_bulk_create, existing_ids
from sla.services.imports.lease import LEASE, claim, held, release
from sla.services.imports.reading import COLUMNS, FileProblem, Reader, open_reader
from sla.services.imports.rows import Chunk, Lines, Lookups, add_errors, chunk_of, read_lines

Status = ContactImport.Status
Phase = ContactImportProblem.Phase

#: A task works this long, then sends itself again (short tasks; other work interleaves).
SLICE_SECONDS = 20

MSG_NO_ROWS = _("The file has a header row but no contacts.")
MSG_REPEAT_EARLIER = _("The same channel and external id as an earlier line of this file.")
MSG_GONE = _("This upload was already imported, cancelled or has expired; upload the file again.")


def problems_kept() -> int:
    return settings.CONTACT_IMPORT_PROBLEMS_KEPT


def _order(problems: list) -> list:
    return sorted(problems, key=lambda p: COLUMNS.index(p[0]) if p[0] in COLUMNS else len(COLUMNS))


def _store_problems(job: ContactImport, phase: str, chunk: Chunk, refused_before: int) -> None:
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


def _advance_position(job: ContactImport, chunk: Chunk, now: datetime) -> None:
    job.offset, job.line, job.read_bytes = chunk.end
    job.updated_at, job.leased_until = now, now + LEASE


@retry_transient
def _check_chunk(pk: int, holder: str, chunk: Chunk, now: datetime) -> bool:
    """Record one checked chunk: counts, kept problems, where the check got to."""
    job = held(pk, holder, Status.CHECKING)
    if job is None:
        return False
    chunk.start_pass()
    for line, item in chunk.items:
        errors = input_errors(normalise(item), now=now)
        if errors:
            add_errors(chunk, line, errors)
    valid = [(line, item) for line, item in chunk.items if line not in chunk.problems]
    keys = {(item["channel"].pk, item["external_id"]) for _, item in valid}
    existing = existing_ids(keys)
    there = sum((item["channel"].pk, item["external_id"]) in existing for _, item in valid)
    _store_problems(job, Phase.CHECK, chunk, job.check_refused)
    job.rows += chunk.rows
    job.check_refused += len(chunk.problems)
    job.check_existing += there
    job.check_create += len(valid) - there
    job.channel_ids = sorted(set(job.channel_ids) | chunk.channel_ids)
    _advance_position(job, chunk, now)
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
    pk: int, holder: str, chunk: Chunk, now: datetime, created: _Created
) -> list | None:
    """Import one chunk and record the job's progress in the same transaction; the new id
    ranges, or None when this worker no longer holds the job."""
    job = held(pk, holder, Status.IMPORTING)
    if job is None:
        return None
    chunk.start_pass()
    pending = chunk.items
    created_ids, existing = [], []
    while pending:
        try:
            result = contacts_bulk_create(
                items=[item for _, item in pending],
                now=now,
                max_items=len(pending),
                invite_customers=job.invite_customers,
            )
        except BulkValidationError as exc:
            for index, fields in exc.errors.items():
                add_errors(chunk, pending[index][0], fields)
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
    _advance_position(job, chunk, now)
    job.save()
    return runs


def _finish(pk: int, holder: str, status: str, *, now: datetime, error: str = "") -> None:
    with transaction.atomic():
        job = held(pk, holder, status)
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
            drop_file(job)


def drop_file(job: ContactImport) -> None:
    """The stored upload is no longer needed (imported, refused or cancelled): free the disk."""
    if job.file:
        name = job.file.name
        transaction.on_commit(lambda: job.file.storage.delete(name))
        ContactImport.objects.filter(pk=job.pk).update(file="")


class _ReadAhead:
    """A chunk's lines, and for the import the next chunk's read meanwhile by a thread: writing
    a chunk waits on the database about half the time, and reading (CSV, times) needs none. The
    check reads in turn: it is busy in Python throughout."""

    def __init__(self, reader: Reader, *, threaded: bool, language: str):
        self._reader, self._language = reader, language
        self._pool = ThreadPoolExecutor(max_workers=1) if threaded else None
        self._pending: Future | None = None

    def _read(self) -> Lines:
        with translation.override(self._language):  # the lines' messages, in the job's language
            return read_lines(self._reader)

    def next(self) -> Lines:
        """The next chunk's lines (no rows at the end); raises ``FileProblem`` as reading does."""
        if self._pool is None:
            return read_lines(self._reader)
        pending = self._pending or self._pool.submit(self._read)
        self._pending = None
        lines = pending.result()
        if lines.rows:
            self._pending = self._pool.submit(self._read)
        return lines

    def close(self) -> None:
        """Wait for a read in flight before the file closes (what it read is read again on
        resuming: the job's position is the last chunk recorded)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


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
    job, holder = claim(import_id, timezone.now())
    if job is None:
        return BUSY
    status = job.status
    lookups = Lookups(set(job.channel_ids) if status == Status.IMPORTING else None)
    created = _Created(job.pk) if status == Status.IMPORTING else None
    started = time.monotonic()
    chunks = 0
    language = job.language or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            reader = open_reader(job, offset=job.offset, line=job.line)
        except FileProblem as exc:
            _finish(import_id, holder, status, now=timezone.now(), error=str(exc))
            return DONE
        except FileNotFoundError:
            _finish(import_id, holder, status, now=timezone.now(), error=str(MSG_GONE))
            return DONE
        ahead = _ReadAhead(reader, threaded=status == Status.IMPORTING, language=language)
        try:
            while True:
                try:
                    chunk = chunk_of(ahead.next(), lookups)
                except FileProblem as exc:
                    _finish(import_id, holder, status, now=timezone.now(), error=str(exc))
                    return DONE
                if not chunk.rows:
                    _finish(import_id, holder, status, now=timezone.now())
                    return DONE
                if status == Status.CHECKING:
                    written = _check_chunk(import_id, holder, chunk, timezone.now())
                else:
                    written = _import_chunk(import_id, holder, chunk, timezone.now(), created)
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
                    release(import_id, holder)
                    return PAUSED
        finally:
            ahead.close()
            reader.close()
