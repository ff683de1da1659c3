"""The satisfaction report: its query parameters (same as the SLA report's) and its rows.

Every figure is aggregated in the database in two grouped queries (responses, invitations);
only the final divisions happen in Python (``formulas``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys import formulas
from surveys.models import Invitation, Response

GROUP_BY = ("channel", "agent", "priority", "day", "week", "month")
MAX_DAYS = 366


class ReportParamError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class ReportQuery:
    date_from: dt.date
    date_to: dt.date
    tz: zoneinfo.ZoneInfo
    group_by: str = "channel"
    channel: str | None = None
    agent: str | None = None

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.date_from, dt.time.min, tzinfo=self.tz)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)


def _date(params, name, errors, default):
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.setdefault(name, []).append(
            _("Give the date as YYYY-MM-DD, e.g. 2026-01-31 (got “%(value)s”).") % {"value": raw}
        )
        return None


def parse_report_query(params, *, today: dt.date | None = None) -> ReportQuery:
    """Parse ``from``, ``to``, ``tz``, ``group_by``, ``channel``, ``agent``; ReportParamError
    names every bad parameter."""
    errors: dict[str, list[str]] = {}
    tz_name = (params.get("tz") or "").strip() or settings.TIME_ZONE
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = None
        errors["tz"] = [_("Unknown time zone “%(value)s”.") % {"value": tz_name}]
    today = today or timezone.localdate(timezone=tz or zoneinfo.ZoneInfo(settings.TIME_ZONE))
    date_to = _date(params, "to", errors, today)
    default_from = (date_to or today) - dt.timedelta(days=29)
    date_from = _date(params, "from", errors, default_from)
    if date_from and date_to:
        if date_from > date_to:
            errors.setdefault("from", []).append(_("“from” must not be after “to”."))
        elif (date_to - date_from).days + 1 > MAX_DAYS:
            errors.setdefault("to", []).append(
                _("The period may cover at most %(days)d days.") % {"days": MAX_DAYS}
            )
    group_by = (params.get("group_by") or "").strip() or "channel"
    if group_by not in GROUP_BY:
        errors["group_by"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(GROUP_BY)}]
    if errors:
        raise ReportParamError(errors)
    return ReportQuery(
        date_from=date_from,
        date_to=date_to,
        tz=tz,
        group_by=group_by,
        channel=(params.get("channel") or "").strip() or None,
        agent=(params.get("agent") or "").strip() or None,
    )


def _key_expression(group_by: str, tz, *, time_field: str, prefix: str = ""):
    if group_by == "channel":
        return F(f"{prefix}channel__code")
    if group_by == "agent":
        return F(f"{prefix}agent__username")
    if group_by == "priority":
        return F("invitation__contact__priority" if prefix == "" else "contact__priority")
    trunc = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}[group_by]
    return trunc(time_field, tzinfo=tz)


def _format_key(value):
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _row(key, r: dict, i: dict) -> dict:
    return {
        "key": key,
        "responses": r.get("responses", 0),
        "csat_pct": formulas.csat_pct(r.get("csat_good", 0), r.get("csat_n", 0)),
        "nps": formulas.nps(r.get("promoters", 0), r.get("detractors", 0), r.get("nps_n", 0)),
        "ces_avg": formulas.ces_avg(r.get("ces_sum"), r.get("ces_n", 0)),
        "invitations_sent": i.get("sent", 0),
        "response_rate_pct": formulas.response_rate_pct(i.get("answered", 0), i.get("sent", 0)),
    }


RESPONSE_AGGREGATES = {
    "responses": Count("id"),
    "csat_n": Count("id", filter=Q(csat__isnull=False)),
    "csat_good": Count("id", filter=Q(csat__gte=4)),
    "nps_n": Count("id", filter=Q(nps__isnull=False)),
    "promoters": Count("id", filter=Q(nps__gte=9)),
    "detractors": Count("id", filter=Q(nps__lte=6)),
    "ces_n": Count("id", filter=Q(ces__isnull=False)),
    "ces_sum": Sum("ces"),
}
INVITATION_AGGREGATES = {
    "sent": Count("id"),
    "answered": Count("id", filter=Q(status=Invitation.Status.ANSWERED)),
}


def satisfaction_report(query: ReportQuery) -> dict:
    """Responses answered in the period, and invitations sent in the period (status sent or
    answered, ``sent_at`` inside it); the response rate is the share of those that were answered.
    Kiosk answers count as responses but not in the response rate (nobody was invited)."""
    responses = Response.objects.filter(created_at__gte=query.start, created_at__lt=query.end)
    invitations = Invitation.objects.filter(
        status__in=[Invitation.Status.SENT, Invitation.Status.ANSWERED],
        sent_at__gte=query.start,
        sent_at__lt=query.end,
    )
    if query.channel:
        responses = responses.filter(channel__code=query.channel)
        invitations = invitations.filter(channel__code=query.channel)
    if query.agent:
        responses = responses.filter(agent__username=query.agent)
        invitations = invitations.filter(agent__username=query.agent)
    r_key = _key_expression(query.group_by, query.tz, time_field="created_at")
    i_key = _key_expression(query.group_by, query.tz, time_field="sent_at", prefix="inv")
    if query.group_by in ("channel", "agent"):
        i_key = F(f"{query.group_by}__{'code' if query.group_by == 'channel' else 'username'}")
    r_rows = {
        _format_key(row["key"]): row
        for row in responses.annotate(key=r_key).values("key").annotate(**RESPONSE_AGGREGATES)
    }
    i_rows = {
        _format_key(row["key"]): row
        for row in invitations.annotate(key=i_key).values("key").annotate(**INVITATION_AGGREGATES)
    }
    r_total = responses.aggregate(**RESPONSE_AGGREGATES)
    i_total = invitations.aggregate(**INVITATION_AGGREGATES)
    keys = sorted(set(r_rows) | set(i_rows), key=lambda k: (k is None, str(k)))
    return {
        "from": query.date_from.isoformat(),
        "to": query.date_to.isoformat(),
        "tz": str(query.tz),
        "group_by": query.group_by,
        "rows": [_row(k, r_rows.get(k, {}), i_rows.get(k, {})) for k in keys],
        "total": _row(None, r_total, i_total),
    }
