"""Who owes what: ONE rule, used when tracks are assigned or changed, when a standard is
reinstated and when a version is published. Set-based: a fixed number of queries whatever the
number of people, tracks and standards.

The rule: a person whose track holds a standard (not retired) owes its published version when
they never acknowledged a version of it, or a major version came after the last one they
acknowledged (``is_outstanding``). What is owed is one open obligation per person and
standard; the due date depends on what happened (``_due``). Obligations no track holds any
more, or of a retired standard, are withdrawn (kept on record).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Case, DateField, Max, Value, When
from django.utils import timezone

from standards.models import StandardVersion
from training.models import Acknowledgement, Obligation, TrackAssignment, TrackItem
from training.services.common import Status, reack_days


def is_outstanding(*, current: int, last_acknowledged: int | None, majors: list[int]) -> bool:
    """The rule: the current version is outstanding when it is not acknowledged and either no
    version was ever acknowledged or a major one came after the last acknowledged."""
    if last_acknowledged is None:
        return True
    if last_acknowledged >= current:
        return False
    return any(last_acknowledged < n <= current for n in majors)


def _last_acknowledged(user_ids, standard_ids) -> dict[tuple[int, int], int]:
    """(user, standard) -> the highest version number acknowledged."""
    rows = (
        Acknowledgement.objects.filter(user_id__in=user_ids, version__standard_id__in=standard_ids)
        .values("user_id", "version__standard_id")
        .annotate(number=Max("version__number"))
    )
    return {(r["user_id"], r["version__standard_id"]): r["number"] for r in rows}


def _major_numbers(standard_ids) -> dict[int, list[int]]:
    majors = defaultdict(list)
    for standard_id, number in StandardVersion.objects.filter(
        standard_id__in=standard_ids,
        status__in=StandardVersion.FROZEN_STATUSES,
        change_kind=StandardVersion.ChangeKind.MAJOR,
    ).values_list("standard_id", "number"):
        majors[standard_id].append(number)
    return majors


def _due(
    assignment: TrackAssignment,
    offset: int,
    *,
    today: date,
    acknowledged_before: bool,
    published_on: date | None,
) -> date:
    """When an obligation falls due. On assignment: the start plus the item's offset (an item
    added to a running track counts from today). On publication: the publication plus
    ``TRAINING_REACK_DAYS``; never before a new joiner's own due date."""
    start_due = assignment.start_date + timedelta(days=offset)
    if published_on is not None:
        reack_due = published_on + timedelta(days=reack_days())
        return reack_due if acknowledged_before else max(start_due, reack_due)
    if (
        assignment.start_date < today
        and assignment.created_at
        and assignment.created_at.date() < today
    ):
        return max(start_due, today + timedelta(days=offset))
    return start_due


def obligations_sync(
    *,
    assignments: Iterable[TrackAssignment],
    standard_ids: Iterable[int] | None = None,
    published_on: date | None = None,
) -> int:
    """Make what these assignments owe (of ``standard_ids``, default all their tracks' items)
    match the rule: missing obligations are created, an open one falls due earlier when an
    assignment asks for an earlier date (on assignment only, not on publication). Seven
    queries at most whatever the numbers. Returns the number of obligations created."""
    assignments = list(assignments)
    if not assignments:
        return 0
    items = TrackItem.objects.filter(track_id__in={a.track_id for a in assignments})
    if standard_ids is not None:
        items = items.filter(standard_id__in=list(standard_ids))
    by_track = defaultdict(list)
    for row in items.values("track_id", "standard_id", "due_offset_days"):
        by_track[row["track_id"]].append((row["standard_id"], row["due_offset_days"]))
    all_standard_ids = {s for rows in by_track.values() for s, _offset in rows}
    current = {
        v.standard_id: v
        for v in StandardVersion.objects.filter(
            standard_id__in=all_standard_ids,
            status=Status.PUBLISHED,
            standard__retired_at__isnull=True,  # a retired standard asks nobody
        )
    }
    user_ids = {a.user_id for a in assignments}
    last = _last_acknowledged(user_ids, list(current))
    majors = _major_numbers(list(current))
    today = timezone.localdate()
    wanted: dict[tuple[int, int], date] = {}
    for a in assignments:
        for standard_id, offset in by_track[a.track_id]:
            version = current.get(standard_id)
            key = (a.user_id, standard_id)
            if version is None or not is_outstanding(
                current=version.number, last_acknowledged=last.get(key), majors=majors[standard_id]
            ):
                continue
            due = _due(
                a,
                offset,
                today=today,
                acknowledged_before=key in last,
                published_on=published_on,
            )
            wanted[key] = min(wanted.get(key, due), due)
    if not wanted:
        return 0
    known = Obligation.objects.filter(
        user_id__in={u for u, _s in wanted}, standard_id__in={s for _u, s in wanted}
    ).exclude(state=Obligation.State.WITHDRAWN)
    open_now: dict[tuple[int, int], tuple[int, date]] = {}
    done: set[tuple[int, int]] = set()
    for pk, user_id, standard_id, version_id, state, due_date in known.values_list(
        "pk", "user_id", "standard_id", "version_id", "state", "due_date"
    ):
        done.add((user_id, version_id))
        if state == Obligation.State.OPEN:
            open_now[(user_id, standard_id)] = (pk, due_date)
    earlier: dict[int, date] = {}
    to_create = []
    for key, due in wanted.items():
        if key in open_now:
            pk, due_date = open_now[key]
            if published_on is None and due < due_date:
                earlier[pk] = due
            continue
        version = current[key[1]]
        if (key[0], version.pk) in done:
            continue
        to_create.append(
            Obligation(
                user_id=key[0],
                standard_id=key[1],
                version=version,
                due_date=due,
                reason=Obligation.Reason.CHANGED if key in last else Obligation.Reason.NEW,
            )
        )
    if earlier:  # one UPDATE for all of them
        Obligation.objects.filter(pk__in=earlier).update(
            due_date=Case(
                *(When(pk=pk, then=Value(due)) for pk, due in earlier.items()),
                output_field=DateField(),
            )
        )
    Obligation.objects.bulk_create(to_create, ignore_conflicts=True)
    return len(to_create)


@transaction.atomic
def obligations_on_publication(*, version: StandardVersion, previous: StandardVersion | None):
    """A version was published: open obligations move to it (keeping their due dates); a major
    one (or the first version) is owed, by the rule, by everyone whose track holds the
    standard. Returns the number of obligations created."""
    standard_id = version.standard_id
    Obligation.objects.open().filter(standard_id=standard_id).update(version=version)
    if previous is not None and not version.requires_reacknowledgement:
        return 0
    assignments = TrackAssignment.objects.filter(track__items__standard_id=standard_id).distinct()
    return obligations_sync(
        assignments=assignments,
        standard_ids=[standard_id],
        published_on=timezone.localdate(version.published_at),
    )


def obligations_on_reinstatement(*, standard_id: int) -> int:
    """A retired standard is back: its people are asked again where the rule says they still
    owe it; due dates count from today (as for an item added to a running track)."""
    assignments = TrackAssignment.objects.filter(track__items__standard_id=standard_id).distinct()
    return obligations_sync(assignments=assignments, standard_ids=[standard_id])


def obligations_withdraw_unrequired(
    *, user_ids: Iterable[int], standard_ids: Iterable[int] | None = None, at=None
) -> int:
    """Withdraw the open obligations of these people (and standards) that no track of theirs
    holds any more: one set-based UPDATE. The rows stay on record with the time of withdrawal;
    done ones and acknowledgements are never touched. Returns how many were withdrawn."""
    user_ids = list(user_ids)
    if not user_ids:
        return 0
    obligations = Obligation.objects.open().filter(user_id__in=user_ids)
    if standard_ids is not None:
        standard_ids = list(standard_ids)
        if not standard_ids:
            return 0
        obligations = obligations.filter(standard_id__in=standard_ids)
    return obligations.unrequired().update(
        state=Obligation.State.WITHDRAWN, resolved_at=at or timezone.now()
    )


def obligations_withdraw_retired(*, standard_id: int, at=None) -> int:
    """The standard was retired: every open obligation of it is withdrawn, whoever holds it,
    in one set-based UPDATE (kept on record, as when a track loses the standard)."""
    return (
        Obligation.objects.open()
        .filter(standard_id=standard_id)
        .update(state=Obligation.State.WITHDRAWN, resolved_at=at or timezone.now())
    )
