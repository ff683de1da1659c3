"""Pages, a module per audience: ``public`` (the survey and the kiosk, no login) and ``manage``
(the managers' survey pages)."""

from surveys.views.manage import (
    FollowUpCloseView,
    FollowUpListView,
    InvitationListView,
    KioskLanguageView,
    KioskListView,
    KioskRevokeView,
    ResponseListView,
    SatisfactionDashboardView,
    SurveyCreateView,
    SurveyListView,
    SurveyUpdateView,
)
from surveys.views.public import AnswerView, KioskView, ThanksView

__all__ = [
    "AnswerView",
    "FollowUpCloseView",
    "FollowUpListView",
    "InvitationListView",
    "KioskLanguageView",
    "KioskListView",
    "KioskRevokeView",
    "KioskView",
    "ResponseListView",
    "SatisfactionDashboardView",
    "SurveyCreateView",
    "SurveyListView",
    "SurveyUpdateView",
    "ThanksView",
]
