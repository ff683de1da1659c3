"""The SLA report's query and its answer: what a report is asked (:class:`ReportQuery`: the
kernel's period with the SLA dimensions and filters) and the rows it returns, their fields and
their arithmetic (compliance, minutes), whichever engine computed them (``sla/reports/query.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.reports.period import Period

GROUP_BYS = ("channel", "agent", "priority", "day", "week", "month")

# The fields of a row, in the order of docs/api.md (and of the CSV columns).
ROW_FIELDS = (
    "key",
    "contacts",
    "first_response_met",
    "first_response_breached",
    "first_response_compliance_pct",
    "first_response_median_minutes",
    "first_response_p90_minutes",
    "resolution_met",
    "resolution_breached",
    "resolution_compliance_pct",
    "resolution_median_minutes",
    "resolution_p90_minutes",
)


@dataclass(frozen=True)
class ReportQuery(Period):
    """What to aggregate: contacts opened from ``start`` to ``end`` (local dates, inclusive, in
    ``tz``: the kernel's :class:`~core.reports.period.Period`), grouped by ``group_by``."""

    group_by: str = "channel"
    channel_id: int | None = None
    agent_id: int | None = None
    # Internal (the dashboard): one set of rows and a total per channel, in the same statement.
    split_by_channel: bool = False
    # Internal (the standards' scorecard): only these channels, and only the counts (the
    # medians and 90th percentiles are left out, as None: they cost most of the statement).
    channel_ids: tuple[int, ...] | None = None
    percentiles: bool = True

    def __post_init__(self):
        if self.group_by not in GROUP_BYS:
            raise ValueError(f"unknown group_by {self.group_by!r}")
        super().__post_init__()


@dataclass
class Report:
    query: ReportQuery
    rows: list[dict]
    total: dict
    # Only with ``split_by_channel``: channel code -> {"rows": [...], "total": row}.
    series: dict[str, dict] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The API's answer."""
        return {
            "from": self.query.start.isoformat(),
            "to": self.query.end.isoformat(),
            "tz": self.query.tz,
            "group_by": self.query.group_by,
            "rows": self.rows,
            "total": self.total,
        }


def compliance_pct(met: int, breached: int) -> float | None:
    """met / (met + breached) × 100, half-up to 2 decimals; None when nothing is decided."""
    decided = met + breached
    if not decided:
        return None
    value = Decimal(met * 100) / Decimal(decided)
    return float(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def minutes(value) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def empty_row(key=None) -> dict:
    return row(key, (0,) * 5 + (None,) * 4)


def row(key, values) -> dict:
    contacts, fr_met, fr_breached, res_met, res_breached, fr_med, fr_p90, res_med, res_p90 = values
    fr_met, fr_breached = int(fr_met or 0), int(fr_breached or 0)
    res_met, res_breached = int(res_met or 0), int(res_breached or 0)
    return {
        "key": key,
        "contacts": int(contacts or 0),
        "first_response_met": fr_met,
        "first_response_breached": fr_breached,
        "first_response_compliance_pct": compliance_pct(fr_met, fr_breached),
        "first_response_median_minutes": minutes(fr_med),
        "first_response_p90_minutes": minutes(fr_p90),
        "resolution_met": res_met,
        "resolution_breached": res_breached,
        "resolution_compliance_pct": compliance_pct(res_met, res_breached),
        "resolution_median_minutes": minutes(res_med),
        "resolution_p90_minutes": minutes(res_p90),
    }


def key_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat()


def sort_key(row: dict):
    # Keys ascending (ISO dates sort by time); the "no agent" group last.
    return (row["key"] is None, row["key"] or "")
