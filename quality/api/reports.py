"""``GET /api/v1/reports/standards/`` (Managers): each published standard's scorecard figures for
a period, with every report's ``from``/``to``/``tz`` rule (:mod:`core.reports.period`; rows are
standards, so no grouping and no channel or agent filter) and their CSV negotiation
(``?format=csv``, ``Accept: text/csv``, or the ``csv/`` operation of its own).
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.csv import csv_response
from core.reports.api import UNDOCUMENTED_FORMAT, CsvRenderer, ReportView
from core.reports.period import (
    Period,
    PeriodAnswerSerializer,
    PeriodQuerySerializer,
    period_for,
)
from core.roles import MANAGER
from quality.scorecard.selectors import ROW_FIELDS, shared_scorecards


class StandardsReportRowSerializer(serializers.Serializer):
    standard = serializers.CharField(help_text=_("The standard's slug."))
    version = serializers.IntegerField(
        allow_null=True, help_text=_("Number of the published version the figures are about.")
    )
    known_pct = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Share (whole %, rounded down) of the people a track asks to acknowledge the "
            "standard who acknowledged its current version; null when nobody is asked."
        ),
    )
    acknowledged = serializers.IntegerField()
    outstanding = serializers.IntegerField(
        help_text=_("People who still owe the acknowledgement, the overdue ones included.")
    )
    overdue = serializers.IntegerField(help_text=_("Of those, the ones past their due date."))
    evaluations = serializers.IntegerField(
        help_text=_("QA evaluations of the current version, interaction in the period.")
    )
    evaluation_avg_pct = serializers.FloatField(
        allow_null=True, help_text=_("Their average score, 1 decimal.")
    )
    evaluation_pass_pct = serializers.FloatField(
        allow_null=True,
        help_text=_(
            "Share of them scoring at least the pass mark (QUALITY_EVALUATION_PASS_PCT, "
            "80 by default), 2 decimals."
        ),
    )
    first_response_compliance_pct = serializers.FloatField(
        allow_null=True,
        help_text=_("As the SLA report, over the contacts of the standard's channels."),
    )
    resolution_compliance_pct = serializers.FloatField(allow_null=True)
    csat_pct = serializers.FloatField(
        allow_null=True,
        help_text=_("As the satisfaction report, over the answers on the standard's channels."),
    )
    nps = serializers.FloatField(allow_null=True)
    responses = serializers.IntegerField(help_text=_("Survey answers on the standard's channels."))


class StandardsReportSerializer(PeriodAnswerSerializer):
    rows = StandardsReportRowSerializer(
        many=True, help_text=_("Every standard with a published version, by slug.")
    )


_EXAMPLE_ROW = {
    "standard": "chat-greeting",
    "version": 3,
    "known_pct": 85,
    "acknowledged": 17,
    "outstanding": 3,
    "overdue": 1,
    "evaluations": 12,
    "evaluation_avg_pct": 88.5,
    "evaluation_pass_pct": 83.33,
    "first_response_compliance_pct": 91.2,
    "resolution_compliance_pct": 95.0,
    "csat_pct": 86.67,
    "nps": 42.0,
    "responses": 45,
}


def standards_report(query: Period) -> dict:
    cards = sorted(
        shared_scorecards(query, today=timezone.localdate()),
        key=lambda card: card.standard.slug,
    )
    return {
        "from": query.start.isoformat(),
        "to": query.end.isoformat(),
        "tz": query.tz,
        "rows": [card.as_row() for card in cards],
    }


class StandardsReportView(ReportView):
    """Each standard's scorecard: known, followed and working, for a period."""

    read_roles = (MANAGER,)
    csv_fields = ROW_FIELDS
    csv_name = "standards-report"

    @extend_schema(
        operation_id="reports_standards",
        parameters=[PeriodQuerySerializer, UNDOCUMENTED_FORMAT],
        responses={
            (200, "application/json"): StandardsReportSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description=_("The same rows as CSV, one line per standard.")
            ),
            (400, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=_('Bad parameters, by parameter name: {"from": ["..."]}.'),
            ),
        },
        examples=[
            OpenApiExample(
                "A month",
                value={
                    "from": "2026-01-01",
                    "to": "2026-01-31",
                    "tz": "Europe/Warsaw",
                    "rows": [_EXAMPLE_ROW],
                },
                response_only=True,
                media_type="application/json",
            )
        ],
    )
    def get(self, request):
        body = standards_report(period_for(request.query_params))
        if getattr(request.accepted_renderer, "format", None) == "csv":
            return csv_response(
                f"{self.csv_name}-{body['from']}-{body['to']}.csv",
                ROW_FIELDS,
                ([row[f] for f in ROW_FIELDS] for row in body["rows"]),
            )
        return Response(body)


class StandardsReportCsvView(StandardsReportView):
    """Each standard's scorecard as CSV (for generated clients, which read one media type)."""

    renderer_classes = [CsvRenderer]

    @extend_schema(
        operation_id="reports_standards_csv",
        parameters=[PeriodQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=_("The report's rows as CSV, one line per standard. Errors are JSON."),
            )
        },
    )
    def get(self, request):
        return super().get(request)


extra_urls = [
    path("reports/standards/", StandardsReportView.as_view(), name="report-standards"),
    path("reports/standards/csv/", StandardsReportCsvView.as_view(), name="report-standards-csv"),
]
