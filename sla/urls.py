from django.urls import path

from sla import views
from sla.reports import urls as report_urls

app_name = "sla"
urlpatterns = [
    path("sla/contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("sla/contacts/export.csv", views.ContactExportView.as_view(), name="contact-export"),
    path("sla/contacts/import/", views.ContactImportView.as_view(), name="contact-import"),
    path(
        "sla/contacts/import/<id:pk>/",
        views.ContactImportJobView.as_view(),
        name="contact-import-job",
    ),
    path(
        "sla/contacts/import/<id:pk>/progress/",
        views.ContactImportProgressView.as_view(),
        name="contact-import-progress",
    ),
    path(
        "sla/contacts/import/<id:pk>/start/",
        views.ContactImportStartView.as_view(),
        name="contact-import-start",
    ),
    path(
        "sla/contacts/import/<id:pk>/cancel/",
        views.ContactImportCancelView.as_view(),
        name="contact-import-cancel",
    ),
    path(
        "sla/contacts/import/<id:pk>/refused.csv",
        views.ContactImportRefusedView.as_view(),
        name="contact-import-refused",
    ),
    path("sla/contacts/<id:pk>/", views.ContactDetailView.as_view(), name="contact-detail"),
    path("sla/policies/", views.PolicyListView.as_view(), name="policy-list"),
    path("sla/policies/new/", views.PolicyCreateView.as_view(), name="policy-create"),
    path("sla/policies/<id:pk>/", views.PolicyUpdateView.as_view(), name="policy-update"),
    *report_urls.urlpatterns,
]
