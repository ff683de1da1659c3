"""Pages of the quality app: QA evaluations (managers evaluate; staff read and answer their own)."""

from quality.views.evaluations import (
    EvaluationCreateView,
    EvaluationDeleteView,
    EvaluationDetailView,
    EvaluationListView,
)

__all__ = [
    "EvaluationCreateView",
    "EvaluationDeleteView",
    "EvaluationDetailView",
    "EvaluationListView",
]
