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
]
