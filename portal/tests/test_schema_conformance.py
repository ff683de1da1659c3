"""Every list of the API, and the first item of each, answers what the schema says, on the demo.

The schema is what clients generate code from, so a field that is null in practice but declared
non-nullable, or a field the schema does not list, breaks them. Each answer is validated with
jsonschema against the OpenAPI response schema, made strict: objects may carry no property the
schema does not name, and ``nullable`` is the only way to null.
"""

import io
import json

import jsonschema
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from channels_app.models import BusinessCalendar
from standards.models import Standard
from surveys.models import Response

ROLES = ("manager", "agent", "helpdesk")


def _strict(node):
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable`` as a null alternative, closed objects."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/$defs/")
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(raw, default=str))


def _validator(schema, operation, status=200):
    media = operation["responses"][str(status)]["content"]["application/json"]
    body_schema = {**_strict(media["schema"]), "$defs": _strict(schema["components"]["schemas"])}
    return jsonschema.Draft202012Validator(body_schema, format_checker=jsonschema.FormatChecker())


def _errors(validator, body) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)
    ]


def _list_operations(schema):
    """GET operations answering JSON whose path names no object, with the path's retrieve."""
    for path, methods in schema["paths"].items():
        operation = methods.get("get")
        if operation is None or "{" in path:
            continue
        if "application/json" not in operation["responses"]["200"].get("content", {}):
            continue
        detail = next(
            (
                (p, m["get"])
                for p, m in schema["paths"].items()
                if p.startswith(path) and p.count("/") == path.count("/") + 1 and "{" in p
                if "get" in m
            ),
            (None, None),
        )
        yield path, operation, *detail


@pytest.fixture
def demo(db):
    call_command("seed_demo", allow_production=True, stdout=io.StringIO())


def _api(username):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username=username))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_every_list_and_its_first_item_match_the_schema_on_the_demo(demo, schema):
    standard = Standard.objects.order_by("pk").first()
    checked, problems = [], []
    operations = list(_list_operations(schema))
    operations.append(
        (
            f"/api/v1/standards/{standard.pk}/versions/",
            schema["paths"]["/api/v1/standards/{id}/versions/"]["get"],
            None,
            None,
        )
    )
    for username in ROLES:
        client = _api(username)
        for path, operation, detail_path, detail in operations:
            response = client.get(path, {"page_size": 500})
            if username == "manager":
                assert response.status_code == 200, (path, response.content[:300])
            if response.status_code != 200:
                assert response.status_code == 403, (username, path, response.status_code)
                continue
            body = first = response.json()
            validator = _validator(schema, operation)
            while True:  # every page: one null on the tenth page is a broken client too
                problems += [f"{username} {path} {e}" for e in _errors(validator, body)]
                if not isinstance(body, dict) or not body.get("next"):
                    break
                body = client.get(body["next"]).json()
            body = first
            checked.append(path)
            items = body.get("results") if isinstance(body, dict) else None
            if not items or detail is None:
                continue
            name = detail_path.rsplit("{", 1)[1].split("}")[0]
            url = detail_path.replace("{" + name + "}", str(items[0][name]))
            one = client.get(url)
            assert one.status_code == 200, (username, url, one.status_code)
            problems += [
                f"{username} {url} {e}" for e in _errors(_validator(schema, detail), one.json())
            ]
            checked.append(detail_path)
    assert problems == []
    # Every list was read (at least by the manager), and lists were not empty on the demo.
    assert {p for p, *_ in operations} <= set(checked)


def test_kiosk_answers_are_documented_with_null_kiosk_agent_and_invitation(demo, schema):
    kiosk_answer = Response.objects.filter(kiosk__isnull=False, agent__isnull=True).first()
    assert kiosk_answer is not None, "the demo has kiosk answers without an agent"
    operation = schema["paths"]["/api/v1/survey-responses/{id}/"]["get"]
    body = _api("manager").get(f"/api/v1/survey-responses/{kiosk_answer.pk}/").json()
    assert body["agent"] is None and body["invitation"] is None and body["contact"] is None
    assert _errors(_validator(schema, operation), body) == []
    # The check bites: the same answer against a schema that forbids the null fails.
    component = schema["components"]["schemas"]["SurveyResponse"]["properties"]["agent"]
    assert component.get("nullable") is True


def test_every_operation_documents_its_errors_and_takes_json_only(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            assert "503" in responses, (method, path)
            if "requestBody" in operation:
                assert list(operation["requestBody"]["content"]) == ["application/json"], path
                assert {"400", "415"} <= set(responses), (method, path)
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            for code, response in responses.items():
                if int(code) >= 400:
                    shape = response["content"]["application/json"]["schema"]
                    assert shape.get("$ref") in (
                        "#/components/schemas/Error",
                        "#/components/schemas/FieldErrors",
                    ), (method, path, code)
    # One type per set of choices: a filter with an enum's choices refers to the enum.
    enums = {frozenset(c["enum"]) for c in schema["components"]["schemas"].values() if "enum" in c}
    for path, methods in schema["paths"].items():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                inline = parameter["schema"].get("enum") or parameter["schema"].get(
                    "items", {}
                ).get("enum")
                assert not inline or frozenset(inline) not in enums, (path, parameter["name"])
    # The CSV of each report is an operation of its own that answers text/csv.
    for name in ("sla", "satisfaction"):
        csv = schema["paths"][f"/api/v1/reports/{name}/csv/"]["get"]["responses"]["200"]
        assert list(csv["content"]) == ["text/csv"]


def test_a_form_body_is_refused_with_415_and_nothing_is_written(manager):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=manager)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(
        "/api/v1/calendars/", {"name": "Form", "timezone": "UTC"}, format="multipart"
    )
    assert response.status_code == 415
    assert set(response.json()) == {"detail"}
    assert not BusinessCalendar.objects.filter(name="Form").exists()
    json_answer = client.post("/api/v1/calendars/", {"name": "Json", "timezone": "UTC"})
    assert json_answer.status_code == 201


def test_report_csv_operations_answer_csv_and_errors_as_json(manager):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=manager)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    for name in ("sla", "satisfaction"):
        ok = client.get(f"/api/v1/reports/{name}/csv/", {"from": "2026-01-01", "to": "2026-01-31"})
        assert ok.status_code == 200 and ok["Content-Type"].startswith("text/csv")
        assert b"".join(ok.streaming_content if ok.streaming else [ok.content]).startswith(b"key,")
        bad = client.get(f"/api/v1/reports/{name}/csv/", {"from": "January"})
        assert bad.status_code == 400 and bad["Content-Type"] == "application/json"
        assert "from" in bad.json()
