"""Services: every write, its validation, and the holiday import."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from channels_app import services
from channels_app.models import BusinessCalendar, Channel, Holiday, OpeningInterval
from channels_app.tests.factories import BusinessCalendarFactory, ChannelFactory

pytestmark = pytest.mark.django_db

OFFICE = [(d, 540, 1080) for d in range(5)]
XMAS = dt.date(2026, 12, 25)


def _create(**overrides):
    kwargs = {
        "name": "Office",
        "timezone": "Europe/Warsaw",
        "always_open": False,
        "hours": OFFICE,
        "holidays": [(XMAS, "Christmas")],
    }
    kwargs.update(overrides)
    return services.calendar_create(**kwargs)


def _hours(calendar):
    return list(
        OpeningInterval.objects.filter(calendar=calendar)
        .order_by("weekday", "start_minute")
        .values_list("weekday", "start_minute", "end_minute")
    )


def test_calendar_create_writes_rows():
    calendar = _create(hours=[*OFFICE, (5, 22 * 60, 1440)])
    assert calendar.pk
    assert _hours(calendar) == [*OFFICE, (5, 1320, 1440)]
    assert list(calendar.holidays.values_list("date", "name")) == [(XMAS, "Christmas")]


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone", "not a known time zone"),
        ({"timezone": ""}, "timezone", ""),
        ({"hours": [(0, 600, 540)]}, "hours", "start must be before the end"),
        ({"hours": [(0, 540, 540)]}, "hours", "start must be before the end"),
        ({"hours": [(0, 540, 780), (0, 720, 1080)]}, "hours", "overlaps"),
        ({"hours": [(7, 540, 1080)]}, "hours", "weekday must be 0"),
        ({"hours": [(0, 540, 1441)]}, "hours", "end must be between"),
        ({"hours": [(0, 1440, 1440)]}, "hours", "start must be between"),
        ({"holidays": [(XMAS, "a"), (XMAS, "b")]}, "holidays", "more than once"),
        ({"holidays": [(XMAS, "  ")]}, "holidays", "needs a name"),
        ({"holidays": [(XMAS, "x" * 201)]}, "holidays", "longer than 200"),
        ({"name": ""}, "name", ""),
    ],
)
def test_calendar_create_rejects_bad_input(overrides, field, fragment):
    with pytest.raises(ValidationError) as exc:
        _create(**overrides)
    errors = exc.value.message_dict
    assert list(errors) == [field]
    assert fragment in " ".join(errors[field])
    assert not BusinessCalendar.objects.exists()
    assert not OpeningInterval.objects.exists()
    assert not Holiday.objects.exists()


def test_calendar_create_reports_all_problems_at_once():
    with pytest.raises(ValidationError) as exc:
        _create(timezone="Nowhere", hours=[(0, 600, 540)], holidays=[(XMAS, "a"), (XMAS, "b")])
    assert set(exc.value.message_dict) == {"timezone", "hours", "holidays"}


def test_touching_intervals_are_fine():
    calendar = _create(hours=[(0, 540, 780), (0, 780, 1080), (0, 1080, 1440), (1, 0, 60)])
    assert len(_hours(calendar)) == 4


def test_calendar_name_is_unique():
    _create()
    with pytest.raises(ValidationError) as exc:
        _create(hours=[])
    assert list(exc.value.message_dict) == ["name"]
    assert BusinessCalendar.objects.count() == 1


def test_calendar_update_replaces_hours_and_holidays():
    calendar = _create()
    before = calendar.updated_at
    services.calendar_update(
        calendar=calendar,
        name="Office (new)",
        hours=[(5, 600, 960)],
        holidays=[(dt.date(2026, 12, 24), "Christmas Eve")],
    )
    calendar.refresh_from_db()
    assert calendar.name == "Office (new)"
    assert calendar.updated_at > before
    assert _hours(calendar) == [(5, 600, 960)]
    assert list(calendar.holidays.values_list("date", flat=True)) == [dt.date(2026, 12, 24)]


def test_calendar_update_keeps_what_is_not_given():
    calendar = _create()
    services.calendar_update(calendar=calendar, always_open=True)
    calendar.refresh_from_db()
    assert calendar.always_open
    assert _hours(calendar) == OFFICE
    assert calendar.holidays.count() == 1


def test_failed_update_changes_nothing():
    calendar = _create()
    before = calendar.updated_at
    with pytest.raises(ValidationError):
        services.calendar_update(
            calendar=calendar, name="Renamed", hours=[(0, 540, 780), (0, 600, 700)], holidays=[]
        )
    calendar.refresh_from_db()
    assert (calendar.name, calendar.updated_at) == ("Office", before)
    assert _hours(calendar) == OFFICE
    assert calendar.holidays.count() == 1


def test_calendar_delete_refuses_while_channels_use_it():
    channel = ChannelFactory(code="chat")
    calendar = channel.calendar
    with pytest.raises(ValidationError) as exc:
        services.calendar_delete(calendar=calendar)
    assert "chat" in exc.value.messages[0]
    assert BusinessCalendar.objects.filter(pk=calendar.pk).exists()

    services.channel_update(channel=channel, calendar=None)
    calendar_id = calendar.pk
    services.calendar_delete(calendar=calendar)
    assert not BusinessCalendar.objects.filter(pk=calendar_id).exists()
    assert not OpeningInterval.objects.filter(calendar_id=calendar_id).exists()


# -- holiday import ----------------------------------------------------------------------------


def test_import_polish_holidays():
    calendar = BusinessCalendarFactory()
    before = calendar.updated_at
    count = services.calendar_import_holidays(calendar=calendar, country="PL", year=2026)
    assert count == Holiday.objects.filter(calendar=calendar).count() >= 13
    christmas = Holiday.objects.get(calendar=calendar, date=XMAS)
    assert christmas.name == "Christmas Day"
    calendar.refresh_from_db()
    assert calendar.updated_at > before

    assert services.calendar_import_holidays(calendar=calendar, country="pl", year=2026) == 0
    assert Holiday.objects.filter(calendar=calendar).count() == count


def test_import_keeps_existing_dates():
    calendar = _create(holidays=[(XMAS, "Our own Christmas")])
    added = services.calendar_import_holidays(calendar=calendar, country="PL", year=2026)
    assert Holiday.objects.get(calendar=calendar, date=XMAS).name == "Our own Christmas"
    assert calendar.holidays.count() == added + 1


def test_import_names_follow_the_interface_language():
    calendar = BusinessCalendarFactory()
    with translation.override("pl"):
        services.calendar_import_holidays(calendar=calendar, country="PL", year=2026)
    assert Holiday.objects.get(calendar=calendar, date=XMAS).name.startswith("Boże Narodzenie")


def test_import_with_subdivision():
    calendar = BusinessCalendarFactory()
    services.calendar_import_holidays(calendar=calendar, country="DE", year=2026, subdiv="by")
    # Epiphany is a public holiday in Bavaria, not in Berlin.
    assert calendar.holidays.filter(date=dt.date(2026, 1, 6)).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"country": "XX", "year": 2026}, "country"),
        ({"country": "", "year": 2026}, "country"),
        ({"country": "PL", "year": 1800}, "year"),
        ({"country": "PL", "year": 12026}, "year"),
        ({"country": "PL", "year": 2026, "subdiv": "ZZ"}, "subdiv"),
    ],
)
def test_import_rejects_bad_input(kwargs, field):
    calendar = BusinessCalendarFactory()
    with pytest.raises(ValidationError) as exc:
        services.calendar_import_holidays(calendar=calendar, **kwargs)
    assert field in exc.value.message_dict
    assert not Holiday.objects.exists()


# -- channels ----------------------------------------------------------------------------------


def test_channel_create_and_update(manager):
    calendar = BusinessCalendarFactory()
    channel = services.channel_create(
        code="chat", name="Chat", kind=Channel.Kind.CHAT, calendar=calendar, owner=manager
    )
    channel = Channel.objects.get(pk=channel.pk)
    assert (channel.code, channel.kind, channel.calendar, channel.owner, channel.is_active) == (
        "chat",
        "chat",
        calendar,
        manager,
        True,
    )
    services.channel_update(channel=channel, calendar=None, is_active=False)
    channel.refresh_from_db()
    assert (channel.calendar, channel.is_active, channel.name) == (None, False, "Chat")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "chat"}, "code"),  # taken
        ({"code": "not a slug"}, "code"),
        ({"kind": "fax"}, "kind"),
        ({"name": ""}, "name"),
    ],
)
def test_channel_create_rejects_bad_input(kwargs, field):
    ChannelFactory(code="chat")
    data = {"code": "phone", "name": "Phone", "kind": "phone", **kwargs}
    with pytest.raises(ValidationError) as exc:
        services.channel_create(**data)
    assert field in exc.value.message_dict
    assert Channel.objects.count() == 1


def test_channel_delete():
    channel = ChannelFactory()
    services.channel_delete(channel=channel)
    assert not Channel.objects.exists()
