"""Models, their database constraints, and the cached pure-calendar selectors."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from channels_app import businesstime, selectors, services
from channels_app.models import BusinessCalendar, Channel, Holiday, OpeningInterval
from channels_app.tests.factories import (
    BusinessCalendarFactory,
    ChannelFactory,
    HolidayFactory,
    OpeningIntervalFactory,
)

pytestmark = pytest.mark.django_db
WAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture(autouse=True)
def _empty_cache():
    selectors.clear_business_calendar_cache()
    yield
    selectors.clear_business_calendar_cache()


@pytest.mark.parametrize(
    ("weekday", "start", "end"),
    [
        (7, 540, 1080),  # weekday out of range
        (0, 1080, 540),  # inverted
        (0, 540, 540),  # empty
        (0, 0, 1441),  # past 24:00
    ],
)
def test_interval_check_constraints(weekday, start, end):
    calendar = BusinessCalendarFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningInterval.objects.create(
            calendar=calendar, weekday=weekday, start_minute=start, end_minute=end
        )
    assert not OpeningInterval.objects.exists()


def test_interval_may_end_at_midnight():
    interval = OpeningIntervalFactory(weekday=6, start_minute=22 * 60, end_minute=1440)
    assert str(interval) == "Sunday 22:00–24:00"
    assert (interval.start, interval.end) == ("22:00", "24:00")


def test_holiday_date_is_unique_per_calendar():
    holiday = HolidayFactory(date=dt.date(2026, 12, 25))
    HolidayFactory(date=dt.date(2026, 12, 25))  # another calendar: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        Holiday.objects.create(calendar=holiday.calendar, date=dt.date(2026, 12, 25), name="x")
    assert Holiday.objects.filter(date=dt.date(2026, 12, 25)).count() == 2


def test_channel_kind_constraint():
    with pytest.raises(IntegrityError), transaction.atomic():
        Channel.objects.create(code="fax", name="Fax", kind="fax")
    assert not Channel.objects.exists()


def test_timezone_is_validated():
    calendar = BusinessCalendar(name="Mars", timezone="Mars/Olympus_Mons")
    with pytest.raises(ValidationError) as exc:
        calendar.full_clean()
    assert list(exc.value.message_dict) == ["timezone"]


def test_calendar_in_use_is_protected():
    channel = ChannelFactory()
    with pytest.raises(ProtectedError):
        channel.calendar.delete()
    assert BusinessCalendar.objects.filter(pk=channel.calendar_id).exists()


def test_deleting_owner_keeps_channel(manager):
    channel = ChannelFactory(owner=manager)
    manager.delete()
    channel.refresh_from_db()
    assert channel.owner is None


def test_to_business_calendar_uses_hours_and_holidays():
    calendar = BusinessCalendarFactory(office=True)  # Mon–Fri 09–18, closed 2026-12-25
    pure = calendar.to_business_calendar()
    assert isinstance(pure, businesstime.Calendar)
    # Thursday 24 Dec 17:00 + 120 business minutes: 60 on Thursday, Christmas Friday closed,
    # weekend closed, 60 on Monday from 09:00.
    due = pure.add_minutes(dt.datetime(2026, 12, 24, 17, 0, tzinfo=WAW), 120)
    assert due == dt.datetime(2026, 12, 28, 10, 0, tzinfo=WAW)


def test_always_open_calendar_ignores_hours():
    calendar = BusinessCalendarFactory(always_open=True, office=True)
    pure = calendar.to_business_calendar()
    start = dt.datetime(2026, 12, 25, 23, 0, tzinfo=WAW)
    assert pure.add_minutes(start, 90) == start + dt.timedelta(minutes=90)


def test_hours_summary_groups_equal_days():
    calendar = services.calendar_create(
        name="Shop",
        timezone="Europe/Warsaw",
        hours=[(d, 480, 1200) for d in range(5)] + [(5, 600, 840), (5, 900, 960)],
    )
    calendar = BusinessCalendar.objects.with_schedule().get(pk=calendar.pk)
    assert calendar.hours_summary() == "Mon–Fri 08:00–20:00; Sat 10:00–14:00, 15:00–16:00"
    night = BusinessCalendarFactory()
    night.hours.create(weekday=5, start_minute=1320, end_minute=1440)
    night.hours.create(weekday=6, start_minute=0, end_minute=360)
    assert night.hours_summary() == "Sat 22:00–06:00"
    assert BusinessCalendarFactory().hours_summary() == "No opening hours"
    assert BusinessCalendarFactory(always_open=True).hours_summary() == "Always open"


# -- cached pure calendars ---------------------------------------------------------------------


def test_channel_calendar_is_cached(django_assert_num_queries):
    channel = ChannelFactory()
    fresh = Channel.objects.with_related().get(pk=channel.pk)
    with django_assert_num_queries(2):  # hours and holidays
        first = selectors.channel_business_calendar(fresh)
    again = Channel.objects.with_related().get(pk=channel.pk)
    with django_assert_num_queries(0):
        second = selectors.channel_business_calendar(again)
    assert second is first
    assert first.is_open(dt.datetime(2026, 12, 21, 10, 0, tzinfo=WAW))
    assert not first.is_open(dt.datetime(2026, 12, 25, 10, 0, tzinfo=WAW))


def test_channel_without_calendar_is_always_open(django_assert_num_queries):
    channel = ChannelFactory(calendar=None)
    with django_assert_num_queries(0):
        pure = selectors.channel_business_calendar(channel)
    assert pure.always_open


def test_editing_hours_invalidates_cached_calendar():
    channel = ChannelFactory()
    monday_morning = dt.datetime(2026, 12, 21, 8, 0, tzinfo=WAW)
    before = selectors.channel_business_calendar(Channel.objects.with_related().get(pk=channel.pk))
    assert not before.is_open(monday_morning)

    services.calendar_update(calendar=channel.calendar, hours=[(0, 7 * 60, 15 * 60)])

    after = selectors.channel_business_calendar(Channel.objects.with_related().get(pk=channel.pk))
    assert after is not before
    assert after.is_open(monday_morning)


def test_importing_holidays_invalidates_cached_calendar():
    calendar = BusinessCalendarFactory(office=True)
    reloaded = BusinessCalendar.objects.get(pk=calendar.pk)
    before = selectors.calendar_business_calendar(reloaded)
    assert before.is_open(dt.datetime(2026, 11, 11, 10, 0, tzinfo=WAW))

    services.calendar_import_holidays(calendar=calendar, country="PL", year=2026)

    after = selectors.calendar_business_calendar(BusinessCalendar.objects.get(pk=calendar.pk))
    assert not after.is_open(dt.datetime(2026, 11, 11, 10, 0, tzinfo=WAW))  # Independence Day


def test_stale_reader_does_not_replace_newer_entry():
    calendar = BusinessCalendarFactory(office=True)
    stale = BusinessCalendar.objects.get(pk=calendar.pk)
    services.calendar_update(calendar=calendar, hours=[(0, 0, 1440)])
    fresh = BusinessCalendar.objects.get(pk=calendar.pk)
    newest = selectors.calendar_business_calendar(fresh)
    selectors.calendar_business_calendar(stale)  # built, but not cached over the newer one
    assert selectors.calendar_business_calendar(fresh) is newest
