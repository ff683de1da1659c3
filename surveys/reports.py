"""The satisfaction report's rows.

Its query is the SLA report's (``sla.reports.params.report_query_for``: the kernel's period rule,
``core.reports.period``, with the SLA dimensions), so both reports accept and refuse exactly the
same parameters.

Every figure is aggregated in the database in two grouped queries (responses, invitations);
the total is their sum and only the final divisions happen in Python (``formulas``). The
manager's satisfaction page is drawn from this report (``selectors.satisfaction_dashboard``),
as the SLA dashboard is from the SLA report: one computation and one period rule.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, Sum

from core.reports.period import truncated
from sla.reports.report import ReportQuery
from surveys import formulas, scales
from surveys.models import Invitation, Response


def _key_expression(group_by: str, tz, *, time_field: str, prefix: str = ""):
    if group_by == "channel":
        return F(f"{prefix}channel__code")
    if group_by == "agent":
        return F(f"{prefix}agent__username")
    if group_by == "priority":
        return F("invitation__contact__priority" if prefix == "" else "contact__priority")
    return truncated(time_field, group_by, tz)


def _format_key(value):
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def row_from_counts(key, r: dict, i: dict) -> dict:
    """A report row from the counts of :data:`RESPONSE_AGGREGATES` (``r``) and
    :data:`INVITATION_AGGREGATES` (``i``); counts of several groups may be summed first."""
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
    "csat_good": Count("id", filter=scales.SATISFIED),
    "nps_n": Count("id", filter=Q(nps__isnull=False)),
    "promoters": Count("id", filter=scales.PROMOTER),
    "detractors": Count("id", filter=scales.DETRACTOR),
    "ces_n": Count("id", filter=Q(ces__isnull=False)),
    "ces_sum": Sum("ces"),
}
INVITATION_AGGREGATES = {
    "sent": Count("id"),
    "answered": Count("id", filter=Q(status=Invitation.Status.ANSWERED)),
}


# The columns of a row, in the order docs/api.md lists them (also the CSV's).
SATISFACTION_FIELDS = (
    "key",
    "responses",
    "csat_pct",
    "nps",
    "ces_avg",
    "invitations_sent",
    "response_rate_pct",
)


def last_days(days: int, *, now: dt.datetime | None = None, group_by: str = "week") -> ReportQuery:
    """The last ``days`` local days, today included, in the portal's time zone: the kernel's
    rule (:meth:`core.reports.period.Period.last_days`, the report API's default period and the
    report pages'), so a page and the API asked for the same dates count the same answers."""
    return ReportQuery.last_days(days, now=now, group_by=group_by)


def period_responses(query: ReportQuery):
    """The responses answered in the period (``query.bounds()``), for the channel and agent."""
    start, end = query.bounds()
    responses = Response.objects.filter(created_at__gte=start, created_at__lt=end)
    if query.channel_id:
        responses = responses.filter(channel_id=query.channel_id)
    if query.channel_ids is not None:
        responses = responses.filter(channel_id__in=query.channel_ids)
    if query.agent_id:
        responses = responses.filter(agent_id=query.agent_id)
    return responses


def _period_invitations(query: ReportQuery):
    start, end = query.bounds()
    invitations = Invitation.objects.filter(
        status__in=[Invitation.Status.SENT, Invitation.Status.ANSWERED],
        sent_at__gte=start,
        sent_at__lt=end,
    )
    if query.channel_id:
        invitations = invitations.filter(channel_id=query.channel_id)
    if query.channel_ids is not None:
        invitations = invitations.filter(channel_id__in=query.channel_ids)
    if query.agent_id:
        invitations = invitations.filter(agent_id=query.agent_id)
    return invitations


def _summed(rows, names) -> dict:
    """The total of grouped counts: every answer and invitation falls in exactly one group."""
    return {name: sum(row[name] or 0 for row in rows) for name in names}


def satisfaction_counts(query: ReportQuery, *, by_time: bool = False) -> dict:
    """The counts behind the report, per channel code (and, with ``by_time``, per time key of
    ``query.group_by`` too): ``{(code, key): (response counts, invitation counts)}``, ``key``
    None without ``by_time``. Two queries.

    For readers that combine channels (a standard applies to several): they sum the counts of
    their channels and pass the sums to :func:`row_from_counts`, so the figures follow the
    report's formulas instead of averaging percentages.
    """
    responses, invitations = period_responses(query), _period_invitations(query)
    r_fields, i_fields = ["channel__code"], ["channel__code"]
    if by_time:
        responses = responses.annotate(
            key=_key_expression(query.group_by, query.zone, time_field="created_at")
        )
        invitations = invitations.annotate(
            key=_key_expression(query.group_by, query.zone, time_field="sent_at", prefix="inv")
        )
        r_fields.append("key")
        i_fields.append("key")
    counts: dict = {}
    for rows, aggregates, index in (
        (responses.values(*r_fields).annotate(**RESPONSE_AGGREGATES), RESPONSE_AGGREGATES, 0),
        (invitations.values(*i_fields).annotate(**INVITATION_AGGREGATES), INVITATION_AGGREGATES, 1),
    ):
        for row in rows.order_by():
            key = (row["channel__code"], _format_key(row["key"]) if by_time else None)
            pair = counts.setdefault(key, ({}, {}))
            pair[index].update({name: row[name] for name in aggregates})
    return counts


def report_with_counts(query: ReportQuery, extra_aggregates: dict | None = None):
    """``satisfaction_report``'s answer and the total's raw counts, with ``extra_aggregates``
    (more counts over the responses, e.g. per score) computed in the same grouped query.

    Two queries: responses and invitations grouped by the report's key; the total is their sum.
    """
    responses, invitations = period_responses(query), _period_invitations(query)
    r_key = _key_expression(query.group_by, query.zone, time_field="created_at")
    i_key = _key_expression(query.group_by, query.zone, time_field="sent_at", prefix="inv")
    if query.group_by in ("channel", "agent"):
        i_key = F(f"{query.group_by}__{'code' if query.group_by == 'channel' else 'username'}")
    r_aggregates = {**RESPONSE_AGGREGATES, **(extra_aggregates or {})}
    r_rows = {
        _format_key(row["key"]): row
        for row in responses.annotate(key=r_key).values("key").annotate(**r_aggregates)
    }
    i_rows = {
        _format_key(row["key"]): row
        for row in invitations.annotate(key=i_key).values("key").annotate(**INVITATION_AGGREGATES)
    }
    r_total = _summed(r_rows.values(), r_aggregates)
    i_total = _summed(i_rows.values(), INVITATION_AGGREGATES)
    keys = sorted(set(r_rows) | set(i_rows), key=lambda k: (k is None, str(k)))
    report = {
        "from": query.start.isoformat(),
        "to": query.end.isoformat(),
        "tz": query.tz,
        "group_by": query.group_by,
        "rows": [row_from_counts(k, r_rows.get(k, {}), i_rows.get(k, {})) for k in keys],
        "total": row_from_counts(None, r_total, i_total),
    }
    return report, r_total


def satisfaction_report(query: ReportQuery) -> dict:
    """Responses answered in the period, and invitations sent in the period (status sent or
    answered, ``sent_at`` inside it); the response rate is the share of those that were answered.
    Kiosk answers count as responses but not in the response rate (nobody was invited)."""
    return report_with_counts(query)[0]
