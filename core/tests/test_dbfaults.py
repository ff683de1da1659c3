"""503 with Retry-After while the database is unreachable; real bugs stay 500s.

The errors are built as Django raises them: its own exception class with the driver's error as
``__cause__`` (psycopg2's, even on SQLite: the classification only reads the driver error).
"""

import json
import sqlite3

import psycopg2
import psycopg2.errors
import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.db import is_transient, is_unavailable
from core.dbfaults import unavailable_response

pytestmark = pytest.mark.urls(__name__)


def wrapped(django_class, driver_error):
    """``django_class`` raised from ``driver_error``, as Django's DatabaseErrorWrapper does."""
    try:
        raise django_class(str(driver_error)) from driver_error
    except django_class as exc:
        return exc


def server_gone():
    return wrapped(
        OperationalError,
        psycopg2.OperationalError("server closed the connection unexpectedly"),
    )


def missing_table():
    return wrapped(ProgrammingError, psycopg2.errors.UndefinedTable('relation "x" does not exist'))


FAILURES = {"gone": server_gone, "bug": missing_table}


@api_view(["GET", "POST"])
@authentication_classes([])
@permission_classes([AllowAny])
def api_failing(request, kind):
    raise FAILURES[kind]()


@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
def api_fine(request):
    return Response({"ok": True})


def page_failing(request, kind):
    raise FAILURES[kind]()


def page_fine(request):
    return HttpResponse("fine")


urlpatterns = [
    path("api/v1/failing/<str:kind>/", api_failing),
    path("api/v1/fine/", api_fine),
    path("api/plain/<str:kind>/", page_failing),  # an /api/ path outside DRF
    path("page/<str:kind>/", page_failing),
    path("page/", page_fine),
]


class FailOnTheWayOut:
    """A middleware inside DatabaseUnavailableMiddleware that fails after the view (as a
    session save does): Django turns that into its 500 page before ours sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        kind = request.headers.get("X-Fail")
        if kind:
            raise FAILURES[kind]()
        return response


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.fixture(autouse=True)
def _retry_after(settings):
    settings.DATABASE_RETRY_AFTER = 7


# -- classification ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "driver_error",
    [
        psycopg2.OperationalError("could not connect to server: Connection refused"),
        psycopg2.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg2.errors.CrashShutdown("terminating connection because of crash"),
        psycopg2.errors.CannotConnectNow("the database system is starting up"),
        psycopg2.errors.TooManyConnections("sorry, too many clients already"),
        psycopg2.errors.ConnectionFailure("connection failure"),
    ],
    ids=type,
)
def test_connection_level_errors_are_unavailable(driver_error):
    exc = wrapped(OperationalError, driver_error)
    assert is_unavailable(exc)
    assert not is_transient(exc)


def test_a_closed_connection_is_unavailable():
    assert is_unavailable(wrapped(InterfaceError, psycopg2.InterfaceError("connection closed")))


@pytest.mark.parametrize(
    "exc",
    [
        wrapped(OperationalError, psycopg2.errors.DeadlockDetected("deadlock detected")),
        wrapped(OperationalError, psycopg2.errors.QueryCanceled("statement timeout")),
        wrapped(OperationalError, sqlite3.OperationalError("no such table: x")),
        wrapped(InterfaceError, sqlite3.InterfaceError("Error binding parameter 1")),
        missing_table(),
        OperationalError("no driver error behind it"),
        ValueError("not a database error"),
    ],
    ids=repr,
)
def test_other_errors_are_not_unavailable(exc):
    assert not is_unavailable(exc)


def test_deadlock_and_serialization_failure_are_transient():
    for driver_error in (
        psycopg2.errors.DeadlockDetected("deadlock detected"),
        psycopg2.errors.SerializationFailure("could not serialize access"),
    ):
        assert is_transient(wrapped(OperationalError, driver_error))
    assert not is_transient(server_gone())
    assert not is_transient(missing_table())


def test_a_busy_sqlite_database_is_unavailable(tmp_path):
    """A real SQLITE_BUSY: another connection holds the write lock past the busy timeout."""
    holder = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    waiter = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError) as busy:
            waiter.execute("BEGIN IMMEDIATE")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        waiter.close()
    assert is_unavailable(wrapped(OperationalError, busy.value))


# -- responses -----------------------------------------------------------------------------------


def test_api_view_answers_503_json_with_retry_after(client):
    for method in (client.get, client.post):
        response = method("/api/v1/failing/gone/")
        assert response.status_code == 503
        assert response["Retry-After"] == "7"
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "detail": "The database is unavailable for a moment. Try again in a few seconds."
        }


def test_api_path_outside_drf_answers_503_json(client):
    response = client.get("/api/plain/gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert set(response.json()) == {"detail"}


def test_page_answers_the_503_page(client):
    response = client.get("/page/gone/?q=1", headers={"accept-language": "pl"})
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert '<html lang="pl">' in body
    assert "nie może teraz połączyć się z bazą danych. Spróbuj ponownie za 7 sekund" in body
    assert 'href="/page/gone/?q=1"' in body
    assert "Something went wrong" not in body  # not the 500 page


@pytest.mark.parametrize("url", ["/api/v1/failing/bug/", "/api/plain/bug/", "/page/bug/"])
def test_a_real_bug_is_still_a_500(client, url):
    response = client.get(url)
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_failure_in_a_middleware_after_the_view_answers_503(client, settings):
    inner = "core.tests.test_dbfaults.FailOnTheWayOut"
    position = settings.MIDDLEWARE.index("core.dbfaults.DatabaseUnavailableMiddleware") + 1
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:position], inner, *settings.MIDDLEWARE[position:]]

    response = client.get("/page/", headers={"x-fail": "gone"})
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert "cannot reach its database" in response.content.decode()

    response = client.get("/api/v1/fine/", headers={"x-fail": "gone"})
    assert response.status_code == 503
    assert json.loads(response.content)["detail"].startswith("The database is unavailable")

    assert client.get("/page/", headers={"x-fail": "bug"}).status_code == 500
    assert client.get("/page/").status_code == 200


def test_try_again_link_stays_on_the_site():
    request = RequestFactory().get("/")
    request.path = request.path_info = "//evil.example/"  # what "GET //evil.example/" gives
    response = unavailable_response(request)
    assert 'href="/%2Fevil.example/"' in response.content.decode()
