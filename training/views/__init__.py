"""Onboarding pages: "My onboarding" and the acknowledgement flow for staff; the matrix,
people, tracks, group rules and checks for managers. Pages call services and selectors only.
One module per job; ``training/urls.py`` names the views through this package."""

from training.views.acknowledgements import (
    AcknowledgeCurrentView,
    AcknowledgementDetailView,
    AcknowledgeView,
    MyOnboardingView,
)
from training.views.checks import QuestionDeleteView, QuestionsView
from training.views.people import (
    MatrixView,
    PersonView,
    ResetAttemptsView,
    TrackUnassignView,
    WorkingHoursView,
)
from training.views.tracks import (
    GroupRuleDeleteView,
    GroupRulesView,
    TrackAssignView,
    TrackEditView,
    TrackListView,
)

__all__ = [
    "AcknowledgeCurrentView",
    "AcknowledgeView",
    "AcknowledgementDetailView",
    "GroupRuleDeleteView",
    "GroupRulesView",
    "MatrixView",
    "MyOnboardingView",
    "PersonView",
    "QuestionDeleteView",
    "QuestionsView",
    "ResetAttemptsView",
    "TrackAssignView",
    "TrackEditView",
    "TrackListView",
    "TrackUnassignView",
    "WorkingHoursView",
]
