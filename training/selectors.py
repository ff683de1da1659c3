"""Reads for onboarding pages, the API and the dashboard: each a fixed number of queries.

Over 400 lines on purpose: the matrix, progress, My onboarding and the standards' states read one
"who owes what" rule (``assigned_pairs`` → ``build_rows``); the rest are small reads beside it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from standards.diff import VersionDiff, diff_versions
from standards.models import Standard, StandardVersion
from training.models import (
    Acknowledgement,
    Check,
    CheckAttempt,
    Obligation,
    Track,
    TrackAssignment,
    TrackItem,
)


@dataclass
class Cell:
    """One person × one standard."""

    standard: Standard
    state: str = "unavailable"  # acknowledged | outstanding | overdue | unavailable
    acknowledged_version: int | None = None
    acknowledgement_id: int | None = None
    due_date: date | None = None
    version_number: int | None = None
    failed_check: bool = False
    locked: bool = False

    @property
    def is_open(self) -> bool:
        return self.state in ("outstanding", "overdue")


@dataclass
class Row:
    user: User
    cells: dict[int, Cell] = field(default_factory=dict)

    @property
    def assigned(self) -> int:
        return len(self.cells)

    @property
    def acknowledged(self) -> int:
        return sum(1 for c in self.cells.values() if c.state == "acknowledged")

    @property
    def outstanding(self) -> int:
        return sum(1 for c in self.cells.values() if c.is_open)

    @property
    def overdue(self) -> int:
        return sum(1 for c in self.cells.values() if c.state == "overdue")

    @property
    def percent(self) -> int:
        return percent(self.acknowledged, self.assigned)


def percent(done: int, total: int) -> int:
    """Whole percent, rounded down so that 100 means everything is done."""
    return done * 100 // total if total else 0


def users_with_assignments():
    return (
        User.objects.filter(track_assignments__isnull=False)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


STATES = ("acknowledged", "outstanding", "overdue", "unavailable")


def assigned_pairs(
    *, today: date, standard_ids=None, user_ids=None, track_ids=None
) -> QuerySet[TrackItem]:
    """Who owes what, the one rule every reader of the states goes through, as SQL: one row
    per person × standard a track of theirs holds (``user_id``, ``standard_id``), with the
    pair's ``state``: an open obligation is owed
    (``overdue`` past its due date, else ``outstanding``), else an acknowledgement of any
    version on record is ``acknowledged``, else nothing is asked yet (``unavailable``).

    Narrowed to ``standard_ids``, ``user_ids`` and ``track_ids`` when given. Rows are not
    distinct (a person may hold a standard through two tracks): readers group or ``distinct()``.
    """
    owed = (
        Obligation.objects.open()
        .filter(user_id=OuterRef("user_id"), standard_id=OuterRef("standard_id"))
        .order_by()
        .annotate(
            owed=Case(
                When(due_date__lt=today, then=Value("overdue")),
                default=Value("outstanding"),
                output_field=CharField(),
            )
        )
    )
    acknowledged = Acknowledgement.objects.filter(
        user_id=OuterRef("user_id"), version__standard_id=OuterRef("standard_id")
    )
    # One join to the assignments, named once: the filters below are on its annotation. A
    # retired standard left the book: no pair, neither open nor done.
    items = TrackItem.objects.annotate(user_id=F("track__assignments__user_id")).filter(
        user_id__isnull=False, standard__retired_at__isnull=True
    )
    if standard_ids is not None:
        items = items.filter(standard_id__in=list(standard_ids))
    if user_ids is not None:
        items = items.filter(user_id__in=list(user_ids))
    if track_ids:
        items = items.filter(track_id__in=list(track_ids))
    # At most one open obligation per pair (a constraint): one index probe gives its state.
    return items.annotate(
        state=Coalesce(
            Subquery(owed.values("owed")[:1]),
            Case(
                When(Exists(acknowledged), then=Value("acknowledged")),
                default=Value("unavailable"),
            ),
            output_field=CharField(),
        )
    )


def standard_states(standard_ids, *, today: date | None = None) -> dict[int, dict[str, int]]:
    """Per standard, how many of the people a track asks to acknowledge it are in each state of
    :func:`assigned_pairs`: one grouped query whatever the number of people, for readers that
    need the counts and not the cells (the scorecard's overview and the standards report)."""
    today = today or timezone.localdate()
    pairs = assigned_pairs(standard_ids=standard_ids, today=today)
    # A person's state for a standard is one: counting distinct people per standard and state
    # counts the pairs, however many tracks hold the standard. Grouped by the state (not one
    # filtered count per state) so that the database works the rule out once per pair.
    rows = (
        pairs.order_by()
        .values_list("standard_id", "state")
        .annotate(people=Count("user_id", distinct=True))
    )
    counts: dict[int, dict[str, int]] = {}
    for standard_id, state, people in rows:
        counts.setdefault(standard_id, dict.fromkeys(STATES, 0))[state] = people
    return counts


def build_rows(
    users: list[User], *, track_ids=None, standard_ids=None, today: date | None = None
) -> list[Row]:
    """Cells of every assigned standard (not retired) of these users (only of ``standard_ids``
    when given): seven queries whatever their number. Each cell's state is
    :func:`assigned_pairs`'s."""
    today = today or timezone.localdate()
    user_ids = [u.pk for u in users]
    pairs = (
        assigned_pairs(
            today=today, standard_ids=standard_ids, user_ids=user_ids, track_ids=track_ids
        )
        .order_by()
        .values_list("user_id", "standard_id", "state")
        .distinct()
    )
    assigned, states = defaultdict(set), {}
    for user_id, standard_id, state in pairs:
        assigned[user_id].add(standard_id)
        states[(user_id, standard_id)] = state
    standard_ids = set().union(*assigned.values()) if assigned else set()
    standards = {s.pk: s for s in Standard.objects.filter(pk__in=standard_ids)}
    current = dict(
        StandardVersion.objects.filter(
            standard_id__in=standard_ids, status=StandardVersion.Status.PUBLISHED
        ).values_list("standard_id", "number")
    )
    obligations = {
        (o["user_id"], o["standard_id"]): o
        for o in Obligation.objects.open()
        .filter(user_id__in=user_ids, standard_id__in=standard_ids)
        .values("user_id", "standard_id", "due_date", "version__number", "version_id")
    }
    acks = {}
    for row in (
        Acknowledgement.objects.filter(user_id__in=user_ids, version__standard_id__in=standard_ids)
        .values("user_id", "version__standard_id", "version__number", "id")
        .order_by("version__number")
    ):
        acks[(row["user_id"], row["version__standard_id"])] = row
    # Failed checks on the versions people still have to acknowledge.
    open_versions = {o["version_id"] for o in obligations.values()}
    limits = dict(
        Check.objects.filter(version_id__in=open_versions).values_list("version_id", "max_attempts")
    )
    attempts_by = {
        (row["user_id"], row["version_id"]): row
        for row in CheckAttempt.objects.filter(
            user_id__in=user_ids, version_id__in=open_versions
        ).tally()
    }
    rows = []
    for user in users:
        row = Row(user=user)
        for standard_id in sorted(assigned.get(user.pk, ()), key=lambda s: standards[s].title):
            cell = Cell(standard=standards[standard_id], version_number=current.get(standard_id))
            key = (user.pk, standard_id)
            ack = acks.get(key)
            if ack:
                cell.acknowledged_version = ack["version__number"]
                cell.acknowledgement_id = ack["id"]
            obligation = obligations.get(key)
            cell.state = states[key]
            if obligation:
                cell.due_date = obligation["due_date"]
                cell.version_number = obligation["version__number"]
                attempts = attempts_by.get((user.pk, obligation["version_id"]))
                if attempts and not attempts["passes"] and attempts["used"]:
                    cell.failed_check = True
                    limit = limits.get(obligation["version_id"], Check.DEFAULT_MAX_ATTEMPTS)
                    cell.locked = attempts["used"] >= limit
            row.cells[standard_id] = cell
        rows.append(row)
    return rows


def users_assigned_to(standard_ids) -> QuerySet[User]:
    """The people a track of theirs asks to acknowledge one of ``standard_ids``."""
    return (
        User.objects.filter(track_assignments__track__items__standard_id__in=standard_ids)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def progress_rows(users: list[User]) -> list[dict]:
    return [
        {
            "user": row.user.username,
            "assigned": row.assigned,
            "acknowledged": row.acknowledged,
            "outstanding": row.outstanding,
            "overdue": row.overdue,
            "percent": row.percent,
        }
        for row in build_rows(users)
    ]


def matrix(*, group_id=None, track_id=None):
    """People (with assignments, filtered) and the standards that form the columns."""
    users = users_with_assignments()
    if group_id:
        users = users.filter(groups__id=group_id)
    if track_id:
        users = users.filter(track_assignments__track_id=track_id)
    return users


def matrix_columns(rows: list[Row]) -> list[Standard]:
    seen = {}
    for row in rows:
        for standard_id, cell in row.cells.items():
            seen[standard_id] = cell.standard
    return sorted(seen.values(), key=lambda s: s.title)


@dataclass
class TrackProgress:
    track: Track
    assignment: TrackAssignment
    cells: list[Cell]

    @property
    def done(self) -> int:
        return sum(1 for c in self.cells if c.state == "acknowledged")

    @property
    def percent(self) -> int:
        return percent(self.done, len(self.cells))


def my_onboarding(user, *, today: date | None = None) -> dict:
    """Tracks with progress, open items first (overdue, then by due date), then history."""
    today = today or timezone.localdate()
    [row] = build_rows([user], today=today)
    assignments = list(
        TrackAssignment.objects.filter(user=user)
        .select_related("track")
        .prefetch_related("track__items")
        .order_by("start_date", "track__name")
    )
    tracks = [
        TrackProgress(
            track=a.track,
            assignment=a,
            cells=[
                row.cells[i.standard_id] for i in a.track.items.all() if i.standard_id in row.cells
            ],
        )
        for a in assignments
    ]
    open_cells = sorted(
        (c for c in row.cells.values() if c.is_open),
        key=lambda c: (c.state != "overdue", c.due_date or today, c.standard.title),
    )
    history = list(
        Acknowledgement.objects.filter(user=user)
        .select_related("version__standard")
        .order_by("-acknowledged_at")
    )
    return {"row": row, "tracks": tracks, "open": open_cells, "history": history}


def person_history(user) -> dict:
    return {
        "acknowledgements": list(
            Acknowledgement.objects.filter(user=user).select_related("version__standard")
        ),
        "attempts": list(
            CheckAttempt.objects.filter(user=user).select_related("version__standard", "cleared_by")
        ),
        "obligations": list(
            Obligation.objects.filter(user=user)
            .select_related("standard", "version")
            .order_by("state", "due_date")
        ),
        "assignments": list(
            TrackAssignment.objects.filter(user=user).select_related("track", "assigned_by")
        ),
    }


def overdue_people_count(*, today: date | None = None) -> int:
    today = today or timezone.localdate()
    return Obligation.objects.overdue(today).required().values("user_id").distinct().count()


def open_count(user, *, today: date | None = None) -> tuple[int, int]:
    """(outstanding, overdue) of one person."""
    today = today or timezone.localdate()
    counts = (
        Obligation.objects.open()
        .required()
        .filter(user=user)
        .aggregate(outstanding=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    )
    return counts["outstanding"], counts["overdue"]


def unassign_preview(assignment: TrackAssignment) -> dict:
    """What taking ``assignment`` away does to the person's open obligations: those only this
    track requires are withdrawn, those another of their tracks requires stay. Two queries."""
    open_obligations = list(
        Obligation.objects.open()
        .filter(
            user_id=assignment.user_id,
            standard__track_items__track_id=assignment.track_id,
        )
        .select_related("standard", "version")
        .order_by("due_date", "standard__title")
    )
    elsewhere = set(
        TrackItem.objects.filter(track__assignments__user_id=assignment.user_id)
        .exclude(track_id=assignment.track_id)
        .values_list("standard_id", flat=True)
    )
    return {
        "withdrawn": [o for o in open_obligations if o.standard_id not in elsewhere],
        "kept": [o for o in open_obligations if o.standard_id in elsewhere],
    }


def check_versions(standard_ids) -> dict[int, StandardVersion]:
    """For each standard, the version whose check a manager would edit: the one in draft or in
    review, else the published one (one query). Retired standards are left out."""
    chosen: dict[int, StandardVersion] = {}
    versions = (
        StandardVersion.objects.filter(
            standard_id__in=list(standard_ids),
            status__in=[*StandardVersion.OPEN_STATUSES, StandardVersion.Status.PUBLISHED],
            standard__retired_at__isnull=True,
        )
        .select_related("standard")
        .order_by("standard_id", "number")
    )
    for version in versions:  # the open version, when there is one, has the higher number
        chosen[version.standard_id] = version
    return chosen


def changes_since_acknowledged(*, user, version: StandardVersion) -> dict:
    """For the re-acknowledgement page: the version of the same standard the person last
    acknowledged before ``version`` and the diff from it (the one the diff page draws), or
    nothing when they never acknowledged one. ``version`` has criteria and situations
    prefetched; four queries."""
    last = (
        Acknowledgement.objects.filter(
            user=user, version__standard_id=version.standard_id, version__number__lt=version.number
        )
        .order_by("-version__number")
        .first()
    )
    if last is None:
        return {}
    old = StandardVersion.objects.prefetch_related("criteria", "situations").get(pk=last.version_id)
    diff = diff_versions(old, version, critical_label=gettext("critical"))
    return {
        "since": last,
        "since_version": old,
        "changes": diff,
        "changes_counts": {
            "body": VersionDiff.counts(diff.body),
            "criteria": VersionDiff.counts(diff.criteria),
            "situations": VersionDiff.counts(diff.situations),
        },
    }
