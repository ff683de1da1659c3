"""Shared pieces of the REST API: pagination, error shape (the JSON parser is core.parsers)."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from core import parse
from core.db import is_unavailable
from core.dbfaults import log_unavailable, unavailable_message


class Pagination(PageNumberPagination):
    """Page numbers are parsed like every id: a 20-digit ``page`` is a 404, not an overflow."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param) or 1
        try:
            return parse.parse_page(raw, last=paginator.num_pages)
        except parse.OutsideValueError:
            raise NotFound(_("Invalid page.")) from None


class DatabaseUnavailable(APIException):
    """503: the database cannot be reached now (``wait`` becomes DRF's ``Retry-After``)."""

    status_code = 503
    default_code = "database_unavailable"

    def __init__(self):
        super().__init__(unavailable_message())
        self.wait = settings.DATABASE_RETRY_AFTER


def exception_handler(exc, context):
    """Model-level validation errors surface as DRF's 400 shape instead of a 500; a database
    that cannot be reached is a 503 with ``Retry-After`` (see ``core.dbfaults``)."""
    if is_unavailable(exc):
        log_unavailable(context["request"], exc)
        exc = DatabaseUnavailable()
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = ValidationError(exc.message_dict)
        else:
            exc = ValidationError({"non_field_errors": exc.messages})
    return drf_exception_handler(exc, context)
