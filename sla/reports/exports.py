"""CSV of the report (the API) and of the manager dashboard, written line by line so a
response can stream it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from sla.reports.query import ROW_FIELDS

ROW_TYPE = "row_type"


def _cell(value):
    return "" if value is None else value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """One CSV line (with its line end) at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in _chain(header, rows):
        writer.writerow([_cell(value) for value in line])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _chain(header, rows):
    yield header
    yield from rows


def report_csv_lines(body: dict, fields: Sequence[str] = ROW_FIELDS) -> Iterator[str]:
    """A report API's CSV: the row fields, then ``row_type`` (``group`` or ``total``).

    Any report with ``rows`` and a ``total`` of the same shape fits (SLA, satisfaction).
    """
    if "rows" not in body:  # not a report (an error body): nothing sensible to write
        return iter(())
    rows = [[row[f] for f in fields] + ["group"] for row in body["rows"]]
    rows.append([body["total"][f] for f in fields] + ["total"])
    return csv_lines([*fields, ROW_TYPE], rows)


def report_filename(body: dict, name: str = "sla-report") -> str:
    return f"{name}-{body['from']}-{body['to']}-{body['group_by']}.csv"
