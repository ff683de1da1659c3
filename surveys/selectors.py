"""Reads: token lookup, filtered lists, dashboard and "My service" figures (bounded queries)."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDay
from django.utils import timezone

from surveys import formulas, tokens
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
    ``channel`` (code), ``agent`` (username), ``score`` (low|neutral|high CSAT), ``from``/``to``."""
    qs = Response.objects.with_related()
    params = params or {}
    if params.get("channel"):
        qs = qs.filter(channel__code=params["channel"])
    if params.get("agent"):
        qs = qs.filter(agent__username=params["agent"])
    score = params.get("score")
    if score == "low":
        qs = qs.filter(Q(csat__lte=2) | Q(nps__lte=6))
    elif score == "high":
        qs = qs.filter(Q(csat__gte=4) | Q(nps__gte=9))
    if params.get("comments") == "1":
        qs = qs.exclude(comment="")
    for name, lookup in (("from", "created_at__date__gte"), ("to", "created_at__date__lte")):
        raw = params.get(name)
        if raw:
            with contextlib.suppress(ValueError):  # a malformed date filters nothing
                qs = qs.filter(**{lookup: dt.date.fromisoformat(raw)})
    return qs


def follow_up_list(*, open_only: bool = True) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.select_related(
        "owner", "response__channel", "response__agent", "response__invitation__contact"
    )
    if open_only:
        qs = qs.open()
    return qs.order_by("closed_at", "due_at")


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


def satisfaction_dashboard(*, days: int = 90, now=None) -> dict:
    """Everything the manager's satisfaction page shows, in a fixed number of queries."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=days)
    recent = Response.objects.filter(created_at__gte=since)
    figures = _figures(recent)
    weekly = list(
        recent.annotate(week=TruncDay("created_at"))
        .values("week")
        .annotate(**RESPONSE_AGGREGATES)
        .order_by("week")
    )
    # Days grouped into weeks in Python: a handful of rows, portable across databases.
    weeks: dict[dt.date, dict] = {}
    for row in weekly:
        day = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        start = day - dt.timedelta(days=day.weekday())
        bucket = weeks.setdefault(start, dict.fromkeys(RESPONSE_AGGREGATES, 0))
        for key in RESPONSE_AGGREGATES:
            bucket[key] += row[key] or 0
    trend = [
        {
            "week": start,
            "responses": b["responses"],
            "csat_pct": formulas.csat_pct(b["csat_good"], b["csat_n"]),
            "nps": formulas.nps(b["promoters"], b["detractors"], b["nps_n"]),
        }
        for start, b in sorted(weeks.items())
    ]
    csat_counts = dict(
        recent.filter(csat__isnull=False).values_list("csat").annotate(n=Count("id"))
    )
    nps_counts = dict(recent.filter(nps__isnull=False).values_list("nps").annotate(n=Count("id")))
    sent = Invitation.objects.filter(
        sent_at__gte=since, status__in=[Invitation.Status.SENT, Invitation.Status.ANSWERED]
    ).aggregate(sent=Count("id"), answered=Count("id", filter=Q(status=Invitation.Status.ANSWERED)))
    return {
        "days": days,
        "figures": figures,
        "trend": trend,
        "csat_distribution": _distribution(csat_counts, range(1, 6)),
        "nps_distribution": _distribution(nps_counts, range(0, 11)),
        "invitations_sent": sent["sent"],
        "response_rate_pct": formulas.response_rate_pct(sent["answered"], sent["sent"]),
        "comments": list(recent.exclude(comment="").with_related()[:10]),
        "follow_ups": list(follow_up_list()[:10]),
    }


def _distribution(counts: dict, scale) -> list[dict]:
    top = max(counts.values(), default=0)
    rows = []
    for index, score in enumerate(scale):
        height = round(counts.get(score, 0) * 100 / top) if top else 0
        rows.append(
            {
                "score": score,
                "count": counts.get(score, 0),
                "pct": height,
                "x": index * 100 + 10,
                "tx": index * 100 + 40,
                "y": 110 - height,
            }
        )
    return rows


def agent_feedback(*, user, days: int = 90, now=None) -> dict:
    """My service: the agent's figures next to the team's, and their latest comments."""
    now = now or timezone.now()
    recent = Response.objects.filter(created_at__gte=now - dt.timedelta(days=days))
    return {
        "days": days,
        "mine": _figures(recent.filter(agent=user)),
        "team": _figures(recent.filter(agent__isnull=False)),
        "latest": list(recent.filter(agent=user).with_related()[:10]),
    }
