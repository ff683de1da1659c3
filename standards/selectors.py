"""Reads for standards, scoped to the user: staff only ever see published versions.

Every list here runs a fixed number of queries whatever the number of standards and versions.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from channels_app.models import Channel
from core.roles import MANAGER, has_role
from standards.models import Category, Criterion, Standard, StandardVersion, TypicalSituation

Status = StandardVersion.Status


def can_manage(user) -> bool:
    return has_role(user, MANAGER)


def standard_queryset(*, user) -> QuerySet[Standard]:
    """Standards the user may see: managers all (retired ones too, for their history), everyone
    else those in the book with a published version."""
    standards = Standard.objects.all()
    if not can_manage(user):
        standards = standards.published().in_use()
    return standards


def standard_list(
    *,
    user,
    category: Category | None = None,
    channel: Channel | None = None,
    q: str = "",
    retired: bool = False,
) -> QuerySet[Standard]:
    """The reading list: filters by category and channel, search over title and published body.
    Retired standards are left out, or (``retired``, managers) listed alone."""
    standards = standard_queryset(user=user).with_current_version(criteria=False)
    standards = standards.retired() if retired and can_manage(user) else standards.in_use()
    if category is not None:
        standards = standards.filter(category=category)
    if channel is not None:
        standards = standards.filter(channels=channel)
    q = " ".join((q or "").split())
    if q:
        body_matches = StandardVersion.objects.filter(
            standard=OuterRef("pk"), status=Status.PUBLISHED, body_markdown__icontains=q
        )
        standards = standards.filter(Q(title__icontains=q) | Exists(body_matches))
    if can_manage(user):
        standards = standards.annotate(
            open_status=StandardVersion.objects.filter(
                standard=OuterRef("pk"), status__in=StandardVersion.OPEN_STATUSES
            ).values("status")[:1],
            open_number=StandardVersion.objects.filter(
                standard=OuterRef("pk"), status__in=StandardVersion.OPEN_STATUSES
            ).values("number")[:1],
        )
    return standards.order_by("category__name", "title", "pk")


def standards_for_reading(*, user) -> QuerySet[Standard]:
    """Standards with their published version, criteria and situations prefetched."""
    return standard_queryset(user=user).with_current_version(criteria=True, situations=True)


def standard_open_version(*, standard: Standard) -> StandardVersion | None:
    return standard.versions.open().select_related("author").first()


def version_queryset(*, user, standard: Standard) -> QuerySet[StandardVersion]:
    """Versions of a standard the user may see: staff only published and archived ones."""
    versions = standard.versions.all()
    if not can_manage(user):
        versions = versions.visible_to_staff()
    return versions


def version_history(*, standard: Standard) -> QuerySet[StandardVersion]:
    return (
        standard.versions.select_related("author", "approver")
        .annotate(criteria_count=Count("criteria"))
        .order_by("-number")
    )


def versions_with_parts(*, user, standard: Standard) -> QuerySet[StandardVersion]:
    return (
        version_queryset(user=user, standard=standard)
        .select_related("author", "approver")
        .prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id")),
            Prefetch("situations", queryset=TypicalSituation.objects.order_by("order", "id")),
        )
    )


def categories_in_use(*, user) -> QuerySet[Category]:
    visible = standard_queryset(user=user)
    return Category.objects.filter(standards__in=visible).distinct().order_by("name")


def channels_in_use(*, user) -> QuerySet[Channel]:
    visible = standard_queryset(user=user)
    return Channel.objects.filter(standards__in=visible).distinct().order_by("name")


def standards_review_overdue(*, today, limit: int = 10) -> tuple[list[Standard], int]:
    overdue = (
        Standard.objects.in_use()
        .review_overdue(today)
        .select_related("owner")
        .order_by("next_review_date", "title")
    )
    return list(overdue[:limit]), overdue.count()


def versions_awaiting_review(*, limit: int = 10) -> tuple[list[StandardVersion], int]:
    waiting = (
        StandardVersion.objects.filter(status=Status.IN_REVIEW)
        .select_related("standard", "author")
        .order_by("submitted_at", "pk")
    )
    return list(waiting[:limit]), waiting.count()
