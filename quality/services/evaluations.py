"""QA evaluations: a manager judges one interaction of a staff member against the criteria of a
published standard version. The one code path for pages, commands and the demo.

Every criterion of the version is answered (met, not met, not applicable); the score is computed
here (:func:`quality.scoring.score`) and stored with the answers in one transaction. Saved
evaluations never change; a manager may delete one (with its revisions and answers). The staff
member accepts or disputes; a manager resolves a dispute with a new revision (below).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core import outbox, parse
from core.roles import MANAGER, STAFF, has_role
from quality import scoring
from quality.models import Evaluation, EvaluationItem, EvaluationResponse
from quality.models.evaluations import COMMENT_MAX, NOTE_MAX, REFERENCE_MAX
from standards.models import Criterion, StandardVersion

Status = StandardVersion.Status


def require_evaluator(user) -> None:
    if user is None or not has_role(user, MANAGER):
        raise PermissionDenied(gettext("Only managers can evaluate interactions."))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _criterion_id(value: Any) -> int | None:
    if isinstance(value, Criterion):
        return value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _clean_answers(
    answers: Iterable[Mapping[str, Any]], criteria: list[Criterion]
) -> tuple[list[EvaluationItem], scoring.Score]:
    """One answer for every criterion of the version, nothing else; all problems at once."""
    by_id = {c.pk: c for c in criteria}
    position = {c.pk: n for n, c in enumerate(criteria, start=1)}
    given: dict[int, dict[str, str]] = {}
    problems: list[str] = []
    for answer in answers:
        criterion_id = _criterion_id(answer.get("criterion"))
        if criterion_id not in by_id:
            problems.append(
                gettext("An answer is for a criterion that is not part of this version.")
            )
            continue
        n = position[criterion_id]
        if criterion_id in given:
            problems.append(gettext("Criterion %(n)d is answered more than once.") % {"n": n})
            continue
        result = answer.get("result")
        note = _text(answer.get("note"))
        if result not in scoring.RESULTS:
            problems.append(
                gettext("Criterion %(n)d: choose met, not met or not applicable.") % {"n": n}
            )
        if len(note) > NOTE_MAX:
            problems.append(
                gettext("Criterion %(n)d: the note has at most %(max)d characters.")
                % {"n": n, "max": NOTE_MAX}
            )
        given[criterion_id] = {"result": result, "note": note}
    for criterion in criteria:
        if criterion.pk not in given:
            problems.append(
                gettext("Criterion %(n)d is not answered: choose met, not met or not applicable.")
                % {"n": position[criterion.pk]}
            )
    if problems:
        raise ValidationError({"answers": problems})
    result = scoring.score(
        scoring.Answer(c.weight, c.is_critical, given[c.pk]["result"]) for c in criteria
    )
    if result.value is None:
        raise ValidationError(
            {
                "answers": [
                    gettext(
                        "Every criterion is marked not applicable, so there is nothing to score. "
                        "Mark at least one criterion met or not met."
                    )
                ]
            }
        )
    items = [
        EvaluationItem(criterion=c, result=given[c.pk]["result"], note=given[c.pk]["note"])
        for c in criteria
    ]
    return items, result


@transaction.atomic
def evaluation_create(
    *,
    evaluator,
    agent,
    version: StandardVersion,
    answers: Iterable[Mapping[str, Any]],
    interaction_reference: str,
    occurred_at: datetime | None,
    channel: Channel | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> Evaluation:
    """Record a manager's judgement of one interaction of ``agent`` against ``version``.

    ``answers``: ``{"criterion": Criterion or id, "result": "met"|"not_met"|"na", "note": str}``
    for every criterion of the version. Refused (``ValidationError`` with field keys, every
    problem at once): a version that is not published, an agent who is not staff, a channel the
    standard does not apply to, an interaction in the future, criteria missing, repeated or of
    another version.
    """
    require_evaluator(evaluator)
    now = now or timezone.now()
    # Locked so that a publication running now (which archives this version) waits or wins.
    version = (
        StandardVersion.objects.select_for_update()
        .select_related("standard")
        .filter(pk=version.pk)
        .first()
    )
    if version is None or version.status != Status.PUBLISHED:
        raise ValidationError(
            {
                "version": [
                    gettext(
                        "Only the published version of a standard can be evaluated against; "
                        "this version is no longer published."
                    )
                ]
            }
        )
    criteria = list(version.criteria.order_by("order", "id"))
    errors: dict[str, list[str]] = {}

    if agent is None or not getattr(agent, "pk", None):
        errors["agent"] = [gettext("Choose the staff member whose interaction you evaluated.")]
    elif not has_role(agent, STAFF):
        errors["agent"] = [gettext("Only staff members can be evaluated.")]
    elif agent.pk == evaluator.pk:
        errors["agent"] = [gettext("You cannot evaluate your own interactions.")]

    if channel is not None:
        allowed = list(version.standard.channels.values_list("pk", flat=True))
        if allowed and channel.pk not in allowed:
            errors["channel"] = [
                gettext("“%(standard)s” does not apply to the channel %(channel)s.")
                % {"standard": version.standard.title, "channel": channel.name}
            ]

    reference = _text(interaction_reference)
    if not reference:
        errors["interaction_reference"] = [
            gettext("Give the ticket number, call id or other reference of the interaction.")
        ]
    elif len(reference) > REFERENCE_MAX:
        errors["interaction_reference"] = [
            gettext("The reference has at most %(max)d characters.") % {"max": REFERENCE_MAX}
        ]

    if occurred_at is None:
        errors["occurred_at"] = [gettext("Give the date and time of the interaction.")]
    else:
        # The one rule for an aware instant (refuses naive and unstorable ones, returns UTC).
        try:
            occurred_at = parse.check_instant(occurred_at)
        except parse.OutsideValueError as exc:
            errors["occurred_at"] = list(exc.messages)
        else:
            if occurred_at > now:
                errors["occurred_at"] = [gettext("The interaction cannot be in the future.")]

    comment = _text(comment)
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [
            gettext("The comment has at most %(max)d characters.") % {"max": COMMENT_MAX}
        ]

    if not criteria:
        errors["answers"] = [gettext("This version has no criteria to evaluate against.")]
        items, result = [], None
    else:
        try:
            items, result = _clean_answers(answers, criteria)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)

    evaluation = Evaluation(
        standard=version.standard,
        version=version,
        agent=agent,
        evaluator=evaluator,
        channel=channel,
        interaction_reference=reference,
        occurred_at=occurred_at,
        comment=comment,
        score=result.value,
        critical_missed=result.critical_missed,
    )
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:
        duplicate = Evaluation.objects.filter(
            evaluator=evaluator, agent=agent, version=version, interaction_reference=reference
        )
        if not duplicate.exists():
            raise
        raise ValidationError(
            {
                "interaction_reference": [
                    gettext(
                        "You have already evaluated this interaction of this agent against "
                        "this version."
                    )
                ]
            }
        ) from None
    for item in items:
        item.evaluation = evaluation
    EvaluationItem.objects.bulk_create(items)
    return evaluation


@transaction.atomic
def evaluation_delete(*, evaluation: Evaluation, user) -> None:
    """Delete an evaluation with its answers, revisions and responses (managers only)."""
    require_evaluator(user)
    Evaluation.objects.filter(pk=evaluation.original_id).delete()


# --- answers and disputes ------------------------------------------------------------------------

DISPUTED = "quality.evaluation_disputed"
RESOLVED = "quality.evaluation_resolved"


def register_messages() -> None:
    outbox.register(
        DISPUTED, label=_("Evaluation disputed"), template="quality/email/evaluation_disputed"
    )
    outbox.register(
        RESOLVED, label=_("Dispute resolved"), template="quality/email/evaluation_resolved"
    )


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _lock_current(evaluation: Evaluation) -> Evaluation:
    """The row again, locked, so two answers or two resolutions do not both pass the checks."""
    locked = (
        Evaluation.objects.select_for_update()
        .select_related("standard", "version", "agent", "evaluator")
        .filter(pk=evaluation.pk)
        .first()
    )
    if locked is None:
        raise ValidationError(gettext("This evaluation no longer exists."))
    if Evaluation.objects.filter(supersedes=locked).exists():
        raise ValidationError(gettext("This evaluation has already been resolved."))
    return locked


def _respond(*, evaluation: Evaluation, user, kind: str, comment: str) -> EvaluationResponse:
    if user is None or not user.is_authenticated or evaluation.agent_id != user.pk:
        raise PermissionDenied(gettext("Only the evaluated staff member can answer an evaluation."))
    evaluation = _lock_current(evaluation)
    if evaluation.supersedes_id:
        raise ValidationError(gettext("This evaluation has already been resolved."))
    if EvaluationResponse.objects.filter(evaluation=evaluation).exists():
        raise ValidationError(gettext("You have already answered this evaluation."))
    comment = _text(comment)
    if kind == EvaluationResponse.Kind.DISPUTED and not comment:
        raise ValidationError(
            {"comment": [gettext("Say what you disagree with, so the manager can look again.")]}
        )
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {
                "comment": [
                    gettext("The comment has at most %(max)d characters.") % {"max": COMMENT_MAX}
                ]
            }
        )
    response = EvaluationResponse(evaluation=evaluation, kind=kind, comment=comment, author=user)
    response.save()
    evaluation.response = response
    return response


@transaction.atomic
def evaluation_accept(*, evaluation: Evaluation, user, comment: str = "") -> EvaluationResponse:
    """The evaluated staff member accepts the evaluation (an optional comment)."""
    return _respond(
        evaluation=evaluation, user=user, kind=EvaluationResponse.Kind.ACCEPTED, comment=comment
    )


@transaction.atomic
def evaluation_dispute(*, evaluation: Evaluation, user, comment: str) -> EvaluationResponse:
    """The evaluated staff member disputes the evaluation with a comment; the evaluator is told
    (or, when the evaluator can no longer resolve it, every active manager)."""
    response = _respond(
        evaluation=evaluation, user=user, kind=EvaluationResponse.Kind.DISPUTED, comment=comment
    )
    evaluation = response.evaluation
    recipients = [evaluation.evaluator]
    if not (evaluation.evaluator.is_active and has_role(evaluation.evaluator, MANAGER)):
        recipients = list(
            get_user_model()
            .objects.filter(is_active=True, groups__name=MANAGER)
            .exclude(pk=user.pk)
            .distinct()
            .order_by("pk")
        )
    context = {
        "agent": _name(evaluation.agent),
        "title": evaluation.standard.title,
        "reference": evaluation.interaction_reference,
        "score": str(evaluation.score),
        "comment": response.comment,
        "url": outbox.absolute_url(evaluation.get_absolute_url()),
    }
    outbox.enqueue(
        [
            outbox.message(kind=DISPUTED, user=manager, ref=evaluation.pk, context=context)
            for manager in recipients
        ]
    )
    return response


def _clean_score(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not score.is_finite():
        return None
    return score


@transaction.atomic
def evaluation_resolve(
    *,
    evaluation: Evaluation,
    user,
    upheld: bool,
    score: Any = None,
    reason: str = "",
) -> Evaluation:
    """A manager settles a dispute: upheld (the score stands) or a changed score with a reason.

    Nothing is changed in place: a new revision row supersedes the disputed one, with the
    effective score, a copy of the answers and the reason; the staff member is told.
    """
    require_evaluator(user)
    evaluation = _lock_current(evaluation)
    response = EvaluationResponse.objects.filter(evaluation=evaluation).first()
    if response is None or response.kind != EvaluationResponse.Kind.DISPUTED:
        raise ValidationError(gettext("Only a disputed evaluation can be resolved."))
    if evaluation.agent_id == user.pk:
        raise PermissionDenied(gettext("You cannot resolve a dispute about your own work."))
    errors: dict[str, list[str]] = {}
    reason = _text(reason)
    if len(reason) > COMMENT_MAX:
        errors["reason"] = [
            gettext("The reason has at most %(max)d characters.") % {"max": COMMENT_MAX}
        ]
    if upheld:
        new_score, critical = evaluation.score, evaluation.critical_missed
        resolution = Evaluation.Resolution.UPHELD
    else:
        resolution = Evaluation.Resolution.CHANGED
        new_score = _clean_score(score)
        if new_score is None:
            errors["score"] = [gettext("Give the new score, a number from 0 to 100.")]
        elif not (Decimal("0") <= new_score <= scoring.SCORE_MAX):
            errors["score"] = [gettext("The score must be between 0 and 100.")]
        elif new_score != new_score.quantize(Decimal("0.1")):
            errors["score"] = [gettext("Give the score with at most one decimal.")]
        elif new_score == evaluation.score:
            errors["score"] = [
                gettext("That is the score already given; uphold the evaluation instead.")
            ]
        if not reason:
            errors["reason"] = [gettext("Say why the score changes; the staff member reads it.")]
        critical = evaluation.critical_missed and new_score == 0
    if errors:
        raise ValidationError(errors)
    revision = Evaluation(
        standard=evaluation.standard,
        version=evaluation.version,
        agent=evaluation.agent,
        evaluator=evaluation.evaluator,
        channel_id=evaluation.channel_id,
        interaction_reference=evaluation.interaction_reference,
        occurred_at=evaluation.occurred_at,
        comment=evaluation.comment,
        score=new_score.quantize(Decimal("0.1")),
        critical_missed=critical,
        supersedes=evaluation,
        resolution=resolution,
        resolution_reason=reason,
        resolved_by=user,
    )
    try:
        with transaction.atomic():
            revision.save()
    except IntegrityError:
        raise ValidationError(gettext("This evaluation has already been resolved.")) from None
    EvaluationItem.objects.bulk_create(
        EvaluationItem(
            evaluation=revision, criterion_id=item.criterion_id, result=item.result, note=item.note
        )
        for item in evaluation.items.order_by("pk")
    )
    outbox.enqueue(
        outbox.message(
            kind=RESOLVED,
            user=evaluation.agent,
            ref=revision.pk,
            context={
                "manager": _name(user),
                "title": evaluation.standard.title,
                "reference": evaluation.interaction_reference,
                "upheld": bool(upheld),
                "old_score": str(evaluation.score),
                "score": str(revision.score),
                "reason": reason,
                "url": outbox.absolute_url(revision.get_absolute_url()),
            },
        )
    )
    return revision
