"""QA evaluations: a manager judges one interaction of an agent against a published standard
version's criteria; evaluations are immutable once saved (``quality.models.evaluations``)."""

from quality.models.evaluations import (
    Evaluation,
    EvaluationItem,
    EvaluationQuerySet,
    EvaluationResponse,
    ImmutableEvaluationError,
)

__all__ = [
    "Evaluation",
    "EvaluationItem",
    "EvaluationQuerySet",
    "EvaluationResponse",
    "ImmutableEvaluationError",
]
