"""Reads: token lookup, filtered lists, dashboard and "My service" figures (bounded queries)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from surveys import formulas, scales, tokens
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
    """Dashboard card: CSAT/NPS of the last ``days`` and open follow-ups (two queries)."""
    now = now or timezone.now()
    figures = _figures(Response.objects.filter(created_at__gte=now - dt.timedelta(days=days)))
    figures["open_follow_ups"] = FollowUp.objects.open().count()
    figures["days"] = days
    return figures


# The scales the dashboard draws a distribution of: CSAT 1–5, NPS 0–10, CES 1–7.
SCALES = {"csat": range(1, 6), "nps": range(0, 11), "ces": range(1, 8)}
SCORE_AGGREGATES = {
    f"{question}_{score}": Count("id", filter=Q(**{question: score}))
    for question, scale in SCALES.items()
    for score in scale
}


def week_starts(since: dt.datetime, now: dt.datetime) -> list[dt.date]:
    """The Mondays of every week from ``since`` to ``now``, in the current time zone."""
    first, last = (timezone.localdate(moment) for moment in (since, now))
    first -= dt.timedelta(days=first.weekday())
    last -= dt.timedelta(days=last.weekday())
    return [first + dt.timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def satisfaction_dashboard(*, days: int = 90, now=None) -> dict:
    """Everything the manager's satisfaction page shows, in a fixed number of queries (five).

    ``trend`` has one row per week of the period (weeks start on Monday, in the current time
    zone), in order; a week without answers has no CSAT or NPS (None): a gap, not a zero.
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    recent = Response.objects.filter(created_at__gte=since, created_at__lte=now)
    # One query: the period's figures and how many answers each score got.
    agg = recent.aggregate(**RESPONSE_AGGREGATES, **SCORE_AGGREGATES)
    figures = {
        "responses": agg["responses"],
        "csat_pct": formulas.csat_pct(agg["csat_good"], agg["csat_n"]),
        "nps": formulas.nps(agg["promoters"], agg["detractors"], agg["nps_n"]),
        "ces_avg": formulas.ces_avg(agg["ces_sum"], agg["ces_n"]),
    }
    distributions = {
        question: [{"score": score, "count": agg[f"{question}_{score}"]} for score in scale]
        for question, scale in SCALES.items()
    }
    # One query: a row per week with answers (at most 14 for 90 days), grouped by the database.
    weekly = {
        _as_date(row["week"]): row
        for row in recent.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(**RESPONSE_AGGREGATES)
        .order_by("week")
    }
    empty = dict.fromkeys(RESPONSE_AGGREGATES, 0)
    trend = []
    for week in week_starts(since, now):
        b = weekly.get(week, empty)
        trend.append(
            {
                "week": week,
                "responses": b["responses"],
                "csat_pct": formulas.csat_pct(b["csat_good"], b["csat_n"]),
                "nps": formulas.nps(b["promoters"], b["detractors"], b["nps_n"]),
            }
        )
    sent = Invitation.objects.filter(
        sent_at__gte=since,
        sent_at__lte=now,
        status__in=[Invitation.Status.SENT, Invitation.Status.ANSWERED],
    ).aggregate(sent=Count("id"), answered=Count("id", filter=Q(status=Invitation.Status.ANSWERED)))
    return {
        "days": days,
        "figures": figures,
        "trend": trend,
        "distributions": distributions,
        "invitations_sent": sent["sent"],
        "response_rate_pct": formulas.response_rate_pct(sent["answered"], sent["sent"]),
        "comments": list(recent.exclude(comment="").with_related()[:10]),
        "follow_ups": list(follow_up_list()[:10]),
    }


def _recent(days: int, now) -> QuerySet[Response]:
    return Response.objects.filter(
        created_at__gte=(now or timezone.now()) - dt.timedelta(days=days)
    )


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
