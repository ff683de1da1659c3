"""Shared pieces of the REST API: pagination, error shape, strict timestamps."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler

from core.db import is_unavailable
from core.dbfaults import log_unavailable, unavailable_message


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


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


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset only: a naive timestamp is ambiguous, so it is refused."""

    default_error_messages = {
        "naive": _("Give the time with a UTC offset, e.g. 2026-01-31T09:30:00+01:00."),
    }

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)
