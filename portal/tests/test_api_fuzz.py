"""Property-based requests from the OpenAPI schema: bad input never gets a 500, and answers
match the documented shapes. Runs in-process through the WSGI app."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance


@pytest.fixture
def api_schema(db):
    raw = SchemaGenerator().get_schema(request=None, public=True)
    # Lazy translation strings in the schema become plain text.
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))
    loaded.app = get_wsgi_application()
    # The coverage phase (boundary values, wrong types and missing fields for every parameter,
    # deterministically) runs next to examples and fuzzing; CI relies on it, so it is checked.
    phases = loaded.config.phases_for(operation=None)
    assert phases.coverage.enabled and phases.fuzzing.enabled and phases.examples.enabled
    return loaded


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the database connection at the end of each request, which would
    end the test's transaction; Django's test client avoids it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_api_answers_bad_input_without_server_errors(case, manager, keep_test_connection):
    token, _ = Token.objects.get_or_create(user=manager)
    case.call_and_validate(
        headers={"Authorization": f"Token {token.key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
