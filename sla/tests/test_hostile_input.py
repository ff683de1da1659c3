"""Regressions of the "Hardening" issue on the SLA API and import: each of these was a 500."""

import json

import pytest
import time_machine
from django.urls import reverse

from conftest import make_user
from core.roles import INTEGRATION, MANAGER
from sla.models import Contact
from sla.tests.conftest import warsaw
from sla.tests.factories import make_contact
from sla.tests.test_import import check_errors

CONTACTS = "/api/v1/contacts/"
BULK = "/api/v1/contacts/bulk/"
IMPORT = reverse("sla:contact-import")
RANGE = "between 1970-01-01 and 9000-12-31"


@pytest.fixture(autouse=True)
def _monday_noon():
    with time_machine.travel(warsaw(2026, 3, 2, 12, 0), tick=False):
        yield


def _body(**extra):
    return {
        "channel": "chat",
        "external_id": "ZD-1",
        "priority": "normal",
        "opened_at": "2026-03-02T10:00:00+01:00",
        **extra,
    }


def _post_json(client, url, body):
    # json.dumps keeps a lone surrogate as a \u escape, as a client would send it.
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "opened_at",
    ["0001-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-14:00"],
)
def test_year_1_or_9999_opened_at_on_a_channel_with_business_hours_is_400(
    integration_api, chat, chat_policy, opened_at
):
    assert chat.calendar is not None and not chat.calendar.always_open
    response = _post_json(integration_api, CONTACTS, _body(opened_at=opened_at))
    assert response.status_code == 400
    assert RANGE in response.json()["opened_at"][0]
    bulk = _post_json(integration_api, BULK, [_body(opened_at=opened_at)])
    assert bulk.status_code == 400 and "opened_at" in bulk.json()["0"]
    assert Contact.objects.count() == 0


def test_year_1_opened_at_in_the_csv_import_is_a_line_error(chat, chat_policy, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    header = "channel,external_id,opened_at"
    data = f"{header}\nchat,OK-1,2026-03-02T10:00:00+01:00\nchat,OLD-1,0001-01-01T00:00:00Z\n"
    [(line, column, message)] = check_errors(data.encode())
    assert (line, column) == (3, "opened_at") and RANGE in message
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("field", ["priority", "status", "customer_language", "channel", "agent"])
@pytest.mark.parametrize("bad", ["\ud800", "normal\udfff"])
def test_lone_surrogate_in_a_choice_is_a_field_error_that_does_not_echo_it(
    integration_api, chat, chat_policy, field, bad
):
    response = _post_json(integration_api, CONTACTS, _body(**{field: bad}))
    assert response.status_code == 400
    assert "lone surrogate" in response.json()[field][0]
    assert "\\ud800" not in response.content.decode() and "\\udfff" not in response.content.decode()


def test_lone_surrogate_in_a_patch_is_a_field_error(integration_api, chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0))
    response = integration_api.patch(
        f"{CONTACTS}{contact.pk}/",
        json.dumps({"status": "\ud800"}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "status" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        f"{CONTACTS}?page=99999999999999999999",
        f"{CONTACTS}?page=-1",
        f"{CONTACTS}99999999999999999999/",
        "/api/v1/breaches/?page=99999999999999999999",
    ],
)
def test_twenty_digit_ids_and_pages_in_the_api_are_404(manager_api, url):
    assert manager_api.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["opened_after=0001-01-01T00:00:00Z", "opened_before=9999-12-31T23:59:59-14:00"],
)
def test_year_1_and_9999_in_api_filters_are_400(manager_api, query):
    response = manager_api.get(f"{CONTACTS}?{query}")
    assert response.status_code == 400
    assert RANGE in next(iter(response.json().values()))[0]


@pytest.mark.parametrize(
    "url", ["/sla/contacts/99999999999999999999/", "/sla/policies/99999999999999999999/"]
)
def test_twenty_digit_ids_in_page_urls_are_404(manager_client, url):
    assert manager_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query", ["opened_from=0001-01-01", "opened_to=9999-12-31", "page=99999999999999999999"]
)
def test_year_1_9999_and_huge_pages_in_the_contacts_filter_are_not_500(manager_client, query):
    response = manager_client.get(f"/sla/contacts/?{query}")
    assert response.status_code in (200, 404)
    if query.startswith("opened"):
        assert "between 01.01.1970 and 31.12.9000" in response.content.decode()


# -- who may be a contact's agent ----------------------------------------------------------------


@pytest.mark.parametrize(
    "role, ok", [(MANAGER, True), ("Staff", True), (INTEGRATION, False), (None, False)]
)
def test_only_staff_and_managers_can_be_a_contacts_agent(
    integration_api, chat, chat_policy, role, ok
):
    make_user("someone", role)
    response = _post_json(integration_api, CONTACTS, _body(agent="someone"))
    bulk = _post_json(integration_api, BULK, [_body(external_id="ZD-2", agent="someone")])
    if ok:
        assert response.status_code == 201 and bulk.status_code == 201
        assert Contact.objects.filter(agent__username="someone").count() == 2
    else:
        assert response.status_code == 400 and bulk.status_code == 400
        assert "only they can be a contact's agent" in response.json()["agent"][0]
        assert "agent" in bulk.json()["0"]
        assert Contact.objects.count() == 0


def test_the_integration_account_cannot_make_itself_the_agent(
    integration_api, integration_user, chat, chat_policy
):
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0))
    response = integration_api.patch(
        f"{CONTACTS}{contact.pk}/", {"agent": integration_user.username}, format="json"
    )
    assert response.status_code == 400 and "agent" in response.json()
    contact.refresh_from_db()
    assert contact.agent is None


def test_an_inactive_or_integration_agent_is_a_line_error_in_the_import(
    chat, chat_policy, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_user("robot", INTEGRATION)
    make_user("gone", "Staff", is_active=False)
    data = (
        "channel,external_id,opened_at,agent\n"
        "chat,A-1,2026-03-02T10:00:00+01:00,robot\n"
        "chat,A-2,2026-03-02T10:00:00+01:00,gone\n"
    )
    errors = check_errors(data.encode())
    assert [(line, column) for line, column, _m in errors] == [(2, "agent"), (3, "agent")]
    assert Contact.objects.count() == 0
