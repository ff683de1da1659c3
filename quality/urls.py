from django.urls import path

from quality import views

app_name = "quality"

urlpatterns: list = [
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
