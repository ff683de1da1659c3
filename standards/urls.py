from django.urls import path

from standards import views

app_name = "standards"

_version = "standards/<slug:slug>/versions/<id:number>/"

urlpatterns = [
    path("standards/", views.StandardListView.as_view(), name="list"),
    path("standards/new/", views.StandardCreateView.as_view(), name="create"),
    path("standards/preview/", views.PreviewView.as_view(), name="preview"),
    path("standards/<slug:slug>/", views.StandardDetailView.as_view(), name="detail"),
    path("standards/<slug:slug>/settings/", views.StandardSettingsView.as_view(), name="settings"),
    path(
        "standards/<slug:slug>/reviewed/",
        views.StandardMarkReviewedView.as_view(),
        name="reviewed",
    ),
    path("standards/<slug:slug>/retire/", views.StandardRetireView.as_view(), name="retire"),
    path(
        "standards/<slug:slug>/reinstate/",
        views.StandardReinstateView.as_view(),
        name="reinstate",
    ),
    path("standards/<slug:slug>/diff/", views.DiffView.as_view(), name="diff"),
    path("standards/<slug:slug>/versions/", views.VersionHistoryView.as_view(), name="history"),
    path(
        "standards/<slug:slug>/versions/new/",
        views.VersionCreateDraftView.as_view(),
        name="version-create",
    ),
    path(_version, views.VersionDetailView.as_view(), name="version-detail"),
    path(f"{_version}edit/", views.VersionEditView.as_view(), name="version-edit"),
    path(f"{_version}submit/", views.VersionSubmitView.as_view(), name="version-submit"),
    path(f"{_version}return/", views.VersionReturnView.as_view(), name="version-return"),
    path(f"{_version}publish/", views.VersionPublishView.as_view(), name="version-publish"),
    path(f"{_version}discard/", views.VersionDiscardView.as_view(), name="version-discard"),
]
