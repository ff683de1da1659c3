from django.urls import path

from quality import views

app_name = "quality"

urlpatterns = [
    path(
        "standards/<slug:slug>/evaluate/",
        views.EvaluationCreateView.as_view(),
        name="evaluation-create",
    ),
    path("evaluations/", views.EvaluationListView.as_view(), name="evaluation-list"),
    path(
        "evaluations/contact/<id:pk>/",
        views.EvaluateContactView.as_view(),
        name="evaluate-contact",
    ),
    path("evaluations/<id:pk>/", views.EvaluationDetailView.as_view(), name="evaluation-detail"),
    path(
        "evaluations/<id:pk>/answer/",
        views.EvaluationAnswerView.as_view(),
        name="evaluation-answer",
    ),
    path(
        "evaluations/<id:pk>/resolve/",
        views.EvaluationResolveView.as_view(),
        name="evaluation-resolve",
    ),
    path(
        "evaluations/<id:pk>/delete/",
        views.EvaluationDeleteView.as_view(),
        name="evaluation-delete",
    ),
    path("quality/scorecards/", views.ScorecardOverviewView.as_view(), name="overview"),
    path(
        "quality/scorecards/export.csv",
        views.ScorecardOverviewCsvView.as_view(),
        name="overview-csv",
    ),
    path("quality/scorecards/<slug:slug>/", views.ScorecardView.as_view(), name="scorecard"),
    path(
        "quality/scorecards/<slug:slug>/export.csv",
        views.ScorecardCsvView.as_view(),
        name="scorecard-csv",
    ),
]
