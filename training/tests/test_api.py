"""The API exactly as docs/api.md says, permissions, and query bounds."""

import pytest
from django.urls import reverse

from conftest import make_user
from core.roles import STAFF
from standards.tests.factories import StandardFactory
from training import services
from training.models import Acknowledgement
from training.tests.conftest import acknowledge, publish

pytestmark = pytest.mark.django_db

ACKS = "/api/v1/acknowledgements/"
PROGRESS = "/api/v1/training/progress/"


def test_acknowledgement_fields(staff_api, assigned, standard_a):
    record, _ = acknowledge(assigned, standard_a.current_version)
    body = staff_api.get(ACKS).json()
    assert body["count"] == 1
    [row] = body["results"]
    assert set(row) == {
        "id",
        "user",
        "standard",
        "version",
        "acknowledged_at",
        "quiz_score",
        "fingerprint",
    }
    assert row["user"] == "agent"
    assert row["standard"] == "greeting"
    assert row["version"] == 1
    assert row["fingerprint"] == record.fingerprint
    assert row["acknowledged_at"].endswith(("Z", "+00:00", "+01:00", "+02:00"))


def test_staff_see_own_managers_all(staff_api, manager_api, assigned, another_staff, standard_a):
    acknowledge(assigned, standard_a.current_version)
    acknowledge(another_staff, standard_a.current_version)
    assert staff_api.get(ACKS).json()["count"] == 1
    assert manager_api.get(ACKS).json()["count"] == 2
    other = another_staff.acknowledgements.get()
    assert staff_api.get(f"{ACKS}{other.pk}/").status_code == 404


def test_no_writes(staff_api, manager_api, assigned, standard_a):
    record, _ = acknowledge(assigned, standard_a.current_version)
    for client in (staff_api, manager_api):
        assert client.post(ACKS, {}, format="json").status_code in (403, 405)
        assert client.patch(f"{ACKS}{record.pk}/", {}, format="json").status_code in (403, 405)
        assert client.delete(f"{ACKS}{record.pk}/").status_code in (403, 405)
    stored = (record.full_name, record.fingerprint, record.acknowledged_at)
    record.refresh_from_db()
    assert (record.full_name, record.fingerprint, record.acknowledged_at) == stored
    assert Acknowledgement.objects.count() == 1


def test_anonymous_and_other_roles(client, integration_api, no_role_api):
    assert client.get(ACKS).status_code in (401, 403)
    from rest_framework.test import APIClient

    assert APIClient().get(ACKS).status_code == 401
    assert APIClient().get(PROGRESS).status_code == 401
    assert integration_api.get(ACKS).status_code == 403
    assert no_role_api.get(PROGRESS).status_code == 403


def test_progress(staff_api, manager_api, assigned, another_staff, standard_a, track, manager):
    services.track_assign(track=track, users=[another_staff], by=manager)
    acknowledge(assigned, standard_a.current_version)
    body = manager_api.get(PROGRESS).json()
    assert body["count"] == 2
    rows = {r["user"]: r for r in body["results"]}
    assert rows["agent"] == {
        "user": "agent",
        "assigned": 2,
        "acknowledged": 1,
        "outstanding": 1,
        "overdue": 0,
        "percent": 50,
    }
    assert rows["agent2"]["percent"] == 0
    own = staff_api.get(PROGRESS).json()
    assert [r["user"] for r in own["results"]] == ["agent"]
    assert reverse("training-progress") == PROGRESS


def _population(n, manager):
    track = services.track_save(user=manager, name=f"Track {n}", items=[])
    standards = []
    for i in range(n):
        standard = StandardFactory(slug=f"s{n}-{i}")
        publish(standard, manager=manager)
        standards.append(standard)
    services.track_save(
        user=manager,
        track=track,
        name=track.name,
        items=[{"standard": s, "due_offset_days": 3} for s in standards],
    )
    users = [make_user(f"p{n}-{i}", STAFF, first_name="P", last_name=str(i)) for i in range(n)]
    services.track_assign(track=track, users=users, by=manager)
    for user in users[: n // 2]:
        acknowledge(user, standards[0].current_version)
    return users


@pytest.mark.parametrize("n", [3, 30])
def test_api_lists_are_bounded(n, manager, manager_api, django_assert_max_num_queries):
    _population(n, manager)
    with django_assert_max_num_queries(12):
        assert manager_api.get(PROGRESS + "?page_size=500").json()["count"] == n
    with django_assert_max_num_queries(8):
        assert manager_api.get(ACKS + "?page_size=500").status_code == 200


def test_schema_describes_training(manager_api):
    schema = manager_api.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/training/progress/" in schema["paths"]
    assert "/api/v1/acknowledgements/" in schema["paths"]
    assert "post" not in schema["paths"]["/api/v1/acknowledgements/"]
