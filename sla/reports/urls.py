"""Report pages, mounted by sla/urls.py under the "sla" namespace."""

from django.urls import path

from sla.reports import views

urlpatterns: list = [
    path("sla/reports/", views.ReportDashboardView.as_view(), name="report-dashboard"),
    path(
        "sla/reports/export.csv",
        views.ReportDashboardCsvView.as_view(),
        name="report-dashboard-csv",
    ),
]
