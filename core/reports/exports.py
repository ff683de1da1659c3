"""A report API's CSV table (SLA, satisfaction, quality). Writing it is :mod:`core.csv`'s job,
which also keeps spreadsheets from running cells as formulas."""

from __future__ import annotations

from collections.abc import Sequence

ROW_TYPE = "row_type"


def report_table(body: dict, fields: Sequence[str]) -> tuple[list, list]:
    """A report's CSV header and rows: the row fields, then ``row_type`` (``group`` or
    ``total``), the groups first and the total last.

    Any report with ``rows`` and a ``total`` of the same shape fits (SLA, satisfaction).
    """
    rows = [[row[f] for f in fields] + ["group"] for row in body["rows"]]
    rows.append([body["total"][f] for f in fields] + ["total"])
    return [*fields, ROW_TYPE], rows


def report_filename(body: dict, name: str) -> str:
    return f"{name}-{body['from']}-{body['to']}-{body['group_by']}.csv"
