from django.urls import path

from training import views

app_name = "training"

_version = "training/standards/<slug:slug>/versions/<id:number>/"

urlpatterns = [
    path("training/", views.MyOnboardingView.as_view(), name="my-onboarding"),
    path(
        "training/standards/<slug:slug>/",
        views.AcknowledgeCurrentView.as_view(),
        name="acknowledge-current",
    ),
    path(_version, views.AcknowledgeView.as_view(), name="acknowledge"),
    path(f"{_version}questions/", views.QuestionsView.as_view(), name="questions"),
    path(
        "training/questions/<id:pk>/delete/",
        views.QuestionDeleteView.as_view(),
        name="question-delete",
    ),
    path(
        "training/acknowledgements/<id:pk>/",
        views.AcknowledgementDetailView.as_view(),
        name="acknowledgement",
    ),
    path("training/matrix/", views.MatrixView.as_view(), name="matrix"),
    path("training/people/<str:username>/", views.PersonView.as_view(), name="person"),
    path(
        "training/people/<str:username>/versions/<id:version_id>/reset/",
        views.ResetAttemptsView.as_view(),
        name="reset-attempts",
    ),
    path(
        "training/people/<str:username>/tracks/<id:track_id>/unassign/",
        views.TrackUnassignView.as_view(),
        name="track-unassign",
    ),
    path(
        "training/people/<str:username>/working-hours/",
        views.WorkingHoursView.as_view(),
        name="working-hours",
    ),
    path("training/tracks/", views.TrackListView.as_view(), name="tracks"),
    path("training/tracks/new/", views.TrackEditView.as_view(), name="track-create"),
    path("training/tracks/<id:pk>/", views.TrackEditView.as_view(), name="track-edit"),
    path("training/tracks/<id:pk>/assign/", views.TrackAssignView.as_view(), name="track-assign"),
    path("training/rules/", views.GroupRulesView.as_view(), name="group-rules"),
    path(
        "training/rules/<id:pk>/delete/",
        views.GroupRuleDeleteView.as_view(),
        name="group-rule-delete",
    ),
]
