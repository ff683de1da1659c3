"""The staff member's answer to an evaluation (accept or dispute) and a manager's resolution of a
dispute (a new revision, the whole history kept), with the emails each sends."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import outbox, parse
from core.roles import MANAGER, has_role
from quality import scoring
from quality.models import Evaluation, EvaluationItem, EvaluationResponse
from quality.models.evaluations import COMMENT_MAX
from quality.services.evaluations import require_evaluator

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
    comment = parse.stripped(comment)
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
    reason = parse.stripped(reason)
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
