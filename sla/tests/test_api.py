"""/api/v1/sla-policies/, /api/v1/contacts/ and /api/v1/breaches/ against docs/api.md."""

import datetime as dt
import json

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from channels_app.tests.factories import ChannelFactory
from sla import services
from sla.models import Breach, Contact, ContactEvent, SlaPolicy
from sla.tests.conftest import warsaw
from sla.tests.factories import SlaPolicyFactory, make_contact

pytestmark = pytest.mark.django_db

POLICIES = "/api/v1/sla-policies/"
CONTACTS = "/api/v1/contacts/"
BULK = "/api/v1/contacts/bulk/"
BREACHES = "/api/v1/breaches/"

NOW = warsaw(2026, 3, 2, 12, 0)  # a Monday noon

CONTACT_KEYS = {
    "id",
    "channel",
    "external_id",
    "priority",
    "subject",
    "customer_name",
    "customer_email",
    "customer_language",
    "agent",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "status",
    "sla_policy",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_minutes",
    "resolution_minutes",
    "first_response_state",
    "resolution_state",
}


@pytest.fixture(autouse=True)
def _monday_noon():
    with time_machine.travel(NOW, tick=False):
        yield


def _body(**extra):
    return {
        "channel": "chat",
        "external_id": "ZD-1042",
        "priority": "normal",
        "subject": "Where is my parcel?",
        "customer_name": "Jan Kowalski",
        "customer_email": "jan@example.com",
        "customer_language": "pl",
        "opened_at": "2026-03-02T10:00:00+01:00",
        **extra,
    }


# -- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [POLICIES, CONTACTS, BREACHES])
def test_anonymous_gets_401_and_no_role_403(no_role_api, url):
    assert APIClient().get(url).status_code == 401
    assert no_role_api.get(url).status_code == 403


def test_policy_writes_are_for_managers(staff_api, integration_api, chat):
    body = {"name": "x", "channel": "chat", "first_response_minutes": 5, "resolution_minutes": 60}
    assert staff_api.post(POLICIES, body, format="json").status_code == 403
    assert integration_api.post(POLICIES, body, format="json").status_code == 403
    assert integration_api.get(POLICIES).status_code == 200
    assert SlaPolicy.objects.count() == 0


def test_staff_cannot_write_contacts(staff_api, chat, chat_policy):
    assert staff_api.post(CONTACTS, _body(), format="json").status_code == 403
    assert staff_api.post(BULK, [_body()], format="json").status_code == 403


def test_staff_read_only_their_own_contacts_and_breaches(
    staff_api, staff_user, agent2, chat, chat_policy
):
    opened = warsaw(2026, 3, 2, 9, 0)
    mine = make_contact(channel=chat, opened_at=opened, agent=staff_user, now=NOW)
    theirs = make_contact(channel=chat, opened_at=opened, agent=agent2, now=NOW)
    assert [c["id"] for c in staff_api.get(CONTACTS).json()["results"]] == [mine.pk]
    assert staff_api.get(f"{CONTACTS}{mine.pk}/").status_code == 200
    assert staff_api.get(f"{CONTACTS}{theirs.pk}/").status_code == 404
    assert Breach.objects.filter(contact=theirs).exists()
    assert {b["contact"] for b in staff_api.get(BREACHES).json()["results"]} == {mine.pk}


# -- policies --------------------------------------------------------------------------------


def test_policy_crud(manager_api, chat):
    body = {
        "name": "Chat",
        "channel": "chat",
        "priority": None,
        "first_response_minutes": 2,
        "resolution_minutes": 60,
    }
    created = manager_api.post(POLICIES, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json() == {
        "id": created.json()["id"],
        "name": "Chat",
        "channel": "chat",
        "priority": None,
        "first_response_minutes": 2,
        "resolution_minutes": 60,
        "warning_percent": 80,
        "business_hours": True,
        "is_active": True,
    }
    url = f"{POLICIES}{created.json()['id']}/"
    patched = manager_api.patch(url, {"first_response_minutes": 3}, format="json")
    assert patched.json()["first_response_minutes"] == 3
    assert manager_api.get(POLICIES).json()["count"] == 1
    assert manager_api.delete(url).status_code == 204
    assert SlaPolicy.objects.count() == 0


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"channel": "nope"}, "channel"),
        ({"priority": "critical"}, "priority"),
        ({"first_response_minutes": 0}, "first_response_minutes"),
        ({"resolution_minutes": -5}, "resolution_minutes"),
        ({"warning_percent": 100}, "warning_percent"),
        ({"warning_percent": 0}, "warning_percent"),
        ({"name": ""}, "name"),
    ],
)
def test_policy_bad_input_is_400(manager_api, chat, extra, field):
    body = {"name": "x", "channel": "chat", "first_response_minutes": 5, "resolution_minutes": 60}
    response = manager_api.post(POLICIES, {**body, **extra}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert SlaPolicy.objects.count() == 0


@pytest.mark.parametrize("priority", [None, "urgent"])
def test_second_active_policy_for_the_same_priority_is_400(manager_api, chat, priority):
    SlaPolicyFactory(channel=chat, priority=priority)
    body = {
        "name": "Again",
        "channel": "chat",
        "priority": priority,
        "first_response_minutes": 5,
        "resolution_minutes": 60,
    }
    response = manager_api.post(POLICIES, body, format="json")
    assert response.status_code == 400
    assert "already has an active policy" in response.json()["priority"][0]
    inactive = manager_api.post(POLICIES, {**body, "is_active": False}, format="json")
    assert inactive.status_code == 201
    reactivate = manager_api.patch(
        f"{POLICIES}{inactive.json()['id']}/", {"is_active": True}, format="json"
    )
    assert reactivate.status_code == 400


def test_used_policy_cannot_be_deleted(manager_api, chat, chat_policy):
    make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0), now=NOW)
    response = manager_api.delete(f"{POLICIES}{chat_policy.pk}/")
    assert response.status_code == 400
    assert "deactivate" in str(response.json())


# -- contacts: create ------------------------------------------------------------------------


def test_create_answers_201_then_200_with_the_same_id(integration_api, chat, chat_policy):
    first = integration_api.post(CONTACTS, _body(), format="json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert set(data) == CONTACT_KEYS
    assert data["channel"] == "chat"
    assert data["sla_policy"] == chat_policy.pk
    assert data["first_response_due_at"] == "2026-03-02T11:00:00+01:00"
    assert data["resolution_due_at"] == "2026-03-02T18:00:00+01:00"
    assert data["first_response_state"] == "breached"  # 11:00 passed: it is noon
    assert (data["status"], data["agent"], data["first_response_minutes"]) == ("open", None, None)
    repeat = integration_api.post(
        CONTACTS, _body(subject="Changed", priority="urgent"), format="json"
    )
    assert repeat.status_code == 200
    assert repeat.json()["id"] == data["id"]
    assert repeat.json()["subject"] == "Where is my parcel?"
    assert Contact.objects.count() == 1


def test_create_with_events_and_agent(manager_api, chat, chat_policy, staff_user):
    response = manager_api.post(
        CONTACTS,
        _body(
            agent="agent",
            first_response_at="2026-03-02T10:20:00+01:00",
            resolved_at="2026-03-02T11:30:00+01:00",
        ),
        format="json",
    )
    data = response.json()
    assert response.status_code == 201, data
    assert (data["agent"], data["status"]) == ("agent", "resolved")
    assert (data["first_response_minutes"], data["resolution_minutes"]) == (20, 90)
    assert (data["first_response_state"], data["resolution_state"]) == ("met", "met")


def test_read_only_fields_are_ignored_on_create(integration_api, chat, chat_policy):
    response = integration_api.post(
        CONTACTS,
        _body(first_response_state="met", first_response_due_at="2030-01-01T00:00:00Z"),
        format="json",
    )
    assert response.json()["first_response_due_at"] == "2026-03-02T11:00:00+01:00"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"opened_at": "2026-03-02T10:00:00"}, "opened_at"),  # naive
        ({"first_response_at": "2026-03-02T09:00:00+01:00"}, "first_response_at"),
        ({"resolved_at": "2026-03-02T09:59:59+01:00"}, "resolved_at"),
        ({"first_response_at": "2026-03-02T10:30:00"}, "first_response_at"),  # naive
        ({"opened_at": "2026-03-02T13:00:00+01:00"}, "opened_at"),  # future
        ({"channel": "fax"}, "channel"),
        ({"channel": None}, "channel"),
        ({"priority": "critical"}, "priority"),
        ({"status": "closed"}, "status"),
        ({"customer_language": "de"}, "customer_language"),
        ({"customer_email": "not-an-email"}, "customer_email"),
        ({"agent": "ghost"}, "agent"),
        ({"external_id": ""}, "external_id"),
        ({"opened_at": "yesterday"}, "opened_at"),
        ({"status": "resolved"}, "resolved_at"),
        (
            {
                "first_response_at": "2026-03-02T11:00:00+01:00",
                "resolved_at": "2026-03-02T10:30:00+01:00",
            },
            "resolved_at",
        ),
    ],
)
def test_create_bad_input_is_400_and_writes_nothing(
    integration_api, chat, chat_policy, extra, field
):
    response = integration_api.post(CONTACTS, _body(**extra), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert Contact.objects.count() == ContactEvent.objects.count() == 0


def test_create_without_required_fields_is_400(integration_api, chat):
    response = integration_api.post(CONTACTS, {}, format="json")
    assert response.status_code == 400
    assert {"channel", "external_id", "opened_at"} <= set(response.json())


def test_put_is_not_offered(integration_api, chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0), now=NOW)
    assert (
        integration_api.put(f"{CONTACTS}{contact.pk}/", _body(), format="json").status_code == 405
    )


# -- contacts: PATCH -------------------------------------------------------------------------


@pytest.fixture
def open_contact(chat, chat_policy):
    return make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 11, 30), now=NOW)


def test_patch_records_first_response(integration_api, open_contact, staff_user):
    response = integration_api.patch(
        f"{CONTACTS}{open_contact.pk}/",
        {"first_response_at": "2026-03-02T11:45:00+01:00", "agent": "agent"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert set(data) == CONTACT_KEYS  # event_at is write-only
    assert (data["first_response_state"], data["first_response_minutes"]) == ("met", 15)
    assert data["agent"] == "agent"


def test_patch_pause_and_resume_with_event_at(integration_api, open_contact):
    url = f"{CONTACTS}{open_contact.pk}/"
    paused = integration_api.patch(
        url, {"status": "waiting", "event_at": "2026-03-02T11:40:00+01:00"}, format="json"
    )
    assert paused.status_code == 200, paused.json()
    assert (paused.json()["status"], paused.json()["resolution_state"]) == ("waiting", "paused")
    resumed = integration_api.patch(url, {"status": "open"}, format="json")  # event_at: now
    assert resumed.json()["resolution_state"] == "pending"
    # Opened 11:30, due 19:30 → 18:00 + 90 min → Tue 10:30; waited 20 minutes → Tue 10:50.
    assert resumed.json()["resolution_due_at"] == "2026-03-03T10:50:00+01:00"
    kinds = list(open_contact.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["paused", "resumed"]


def test_patch_resolve_by_status(integration_api, open_contact):
    response = integration_api.patch(
        f"{CONTACTS}{open_contact.pk}/",
        {"status": "resolved", "event_at": "2026-03-02T11:50:00+01:00"},
        format="json",
    )
    data = response.json()
    assert (data["status"], data["resolved_at"]) == ("resolved", "2026-03-02T11:50:00+01:00")
    assert data["first_response_at"] == "2026-03-02T11:50:00+01:00"
    assert (data["resolution_state"], data["resolution_minutes"]) == ("met", 20)


def test_patch_priority_recomputes(integration_api, open_contact, chat):
    SlaPolicyFactory(channel=chat, priority="urgent", first_response_minutes=10)
    response = integration_api.patch(
        f"{CONTACTS}{open_contact.pk}/", {"priority": "urgent"}, format="json"
    )
    assert response.json()["first_response_due_at"] == "2026-03-02T11:40:00+01:00"
    assert response.json()["first_response_state"] == "breached"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "waiting", "event_at": "2026-03-02T11:00:00+01:00"}, "event_at"),  # < opened
        ({"status": "waiting", "event_at": "2026-03-02T13:00:00+01:00"}, "event_at"),  # future
        ({"status": "waiting", "event_at": "2026-03-02T11:40:00"}, "event_at"),  # naive
        ({"first_response_at": "2026-03-02T11:00:00+01:00"}, "first_response_at"),
        ({"resolved_at": "2026-03-02T11:29:00+01:00"}, "resolved_at"),
        ({"resolved_at": "2026-03-02T11:40:00"}, "resolved_at"),  # naive
        ({"status": "paused"}, "status"),
        ({"priority": "critical"}, "priority"),
        ({"agent": "ghost"}, "agent"),
        ({"resolved_at": "2026-03-02T11:45:00+01:00", "status": "waiting"}, "status"),
    ],
)
def test_patch_bad_input_is_400_and_writes_nothing(integration_api, open_contact, body, field):
    before = (ContactEvent.objects.count(), Contact.objects.get().updated_at)
    response = integration_api.patch(f"{CONTACTS}{open_contact.pk}/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert (ContactEvent.objects.count(), Contact.objects.get().updated_at) == before
    assert Contact.objects.get().status == "open"


def test_patch_cannot_reopen_or_rewrite_history(integration_api, open_contact):
    url = f"{CONTACTS}{open_contact.pk}/"
    integration_api.patch(url, {"resolved_at": "2026-03-02T11:50:00+01:00"}, format="json")
    assert integration_api.patch(url, {"status": "open"}, format="json").status_code == 400
    rewrite = integration_api.patch(
        url, {"resolved_at": "2026-03-02T11:55:00+01:00"}, format="json"
    )
    assert rewrite.status_code == 400
    same = integration_api.patch(url, {"resolved_at": "2026-03-02T11:50:00+01:00"}, format="json")
    assert same.status_code == 200  # a replay of the same fact is fine


# -- contacts: bulk --------------------------------------------------------------------------


def _bulk(n, start=0):
    return [_body(external_id=f"B-{i:05d}") for i in range(start, start + n)]


def test_bulk_1000_then_repeat(integration_api, chat, chat_policy):
    response = integration_api.post(BULK, _bulk(1000), format="json")
    assert response.status_code == 201, response.content[:500]
    data = response.json()
    assert (data["created"], data["existing"]) == (1000, 0)
    ids = data["ids"]
    assert len(ids) == 1000
    by_id = dict(Contact.objects.values_list("id", "external_id"))
    assert [by_id[pk] for pk in ids] == [f"B-{i:05d}" for i in range(1000)]
    again = integration_api.post(BULK, _bulk(3, start=997) + _bulk(1, start=5000), format="json")
    assert again.status_code == 201
    assert (again.json()["created"], again.json()["existing"]) == (1, 3)
    assert again.json()["ids"][:3] == ids[997:]
    assert again.json()["ids"][3] not in ids


def test_bulk_repeat_only_existing_answers_200(integration_api, chat, chat_policy):
    first = integration_api.post(BULK, _bulk(3), format="json").json()
    again = integration_api.post(BULK, _bulk(3), format="json")
    assert again.status_code == 200
    assert again.json() == {"created": 0, "existing": 3, "ids": first["ids"]}


def test_bulk_over_1000_is_400(integration_api, chat, chat_policy):
    response = integration_api.post(BULK, _bulk(1001), format="json")
    assert response.status_code == 400
    assert "1000" in response.json()["non_field_errors"][0]
    assert Contact.objects.count() == 0


def test_bulk_not_a_list_is_400(integration_api, chat):
    response = integration_api.post(BULK, _body(), format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_bulk_with_bad_items_is_400_by_index_and_writes_nothing(integration_api, chat, chat_policy):
    items = _bulk(6)
    items[3]["opened_at"] = "2026-03-02T10:00:00"  # naive: a shape error
    items[5]["first_response_at"] = "2026-03-02T09:00:00+01:00"  # before opening: the service's
    response = integration_api.post(BULK, items, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"3"}
    assert "opened_at" in response.json()["3"]
    assert Contact.objects.count() == 0
    items[3]["opened_at"] = "2026-03-02T10:00:00+01:00"
    response = integration_api.post(BULK, items, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"5"}
    assert response.json()["5"] == {
        "first_response_at": ["This time is before the contact was opened (opened_at)."]
    }
    assert Contact.objects.count() == ContactEvent.objects.count() == 0


def test_bulk_unknown_channel_is_400(integration_api, chat, chat_policy):
    items = _bulk(2)
    items[1]["channel"] = "fax"
    response = integration_api.post(BULK, items, format="json")
    assert response.status_code == 400
    assert "channel" in response.json()["1"]


@pytest.mark.parametrize("bad", ["ch\x00at", "\udb6d\ude61", "chat\udc84"])
def test_bulk_names_no_database_can_store_are_400(integration_api, chat, chat_policy, bad):
    """A NUL or a lone surrogate (valid JSON escapes) would crash the lookup on PostgreSQL."""
    items = _bulk(2)
    items[0]["channel"] = bad
    items[1]["agent"] = bad
    body = json.dumps(items)  # keeps the lone surrogates as \u escapes, as a client would
    response = integration_api.post(BULK, body, content_type="application/json")
    assert response.status_code == 400
    assert "channel" in response.json()["0"] and "agent" in response.json()["1"]
    assert Contact.objects.count() == 0


def test_bulk_runs_a_bounded_number_of_queries(
    integration_api, chat, chat_policy, django_assert_max_num_queries
):
    with django_assert_max_num_queries(60):
        assert integration_api.post(BULK, _bulk(500), format="json").status_code == 201


# -- lists and filters -----------------------------------------------------------------------


@pytest.fixture
def listed(chat, chat_policy, staff_user, agent2):
    other = ChannelFactory(code="email", calendar=chat.calendar, owner=chat.owner)
    SlaPolicyFactory(channel=other)
    return {
        "a": make_contact(
            channel=chat, opened_at=warsaw(2026, 3, 2, 9, 0), agent=staff_user, now=NOW
        ),
        "b": make_contact(
            channel=chat,
            opened_at=warsaw(2026, 3, 2, 11, 0),
            agent=agent2,
            first_response_at=warsaw(2026, 3, 2, 11, 10),
            now=NOW,
        ),
        "c": make_contact(
            channel=other,
            opened_at=warsaw(2026, 3, 2, 11, 30),
            resolved_at=warsaw(2026, 3, 2, 11, 40),
            now=NOW,
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("channel=chat", {"a", "b"}),
        ("channel=email", {"c"}),
        ("agent=agent2", {"b"}),
        ("status=resolved", {"c"}),
        ("first_response_state=met", {"b", "c"}),
        ("first_response_state=breached", {"a"}),
        ("resolution_state=met", {"c"}),
        ("opened_after=2026-03-02T11:00:00%2B01:00", {"b", "c"}),
        ("opened_before=2026-03-02T11:00:00%2B01:00", {"a"}),
        ("opened_after=2026-03-02T10:00:01Z", {"c"}),
        # ISO 8601 allows offsets PostgreSQL refuses (beyond ±15:59): the filter uses UTC.
        ("opened_after=2026-03-01T15:58:00-18:02", {"b", "c"}),
    ],
)
def test_contact_filters(manager_api, listed, query, expected):
    response = manager_api.get(f"{CONTACTS}?{query}")
    assert response.status_code == 200, response.json()
    names = {k for k, c in listed.items() if c.pk in {r["id"] for r in response.json()["results"]}}
    assert names == expected


@pytest.mark.parametrize(
    "query",
    [
        "opened_after=2026-03-02T11:00:00",
        "opened_before=tomorrow",
        "opened_before=0001-01-01T00:00:00%2B01:00",  # before year 1 in UTC
        "status=closed",
        "first_response_state=late",
    ],
)
def test_bad_filters_are_400(manager_api, listed, query):
    assert manager_api.get(f"{CONTACTS}?{query}").status_code == 400


def test_contact_list_runs_a_bounded_number_of_queries(
    manager_api, chat, chat_policy, staff_user, django_assert_max_num_queries
):
    services.contacts_bulk_create(
        items=[
            {
                "channel": chat,
                "external_id": f"L-{n}",
                "opened_at": warsaw(2026, 3, 2, 9, 0),
                "agent": staff_user,
            }
            for n in range(60)
        ],
        now=NOW,
    )
    with django_assert_max_num_queries(8):
        response = manager_api.get(f"{CONTACTS}?page_size=500")
    assert response.json()["count"] == 60


def test_breaches_list_shape_and_filters(manager_api, listed, django_assert_max_num_queries):
    services.sla_sweep(now=NOW)
    with django_assert_max_num_queries(8):
        response = manager_api.get(BREACHES)
    rows = response.json()["results"]
    assert rows
    assert set(rows[0]) == {
        "id",
        "contact",
        "external_id",
        "channel",
        "agent",
        "metric",
        "due_at",
        "detected_at",
    }
    a = listed["a"]
    mine = [r for r in rows if r["contact"] == a.pk]
    assert {(r["metric"], r["external_id"], r["channel"], r["agent"]) for r in mine} == {
        ("first_response", a.external_id, "chat", "agent")
    }
    assert manager_api.get(f"{BREACHES}?agent=agent2").json()["count"] == 0
    assert manager_api.get(f"{BREACHES}?channel=email").json()["count"] == 0
    assert manager_api.get(f"{BREACHES}?metric=resolution").json()["count"] == 0
    assert manager_api.get(f"{BREACHES}?metric=first_response").json()["count"] == len(rows)
    detected = "2026-03-02T12:00:00Z"
    assert manager_api.get(f"{BREACHES}?detected_after={detected}").json()["count"] == 0
    assert manager_api.get(f"{BREACHES}?detected_before={detected}").json()["count"] == len(rows)
    assert manager_api.get(f"{BREACHES}?detected_before=2026-03-02T12:00:00").status_code == 400
    assert manager_api.post(BREACHES, {}, format="json").status_code == 405
    assert Breach.objects.count() == len(rows)


# -- schema ----------------------------------------------------------------------------------


def test_schema_describes_the_contract(manager_api):
    assert manager_api.get("/api/v1/schema/").status_code == 200
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    paths = schema["paths"]
    assert set(paths["/api/v1/contacts/"]) >= {"get", "post"}
    assert set(paths["/api/v1/contacts/{id}/"]) >= {"get", "patch"}
    assert "put" not in paths["/api/v1/contacts/{id}/"]
    assert "post" in paths["/api/v1/contacts/bulk/"]
    assert "/api/v1/sla-policies/{id}/" in paths
    assert "get" in paths["/api/v1/breaches/"]
    components = schema["components"]["schemas"]
    assert set(components["Contact"]["properties"]) == CONTACT_KEYS
    assert "event_at" in components["PatchedContactRequest"]["properties"]
    assert set(components["Breach"]["properties"]) == {
        "id",
        "contact",
        "external_id",
        "channel",
        "agent",
        "metric",
        "due_at",
        "detected_at",
    }
    assert set(components["BulkResult"]["properties"]) == {"created", "existing", "ids"}
    create = paths["/api/v1/contacts/"]["post"]["responses"]
    assert {"200", "201"} <= set(create)
    params = {p["name"] for p in paths["/api/v1/contacts/"]["get"]["parameters"]}
    assert {
        "channel",
        "agent",
        "status",
        "first_response_state",
        "resolution_state",
        "opened_after",
        "opened_before",
    } <= params
    params = {p["name"] for p in paths["/api/v1/breaches/"]["get"]["parameters"]}
    assert {"channel", "agent", "metric", "detected_after", "detected_before"} <= params


def test_times_are_served_with_offsets(manager_api, open_contact):
    data = manager_api.get(f"{CONTACTS}{open_contact.pk}/").json()
    assert data["opened_at"].endswith("+01:00")
    assert dt.datetime.fromisoformat(data["opened_at"]) == open_contact.opened_at
