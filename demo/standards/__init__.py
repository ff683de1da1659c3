"""Demo standards book for ``seed_demo``: 13 standards with criteria, typical situations and,
for some, two or three versions (one has a new version waiting for review).

Written through the services, like a manager would, with publication dates in the past so that
review dates differ: two reviews are overdue and one is due within two weeks. Idempotent: a
standard whose slug exists is left alone. The demo evaluations live in ``demo.quality``.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from channels_app.models import Channel
from demo.standards import communication, resolution
from standards import services
from standards.models import Standard

BOOK = [*communication.STANDARDS, *resolution.STANDARDS]


def _channels(wanted: list[str]) -> list[Channel]:
    """Channels by code; a name that is no code stands for every channel of that kind."""
    found: list[Channel] = []
    for token in wanted:
        matches = list(Channel.objects.filter(code=token)) or list(
            Channel.objects.filter(kind=token).order_by("code")
        )
        found.extend(c for c in matches if c not in found)
    return found


def _criteria(rows) -> list[dict]:
    return [{"text": t, "weight": w, "is_critical": c} for t, w, c in rows]


def _situations(rows) -> list[dict]:
    return [{"title": t, "customer_says": s, "prescribed_response": r} for t, s, r in rows]


def _seed_standard(spec: dict, *, manager) -> Standard:
    standard = services.standard_create(
        user=manager,
        title=spec["title"],
        slug=spec["slug"],
        category=spec["category"],
        channels=_channels(spec["channels"]),
        owner=manager,
        review_interval_months=spec["interval"],
    )
    now = timezone.now()
    latest: dict = {}
    for entry in spec["versions"]:
        latest = {**latest, **{k: v for k, v in entry.items() if v is not None}}
        version = services.version_create_draft(
            standard=standard,
            user=manager,
            body_markdown=latest["body"],
            change_kind=entry["kind"],
            change_summary=entry["summary"],
            criteria=_criteria(latest["criteria"]),
            situations=_situations(latest["situations"]),
        )
        services.version_submit_for_review(version=version, user=manager)
        services.version_publish(
            version=version, user=manager, at=now - timedelta(days=entry["days_ago"])
        )
    pending = spec.get("pending")
    if pending:
        version = services.version_create_draft(
            standard=standard,
            user=manager,
            body_markdown=pending.get("body"),
            change_kind=pending["kind"],
            change_summary=pending["summary"],
        )
        services.version_submit_for_review(version=version, user=manager)
    return standard


@transaction.atomic
def seed(*, users) -> list[Standard]:
    """Demo data of this app; idempotent. ``users`` maps demo usernames to users."""
    manager = users["manager"]
    existing = set(Standard.objects.values_list("slug", flat=True))
    created = [
        _seed_standard(spec, manager=manager) for spec in BOOK if spec["slug"] not in existing
    ]
    return created
