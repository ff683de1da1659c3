"""503 with ``Retry-After`` while the database is unavailable, instead of a 500.

While PostgreSQL restarts, a request fails with a connection-level error (see
:func:`core.db.is_unavailable`): that is no bug, and the client should simply come back, so
the API answers ``{"detail": ...}`` with status 503 and ``Retry-After``, and pages a plain 503
page. Real bugs (a ``ProgrammingError``, a deadlock the service gave up on) stay 500s.

Where the error is caught:

* in an API view: DRF's exception handler (``core.api.exception_handler``) answers it;
* in any other view or template: :meth:`DatabaseUnavailableMiddleware.process_exception`;
* in another middleware (a session saved on the way out): Django has already turned it into
  the 500 page by then; :func:`_note_unavailable` marks the request when Django reports the
  exception, and the middleware, placed outside the others, swaps the 500 for the 503.

The connection itself needs nothing here: Django closes a connection that had an error at the
end of the request, and ``CONN_HEALTH_CHECKS`` replaces a stale one at the start of the next,
so the first request after the restart succeeds.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import escape_leading_slashes
from django.utils.translation import gettext

from core.db import is_unavailable

logger = logging.getLogger("core.dbfaults")

API_PREFIX = "/api/"
_MARK = "_core_database_unavailable"


def retry_after() -> int:
    """Seconds a client should wait before it tries again (setting ``DATABASE_RETRY_AFTER``)."""
    return settings.DATABASE_RETRY_AFTER


def unavailable_message() -> str:
    return gettext("The database is unavailable for a moment. Try again in a few seconds.")


def log_unavailable(request, exc: BaseException) -> None:
    logger.warning(
        "Database unavailable during %s %s: %s",
        request.method,
        request.path,
        str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
    )


def unavailable_response(request) -> HttpResponse:
    """The 503 for this request: JSON under /api/, otherwise the plain 503 page."""
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": unavailable_message()}, status=503)
    else:
        # Rendered without the request: its context processors would query the database.
        page = loader.get_template("503.html").render(
            # "//host" would be a link to another site: Django's CommonMiddleware escapes it too.
            {"path": escape_leading_slashes(request.get_full_path()), "retry_after": retry_after()}
        )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(retry_after())
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 instead of 500 when the database cannot be reached; place it near the top."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if is_unavailable(exception):
            log_unavailable(request, exception)
            return unavailable_response(request)
        return None


@receiver(got_request_exception, dispatch_uid="core.dbfaults.note_unavailable")
def _note_unavailable(sender, request=None, **kwargs):
    """Django sends this while it handles an exception that became a 500 (``sys.exception()``
    is that exception): mark the request so that the middleware answers 503 instead."""
    exc = sys.exception()
    if request is not None and exc is not None and is_unavailable(exc):
        log_unavailable(request, exc)
        setattr(request, _MARK, True)
