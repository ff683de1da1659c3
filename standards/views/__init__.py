"""Pages of the standards app: reading (managers and staff), editing and workflow (managers)."""

from standards.views.editing import (
    PreviewView,
    StandardCreateView,
    StandardSettingsView,
    VersionEditView,
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
