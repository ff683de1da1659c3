"""Reads for QA evaluations, scoped to the user: managers see every evaluation, staff their own.

Lists and the "My service" figures run a fixed number of queries whatever the number of
evaluations; averages are computed by the database over the stored scores.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.utils import timezone

from channels_app.models import Channel
from core.reports.period import Period, local_midnight
from core.roles import MANAGER, STAFF, has_role
from quality import scoring
from quality.models import Evaluation, EvaluationItem
from standards.models import Standard, StandardVersion

ORDERINGS = {
    "newest": ("-occurred_at", "-id"),
    "oldest": ("occurred_at", "id"),
    "lowest": ("score", "-occurred_at", "-id"),
    "highest": ("-score", "-occurred_at", "-id"),
}
MY_SERVICE_DAYS = 90
MY_SERVICE_LATEST = 5


def evaluation_queryset(*, user) -> QuerySet[Evaluation]:
    """Evaluations the user may open: managers all, staff those of their own interactions."""
    if has_role(user, MANAGER):
        return Evaluation.objects.all()
    if has_role(user, STAFF):
        return Evaluation.objects.filter(agent=user)
    return Evaluation.objects.none()


def _day_start(day: dt.date) -> dt.datetime:
    return local_midnight(day, timezone.get_current_timezone())


def evaluation_list(
    *,
    user,
    agent=None,
    standard: Standard | None = None,
    channel: Channel | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    state: str = "",
    order: str = "newest",
) -> QuerySet[Evaluation]:
    """The filtered list, one row per interaction (its current revision); the period is of the
    interaction, in whole days of the portal's zone."""
    evaluations = evaluation_queryset(user=user)
    evaluations = evaluations.in_state(state) if state else evaluations.current()
    if agent is not None:
        evaluations = evaluations.filter(agent=agent)
    if standard is not None:
        evaluations = evaluations.filter(standard=standard)
    if channel is not None:
        evaluations = evaluations.filter(channel=channel)
    if date_from is not None:
        evaluations = evaluations.filter(occurred_at__gte=_day_start(date_from))
    if date_to is not None:
        evaluations = evaluations.filter(occurred_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    return evaluations.order_by(*ORDERINGS.get(order, ORDERINGS["newest"]))


def evaluation_history(evaluation: Evaluation) -> list[Evaluation]:
    """Every revision of the evaluation, oldest first, with the staff member's answer (one
    query): the original, then the resolution if there is one."""
    root = evaluation.original_id
    rows = list(
        Evaluation.objects.filter(Q(pk=root) | Q(supersedes_id=root))
        .select_related("evaluator", "response__author", "resolved_by")
        .order_by("created_at", "id")
    )
    for row in rows:
        row.answer = getattr(row, "response", None)  # templates cannot ask a missing reverse row
    return rows


def evaluations_with_answers(*, user) -> QuerySet[Evaluation]:
    """For the detail page: the evaluation and its answers with their criteria (two queries)."""
    items = EvaluationItem.objects.select_related("criterion").order_by(
        "criterion__order", "criterion_id"
    )
    return (
        evaluation_queryset(user=user)
        .with_related()
        .select_related("superseded_by")
        .prefetch_related(Prefetch("items", queryset=items))
    )


def evaluation_agents() -> QuerySet:
    """Everyone who may be evaluated (active staff members), for the evaluation form."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=STAFF)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def filter_agents() -> QuerySet:
    """Staff members, former ones included, for the list's filter."""
    return (
        get_user_model()
        .objects.filter(Q(groups__name=STAFF) | Q(evaluations_received__isnull=False))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def filter_standards(*, user) -> QuerySet[Standard]:
    """Managers: every standard; staff: those their evaluations were made against."""
    if has_role(user, MANAGER):
        return Standard.objects.order_by("title")
    seen = evaluation_queryset(user=user).values("standard")
    return Standard.objects.filter(pk__in=seen).order_by("title")


def filter_channels(*, user) -> QuerySet[Channel]:
    """Managers: every channel; staff: those of their evaluations."""
    if has_role(user, MANAGER):
        return Channel.objects.order_by("name")
    seen = evaluation_queryset(user=user).filter(channel__isnull=False).values("channel")
    return Channel.objects.filter(pk__in=seen).order_by("name")


def agent_summary(
    *,
    user,
    days: int = MY_SERVICE_DAYS,
    latest: int = MY_SERVICE_LATEST,
    now: dt.datetime | None = None,
) -> dict:
    """My service: the agent's average effective score over the last ``days`` local days next to the
    team's and how many of theirs await an answer (one query), and their latest evaluations
    with their outcome (one query)."""
    # The last ``days`` whole local days, as the other "My service" sections and the reports
    # count them (core.reports.period), not a rolling ``days`` × 24 hours.
    since, _end = Period.last_days(days, now=now).bounds()
    recent, mine = Q(occurred_at__gte=since), Q(agent=user)
    # One query: the period's figures, and the agent's evaluations of any date still unanswered.
    figures = (
        Evaluation.objects.current()
        .filter(recent | mine)
        .order_by()
        .aggregate(
            mine_count=Count("id", filter=recent & mine),
            mine_average=Avg("score", filter=recent & mine),
            team_count=Count("id", filter=recent),
            team_average=Avg("score", filter=recent),
            awaiting=Count("id", filter=mine & Q(supersedes__isnull=True, response__isnull=True)),
        )
    )
    awaiting = figures["awaiting"]
    return {
        "days": days,
        "awaiting": awaiting,
        "mine": {
            "count": figures["mine_count"],
            "average": scoring.round_average(figures["mine_average"]),
        },
        "team": {
            "count": figures["team_count"],
            "average": scoring.round_average(figures["team_average"]),
        },
        "latest": list(
            Evaluation.objects.current()
            .filter(agent=user)
            .select_related("standard", "version", "channel", "evaluator", "response", "supersedes")
            .order_by("-occurred_at", "-id")[:latest]
        ),
    }


def standards_for_channel(channel: Channel) -> list[Standard]:
    """Standards in use with a published version that apply to ``channel`` (or to every
    channel), for evaluating a contact (one query)."""
    return list(
        Standard.objects.in_use()
        .filter(versions__status=StandardVersion.Status.PUBLISHED)
        .filter(Q(channels=channel) | Q(channels__isnull=True))
        .distinct()
        .order_by("title", "pk")
    )
