"""The report API's machinery: JSON by default, CSV with ``?format=csv`` or ``Accept: text/csv``
(streamed; the groups' rows, then the total on a line of its own, told apart by the last column
``row_type`` = ``group`` or ``total``). Errors are always JSON. Each report (SLA, satisfaction,
standards) is a subclass naming its query rule, its figures and its CSV columns.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.csv import csv_response, csv_text
from core.reports import exports


class CsvRenderer(BaseRenderer):
    """``text/csv``: the report's rows and its total (see :mod:`core.reports.exports`)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        if not isinstance(data, dict) or "rows" not in data:
            return b""  # not a report (errors are answered as JSON): nothing sensible to write
        fields = getattr(view, "csv_fields", ())
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
    csv_fields: tuple[str, ...] = ()
    csv_name = "report"
    #: ``query_for(user=, data=)``: the checked query of the request (400 or 403 otherwise).
    query_for = None

    def report(self, query) -> dict:
        raise NotImplementedError

    def get(self, request):
        query = type(self).query_for(user=request.user, data=request.query_params)
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


def csv_only(view_class, *, operation_id: str, description, parameters):
    """The report ``view_class`` as CSV alone, for a path of its own.

    Generated clients read one media type per answer and send no ``Accept``, so a report's CSV
    needs its own operation to be fetched with them; the data and columns are the report's.
    """

    @extend_schema(
        operation_id=operation_id,
        parameters=parameters,
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
