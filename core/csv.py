"""The one CSV writer of the portal: every download a spreadsheet may open goes through here.

External ids, names and subjects arrive from integrations and imports, so a cell such as
``=HYPERLINK("http://x")`` must not run when a manager opens the file in Excel, LibreOffice or
Google Sheets. OWASP's rule (CSV Injection): a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a single quote in front, which spreadsheets take as "this
is text"; the csv module's quoting (RFC 4180: doubled ``"``, quoted fields) does the rest.

Numbers stay numbers: ``int``, ``float`` and ``Decimal`` values are written as they are, so a
negative figure stays ``-5``. A *string* is always text, even when it looks numeric: ``"-5"``
or ``"+1"`` as an external id is written ``'-5`` / ``'+1``. Callers therefore pass figures as
numbers (as they come from the database), never pre-formatted. Dates and times are written as
ISO 8601 text; None is an empty cell. The encoding is UTF-8 without a byte-order mark, as the
portal has always written it (the report API's clients read it byte for byte).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value):
    """``value`` as a CSV cell no spreadsheet runs as a formula (see the module's rule)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value  # a bool is an int to Python; written True/False, as csv always did
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    text = str(value) if isinstance(value, Promise) else value
    if not isinstance(text, str):
        text = str(text)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_row(values: Iterable) -> list:
    return [safe_cell(value) for value in values]


def csv_lines(header: Iterable, rows: Iterable[Iterable]) -> Iterator[str]:
    """The header, then each row, one CSV line (with its line end) at a time, so a response
    can stream a large export without holding it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _chain(header, rows):
        writer.writerow(safe_row(line))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _chain(header, rows):
    yield header
    yield from rows


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """The whole CSV as one string (for renderers that must return bytes at once)."""
    return "".join(csv_lines(header, rows))


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]):
    """A streamed download named ``filename`` (quoted or RFC 5987-encoded as Django does)."""
    response = StreamingHttpResponse(csv_lines(header, rows), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
