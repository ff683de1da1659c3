"""The "My service" SLA section: a staff member's figures of the last 30 days next to the
team's, by week (two queries through the report function the API uses; the team's figures are
shared between staff for a minute, :mod:`core.reports.cache`).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils.translation import gettext_lazy as _

from core.reports import charts
from core.reports.cache import shared
from core.reports.period import slot_ticks, time_slots
from sla.reports.dashboard import grain_label
from sla.reports.query import sla_report
from sla.reports.report import ReportQuery, empty_row

MY_SERVICE_DAYS = 30


def my_service(*, user, today: dt.date, tz: str) -> dict:
    """The agent's figures next to the team's for the last 30 days: two queries."""
    start = today - dt.timedelta(days=MY_SERVICE_DAYS - 1)
    own = sla_report(ReportQuery(start=start, end=today, tz=tz, group_by="week", agent_id=user.pk))
    team = shared(
        f"sla:my-service-team:v1:{connection.settings_dict['NAME']}:{start}:{today}:{tz}",
        lambda: sla_report(ReportQuery(start=start, end=today, tz=tz, group_by="week")),
    )
    slots = time_slots(start, today, "week")
    own_by = {r["key"]: r for r in own.rows}
    team_by = {r["key"]: r for r in team.rows}
    trend = [
        {
            "key": key,
            "own": own_by.get(key, empty_row(key)),
            "team": team_by.get(key, empty_row(key)),
        }
        for key in slots
    ]
    chart = charts.line_chart(
        chart_id="my-service-trend",
        title=_("Your first-response compliance per week, next to the team's"),
        desc=_("Weeks start on Monday; the table below gives the figures."),
        labels=slots,
        series=[
            (str(_("You")), [t["own"]["first_response_compliance_pct"] for t in trend]),
            (str(_("Team")), [t["team"]["first_response_compliance_pct"] for t in trend]),
        ],
        y_max=100,
        suffix="%",
        ticks=slot_ticks(slots, "week"),
        x_label=grain_label("week"),
        y_label=_("Targets met (%)"),
    )
    return {
        "start": start,
        "end": today,
        "tz": tz,
        "own": own.total,
        "team": team.total,
        "own_breaches": own.total["first_response_breached"] + own.total["resolution_breached"],
        "team_breaches": team.total["first_response_breached"] + team.total["resolution_breached"],
        "trend": trend,
        "chart": chart,
        "empty": own.total["contacts"] == 0,
    }
