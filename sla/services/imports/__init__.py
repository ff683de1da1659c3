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

By job: ``reading`` (the file), ``rows`` (cells to items), ``lease`` (which worker holds a job),
``passes`` (the check and the import, chunk by chunk), ``jobs`` (upload, start, cancel, resume).
Import the public names from here (or ``sla.services``); a module's own limits
(``reading.MAX_LINE_BYTES``, ``passes.SLICE_SECONDS``, ``jobs.UPLOAD_KEEP``) are read there.
"""

from sla.services.imports.jobs import (
    MSG_BUSY,
    MSG_NOTHING,
    MSG_TOO_BIG,
    ContactImportError,
    contact_import_cancel,
    contact_import_create,
    contact_import_start,
    contact_imports_resume,
    max_bytes,
)
from sla.services.imports.lease import LEASE, contact_imports_stalled
from sla.services.imports.passes import (
    BUSY,
    DONE,
    MSG_GONE,
    MSG_NO_ROWS,
    PAUSED,
    contact_import_advance,
    problems_kept,
)
from sla.services.imports.reading import (
    COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
)
from sla.services.imports.rows import LOWERCASE_COLUMNS, TIME_COLUMNS, chunk_rows

__all__ = [
    "BUSY",
    "COLUMNS",
    "DONE",
    "LEASE",
    "LOWERCASE_COLUMNS",
    "MSG_BUSY",
    "MSG_GONE",
    "MSG_NOTHING",
    "MSG_NO_ROWS",
    "MSG_TOO_BIG",
    "OPTIONAL_COLUMNS",
    "PAUSED",
    "REQUIRED_COLUMNS",
    "TIME_COLUMNS",
    "ContactImportError",
    "chunk_rows",
    "contact_import_advance",
    "contact_import_cancel",
    "contact_import_create",
    "contact_import_start",
    "contact_imports_resume",
    "contact_imports_stalled",
    "max_bytes",
    "problems_kept",
]
