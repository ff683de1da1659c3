"""``/api/v1/evaluations/``: who may do what, the answers' shape, bad input as 400 with field
keys, state conflicts as 409, and a bounded number of queries for the list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from channels_app.tests.factories import ChannelFactory
from conftest import make_user
from core.models import OutboxMessage
from core.roles import STAFF
from quality.models import Evaluation
from quality.tests.factories import make_evaluation

pytestmark = pytest.mark.django_db
URL = "/api/v1/evaluations/"


@pytest.fixture
def evaluation(evaluable_version, manager, staff_user):
    return make_evaluation(
        version=evaluable_version, agent=staff_user, evaluator=manager, results="MNM"
    )


def _body(evaluable, **overrides):
    body = {
        "standard": evaluable.standard.slug,
        "agent": "agent",
        "interaction_reference": "API-1",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "answers": [
            {"criterion": c.pk, "result": "met"} for c in evaluable.criteria.order_by("order")
        ],
    }
    body.update(overrides)
    return body


def test_managers_create_and_the_answer_has_the_evaluation(
    manager_api, evaluable_version, staff_user
):
    response = manager_api.post(URL, _body(evaluable_version), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["agent"], data["standard"], data["score"], data["state"]) == (
        "agent",
        "greeting",
        "100.0",
        "open",
    )
    assert len(data["items"]) == 3 and data["answer"] is None and data["resolution"] is None
    assert Evaluation.objects.get().interaction_reference == "API-1"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"standard": "nope"}, "standard"),
        ({"agent": "manager"}, "agent"),
        ({"interaction_reference": ""}, "interaction_reference"),
        ({"occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),
        ({"occurred_at": "not a time"}, "occurred_at"),
        ({"answers": []}, "answers"),
        ({"answers": [{"criterion": 1, "result": "maybe"}]}, "answers"),
        ({"version": 99}, "version"),
        ({"channel": "nowhere"}, "channel"),
    ],
)
def test_bad_input_to_create_is_a_400_naming_the_field(
    manager_api, evaluable_version, staff_user, overrides, field
):
    response = manager_api.post(URL, _body(evaluable_version, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Evaluation.objects.exists()


def test_a_missing_criterion_is_a_400(manager_api, evaluable_version, staff_user):
    body = _body(evaluable_version)
    body["answers"] = body["answers"][:2]
    response = manager_api.post(URL, body, format="json")
    assert response.status_code == 400 and "answers" in response.json()


def test_staff_and_integration_cannot_create(
    staff_api, integration_api, evaluable_version, staff_user
):
    assert staff_api.post(URL, _body(evaluable_version), format="json").status_code == 403
    assert integration_api.post(URL, _body(evaluable_version), format="json").status_code == 403
    assert not Evaluation.objects.exists()


def test_staff_read_only_their_own(staff_api, manager_api, evaluation, evaluable_version, manager):
    other = make_user("agent7", STAFF)
    theirs = make_evaluation(version=evaluable_version, agent=other, evaluator=manager)
    assert staff_api.get(URL).json()["count"] == 1
    assert manager_api.get(URL).json()["count"] == 2
    assert staff_api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert staff_api.get(f"{URL}{evaluation.pk}/").status_code == 200


def test_dispute_and_resolve_through_the_api(staff_api, manager_api, evaluation):
    url = f"{URL}{evaluation.pk}/"
    assert staff_api.post(f"{url}dispute/", {}, format="json").status_code == 400
    assert staff_api.post(f"{url}dispute/", {"comment": " "}, format="json").status_code == 400
    disputed = staff_api.post(f"{url}dispute/", {"comment": "I did greet."}, format="json")
    assert disputed.status_code == 200
    assert disputed.json()["state"] == "disputed"
    assert disputed.json()["answer"]["comment"] == "I did greet."
    assert OutboxMessage.objects.filter(kind="quality.evaluation_disputed").count() == 1
    again = staff_api.post(f"{url}dispute/", {"comment": "Again"}, format="json")
    assert again.status_code == 409

    assert staff_api.post(f"{url}resolve/", {"upheld": True}, format="json").status_code == 403
    missing = manager_api.post(f"{url}resolve/", {"upheld": False}, format="json")
    assert missing.status_code == 400 and "score" in missing.json()
    for bad in ({"score": "abc"}, {"score": 101}, {"score": -1}, {"score": "1e400"}):
        answer = manager_api.post(f"{url}resolve/", {**bad, "reason": "x"}, format="json")
        assert answer.status_code == 400 and "score" in answer.json(), bad
    no_reason = manager_api.post(f"{url}resolve/", {"score": 80}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    resolved = manager_api.post(
        f"{url}resolve/", {"score": "80.0", "reason": "Heard it again."}, format="json"
    )
    assert resolved.status_code == 200
    data = resolved.json()
    assert (data["state"], data["resolution"], data["score"], data["revision_of"]) == (
        "resolved",
        "changed",
        "80.0",
        evaluation.pk,
    )
    assert data["answer"]["kind"] == "disputed"
    assert manager_api.get(URL).json()["results"][0]["id"] == data["id"]
    twice = manager_api.post(f"{url}resolve/", {"upheld": True}, format="json")
    assert twice.status_code in (404, 409)
    later = manager_api.post(f"{URL}{data['id']}/resolve/", {"upheld": True}, format="json")
    assert later.status_code == 409


def test_accept_through_the_api(staff_api, manager_api, evaluation):
    assert manager_api.post(f"{URL}{evaluation.pk}/accept/", {}).status_code == 403
    answer = staff_api.post(f"{URL}{evaluation.pk}/accept/", {}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "accepted"
    assert staff_api.get(f"{URL}?state=accepted").json()["count"] == 1
    assert staff_api.get(f"{URL}?state=open").json()["count"] == 0
    assert staff_api.get(f"{URL}?state=bogus").status_code == 400


def test_the_list_runs_a_bounded_number_of_queries(
    manager_api, evaluable_version, manager, staff_user, django_assert_max_num_queries
):
    from quality import services

    for n in range(8):
        row = make_evaluation(version=evaluable_version, agent=staff_user, evaluator=manager)
        if n % 2:
            services.evaluation_dispute(evaluation=row, user=staff_user, comment="No")
            services.evaluation_resolve(evaluation=row, user=manager, upheld=True)
    with django_assert_max_num_queries(8):
        data = manager_api.get(URL).json()
    assert data["count"] == 8


def test_a_retired_standard_is_not_evaluated(manager_api, evaluable_version, staff_user, manager):
    """Retiring leaves the last version published: the service refuses it (the page's link
    was only hidden), the API answers 400, and the contact page's list leaves it out."""
    from quality.evaluation_selectors import standards_for_channel
    from standards.services import standard_retire

    assert evaluable_version.standard in standards_for_channel(ChannelFactory())
    standard_retire(standard=evaluable_version.standard, user=manager)
    response = manager_api.post(URL, _body(evaluable_version), format="json")
    assert response.status_code == 400
    assert response.json()["version"] == ["This standard is retired: it is no longer evaluated."]
    assert not Evaluation.objects.exists()
    assert standards_for_channel(ChannelFactory()) == []
