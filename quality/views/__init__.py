"""Pages of the quality app: QA evaluations (managers evaluate; staff read and answer their own)."""

from quality.views.evaluations import (
    EvaluateContactView,
    EvaluationAnswerView,
    EvaluationCreateView,
    EvaluationDeleteView,
    EvaluationDetailView,
    EvaluationListView,
    EvaluationResolveView,
)

__all__ = [
    "EvaluateContactView",
    "EvaluationAnswerView",
    "EvaluationCreateView",
    "EvaluationDeleteView",
    "EvaluationDetailView",
    "EvaluationListView",
    "EvaluationResolveView",
]
