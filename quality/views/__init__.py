"""Pages of the quality app: QA evaluations (managers evaluate; staff read and answer their own)
and the standards' scorecard (managers)."""

from quality.views.evaluations import (
    EvaluateContactView,
    EvaluationAnswerView,
    EvaluationCreateView,
    EvaluationDeleteView,
    EvaluationDetailView,
    EvaluationListView,
    EvaluationResolveView,
)
from quality.views.scorecard import (
    ScorecardCsvView,
    ScorecardOverviewCsvView,
    ScorecardOverviewView,
    ScorecardView,
)

__all__ = [
    "EvaluateContactView",
    "EvaluationAnswerView",
    "EvaluationCreateView",
    "EvaluationDeleteView",
    "EvaluationDetailView",
    "EvaluationListView",
    "EvaluationResolveView",
    "ScorecardCsvView",
    "ScorecardOverviewCsvView",
    "ScorecardOverviewView",
    "ScorecardView",
]
