"""Writes for onboarding: the one code path that pages, the API, tasks and commands call."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, time, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from channels_app.models import timezone_names
from core.queue import enqueue_on_commit
from portal.roles import MANAGER, has_role
from standards.models import Standard, StandardVersion
from training.models import (
    Acknowledgement,
    Check,
    CheckAttempt,
    Choice,
    GroupRule,
    Obligation,
    Question,
    Track,
    TrackAssignment,
    TrackItem,
    TrainingProfile,
    compute_fingerprint,
)

logger = logging.getLogger(__name__)

Status = StandardVersion.Status


def reack_days() -> int:
    """Days staff get to acknowledge a major version (setting ``TRAINING_REACK_DAYS``)."""
    return settings.TRAINING_REACK_DAYS


def _require_manager(user) -> None:
    if user is None or not has_role(user, MANAGER):
        raise PermissionDenied(gettext("Only managers may do this."))


# --- Tracks -------------------------------------------------------------------------------


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
    _require_manager(user)
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
    _require_manager(by)
    user_ids = set(track.assignments.values_list("user_id", flat=True))
    standard_ids = set(track.items.values_list("standard_id", flat=True))
    track.delete()
    logger.info("Track %s deleted by %s.", track.pk, by.pk)
    return obligations_withdraw_unrequired(user_ids=user_ids, standard_ids=standard_ids)


def _lock_people(user_ids) -> None:
    """Serialise changes to these people's tracks (PostgreSQL; SQLite serialises writes anyway):
    an unassignment and a concurrent assignment of another track holding the same standard
    must not both decide on the same open obligation from stale reads."""
    list(
        User.objects.select_for_update()
        .filter(pk__in=list(user_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


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
        _require_manager(by)
    start_date = start_date or timezone.localdate()
    users = list(users)
    _lock_people([u.pk for u in users])
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
    _require_manager(by)
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
    _require_manager(by)
    rule.delete()


@transaction.atomic
def track_unassign(*, assignment: TrackAssignment, by) -> int:
    """Take a track away from a person. The outstanding obligations that only this track
    required are withdrawn (no more reminders, no longer counted); one still required by
    another of the person's tracks stays open; acknowledgements are untouched. A group rule
    that gave the track does not give it back until the person joins the group again.
    Safe to repeat. Returns the number of obligations withdrawn."""
    _require_manager(by)
    _lock_people([assignment.user_id])
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


# --- Obligations ----------------------------------------------------------------------------


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


def is_outstanding(*, current: int, last_acknowledged: int | None, majors: list[int]) -> bool:
    """The rule: the current version is outstanding when it is not acknowledged and either no
    version was ever acknowledged or a major one came after the last acknowledged."""
    if last_acknowledged is None:
        return True
    if last_acknowledged >= current:
        return False
    return any(last_acknowledged < n <= current for n in majors)


def obligations_sync(*, assignments: list[TrackAssignment]) -> int:
    """Create the missing obligations of these assignments (set-based). Returns how many."""
    if not assignments:
        return 0
    track_ids = {a.track_id for a in assignments}
    items = list(
        TrackItem.objects.filter(track_id__in=track_ids).values(
            "track_id", "standard_id", "due_offset_days"
        )
    )
    standard_ids = {i["standard_id"] for i in items}
    current = {
        v.standard_id: v
        for v in StandardVersion.objects.filter(
            standard_id__in=standard_ids,
            status=Status.PUBLISHED,
            standard__retired_at__isnull=True,  # a retired standard asks nobody
        )
    }
    user_ids = {a.user_id for a in assignments}
    last = _last_acknowledged(user_ids, standard_ids)
    majors = _major_numbers(standard_ids)
    open_now = {
        (o.user_id, o.standard_id): o
        for o in Obligation.objects.open().filter(
            user_id__in=user_ids, standard_id__in=standard_ids
        )
    }
    today = timezone.localdate()
    wanted: dict[tuple[int, int], date] = {}
    for a in assignments:
        for item in items:
            if item["track_id"] != a.track_id or item["standard_id"] not in current:
                continue
            version = current[item["standard_id"]]
            key = (a.user_id, item["standard_id"])
            if not is_outstanding(
                current=version.number, last_acknowledged=last.get(key), majors=majors[key[1]]
            ):
                continue
            due = a.start_date + timedelta(days=item["due_offset_days"])
            if a.start_date < today and a.created_at and a.created_at.date() < today:
                # An item added to a running track: counted from today.
                due = max(due, today + timedelta(days=item["due_offset_days"]))
            wanted[key] = min(wanted.get(key, due), due)
    done = set(
        Obligation.objects.filter(user_id__in=user_ids, standard_id__in=standard_ids)
        .exclude(state=Obligation.State.WITHDRAWN)
        .values_list("user_id", "version_id")
    )
    to_create = []
    for key, due in wanted.items():
        existing = open_now.get(key)
        if existing is not None:
            if due < existing.due_date:
                Obligation.objects.filter(pk=existing.pk).update(due_date=due)
            continue
        if (key[0], current[key[1]].pk) in done:
            continue
        to_create.append(
            Obligation(
                user_id=key[0],
                standard_id=key[1],
                version=current[key[1]],
                due_date=due,
                reason=(
                    Obligation.Reason.NEW if last.get(key) is None else Obligation.Reason.CHANGED
                ),
            )
        )
    Obligation.objects.bulk_create(to_create, ignore_conflicts=True)
    return len(to_create)


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


def obligations_on_reinstatement(*, standard_id: int) -> int:
    """A retired standard is back: its people are asked again where the rule says they still
    owe it; due dates count from today (as for an item added to a running track)."""
    assignments = list(
        TrackAssignment.objects.filter(track__items__standard_id=standard_id).distinct()
    )
    return obligations_sync(assignments=assignments)


@transaction.atomic
def obligations_on_publication(*, version: StandardVersion, previous: StandardVersion | None):
    """A version was published: open obligations move to it; a major one (or the first
    version) makes it outstanding for everyone whose track holds the standard."""
    standard_id = version.standard_id
    Obligation.objects.open().filter(standard_id=standard_id).update(version=version)
    if previous is not None and not version.requires_reacknowledgement:
        return 0
    published_on = timezone.localdate(version.published_at)
    reack_due = published_on + timedelta(days=reack_days())
    assignments = TrackAssignment.objects.filter(track__items__standard_id=standard_id).values(
        "user_id", "start_date", "track__items__due_offset_days"
    )
    has_open = set(
        Obligation.objects.open().filter(standard_id=standard_id).values_list("user_id", flat=True)
    )
    acknowledged_before = set(
        Acknowledgement.objects.filter(version__standard_id=standard_id).values_list(
            "user_id", flat=True
        )
    )
    due_by_user: dict[int, date] = {}
    for row in assignments:
        user_id = row["user_id"]
        if user_id in has_open:
            continue
        if user_id in acknowledged_before:
            due = reack_due
        else:
            # Never acknowledged: a new joiner's due date, but never before publication + N.
            due = max(
                row["start_date"] + timedelta(days=row["track__items__due_offset_days"]),
                reack_due,
            )
        due_by_user[user_id] = min(due_by_user.get(user_id, due), due)
    Obligation.objects.bulk_create(
        [
            Obligation(
                user_id=user_id,
                standard_id=standard_id,
                version=version,
                due_date=due,
                reason=(
                    Obligation.Reason.CHANGED
                    if user_id in acknowledged_before
                    else Obligation.Reason.NEW
                ),
            )
            for user_id, due in due_by_user.items()
        ],
        ignore_conflicts=True,
    )
    return len(due_by_user)


# --- Comprehension checks -----------------------------------------------------------------


def check_for(version: StandardVersion) -> Check:
    """The version's check settings, unsaved defaults when none were set."""
    try:
        return version.training_check
    except Check.DoesNotExist:
        return Check(version=version)


def _require_open(version: StandardVersion) -> None:
    if version.status not in StandardVersion.OPEN_STATUSES:
        raise ValidationError(
            gettext(
                "Questions are written with the version: once it is published they cannot "
                "change. Start a new draft of the standard to change them."
            )
        )


def check_copy(*, source: StandardVersion | None, target: StandardVersion) -> int:
    """A new draft starts with the check of the version it copies: its pass mark, attempts,
    questions and answers, in a fixed number of queries whatever their number (the draft
    stays editable; ``source`` is never touched). Returns the number of questions copied."""
    if source is None:
        return 0
    _require_open(target)
    settings_row = Check.objects.filter(version=source).first()
    if settings_row is not None:  # the draft was just made: it has no row of its own yet
        Check.objects.create(
            version=target,
            pass_mark=settings_row.pass_mark,
            max_attempts=settings_row.max_attempts,
        )
    questions = list(Question.objects.filter(version=source).prefetch_related("choices"))
    if not questions:
        return 0
    copies = Question.objects.bulk_create(
        Question(version=target, text=q.text, kind=q.kind, order=q.order) for q in questions
    )
    Choice.objects.bulk_create(
        Choice(question=copy, text=c.text, is_correct=c.is_correct, order=c.order)
        for question, copy in zip(questions, copies, strict=True)
        for c in question.choices.all()
    )
    return len(copies)


@transaction.atomic
def check_settings_update(
    *, version: StandardVersion, user, pass_mark: int, max_attempts: int
) -> Check:
    _require_manager(user)
    _require_open(version)
    errors = {}
    if not 1 <= int(pass_mark) <= 100:
        errors["pass_mark"] = [gettext("Give a pass mark from 1 to 100%.")]
    if not 1 <= int(max_attempts) <= 20:
        errors["max_attempts"] = [gettext("Give 1 to 20 attempts.")]
    if errors:
        raise ValidationError(errors)
    check, _ = Check.objects.update_or_create(
        version=version, defaults={"pass_mark": pass_mark, "max_attempts": max_attempts}
    )
    return check


def parse_choices(text: str) -> list[tuple[str, bool]]:
    """One answer a line; a leading ``*`` marks a correct one."""
    choices = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        correct = line.startswith("*")
        line = line.lstrip("*").strip()
        if line:
            choices.append((line[:300], correct))
    return choices


@transaction.atomic
def question_create(
    *, version: StandardVersion, user, text: str, kind: str, choices: list[tuple[str, bool]]
) -> Question:
    _require_manager(user)
    _require_open(version)
    errors = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = [gettext("Write the question.")]
    if kind not in Question.Kind.values:
        errors["kind"] = [gettext("Choose one answer or several answers.")]
    correct = sum(1 for _t, ok in choices if ok)
    if len(choices) < 2:
        errors["choices"] = [gettext("Give at least two answers.")]
    elif correct == 0:
        errors["choices"] = [gettext("Mark at least one answer as correct with a *.")]
    elif kind == Question.Kind.SINGLE and correct != 1:
        errors["choices"] = [gettext("A one-answer question has exactly one correct answer.")]
    if errors:
        raise ValidationError(errors)
    order = (version.training_questions.aggregate(m=Max("order"))["m"] or 0) + 1
    question = Question.objects.create(version=version, text=text, kind=kind, order=order)
    Choice.objects.bulk_create(
        Choice(question=question, text=t, is_correct=ok, order=i)
        for i, (t, ok) in enumerate(choices)
    )
    return question


@transaction.atomic
def question_delete(*, question: Question, user) -> None:
    _require_manager(user)
    _require_open(question.version)
    question.choices.all().delete()
    question.delete()


def attempts_state(*, user, version: StandardVersion) -> dict:
    """Whether the person passed, how many attempts count and how many remain."""
    check = check_for(version)
    attempts = list(
        CheckAttempt.objects.filter(user=user, version=version).values(
            "passed", "score", "cleared_at"
        )
    )
    passed = [a["score"] for a in attempts if a["passed"]]
    counted = sum(1 for a in attempts if a["cleared_at"] is None and not a["passed"])
    return {
        "passed": bool(passed),
        "best_score": max(passed) if passed else None,
        "used": counted,
        "remaining": max(check.max_attempts - counted, 0),
        "max_attempts": check.max_attempts,
        "pass_mark": check.pass_mark,
    }


def score_answers(questions: list[Question], answers: Mapping[str, Iterable]) -> tuple[int, dict]:
    """Percentage of questions answered exactly right, and the answers as stored."""
    right = 0
    stored = {}
    for question in questions:
        picked = {int(c) for c in answers.get(str(question.pk), []) if str(c).isdigit()}
        correct = {c.pk for c in question.choices.all() if c.is_correct}
        valid = {c.pk for c in question.choices.all()}
        picked &= valid
        stored[str(question.pk)] = sorted(picked)
        if picked == correct:
            right += 1
    score = round(right * 100 / len(questions)) if questions else 100
    return score, stored


@transaction.atomic
def check_attempt_submit(
    *, user, version: StandardVersion, answers: Mapping[str, Iterable]
) -> CheckAttempt:
    """Record an attempt at the version's check. Refused when the version is not the published
    one, the person passed already, or no attempts remain (a manager must reset them)."""
    version = StandardVersion.objects.select_for_update().get(pk=version.pk)
    _require_published(version)
    # Serialise one person's attempts: two tabs cannot both use the last attempt.
    _lock_people([user.pk])
    state = attempts_state(user=user, version=version)
    if state["passed"]:
        raise ValidationError(gettext("You passed this check already."))
    if state["remaining"] <= 0:
        raise ValidationError(
            gettext(
                "You have used all your attempts. Your manager has been told and can reset them."
            )
        )
    questions = list(version.training_questions.prefetch_related("choices"))
    if not questions:
        raise ValidationError(gettext("This version has no check."))
    missing = [q for q in questions if not answers.get(str(q.pk))]
    if missing:
        raise ValidationError(gettext("Answer every question."))
    score, stored = score_answers(questions, answers)
    passed = score >= state["pass_mark"]
    attempt = CheckAttempt.objects.create(
        user=user, version=version, score=score, passed=passed, answers=stored, at=timezone.now()
    )
    if not passed and state["remaining"] == 1:
        from training import reminders

        # In this transaction: the notice is in the outbox exactly when the attempt is stored.
        reminders.attempts_exhausted_notify(attempt_id=attempt.pk)
    return attempt


@transaction.atomic
def check_attempts_reset(*, user, version: StandardVersion, by) -> int:
    """A manager gives the person their attempts back; the old attempts stay on record."""
    _require_manager(by)
    return CheckAttempt.objects.filter(
        user=user, version=version, cleared_at__isnull=True, passed=False
    ).update(cleared_at=timezone.now(), cleared_by=by)


# --- Acknowledgements --------------------------------------------------------------------


def _require_published(version: StandardVersion) -> None:
    if version.standard.is_retired:
        raise ValidationError(
            gettext("This standard is retired: there is nothing to acknowledge any more.")
        )
    if version.status == Status.PUBLISHED:
        return
    if version.status == Status.ARCHIVED:
        message = gettext(
            "Version %(number)d was replaced by a newer one; acknowledge the current version."
        )
    else:
        message = gettext("Version %(number)d is not published yet; it cannot be acknowledged.")
    raise ValidationError(message % {"number": version.number})


def _norm(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def name_matches(user, typed: str) -> bool:
    """The typed name must be the person's full name (case and spacing aside); a person with no
    name on file must type a non-empty name."""
    typed = _norm(typed)
    if not typed:
        return False
    expected = _norm(user.get_full_name())
    return not expected or typed == expected


@transaction.atomic
def acknowledgement_create(
    *,
    user,
    version: StandardVersion,
    full_name: str,
    confirmed: bool,
    ip_address: str | None = None,
    user_agent: str = "",
    at=None,
) -> tuple[Acknowledgement, bool]:
    """Record that ``user`` read and accepts ``version``. A repeat (double submit) returns the
    existing record with ``created=False``."""
    version = StandardVersion.objects.select_related("standard").get(pk=version.pk)
    existing = Acknowledgement.objects.filter(user=user, version=version).first()
    if existing is not None:
        return existing, False
    _require_published(version)
    errors = {}
    if not confirmed:
        errors["confirmed"] = [gettext("Tick the box to confirm you read the standard.")]
    if not name_matches(user, full_name):
        errors["full_name"] = [
            gettext("Type your full name as it is on your account: %(name)s.")
            % {"name": user.get_full_name()}
            if user.get_full_name()
            else gettext("Type your full name.")
        ]
    quiz_score = None
    if version.training_questions.exists():
        state = attempts_state(user=user, version=version)
        if not state["passed"]:
            errors["__all__"] = [gettext("Pass the comprehension check first.")]
        quiz_score = state["best_score"]
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    version = StandardVersion.objects.prefetch_related("criteria", "situations").get(pk=version.pk)
    record = Acknowledgement(
        user=user,
        version=version,
        acknowledged_at=at,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:500],
        quiz_score=quiz_score,
        full_name=" ".join(full_name.split())[:200],
        fingerprint=compute_fingerprint(version=version, user_id=user.pk, at=at),
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        return Acknowledgement.objects.get(user=user, version=version), False
    Obligation.objects.open().filter(user=user, standard_id=version.standard_id).update(
        state=Obligation.State.DONE, resolved_at=at, acknowledgement=record
    )
    return record, True


# --- Working hours ------------------------------------------------------------------------


def working_hours_validate(*, timezone_name: str, work_start: time | None, work_end: time | None):
    """The rules of a person's working hours, for the page and the admin alike."""
    errors = {}
    if timezone_name and timezone_name not in timezone_names():
        errors["timezone"] = [
            gettext("“%(value)s” is not a known time zone; use an IANA name such as Europe/Warsaw.")
            % {"value": timezone_name}
        ]
    if (work_start is None) != (work_end is None):
        field = "work_end" if work_end is None else "work_start"
        errors[field] = [
            gettext("Give both the start and the end of the working hours, or neither.")
        ]
    elif work_start is not None and work_start == work_end:
        # An end before the start is a night shift (22:00 to 06:00), which reminders honour.
        errors["work_end"] = [gettext("The working hours cannot start and end at the same time.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def training_profile_update(
    *, user: User, by, timezone_name: str = "", work_start: time | None, work_end: time | None
) -> TrainingProfile:
    """Set when a person works (in their time zone; empty: the portal's). Reminders reach them
    on weekdays within these hours; without hours, at any time."""
    _require_manager(by)
    timezone_name = (timezone_name or "").strip()
    working_hours_validate(timezone_name=timezone_name, work_start=work_start, work_end=work_end)
    profile, _created = TrainingProfile.objects.update_or_create(
        user=user,
        defaults={"timezone": timezone_name, "work_start": work_start, "work_end": work_end},
    )
    return profile
