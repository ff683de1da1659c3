"""Reads: token lookup, filtered lists, dashboard and "My service" figures (bounded queries)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from core.reports.period import time_key
from sla.reports.report import ReportQuery
from surveys import formulas, reports, scales, tokens
from surveys.models import FollowUp, Invitation, Kiosk, Response, Survey
from surveys.reports import RESPONSE_AGGREGATES


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link belongs to, or None for a malformed, forged or suppressed token."""
    parsed = tokens.parse_token(token)
    if parsed is None:
        return None
    pk, mac = parsed
    invitation = Invitation.objects.select_related("survey", "channel").filter(pk=pk).first()
    if invitation is None or not tokens.matches(invitation, mac):
        return None
    if invitation.status == Invitation.Status.SUPPRESSED:
        return None
    return invitation


def kiosk_by_key(key: str) -> Kiosk | None:
    return Kiosk.objects.select_related("channel").filter(key=key, is_active=True).first()


def survey_list() -> QuerySet[Survey]:
    return (
        Survey.objects.prefetch_related("channels")
        .annotate(invitation_count=Count("invitations", distinct=True))
        .order_by("name")
    )


def invitation_list(*, params=None) -> QuerySet[Invitation]:
    qs = Invitation.objects.select_related("survey", "channel", "agent", "contact")
    params = params or {}
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("survey"):
        qs = qs.filter(survey_id=params["survey"]) if str(params["survey"]).isdigit() else qs.none()
    return qs.order_by("-created_at", "-pk")


def response_list(*, params=None) -> QuerySet[Response]:
    """Responses with their channel, agent, kiosk and contact joined; optional filters:
    ``channel`` (code), ``agent`` (username), ``score`` (low|neutral|high CSAT), ``from``/``to``,
    ``id`` (one answer: a follow-up links to its answer this way)."""
    qs = Response.objects.with_related()
    params = params or {}
    if str(params.get("id", "")).isdigit():
        qs = qs.filter(pk=int(params["id"]))
    if params.get("channel"):
        qs = qs.filter(channel__code=params["channel"])
    if params.get("agent"):
        qs = qs.filter(agent__username=params["agent"])
    score = params.get("score")
    if score == "low":
        qs = qs.filter(scales.LOW)
    elif score == "high":
        qs = qs.filter(scales.HIGH)
    if params.get("comments") == "1":
        qs = qs.exclude(comment="")
    for name, lookup in (("from", "created_at__date__gte"), ("to", "created_at__date__lte")):
        raw = params.get(name)
        if raw:
            with contextlib.suppress(ValueError):  # a malformed date filters nothing
                qs = qs.filter(**{lookup: dt.date.fromisoformat(raw)})
    return qs


def follow_up_list(
    *,
    open_only: bool = True,
    status: str | None = None,
    owner=None,
    channel=None,
    overdue: bool = False,
    pk: int | None = None,
    now=None,
) -> QuerySet[FollowUp]:
    """Follow-ups with everything their row shows joined, the most urgent first.

    ``status`` is ``open``, ``closed`` or ``all`` (None: ``open_only`` decides); ``owner`` a
    user or ``"none"`` (nobody owns it); ``channel`` a channel; ``overdue`` keeps open ones past
    their deadline. Open ones come first by deadline, so the overdue lead; closed ones follow,
    the latest closed first.
    """
    qs = FollowUp.objects.select_related(
        "owner",
        "closed_by",
        "response__channel",
        "response__agent",
        "response__kiosk",
        "response__invitation__contact",
    )
    if pk is not None:
        return qs.filter(pk=pk)
    status = status or ("open" if open_only else "all")
    if status == "open":
        qs = qs.open()
    elif status == "closed":
        qs = qs.filter(closed_at__isnull=False)
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
    elif owner is not None:
        qs = qs.filter(owner=owner)
    if channel is not None:
        qs = qs.filter(response__channel=channel)
    if overdue:
        qs = qs.open().filter(due_at__lt=now or timezone.now())
    return qs.order_by(F("closed_at").desc(nulls_first=True), "due_at", "pk")


def _figures(qs) -> dict:
    agg = qs.aggregate(**RESPONSE_AGGREGATES)
    return {
        "responses": agg["responses"],
        "csat_pct": formulas.csat_pct(agg["csat_good"], agg["csat_n"]),
        "nps": formulas.nps(agg["promoters"], agg["detractors"], agg["nps_n"]),
        "ces_avg": formulas.ces_avg(agg["ces_sum"], agg["ces_n"]),
    }


def satisfaction_summary(*, days: int = 30, now=None) -> dict:
    """Dashboard card: CSAT/NPS of the last ``days`` local days (the satisfaction page's and the
    report API's period rule) and open follow-ups (two queries)."""
    figures = _figures(reports.period_responses(reports.last_days(days, now=now)))
    figures["open_follow_ups"] = FollowUp.objects.open().count()
    figures["days"] = days
    return figures


# The distribution the page draws: how many answers each score of each scale got.
SCORE_AGGREGATES = {
    f"{question}_{score}": Count("id", filter=Q(**{question: score}))
    for question, scale in scales.SCALES.items()
    for score in scale.scores
}


def week_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """The Mondays of every week from the local date ``start`` to ``end``."""
    first, last = (time_key(day, "week") for day in (start, end))
    return [first + dt.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def satisfaction_dashboard(query: ReportQuery) -> dict:
    """Everything the manager's satisfaction page shows, drawn from the satisfaction report of
    ``query`` (grouped by week), so the page and ``GET /api/v1/reports/satisfaction/`` for the
    same dates and time zone give the same figures. Four queries: the report's two (the score
    counts ride on its grouped query), the latest comments and the open follow-ups.

    ``trend`` has one row per week touching the period (weeks start on Monday in the report's
    time zone), in order; a week without answers has no CSAT or NPS (None): a gap, not a zero.
    """
    query = dataclasses.replace(query, group_by="week")
    report, counts = reports.report_with_counts(query, SCORE_AGGREGATES)
    total = report["total"]
    weekly = {row["key"]: row for row in report["rows"]}
    trend = []
    for week in week_starts(query.start, query.end):
        row = weekly.get(week.isoformat()) or {"responses": 0, "csat_pct": None, "nps": None}
        trend.append(
            {
                "week": week,
                "responses": row["responses"],
                "csat_pct": row["csat_pct"],
                "nps": row["nps"],
            }
        )
    return {
        "start": query.start,
        "end": query.end,
        "days": (query.end - query.start).days + 1,
        "figures": {name: total[name] for name in ("responses", "csat_pct", "nps", "ces_avg")},
        "trend": trend,
        "distributions": {
            question: [
                {"score": score, "count": counts[f"{question}_{score}"]} for score in scale.scores
            ]
            for question, scale in scales.SCALES.items()
        },
        "invitations_sent": total["invitations_sent"],
        "response_rate_pct": total["response_rate_pct"],
        "comments": list(reports.period_responses(query).exclude(comment="").with_related()[:10]),
        "follow_ups": list(follow_up_list()[:10]),
    }


def _recent(days: int, now) -> QuerySet[Response]:
    """The answers of the last ``days`` local days (``reports.last_days``: one period rule)."""
    return reports.period_responses(reports.last_days(days, now=now))


def agent_latest(*, user, days: int = 90, limit: int = 10, now=None) -> list[Response]:
    """The agent's latest responses: one query (the dashboard card needs nothing more)."""
    return list(_recent(days, now).filter(agent=user).with_related()[:limit])


def agent_feedback(*, user, days: int = 90, now=None) -> dict:
    """My service: the agent's figures next to the team's, and their latest comments."""
    recent = _recent(days, now)
    return {
        "days": days,
        "mine": _figures(recent.filter(agent=user)),
        "team": _figures(recent.filter(agent__isnull=False)),
        "latest": agent_latest(user=user, days=days, now=now),
    }
