"""``/api/v1/standards/``: every field and error of docs/api.md, permissions, the schema."""

from datetime import datetime

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from standards.models import Category, StandardVersion
from standards.tests.api.helpers import (
    CRITERION_FIELDS,
    CURRENT_VERSION_FIELDS,
    LIST,
    STANDARD_FIELDS,
    _detail,
    _publish,
    _versions,
)
from standards.tests.factories import (
    StandardFactory,
    make_version,
)

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


# -- reading -------------------------------------------------------------------------------------


def test_list_shape_and_every_field(staff_api, published):
    response = staff_api.get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    item = body["results"][0]
    assert set(item) == STANDARD_FIELDS
    assert item["id"] == published.pk
    assert item["slug"] == "greeting"
    assert item["title"] == "Greeting"
    assert item["category"] == published.category.name
    assert item["channels"] == ["chat", "phone"]
    current = item["current_version"]
    assert set(current) == CURRENT_VERSION_FIELDS
    version = published.versions.get(status=Status.PUBLISHED)
    assert current["number"] == version.number == 2
    assert datetime.fromisoformat(current["published_at"]).utcoffset() is not None
    assert current["body_markdown"] == version.body_markdown
    assert current["body_html"] == version.body_html
    assert current["change_kind"] in {"minor", "major"}
    assert len(current["criteria"]) == 2
    for criterion, stored in zip(current["criteria"], version.criteria.all(), strict=True):
        assert set(criterion) == CRITERION_FIELDS
        assert criterion == {
            "id": stored.pk,
            "text": stored.text,
            "weight": stored.weight,
            "is_critical": stored.is_critical,
        }


@pytest.mark.parametrize("client_name", ["staff_api", "integration_api"])
def test_non_managers_see_published_standards_only(request, client_name, published, unpublished):
    api = request.getfixturevalue(client_name)
    body = api.get(LIST).json()
    assert [s["slug"] for s in body["results"]] == ["greeting"]
    assert api.get(_detail(published)).status_code == 200
    assert api.get(_detail(unpublished)).status_code == 404


def test_managers_see_everything_and_current_version_is_the_published_one(
    manager_api, published, unpublished
):
    make_version(published)  # a pending draft v3 does not change current_version
    body = manager_api.get(LIST).json()
    by_slug = {s["slug"]: s for s in body["results"]}
    assert set(by_slug) == {"greeting", "secret-draft"}
    assert by_slug["greeting"]["current_version"]["number"] == 2
    assert by_slug["secret-draft"]["current_version"] is None
    assert by_slug["secret-draft"]["category"] == unpublished.category.name


def test_category_is_null_without_one(manager_api):
    standard = StandardFactory(category=None)
    body = manager_api.get(_detail(standard)).json()
    assert body["category"] is None
    assert body["channels"] == []


def test_unknown_standard_is_404(manager_api):
    assert manager_api.get(f"{LIST}999999/").status_code == 404


def test_anonymous_is_401_and_no_role_is_403(db, no_role_api, published):
    anonymous = APIClient()
    for path in (LIST, _detail(published), _versions(published), _publish(published, 2)):
        method = anonymous.post if path.endswith("publish/") else anonymous.get
        assert method(path).status_code == 401, path
        method = no_role_api.post if path.endswith("publish/") else no_role_api.get
        assert method(path).status_code == 403, path
    assert anonymous.post(LIST, {"title": "x"}, format="json").status_code == 401


# -- creating and updating -----------------------------------------------------------------------


def test_manager_creates_a_standard(manager_api, chat, phone, manager):
    Category.objects.create(name="Communication")
    response = manager_api.post(
        LIST,
        {"title": "Active listening", "category": "communication", "channels": ["phone", "chat"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == STANDARD_FIELDS
    assert body["slug"] == "active-listening"
    assert body["category"] == "Communication"  # the existing category, matched ignoring case
    assert body["channels"] == ["chat", "phone"]  # ordered by channel name
    assert body["current_version"] is None
    assert Category.objects.count() == 1
    from standards.models import Standard

    standard = Standard.objects.get(pk=body["id"])
    assert standard.owner == manager


def test_a_new_category_name_creates_the_category(manager_api):
    response = manager_api.post(
        LIST, {"title": "Office", "slug": "office-look", "category": "Offices"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "office-look"
    assert Category.objects.filter(name="Offices").exists()


def test_create_errors(manager_api, chat):
    StandardFactory(slug="taken")
    cases = [
        ({"category": "X"}, "title"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "A", "slug": "taken"}, "slug"),
        ({"title": "A", "slug": "not a slug!"}, "slug"),
        ({"title": "A", "channels": ["chat", "fax"]}, "channels"),
        ({"title": "A", "channels": "chat"}, "channels"),
        ({"title": "A", "category": ""}, "category"),
        ({"title": "A", "category": "c" * 101}, "category"),
    ]
    for payload, field in cases:
        response = manager_api.post(LIST, payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), (payload, response.json())
    unknown = manager_api.post(LIST, {"title": "A", "channels": ["chat", "fax"]}, format="json")
    assert unknown.json() == {"channels": ["Unknown channel code: fax."]}


def test_manager_updates_a_standard(manager_api, published, chat):
    response = manager_api.patch(
        _detail(published),
        {"title": "Greeting v2", "category": None, "channels": ["chat"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Greeting v2"
    assert body["category"] is None
    assert body["channels"] == ["chat"]
    assert body["current_version"]["number"] == 2
    response = manager_api.put(
        _detail(published),
        {"title": "Greeting", "slug": "greeting-new", "category": "Comms"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["slug"] == "greeting-new"
    assert response.json()["category"] == "Comms"


def test_delete_is_not_offered(manager_api, published):
    assert manager_api.delete(_detail(published)).status_code == 405


@pytest.mark.parametrize("client_name", ["staff_api", "integration_api", "no_role_api"])
def test_non_managers_cannot_write(request, client_name, published):
    api = request.getfixturevalue(client_name)
    assert api.post(LIST, {"title": "X"}, format="json").status_code == 403
    assert api.patch(_detail(published), {"title": "X"}, format="json").status_code == 403
    assert api.put(_detail(published), {"title": "X"}, format="json").status_code == 403
    assert api.get(_versions(published)).status_code == 403
    assert api.post(_versions(published), {}, format="json").status_code == 403
    assert api.post(_publish(published, 2)).status_code == 403
    published.refresh_from_db()
    assert published.title == "Greeting"


def test_staff_get_403_not_404_on_versions_of_a_draft_standard(staff_api, unpublished):
    assert staff_api.get(_versions(unpublished)).status_code == 403


# -- schema --------------------------------------------------------------------------------------


def test_schema_describes_the_contract(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    assert set(paths["/api/v1/standards/"]) >= {"get", "post"}
    assert set(paths["/api/v1/standards/{id}/"]) >= {"get", "put", "patch"}
    assert "delete" not in paths["/api/v1/standards/{id}/"]
    assert set(paths["/api/v1/standards/{id}/versions/"]) >= {"get", "post"}
    publish = paths["/api/v1/standards/{id}/versions/{number}/publish/"]
    assert "200" in publish["post"]["responses"]
    create = paths["/api/v1/standards/{id}/versions/"]["post"]
    assert "201" in create["responses"]
    components = schema["components"]["schemas"]
    standard = components["Standard"]
    assert set(standard["properties"]) == STANDARD_FIELDS
    assert set(standard["required"]) == STANDARD_FIELDS
    assert standard["properties"]["category"].get("nullable") is True
    assert standard["properties"]["channels"]["type"] == "array"
    current = standard["properties"]["current_version"]
    assert current.get("nullable") is True or "oneOf" in current or "allOf" in current
    version = components["CurrentVersion"]
    assert set(version["properties"]) == CURRENT_VERSION_FIELDS
    assert set(components["Criterion"]["properties"]) == CRITERION_FIELDS
    request_body = components["VersionCreateRequest"]["properties"]
    assert set(request_body) == {"body_markdown", "change_kind", "change_summary", "criteria"}
