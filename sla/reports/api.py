"""Report endpoints, mounted under /api/v1/ through sla.api.extra_urls.

``GET /api/v1/reports/sla/`` as ``docs/api.md`` says; JSON, or CSV with ``?format=csv``
or ``Accept: text/csv`` (streamed; the groups' rows, then the total on a line of its own, told
apart by the last column ``row_type`` = ``group`` or ``total``). Errors are always JSON.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.csv import csv_response, csv_text
from core.reports import exports
from core.roles import ALL_ROLES
from sla.reports.params import ReportQuerySerializer, report_query_for
from sla.reports.query import GROUP_BYS, ROW_FIELDS, sla_report


class CsvRenderer(BaseRenderer):
    """``text/csv``: the report's rows and its total (see :mod:`core.reports.exports`)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        if not isinstance(data, dict) or "rows" not in data:
            return b""  # not a report (errors are answered as JSON): nothing sensible to write
        fields = getattr(view, "csv_fields", ROW_FIELDS)
        return csv_text(*exports.report_table(data, fields)).encode(self.charset)


class FormatFirstNegotiation(DefaultContentNegotiation):
    """``?format=`` names the answer outright, whatever ``Accept`` says.

    DRF's default narrows the renderers to the format, then still matches them against
    ``Accept``: a browser or HTTP library that always sends ``Accept: application/json`` got a
    406 for ``?format=csv``. The parameter is the more deliberate choice, so it wins; without it
    ``Accept`` decides as usual. An unknown format is still DRF's 404.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        format_query_param = self.settings.URL_FORMAT_OVERRIDE
        format = format_suffix or request.query_params.get(format_query_param)
        if format:
            renderer = self.filter_renderers(renderers, format)[0]
            return renderer, renderer.media_type
        return super().select_renderer(request, renderers, format_suffix)


class ReportView(APIView):
    """A report endpoint: the shared query parameters in, JSON out, or CSV with
    ``?format=csv`` / ``Accept: text/csv`` (streamed). Errors are always JSON.

    The SLA and satisfaction reports differ only in ``report`` and their CSV columns.
    """

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CsvRenderer]
    content_negotiation_class = FormatFirstNegotiation
    csv_fields: tuple[str, ...] = ROW_FIELDS
    csv_name = "sla-report"

    def report(self, query) -> dict:
        raise NotImplementedError

    def get(self, request):
        query = report_query_for(user=request.user, data=request.query_params)
        body = self.report(query)
        if getattr(request.accepted_renderer, "format", None) == "csv":
            return csv_response(
                exports.report_filename(body, self.csv_name),
                *exports.report_table(body, self.csv_fields),
            )
        return Response(body)

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON whatever was asked for: a CSV of an error dict helps nobody.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


# ``?format=csv`` works, but a client generated from the schema would read its answer as JSON:
# the schema offers each report's CSV as an operation of its own (``csv_only``) instead.
UNDOCUMENTED_FORMAT = OpenApiParameter("format", exclude=True)


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


class ReportSerializer(serializers.Serializer):
    from_ = serializers.DateField()
    to = serializers.DateField()
    tz = serializers.CharField()
    group_by = serializers.ChoiceField(choices=GROUP_BYS)
    rows = ReportRowSerializer(many=True, help_text=_("Groups with at least one contact."))
    total = ReportRowSerializer(help_text=_("All contacts of the report; its key is null."))

    def get_fields(self):
        fields = super().get_fields()
        return {"from" if name == "from_" else name: f for name, f in fields.items()}


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


def csv_only(view_class, *, operation_id: str, description):
    """The report ``view_class`` as CSV alone, for a path of its own.

    Generated clients read one media type per answer and send no ``Accept``, so a report's CSV
    needs its own operation to be fetched with them; the data and columns are the report's.
    """

    @extend_schema(
        operation_id=operation_id,
        parameters=[ReportQuerySerializer],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=description)},
    )
    def get(self, request):
        return view_class.get(self, request)

    return type(
        f"{view_class.__name__}Csv",
        (view_class,),
        {"renderer_classes": [CsvRenderer], "get": get, "__doc__": view_class.__doc__},
    )


CSV_DESCRIPTION = _(
    "The report's rows as CSV, then the total; the last column, row_type, is "
    "“group” or “total”. Errors are JSON."
)

extra_urls: list = [
    path("reports/sla/", SlaReportView.as_view(), name="report-sla"),
    path(
        "reports/sla/csv/",
        csv_only(
            SlaReportView, operation_id="reports_sla_csv", description=CSV_DESCRIPTION
        ).as_view(),
        name="report-sla-csv",
    ),
]
