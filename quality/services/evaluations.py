"""QA evaluations: a manager judges one interaction of a staff member against the criteria of a
published standard version. The one code path for pages, commands and the demo.

Every criterion of the version is answered (met, not met, not applicable); the score is computed
here (:func:`quality.scoring.score`) and stored with the answers in one transaction. Saved
evaluations never change; a manager may delete one (with its revisions and answers). The staff
member accepts or disputes; a manager resolves a dispute with a new revision
(:mod:`quality.services.disputes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from channels_app.models import Channel
from core import parse
from core.clock import now_or
from core.roles import MANAGER, STAFF, has_role
from quality import scoring
from quality.models import Evaluation, EvaluationItem
from quality.models.evaluations import COMMENT_MAX, NOTE_MAX, REFERENCE_MAX
from standards.models import Criterion, StandardVersion

Status = StandardVersion.Status


def require_evaluator(user) -> None:
    if user is None or not has_role(user, MANAGER):
        raise PermissionDenied(gettext("Only managers can evaluate interactions."))


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
        note = parse.stripped(answer.get("note"))
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
    problem at once): a version that is not published or of a retired standard, an agent who
    is not staff, a channel the standard does not apply to, an interaction in the future,
    criteria missing, repeated or of another version.
    """
    require_evaluator(evaluator)
    now = now_or(now)
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
    if version.standard.is_retired:
        raise ValidationError(
            {"version": [gettext("This standard is retired: it is no longer evaluated.")]}
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

    reference = parse.stripped(interaction_reference)
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

    comment = parse.stripped(comment)
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
