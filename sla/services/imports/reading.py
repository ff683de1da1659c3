"""Reading an uploaded CSV file: gunzip, UTF-8 lines, delimiter, header columns, records."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from django.utils.translation import gettext_lazy as _

from sla import contact_fields
from sla.models import ContactImport

#: A physical line longer than this stops the file (a file without line ends is not a CSV).
MAX_LINE_BYTES = 1024 * 1024

# The columns are a contact's outside fields (sla.contact_fields), required ones first.
REQUIRED_COLUMNS = contact_fields.REQUIRED
OPTIONAL_COLUMNS = contact_fields.OPTIONAL
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

MSG_EMPTY = _("The file is empty.")
MSG_ENCODING = _("Line %(line)d is not UTF-8 text; save the file as “CSV UTF-8” and try again.")
MSG_LONG_LINE = _("Line %(line)d is longer than %(max)d MB; is this a CSV file?")
MSG_MISSING = _("The header row lacks the required column(s): %(columns)s.")
MSG_DUPLICATE_COLUMN = _("The header row names the column “%(column)s” twice.")
MSG_BAD_CSV = _("The file is not valid CSV at line %(line)d: %(error)s")


class FileProblem(Exception):
    """The file cannot be read further (encoding, CSV syntax, header)."""


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
            raise FileProblem(MSG_LONG_LINE % {"line": self.line, "max": MAX_LINE_BYTES // 2**20})
        try:
            text = data.decode("utf-8-sig" if self.offset == 0 else "utf-8")
        except UnicodeDecodeError:
            raise FileProblem(MSG_ENCODING % {"line": self.line}) from None
        self.offset += len(data)
        return text


@dataclass
class Reader:
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
                raise FileProblem(MSG_DUPLICATE_COLUMN % {"column": name})
            columns[name] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise FileProblem(MSG_MISSING % {"columns": ", ".join(missing)})
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
            raise FileProblem(MSG_BAD_CSV % {"line": first, "error": exc}) from None
        if any(cell.strip() for cell in cells):
            yield first, cells


def open_reader(job: ContactImport, *, offset: int, line: int) -> Reader:
    """The job's file (gunzipped when it is gzip), its header read, positioned at ``offset``."""
    raw = job.file.storage.open(job.file.name, "rb")
    try:
        stream = gzip.GzipFile(fileobj=raw) if raw.read(2) == b"\x1f\x8b" else raw
        raw.seek(0)
        lines = _Lines(stream)
        first = next((text for text in lines if text.strip()), None)
        if first is None:
            raise FileProblem(MSG_EMPTY)
        delimiter = _delimiter(first.split("\n", 1)[0])
        reader = csv.reader(chain([first], lines), delimiter=delimiter)
        try:
            header = next(reader)
        except csv.Error as exc:
            raise FileProblem(MSG_BAD_CSV % {"line": 1, "error": exc}) from None
        columns = _header_columns(header)
        if offset > lines.offset:
            stream.seek(offset)
            lines.offset, lines.line = offset, line
        reader = csv.reader(lines, delimiter=delimiter)
        return Reader(raw, lines, _records(reader, lines), columns)
    except BaseException:
        raw.close()
        raise
