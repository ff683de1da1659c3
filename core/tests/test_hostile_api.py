"""Every API operation answers hostile query parameters, path ids and JSON bodies without a
server error.

The operations and their parameters and body fields come from the OpenAPI schema, so a new
endpoint is covered without being named here; filters the schema does not list are tried on
every list too. Values: huge numbers, year 1 and 9999 dates and instants, NUL characters, lone
surrogates, wrong types and shapes, random text.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given, note
from hypothesis import strategies as st
from rest_framework.test import APIClient

from core import parse
from core.tests.hostile import (
    HOSTILE_JSON,
    HOSTILE_TEXT,
    HUGE_INTS,
    examples,
    query_check,
    query_string,
    run_collecting,
)
from surveys.models import Invitation

EXAMPLES = examples(25)
#: Filters some lists read without the schema naming them, tried on every GET.
EXTRA_KEYS = {"q", "user", "standard", "track", "category", "score", "survey", "contact", "page"}


@pytest.fixture
def demo(db):
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())


@pytest.fixture
def api(demo):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="manager"))
    return client


def _schema() -> dict:
    return json.loads(
        json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)
    )


def _body_fields(schema: dict, operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return []
    body = content["schema"]
    if body.get("type") == "array":
        body = body["items"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return sorted(body.get("properties", {}))


def _real_path(api, path: str) -> str | None:
    """The path with real ids, codes and numbers of the demo data, or None if there are none."""
    while match := re.search(r"\{(\w+)\}", path):
        name, prefix = match.group(1), path[: match.start()]
        if name == "token":
            invitation = Invitation.objects.filter(response__isnull=True).first()
            value = invitation.token if invitation else None
        else:
            listed = api.get(prefix).json()
            rows = listed.get("results", listed) if isinstance(listed, dict) else listed
            value = rows[0].get(name, rows[0].get("id")) if rows else None
        if value is None:
            return None
        path = path.replace(match.group(0), str(value), 1)
    return path


def _path_check(api, method, template):
    @EXAMPLES
    @given(st.one_of(HUGE_INTS.map(str), HOSTILE_TEXT))
    def check(value):
        url = re.sub(r"\{\w+\}", lambda _m: query_string({"": value})[1:] or "x", template)
        note(url)
        assert getattr(api, method)(url, {}, format="json").status_code < 500, url

    return check


def _valid_base(api, path: str, names: list[str]) -> dict:
    """A body the endpoint takes: the row the path names, or the first of its list, so the
    hostile values reach the services (a year-1 instant on a channel with business hours) and
    not only the field checks."""
    shown = api.get(path)
    data = shown.json() if shown.status_code == 200 else {}
    if isinstance(data, dict) and "results" in data:
        data = data["results"][0] if data["results"] else {}
    base = {k: v for k, v in data.items() if k in names} if isinstance(data, dict) else {}
    if "external_id" in base:
        base["external_id"] = "HOSTILE-1"  # a new contact, not a repeat of the listed one
    if "code" in base and path.endswith("/channels/"):
        base["code"] = "hostile"
    for name in ("slug", "name", "title"):
        if name in base and path.count("/") <= 4:
            base[name] = f"hostile-{name}"
    return base


def _body_check(api, method, path, names, many):
    base = _valid_base(api, path, names)
    item = st.dictionaries(st.sampled_from(names), HOSTILE_JSON, min_size=1, max_size=3).map(
        lambda hostile: {**base, **hostile}
    )

    @EXAMPLES
    @given(st.lists(item, min_size=1, max_size=3) if many else item)
    def check(body):
        text = json.dumps(body)  # lone surrogates travel as \\u escapes, as clients send them
        note(f"{method} {path} {text}")
        response = getattr(api, method)(path, text, content_type="application/json")
        assert response.status_code < 500, (path, text)

    return check


def test_every_api_operation_answers_hostile_input_without_500(api):
    schema = _schema()
    failures: list[str] = []
    for template, operations in schema["paths"].items():
        path = _real_path(api, template)
        for method, operation in operations.items():
            label = f"{method.upper()} {template}"
            if "{" in template:
                run_collecting(failures, f"{label} (path)", _path_check(api, method, template))
            if path is None:
                continue
            if method == "get":
                names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
                keys = sorted(names | EXTRA_KEYS)
                run_collecting(failures, f"{label} (query)", query_check(api.get, path, keys, 25))
            fields = _body_fields(schema, operation)
            if fields and method in ("post", "put", "patch"):
                many = template.endswith("/bulk/")
                run_collecting(
                    failures, f"{label} (body)", _body_check(api, method, path, fields, many)
                )
    assert not failures, "\n".join(failures)


def test_deeply_nested_json_is_a_400(api):
    """Fifty thousand ``[`` made the decoder raise RecursionError (a 500), anonymously through
    the public survey endpoint too."""
    invitation = Invitation.objects.filter(response__isnull=True).first()
    public = APIClient()
    for depth in (50_000, 2_000, 40):
        body = "[" * depth + "]" * depth
        for client, path in (
            (public, f"/api/v1/public/surveys/{invitation.token}/"),
            (api, "/api/v1/contacts/"),
            (api, "/api/v1/contacts/bulk/"),
        ):
            response = client.post(path, body, content_type="application/json")
            assert response.status_code == 400, (depth, path, response.content[:200])
            assert "nests too deeply" in response.json()["detail"]
    nested = {"comment": json.loads("[" * 40 + "]" * 40)}
    response = public.post(f"/api/v1/public/surveys/{invitation.token}/", nested, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("param", ["survey", "contact"])
@pytest.mark.parametrize("value", ["9" * 20, "-1", "abc"])
def test_generated_foreign_key_filters_parse_ids(manager_api, param, value):
    """``filterset_fields`` build on core's FilterSet: an id beyond bigint is a 400 naming
    the parameter, not an overflow in the query."""
    response = manager_api.get(f"/api/v1/survey-invitations/?{param}={value}")
    assert response.status_code == 400
    assert param in response.json()


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/v1/channels/", {"code": "x", "name": "X", "kind": "\ud800"}, "kind"),
        ("/api/v1/calendars/", {"name": "X", "timezone": "Europe/\udfff"}, "timezone"),
        ("/api/v1/surveys/", {"name": "\ud800\x00"}, "name"),
    ],
)
def test_lone_surrogates_are_a_field_error_on_every_endpoint(manager_api, path, body, field):
    """The error message used to echo the value, which the renderer could not encode."""
    response = manager_api.post(path, json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {field: [str(parse.MSG_TEXT)]}
