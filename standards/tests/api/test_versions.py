"""``/api/v1/standards/{id}/versions/`` and publishing; bounded queries of the API lists."""

from datetime import datetime

import pytest

from standards.models import StandardVersion
from standards.tests.api.helpers import (
    LIST,
    _detail,
    _publish,
    _versions,
)
from standards.tests.factories import (
    ChannelFactory,
    make_published_standard,
    make_version,
)

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


# -- versions ------------------------------------------------------------------------------------


def test_create_a_draft_version(manager_api, published, manager):
    response = manager_api.post(
        _versions(published),
        {
            "body_markdown": "# Greeting\n\nSay hello **within 5 seconds**.",
            "change_kind": "minor",
            "change_summary": "Added the time.",
            "criteria": [
                {"text": "Greets within 5 seconds", "weight": 3, "is_critical": True},
                {"text": "Says own name"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == 3
    assert body["status"] == "draft"
    assert body["change_kind"] == "minor"
    assert body["change_summary"] == "Added the time."
    assert "<strong>within 5 seconds</strong>" in body["body_html"]
    assert body["author"] == manager.username
    assert body["approver"] is None
    assert [(c["text"], c["weight"], c["is_critical"]) for c in body["criteria"]] == [
        ("Greets within 5 seconds", 3, True),
        ("Says own name", 1, False),
    ]
    # The situations were copied from the published version.
    version = published.versions.get(number=3)
    assert version.situations.count() == 1


def test_a_draft_without_input_copies_the_published_version(manager_api, published):
    response = manager_api.post(_versions(published), {}, format="json")
    assert response.status_code == 201
    current = published.versions.get(status=Status.PUBLISHED)
    assert response.json()["body_markdown"] == current.body_markdown
    assert len(response.json()["criteria"]) == current.criteria.count()


def test_second_open_version_is_409(manager_api, published):
    assert manager_api.post(_versions(published), {}, format="json").status_code == 201
    response = manager_api.post(_versions(published), {}, format="json")
    assert response.status_code == 409
    assert "Version 3 of this standard is already draft" in response.json()["detail"]


def test_version_create_errors(manager_api, published):
    cases = [
        ({"change_kind": "huge"}, "change_kind"),
        ({"body_markdown": "x" * 100_001}, "body_markdown"),
        ({"change_summary": "x" * 2001}, "change_summary"),
        ({"criteria": [{"weight": 2}]}, "criteria"),
        ({"criteria": [{"text": "ok", "weight": 0}]}, "criteria"),
        ({"criteria": [{"text": "ok", "weight": 101}]}, "criteria"),
        ({"criteria": [{"text": "", "weight": 1}]}, "criteria"),
        ({"criteria": "not a list"}, "criteria"),
        ({"criteria": [{"text": "c"}] * 101}, "criteria"),
    ]
    for payload, field in cases:
        response = manager_api.post(_versions(published), payload, format="json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), response.json()
    assert published.versions.count() == 2


def test_unknown_standard_versions_are_404(manager_api):
    assert manager_api.get(f"{LIST}999999/versions/").status_code == 404
    assert manager_api.post(f"{LIST}999999/versions/", {}, format="json").status_code == 404
    assert manager_api.post(f"{LIST}999999/versions/1/publish/").status_code == 404


def test_list_versions(manager_api, published):
    make_version(published, status=Status.IN_REVIEW)
    response = manager_api.get(_versions(published))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(v["number"], v["status"]) for v in body["results"]] == [
        (3, "in_review"),
        (2, "published"),
        (1, "archived"),
    ]
    assert set(body["results"][0]) == {
        "number",
        "status",
        "change_kind",
        "change_summary",
        "body_markdown",
        "body_html",
        "criteria",
        "author",
        "approver",
        "created_at",
        "submitted_at",
        "published_at",
        "archived_at",
    }
    one = manager_api.get(f"{_versions(published)}2/")
    assert one.status_code == 200
    assert one.json()["status"] == "published"
    assert manager_api.get(f"{_versions(published)}9/").status_code == 404


def test_publish_a_version(manager_api, published, manager):
    created = manager_api.post(
        _versions(published), {"change_summary": "Clearer wording."}, format="json"
    ).json()
    response = manager_api.post(_publish(published, created["number"]))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["number"] == 3
    assert body["status"] == "published"
    assert body["approver"] == manager.username
    assert datetime.fromisoformat(body["published_at"]).utcoffset() is not None
    standard = manager_api.get(_detail(published)).json()
    assert standard["current_version"]["number"] == 3
    assert published.versions.get(number=2).status == Status.ARCHIVED
    assert published.versions.filter(status=Status.PUBLISHED).count() == 1


def test_publish_errors(manager_api, published):
    # Publishing the published version again, or an archived one: 409 with a message.
    again = manager_api.post(_publish(published, 2))
    assert again.status_code == 409
    assert "already published" in again.json()["detail"]
    archived = manager_api.post(_publish(published, 1))
    assert archived.status_code == 409
    assert "archived" in archived.json()["detail"]
    assert manager_api.post(_publish(published, 99)).status_code == 404
    # An empty change summary: 400 on the field, nothing published.
    manager_api.post(_versions(published), {"change_summary": ""}, format="json")
    empty = manager_api.post(_publish(published, 3))
    assert empty.status_code == 400
    assert "change_summary" in empty.json()
    assert published.versions.get(number=3).status == Status.DRAFT
    # No criteria or no body: 400 as well.
    other = make_published_standard()
    manager_api.post(
        _versions(other),
        {"criteria": [], "body_markdown": " ", "change_summary": "x"},
        format="json",
    )
    bare = manager_api.post(_publish(other, 2))
    assert bare.status_code == 400
    assert set(bare.json()) == {"criteria", "body_markdown"}


def test_publish_a_version_in_review(manager_api, published):
    make_version(published, status=Status.IN_REVIEW, change_summary="Reviewed.")
    assert manager_api.post(_publish(published, 3)).status_code == 200


def test_list_queries_are_bounded(manager_api, staff_api, django_assert_max_num_queries):
    def build(n):
        for _ in range(n):
            standard = make_published_standard(archived=1, open_status=Status.DRAFT, criteria=3)
            standard.channels.set([ChannelFactory(), ChannelFactory()])

    # Measured: 7 (token, roles, count, standards, channels, published versions, criteria).
    build(3)
    with django_assert_max_num_queries(8):
        assert manager_api.get(LIST).json()["count"] == 3
    build(27)
    with django_assert_max_num_queries(8):
        assert manager_api.get(LIST).json()["count"] == 30
    with django_assert_max_num_queries(8):
        assert staff_api.get(LIST).json()["count"] == 30


def test_version_list_queries_are_bounded(manager_api, django_assert_max_num_queries):
    # Measured: 6 (token, roles, standard, count, versions with users, criteria).
    standard = make_published_standard(archived=2, criteria=3)
    with django_assert_max_num_queries(7):
        manager_api.get(_versions(standard))
    for _ in range(27):
        make_version(standard, status=Status.ARCHIVED, criteria=3)
    with django_assert_max_num_queries(7):
        assert manager_api.get(_versions(standard)).json()["count"] == 30
