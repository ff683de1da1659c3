"""Pages of the standards app: reading (managers and staff), editing and workflow (managers),
QA evaluations (managers evaluate; staff read their own)."""

from standards.views.editing import (
    PreviewView,
    StandardCreateView,
    StandardSettingsView,
    VersionEditView,
)
from standards.views.evaluations import (
    EvaluationCreateView,
    EvaluationDeleteView,
    EvaluationDetailView,
    EvaluationListView,
)
from standards.views.reading import (
    DiffView,
    StandardDetailView,
    StandardListView,
    VersionDetailView,
    VersionHistoryView,
)
from standards.views.workflow import (
    StandardMarkReviewedView,
    StandardReinstateView,
    StandardRetireView,
    VersionCreateDraftView,
    VersionDiscardView,
    VersionPublishView,
    VersionReturnView,
    VersionSubmitView,
)

__all__ = [
    "DiffView",
    "EvaluationCreateView",
    "EvaluationDeleteView",
    "EvaluationDetailView",
    "EvaluationListView",
    "PreviewView",
    "StandardCreateView",
    "StandardDetailView",
    "StandardListView",
    "StandardMarkReviewedView",
    "StandardReinstateView",
    "StandardRetireView",
    "StandardSettingsView",
    "VersionCreateDraftView",
    "VersionDetailView",
    "VersionDiscardView",
    "VersionEditView",
    "VersionHistoryView",
    "VersionPublishView",
    "VersionReturnView",
    "VersionSubmitView",
]
