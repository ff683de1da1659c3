"""Pages of the quality app: QA evaluations (managers evaluate; staff read and answer their own)."""

from quality.views.evaluations import (
    EvaluationAnswerView,
    EvaluationCreateView,
    EvaluationDeleteView,
    EvaluationDetailView,
    EvaluationListView,
    EvaluationResolveView,
)

__all__ = [
    "EvaluationAnswerView",
    "EvaluationCreateView",
    "EvaluationDeleteView",
    "EvaluationDetailView",
    "EvaluationListView",
    "EvaluationResolveView",
]
