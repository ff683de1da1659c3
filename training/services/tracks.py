"""Tracks, their items, who has which track, and the group rules that hand tracks out. Every
change asks the obligations rule (``training.services.obligations``) what people now owe."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date

from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.queue import enqueue_on_commit
from standards.models import Standard
from training.models import GroupRule, Track, TrackAssignment, TrackItem
from training.services.common import lock_people, require_manager
from training.services.obligations import obligations_sync, obligations_withdraw_unrequired

logger = logging.getLogger(__name__)


def _clean_items(items: Iterable[Mapping]) -> list[tuple[Standard, int]]:
    cleaned: list[tuple[Standard, int]] = []
    seen = set()
    for item in items:
        standard, offset = item["standard"], int(item.get("due_offset_days", 7))
        if standard.pk in seen:
            raise ValidationError(
                {"items": [gettext("“%(title)s” is listed twice.") % {"title": standard.title}]}
            )
        if not 0 <= offset <= 365:
            raise ValidationError({"items": [gettext("Give 0 to 365 days.")]})
        seen.add(standard.pk)
        cleaned.append((standard, offset))
    return cleaned


@transaction.atomic
def track_save(
    *,
    user,
    name: str,
    description: str = "",
    items: Iterable[Mapping],
    track: Track | None = None,
) -> Track:
    """Create or update a track with its ordered items; people already on it get new items."""
    require_manager(user)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [gettext("Give the track a name.")]})
    clash = Track.objects.filter(name__iexact=name)
    if track is not None:
        clash = clash.exclude(pk=track.pk)
    if clash.exists():
        raise ValidationError({"name": [gettext("A track with this name exists already.")]})
    cleaned = _clean_items(items)
    removed: set[int] = set()
    if track is None:
        track = Track.objects.create(name=name, description=description)
    else:
        track.name, track.description = name, description
        track.save()
        removed = set(track.items.values_list("standard_id", flat=True)) - {
            standard.pk for standard, _offset in cleaned
        }
        track.items.all().delete()
    TrackItem.objects.bulk_create(
        TrackItem(track=track, standard=standard, order=i, due_offset_days=offset)
        for i, (standard, offset) in enumerate(cleaned)
    )
    assignments = list(track.assignments.all())
    if assignments:
        obligations_sync(assignments=assignments)
        if removed:
            obligations_withdraw_unrequired(
                user_ids={a.user_id for a in assignments}, standard_ids=removed
            )
    return track


@transaction.atomic
def track_delete(*, track: Track, by) -> int:
    """Delete a track with its items and assignments; what its people still had to acknowledge
    only because of it is withdrawn. Returns the number of obligations withdrawn."""
    require_manager(by)
    user_ids = set(track.assignments.values_list("user_id", flat=True))
    standard_ids = set(track.items.values_list("standard_id", flat=True))
    track.delete()
    logger.info("Track %s deleted by %s.", track.pk, by.pk)
    return obligations_withdraw_unrequired(user_ids=user_ids, standard_ids=standard_ids)


@transaction.atomic
def track_assign(
    *,
    track: Track,
    users: Iterable[User],
    start_date: date | None = None,
    by=None,
    source: str = TrackAssignment.Source.MANUAL,
) -> list[TrackAssignment]:
    """Give ``track`` to each user (once: a repeat keeps the first assignment)."""
    if source == TrackAssignment.Source.MANUAL:
        require_manager(by)
    start_date = start_date or timezone.localdate()
    users = list(users)
    lock_people([u.pk for u in users])
    existing = set(
        TrackAssignment.objects.filter(track=track, user__in=users).values_list(
            "user_id", flat=True
        )
    )
    TrackAssignment.objects.bulk_create(
        [
            TrackAssignment(
                user=u, track=track, start_date=start_date, assigned_by=by, source=source
            )
            for u in users
            if u.pk not in existing
        ],
        ignore_conflicts=True,
    )
    created = list(
        TrackAssignment.objects.filter(track=track, user__in=users)
        .exclude(user_id__in=existing)
        .select_related("track")
    )
    if created:
        obligations_sync(assignments=created)
        from training import tasks

        for user_id in {a.user_id for a in created}:
            enqueue_on_commit(tasks.send_reminders, user_id=user_id)
    return created


@transaction.atomic
def group_rule_create(*, group: Group, track: Track, by, assign_members: bool = True) -> GroupRule:
    require_manager(by)
    rule, _created = GroupRule.objects.get_or_create(
        group=group, track=track, defaults={"created_by": by}
    )
    if assign_members:
        track_assign(
            track=track,
            users=group.user_set.filter(is_active=True),
            by=by,
            source=TrackAssignment.Source.GROUP_RULE,
        )
    return rule


@transaction.atomic
def group_rule_delete(*, rule: GroupRule, by) -> None:
    """Stops future automatic assignments; existing assignments stay."""
    require_manager(by)
    rule.delete()


@transaction.atomic
def track_unassign(*, assignment: TrackAssignment, by) -> int:
    """Take a track away from a person. The outstanding obligations that only this track
    required are withdrawn (no more reminders, no longer counted); one still required by
    another of the person's tracks stays open; acknowledgements are untouched. A group rule
    that gave the track does not give it back until the person joins the group again.
    Safe to repeat. Returns the number of obligations withdrawn."""
    require_manager(by)
    lock_people([assignment.user_id])
    standard_ids = set(
        TrackItem.objects.filter(track_id=assignment.track_id).values_list("standard_id", flat=True)
    )
    deleted, _rows = TrackAssignment.objects.filter(pk=assignment.pk).delete()
    if deleted:
        logger.info(
            "Track %s unassigned from user %s by %s.",
            assignment.track_id,
            assignment.user_id,
            by.pk,
        )
    return obligations_withdraw_unrequired(user_ids=[assignment.user_id], standard_ids=standard_ids)


@transaction.atomic
def group_members_joined(*, user_ids: Iterable[int], group_ids: Iterable[int]) -> int:
    """Users joined groups: assign the tracks of the groups' rules. Returns assignments made."""
    rules = list(GroupRule.objects.filter(group_id__in=list(group_ids)).select_related("track"))
    made = 0
    users = list(User.objects.filter(pk__in=list(user_ids), is_active=True))
    for rule in rules:
        made += len(
            track_assign(
                track=rule.track,
                users=users,
                by=rule.created_by,
                source=TrackAssignment.Source.GROUP_RULE,
            )
        )
    return made
