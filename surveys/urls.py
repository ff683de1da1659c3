from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns = [
    path("s/<str:token>/", views.AnswerView.as_view(), name="answer"),
    path("s/<str:token>/thanks/", views.ThanksView.as_view(), name="thanks"),
    path("kiosk/<str:key>/", views.KioskView.as_view(), name="kiosk"),
    path("surveys/", views.SurveyListView.as_view(), name="survey-list"),
    path("surveys/new/", views.SurveyCreateView.as_view(), name="survey-create"),
    path("surveys/<id:pk>/edit/", views.SurveyUpdateView.as_view(), name="survey-update"),
    path("surveys/invitations/", views.InvitationListView.as_view(), name="invitation-list"),
    path("surveys/responses/", views.ResponseListView.as_view(), name="response-list"),
    path("surveys/kiosks/", views.KioskListView.as_view(), name="kiosk-list"),
    path(
        "surveys/kiosks/<id:pk>/language/",
        views.KioskLanguageView.as_view(),
        name="kiosk-language",
    ),
    path("surveys/kiosks/<id:pk>/revoke/", views.KioskRevokeView.as_view(), name="kiosk-revoke"),
    path("surveys/follow-ups/", views.FollowUpListView.as_view(), name="follow-up-list"),
    path(
        "surveys/follow-ups/<id:pk>/close/",
        views.FollowUpCloseView.as_view(),
        name="follow-up-close",
    ),
    path("surveys/dashboard/", views.SatisfactionDashboardView.as_view(), name="dashboard"),
]
