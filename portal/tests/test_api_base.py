"""API conventions shared by every endpoint: auth, schema, docs served from local assets."""

import re

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def test_anonymous_gets_401(client, db):
    response = client.get("/api/v1/channels/")
    assert response.status_code == 401


def test_token_authentication_works(manager_api):
    response = manager_api.get("/api/v1/channels/")
    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}


def test_user_without_role_gets_403(no_role_api):
    assert no_role_api.get("/api/v1/channels/").status_code == 403


def test_schema_renders_and_validates(manager_api):
    response = manager_api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert "/api/v1/channels/{code}/" in schema["paths"]
    assert "/api/v1/calendars/" in schema["paths"]


def test_docs_use_local_assets_only(manager_client):
    response = manager_client.get("/api/v1/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert urls
    assert all(not u.startswith(("http://", "https://", "//")) for u in urls), urls
    script = manager_client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
