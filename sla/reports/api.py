"""The SLA report endpoint, mounted under /api/v1/ through sla.api.extra_urls.

``GET /api/v1/reports/sla/`` as ``docs/api.md`` says; JSON, or CSV with ``?format=csv``
or ``Accept: text/csv`` (the kernel's :class:`core.reports.api.ReportView`).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers

from core.reports.api import CSV_DESCRIPTION, UNDOCUMENTED_FORMAT, ReportView, csv_only
from core.reports.period import PeriodAnswerSerializer
from core.roles import ALL_ROLES
from sla.reports.params import ReportQuerySerializer, report_query_for
from sla.reports.query import GROUP_BYS, ROW_FIELDS, sla_report


class ReportRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text=_(
            "Channel code, agent username (null: no agent), priority, or the ISO date of the "
            "day, of the week's Monday or of the month's first day in “tz”."
        ),
    )
    contacts = serializers.IntegerField(help_text=_("Contacts opened in the period."))
    first_response_met = serializers.IntegerField()
    first_response_breached = serializers.IntegerField()
    first_response_compliance_pct = serializers.FloatField(
        allow_null=True,
        help_text=_("met / (met + breached) × 100, 2 decimals; null when nothing is decided."),
    )
    first_response_median_minutes = serializers.FloatField(
        allow_null=True, help_text=_("Business minutes, linear interpolation.")
    )
    first_response_p90_minutes = serializers.FloatField(
        allow_null=True, help_text=_("Business minutes, linear interpolation.")
    )
    resolution_met = serializers.IntegerField()
    resolution_breached = serializers.IntegerField()
    resolution_compliance_pct = serializers.FloatField(allow_null=True)
    resolution_median_minutes = serializers.FloatField(allow_null=True)
    resolution_p90_minutes = serializers.FloatField(allow_null=True)


class ReportSerializer(PeriodAnswerSerializer):
    group_by = serializers.ChoiceField(choices=GROUP_BYS)
    rows = ReportRowSerializer(many=True, help_text=_("Groups with at least one contact."))
    total = ReportRowSerializer(help_text=_("All contacts of the report; its key is null."))


_EXAMPLE_ROW = {
    "key": "chat",
    "contacts": 120,
    "first_response_met": 100,
    "first_response_breached": 12,
    "first_response_compliance_pct": 89.29,
    "first_response_median_minutes": 14.0,
    "first_response_p90_minutes": 55.5,
    "resolution_met": 90,
    "resolution_breached": 5,
    "resolution_compliance_pct": 94.74,
    "resolution_median_minutes": 300.0,
    "resolution_p90_minutes": 1200.0,
}


class SlaReportView(ReportView):
    """SLA figures of the contacts opened in a period, grouped, with a total."""

    read_roles = ALL_ROLES
    query_for = staticmethod(report_query_for)
    csv_fields = ROW_FIELDS
    csv_name = "sla-report"

    @extend_schema(
        operation_id="reports_sla",
        parameters=[ReportQuerySerializer, UNDOCUMENTED_FORMAT],
        responses={
            (200, "application/json"): ReportSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=_(
                    "The same rows as CSV, then the total; the last column, row_type, is "
                    "“group” or “total”."
                ),
            ),
            (400, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=_('Bad parameters, by parameter name: {"from": ["..."]}.'),
            ),
            (403, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description=_("Staff asking for another agent's figures.")
            ),
        },
        examples=[
            OpenApiExample(
                "By channel",
                value={
                    "from": "2026-01-01",
                    "to": "2026-01-31",
                    "tz": "Europe/Warsaw",
                    "group_by": "channel",
                    "rows": [_EXAMPLE_ROW],
                    "total": {**_EXAMPLE_ROW, "key": None},
                },
                response_only=True,
                media_type="application/json",
            )
        ],
    )
    def get(self, request):
        return super().get(request)

    def report(self, query) -> dict:
        return sla_report(query).as_dict()


extra_urls: list = [
    path("reports/sla/", SlaReportView.as_view(), name="report-sla"),
    path(
        "reports/sla/csv/",
        csv_only(
            SlaReportView,
            operation_id="reports_sla_csv",
            description=CSV_DESCRIPTION,
            parameters=[ReportQuerySerializer],
        ).as_view(),
        name="report-sla-csv",
    ),
]
