"""``/api/v1/standards/``: four eyes and retirement, as docs/api.md says."""

import pytest
from rest_framework.test import APIClient

from conftest import make_user
from core.roles import MANAGER
from standards.models import Standard, StandardVersion
from standards.tests.api.helpers import LIST, _detail, _publish, _versions
from standards.tests.factories import make_version

pytestmark = pytest.mark.django_db
Status = StandardVersion.Status


def test_fields_and_writing_four_eyes(settings, manager_api, staff_api, published):
    settings.STANDARDS_FOUR_EYES = True
    item = staff_api.get(_detail(published)).json()
    assert item["four_eyes"] is None
    assert item["four_eyes_required"] is True
    assert item["retired"] is False and item["retired_at"] is None

    response = manager_api.patch(_detail(published), {"four_eyes": False}, format="json")
    assert response.status_code == 200
    assert response.json()["four_eyes"] is False
    assert response.json()["four_eyes_required"] is False
    assert Standard.objects.get(pk=published.pk).four_eyes is False
    response = manager_api.patch(_detail(published), {"four_eyes": None}, format="json")
    assert Standard.objects.get(pk=published.pk).four_eyes is None
    bad = manager_api.patch(_detail(published), {"four_eyes": "perhaps"}, format="json")
    assert bad.status_code == 400 and "four_eyes" in bad.json()
    assert staff_api.patch(_detail(published), {"four_eyes": True}, format="json").status_code == (
        403
    )


def test_the_author_gets_403_and_another_manager_publishes(
    settings, manager, manager_api, published
):
    settings.STANDARDS_FOUR_EYES = True
    draft = make_version(published, author=manager, change_summary="New.")
    response = manager_api.post(_publish(published, draft.number))
    assert response.status_code == 403
    assert "other than the version's author" in response.json()["detail"]
    assert StandardVersion.objects.get(pk=draft.pk).status == Status.DRAFT

    other = APIClient()
    other.force_authenticate(make_user("manager2", MANAGER))
    response = other.post(_publish(published, draft.number))
    assert response.status_code == 200
    assert response.json()["approver"] == "manager2"
    assert response.json()["author"] == "manager"


def test_retire_and_reinstate_by_patch(manager_api, staff_api, published):
    response = manager_api.patch(_detail(published), {"retired": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["retired"] is True and body["retired_at"]
    assert Standard.objects.get(pk=published.pk).is_retired
    # Out of the lists; managers still read it by id and list it with ?retired=true.
    assert manager_api.get(LIST).json()["count"] == 0
    assert [s["id"] for s in manager_api.get(LIST + "?retired=true").json()["results"]] == [
        published.pk
    ]
    assert manager_api.get(LIST + "?retired=false").json()["count"] == 0
    assert manager_api.get(_detail(published)).status_code == 200
    assert staff_api.get(LIST + "?retired=true").json()["count"] == 0
    assert staff_api.get(_detail(published)).status_code == 404
    # A retired standard gets no new draft (409); retiring twice is harmless.
    assert manager_api.post(_versions(published), {}, format="json").status_code == 409
    again = manager_api.patch(_detail(published), {"retired": True}, format="json")
    assert again.status_code == 200

    response = manager_api.patch(_detail(published), {"retired": False}, format="json")
    assert response.status_code == 200
    assert response.json()["retired"] is False
    assert manager_api.get(LIST).json()["count"] == 1


def test_retired_filter_and_create_refusals(manager_api, published):
    assert manager_api.get(LIST + "?retired=perhaps").status_code == 400
    response = manager_api.post(LIST, {"title": "Born retired", "retired": True}, format="json")
    assert response.status_code == 400
    assert "retired" in response.json()
    assert not Standard.objects.filter(title="Born retired").exists()


@pytest.mark.parametrize("value", [None, True, False])
def test_create_with_four_eyes(manager_api, value):
    response = manager_api.post(LIST, {"title": "Closing", "four_eyes": value}, format="json")
    assert response.status_code == 201
    assert response.json()["four_eyes"] is value
    assert Standard.objects.get(title="Closing").four_eyes is value
