"""/api/v1/calendars/ and /api/v1/channels/ against the contract in docs/api.md."""

import datetime as dt

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from channels_app.models import BusinessCalendar, Channel, Holiday, OpeningInterval
from channels_app.tests.factories import BusinessCalendarFactory, ChannelFactory, HolidayFactory

pytestmark = pytest.mark.django_db

CALENDARS = "/api/v1/calendars/"
CHANNELS = "/api/v1/channels/"

OFFICE_BODY = {
    "name": "Office hours",
    "timezone": "Europe/Warsaw",
    "always_open": False,
    "hours": [
        {"weekday": 0, "start": "09:00", "end": "18:00"},
        {"weekday": 5, "start": "22:00", "end": "24:00"},
    ],
    "holidays": [{"date": "2026-12-25", "name": "Christmas"}],
}


def _rows():
    return (
        BusinessCalendar.objects.count(),
        OpeningInterval.objects.count(),
        Holiday.objects.count(),
        Channel.objects.count(),
    )


# -- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CALENDARS, CHANNELS])
def test_anonymous_gets_401(url):
    assert APIClient().get(url).status_code == 401
    assert APIClient().post(url, {}, format="json").status_code == 401


@pytest.mark.parametrize("url", [CALENDARS, CHANNELS])
def test_user_without_role_gets_403(no_role_api, url):
    assert no_role_api.get(url).status_code == 403


@pytest.mark.parametrize("client_name", ["manager_api", "staff_api", "integration_api"])
def test_every_role_reads(request, client_name):
    channel = ChannelFactory(code="chat")
    client = request.getfixturevalue(client_name)
    assert client.get(CALENDARS).json()["count"] == 1
    assert client.get(f"{CHANNELS}chat/").json()["id"] == channel.pk
    assert client.get(f"{CALENDARS}{channel.calendar_id}/").status_code == 200


@pytest.mark.parametrize("client_name", ["staff_api", "integration_api"])
def test_only_managers_write(request, client_name):
    channel = ChannelFactory(code="chat")
    client = request.getfixturevalue(client_name)
    before = _rows()
    assert client.post(CALENDARS, OFFICE_BODY, format="json").status_code == 403
    assert client.patch(f"{CHANNELS}chat/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"{CHANNELS}chat/").status_code == 403
    assert client.delete(f"{CALENDARS}{channel.calendar_id}/").status_code == 403
    assert _rows() == before


# -- calendars ---------------------------------------------------------------------------------


def test_create_calendar(manager_api):
    response = manager_api.post(CALENDARS, OFFICE_BODY, format="json")
    assert response.status_code == 201, response.json()
    calendar = BusinessCalendar.objects.get()
    assert response.json() == {"id": calendar.pk, **OFFICE_BODY}
    assert list(calendar.hours.values_list("weekday", "start_minute", "end_minute")) == [
        (0, 540, 1080),
        (5, 1320, 1440),
    ]
    assert list(calendar.holidays.values_list("date", "name")) == [
        (dt.date(2026, 12, 25), "Christmas")
    ]


def test_create_calendar_minimal(manager_api):
    response = manager_api.post(
        CALENDARS, {"name": "24/7", "timezone": "UTC", "always_open": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {
        "id": BusinessCalendar.objects.get().pk,
        "name": "24/7",
        "timezone": "UTC",
        "always_open": True,
        "hours": [],
        "holidays": [],
    }


def test_retrieve_calendar_sorted(manager_api):
    calendar = BusinessCalendarFactory(name="Shop", timezone="Europe/Warsaw")
    HolidayFactory(calendar=calendar, date=dt.date(2026, 12, 26), name="Boxing Day")
    HolidayFactory(calendar=calendar, date=dt.date(2026, 1, 1), name="New Year")
    for weekday, start, end in [(1, 600, 700), (0, 800, 900), (0, 300, 400)]:
        calendar.hours.create(weekday=weekday, start_minute=start, end_minute=end)
    assert manager_api.get(f"{CALENDARS}{calendar.pk}/").json() == {
        "id": calendar.pk,
        "name": "Shop",
        "timezone": "Europe/Warsaw",
        "always_open": False,
        "hours": [
            {"weekday": 0, "start": "05:00", "end": "06:40"},
            {"weekday": 0, "start": "13:20", "end": "15:00"},
            {"weekday": 1, "start": "10:00", "end": "11:40"},
        ],
        "holidays": [
            {"date": "2026-01-01", "name": "New Year"},
            {"date": "2026-12-26", "name": "Boxing Day"},
        ],
    }


def _with(**changes):
    return {**OFFICE_BODY, **changes}


def _hours(*spans):
    return [{"weekday": w, "start": s, "end": e} for w, s, e in spans]


BAD_CALENDARS = [
    pytest.param(_with(timezone="Europe/Atlantis"), "timezone", id="unknown-timezone"),
    pytest.param(_with(timezone=""), "timezone", id="blank-timezone"),
    pytest.param(_with(hours=_hours((0, "18:00", "09:00"))), "hours", id="inverted"),
    pytest.param(_with(hours=_hours((0, "09:00", "09:00"))), "hours", id="empty-interval"),
    pytest.param(
        _with(hours=_hours((0, "09:00", "13:00"), (0, "12:00", "18:00"))), "hours", id="overlap"
    ),
    pytest.param(_with(hours=_hours((0, "9:00", "18:00"))), "hours", id="one-digit-hour"),
    pytest.param(_with(hours=_hours((0, "09:00", "25:00"))), "hours", id="hour-25"),
    pytest.param(_with(hours=_hours((0, "09:00", "24:01"))), "hours", id="past-midnight"),
    pytest.param(_with(hours=_hours((0, "09:60", "18:00"))), "hours", id="minute-60"),
    pytest.param(_with(hours=_hours((0, "nine", "18:00"))), "hours", id="words"),
    pytest.param(_with(hours=_hours((0, 540, "18:00"))), "hours", id="number-not-string"),
    pytest.param(_with(hours=_hours((0, "24:00", "24:00"))), "hours", id="start-at-24"),
    pytest.param(_with(hours=_hours((7, "09:00", "18:00"))), "hours", id="weekday-7"),
    pytest.param(_with(hours=_hours((-1, "09:00", "18:00"))), "hours", id="weekday-negative"),
    pytest.param(_with(hours=[{"weekday": 0, "start": "09:00"}]), "hours", id="missing-end"),
    pytest.param(_with(hours="Mon-Fri 9-18"), "hours", id="hours-not-a-list"),
    pytest.param(
        _with(holidays=[{"date": "2026-12-25", "name": "a"}, {"date": "2026-12-25", "name": "b"}]),
        "holidays",
        id="duplicate-holiday",
    ),
    pytest.param(
        _with(holidays=[{"date": "2026-02-30", "name": "x"}]), "holidays", id="impossible-date"
    ),
    pytest.param(_with(holidays=[{"date": "2026-12-24", "name": ""}]), "holidays", id="no-name"),
    pytest.param(_with(name=""), "name", id="blank-name"),
    pytest.param(_with(always_open="sometimes"), "always_open", id="bad-bool"),
]


@pytest.mark.parametrize(("body", "field"), BAD_CALENDARS)
def test_create_calendar_rejects_bad_input(manager_api, body, field):
    response = manager_api.post(CALENDARS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert _rows() == (0, 0, 0, 0)


def test_bad_interval_messages_are_readable(manager_api):
    response = manager_api.post(
        CALENDARS,
        _with(hours=_hours((0, "09:00", "13:00"), (0, "12:00", "18:00"), (2, "18:00", "09:00"))),
        format="json",
    )
    assert response.json() == {
        "hours": [
            "Wednesday 18:00–09:00: the start must be before the end.",
            "Monday 09:00–13:00 overlaps Monday 12:00–18:00.",
        ]
    }
    response = manager_api.post(CALENDARS, _with(hours=_hours((0, "9:00", "18:00"))), format="json")
    # DRF's shape for a nested list: errors keyed by the position of the bad item.
    assert response.json() == {
        "hours": {"0": {"start": ["Enter a time as HH:MM between 00:00 and 24:00."]}}
    }


def test_duplicate_calendar_name(manager_api):
    BusinessCalendarFactory(name="Office hours")
    response = manager_api.post(CALENDARS, OFFICE_BODY, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert BusinessCalendar.objects.count() == 1


def test_put_replaces_hours_and_holidays(manager_api):
    calendar = BusinessCalendarFactory(office=True)
    body = _with(name="Renamed", hours=_hours((6, "00:00", "24:00")), holidays=[])
    response = manager_api.put(f"{CALENDARS}{calendar.pk}/", body, format="json")
    assert response.status_code == 200
    assert response.json() == {"id": calendar.pk, **body}
    assert list(calendar.hours.values_list("weekday", "start_minute", "end_minute")) == [
        (6, 0, 1440)
    ]
    assert not calendar.holidays.exists()


def test_patch_keeps_what_is_not_sent(manager_api):
    calendar = BusinessCalendarFactory(office=True)
    response = manager_api.patch(f"{CALENDARS}{calendar.pk}/", {"name": "Front desk"})
    assert response.status_code == 200
    assert response.json()["name"] == "Front desk"
    assert len(response.json()["hours"]) == 5
    assert response.json()["holidays"] == [{"date": "2026-12-25", "name": "Christmas Day"}]


@pytest.mark.parametrize(("body", "field"), BAD_CALENDARS)
def test_bad_update_writes_nothing(manager_api, body, field):
    calendar = BusinessCalendarFactory(office=True, name="Before")
    before = manager_api.get(f"{CALENDARS}{calendar.pk}/").json()
    response = manager_api.put(f"{CALENDARS}{calendar.pk}/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert manager_api.get(f"{CALENDARS}{calendar.pk}/").json() == before


def test_delete_calendar_in_use_is_refused(manager_api):
    channel = ChannelFactory(code="chat")
    response = manager_api.delete(f"{CALENDARS}{channel.calendar_id}/")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "This calendar is used by the channels chat; give them another calendar "
            "before deleting it."
        ]
    }
    assert BusinessCalendar.objects.filter(pk=channel.calendar_id).exists()


def test_delete_unused_calendar(manager_api):
    calendar = BusinessCalendarFactory(office=True)
    assert manager_api.delete(f"{CALENDARS}{calendar.pk}/").status_code == 204
    assert _rows() == (0, 0, 0, 0)


def test_unknown_calendar_is_404(manager_api):
    assert manager_api.get(f"{CALENDARS}999999/").status_code == 404


def _count_queries(call):
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_calendar_list_runs_bounded_queries(manager_api, django_assert_max_num_queries):
    for _ in range(3):
        BusinessCalendarFactory(office=True)
    few, _ = _count_queries(lambda: manager_api.get(CALENDARS))
    for _ in range(27):
        BusinessCalendarFactory(office=True)
    with django_assert_max_num_queries(6):  # token, roles, count, page, hours, holidays
        many, response = _count_queries(lambda: manager_api.get(CALENDARS))
    assert many == few
    assert response.json()["count"] == 30
    assert all(len(c["hours"]) == 5 and len(c["holidays"]) == 1 for c in response.json()["results"])


def test_pagination(manager_api):
    for _ in range(3):
        BusinessCalendarFactory()
    page = manager_api.get(CALENDARS, {"page_size": 2}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert (page["count"], len(page["results"]), page["previous"]) == (3, 2, None)
    assert manager_api.get(CALENDARS, {"page_size": 2, "page": 2}).json()["next"] is None


# -- channels ----------------------------------------------------------------------------------


def test_create_channel(manager_api):
    calendar = BusinessCalendarFactory()
    body = {"code": "chat", "name": "Chat", "kind": "chat", "calendar": calendar.pk}
    response = manager_api.post(CHANNELS, body, format="json")
    assert response.status_code == 201, response.json()
    channel = Channel.objects.get()
    assert response.json() == {"id": channel.pk, **body, "is_active": True}
    assert (channel.code, channel.calendar, channel.owner) == ("chat", calendar, None)


def test_channel_without_calendar_is_always_open(manager_api):
    body = {"code": "wa", "name": "WhatsApp", "kind": "messenger", "calendar": None}
    response = manager_api.post(CHANNELS, {**body, "is_active": False}, format="json")
    assert response.status_code == 201
    assert response.json() == {"id": Channel.objects.get().pk, **body, "is_active": False}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"calendar": 999999}, "calendar"),
        ({"calendar": "office"}, "calendar"),
        ({"code": "chat"}, "code"),
        ({"code": "two words"}, "code"),
        ({"kind": "fax"}, "kind"),
        ({"name": ""}, "name"),
        ({"is_active": "perhaps"}, "is_active"),
    ],
)
def test_create_channel_rejects_bad_input(manager_api, changes, field):
    ChannelFactory(code="chat")
    before = _rows()
    body = {"code": "phone", "name": "Phone", "kind": "phone", "calendar": None, **changes}
    response = manager_api.post(CHANNELS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert _rows() == before


def test_channel_is_looked_up_by_code(manager_api):
    channel = ChannelFactory(code="chat", name="Chat", kind="chat")
    other = BusinessCalendarFactory()
    response = manager_api.patch(
        f"{CHANNELS}chat/", {"calendar": other.pk, "name": "Live chat"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": channel.pk,
        "code": "chat",
        "name": "Live chat",
        "kind": "chat",
        "calendar": other.pk,
        "is_active": True,
    }
    response = manager_api.patch(f"{CHANNELS}chat/", {"calendar": None}, format="json")
    assert response.json()["calendar"] is None
    channel.refresh_from_db()
    assert (channel.name, channel.calendar) == ("Live chat", None)
    assert manager_api.get(f"{CHANNELS}{channel.pk}/").status_code == 404


def test_rename_code_to_taken_one(manager_api):
    ChannelFactory(code="chat")
    ChannelFactory(code="phone")
    response = manager_api.patch(f"{CHANNELS}phone/", {"code": "chat"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["code"]
    assert Channel.objects.filter(code="phone").exists()


def test_delete_channel(manager_api):
    ChannelFactory(code="chat")
    assert manager_api.delete(f"{CHANNELS}chat/").status_code == 204
    assert not Channel.objects.exists()


def test_channel_filters(manager_api):
    ChannelFactory(code="chat", kind="chat")
    ChannelFactory(code="phone", kind="phone")
    ChannelFactory(code="old-phone", kind="phone", is_active=False)

    def codes(**params):
        return sorted(c["code"] for c in manager_api.get(CHANNELS, params).json()["results"])

    assert codes(kind="phone") == ["old-phone", "phone"]
    assert codes(is_active="false") == ["old-phone"]
    assert codes(kind="phone", is_active="true") == ["phone"]
    assert manager_api.get(CHANNELS, {"kind": "fax"}).status_code == 400


def test_channel_list_runs_bounded_queries(manager_api, django_assert_max_num_queries):
    for _ in range(3):
        ChannelFactory()
    few, _ = _count_queries(lambda: manager_api.get(CHANNELS))
    for _ in range(27):
        ChannelFactory()
    with django_assert_max_num_queries(4):  # token, roles, count, page
        many, response = _count_queries(lambda: manager_api.get(CHANNELS))
    assert many == few
    assert response.json()["count"] == 30


# -- schema ------------------------------------------------------------------------------------


def test_schema_describes_the_contract(manager_api):
    response = manager_api.get("/api/v1/schema/")
    assert response.status_code == 200
    schemas = yaml.safe_load(response.content)["components"]["schemas"]

    calendar = schemas["Calendar"]
    assert set(calendar["properties"]) == {
        "id",
        "name",
        "timezone",
        "always_open",
        "hours",
        "holidays",
    }
    assert set(calendar["required"]) == set(calendar["properties"])
    interval = schemas["OpeningInterval"]["properties"]
    for key in ("start", "end"):
        assert interval[key]["type"] == "string"
        assert interval[key]["pattern"] == r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"
    assert interval["weekday"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": 6,
        "description": "0 = Monday … 6 = Sunday.",
    }
    assert schemas["Holiday"]["properties"]["date"] == {"type": "string", "format": "date"}

    channel = schemas["Channel"]["properties"]
    assert set(channel) == {"id", "code", "name", "kind", "calendar", "is_active"}
    assert channel["calendar"]["type"] == "integer"
    assert channel["calendar"]["nullable"] is True
    assert schemas["ChannelRequest"]["properties"]["calendar"]["nullable"] is True
    kinds = ["phone", "chat", "email", "social", "messenger", "office", "other"]
    assert schemas["ChannelKindEnum"]["enum"] == kinds

    paths = yaml.safe_load(response.content)["paths"]
    assert "/api/v1/channels/{code}/" in paths
    assert {p["name"] for p in paths["/api/v1/channels/"]["get"]["parameters"]} >= {
        "kind",
        "is_active",
    }
