"""Comprehension checks: a version's pass mark and attempts, its questions and answers (written
with the version, copied to its next draft), people's attempts and their scoring."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from standards.models import StandardVersion
from training.models import Check, CheckAttempt, Choice, Question
from training.services.common import lock_people, require_manager, require_published


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
    require_manager(user)
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
    require_manager(user)
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
    require_manager(user)
    _require_open(question.version)
    question.choices.all().delete()
    question.delete()


def attempts_state(*, user, version: StandardVersion) -> dict:
    """Whether the person passed, how many attempts count and how many remain."""
    check = check_for(version)
    [tally] = list(CheckAttempt.objects.filter(user=user, version=version).tally()) or [{}]
    used = tally.get("used", 0)
    return {
        "passed": bool(tally.get("passes")),
        "best_score": tally.get("best"),
        "used": used,
        "remaining": max(check.max_attempts - used, 0),
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
    require_published(version)
    # Serialise one person's attempts: two tabs cannot both use the last attempt.
    lock_people([user.pk])
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
    require_manager(by)
    return (
        CheckAttempt.objects.filter(user=user, version=version)
        .counting()
        .update(cleared_at=timezone.now(), cleared_by=by)
    )
