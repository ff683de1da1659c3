"""Deadlines are computed once, on creation, from the policy and the channel's business hours."""

import datetime as dt

import pytest

from channels_app.tests.factories import (
    BusinessCalendarFactory,
    ChannelFactory,
    OpeningIntervalFactory,
)
from sla import services
from sla.models import Contact
from sla.tests.conftest import UTC, warsaw
from sla.tests.factories import SlaPolicyFactory, make_contact

pytestmark = pytest.mark.django_db


def test_deadlines_inside_business_hours(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0))  # a Monday
    assert contact.sla_policy == chat_policy
    assert contact.first_response_due_at == warsaw(2026, 3, 2, 11, 0)
    assert contact.first_response_warn_at == warsaw(2026, 3, 2, 10, 48)  # 80% of 60
    # 480 minutes from 10:00 end exactly at closing: due at closing, not at the next opening.
    assert contact.resolution_due_at == warsaw(2026, 3, 2, 18, 0)
    assert contact.resolution_warn_at == warsaw(2026, 3, 2, 16, 24)
    assert (contact.first_response_state, contact.resolution_state) == ("pending", "pending")


def test_clock_skips_the_night_and_the_weekend(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 6, 17, 30))  # Friday
    assert contact.first_response_due_at == warsaw(2026, 3, 9, 9, 30)  # Monday
    assert contact.resolution_due_at == warsaw(2026, 3, 9, 16, 30)  # 30 + 450 minutes


def test_clock_started_while_closed_starts_at_the_next_opening(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 7, 12, 0))  # Saturday
    assert contact.first_response_due_at == warsaw(2026, 3, 9, 10, 0)


def test_holidays_are_closed_all_day(chat, chat_policy):
    # Thursday before Christmas (Friday 25th, a holiday of the calendar), then the weekend.
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 12, 24, 17, 30))
    assert contact.first_response_due_at == warsaw(2026, 12, 28, 9, 30)


def test_daylight_saving_days_count_their_real_length(owner):
    calendar = BusinessCalendarFactory(name="24/7 Warsaw hours")
    for weekday in range(7):
        OpeningIntervalFactory(calendar=calendar, weekday=weekday, start_minute=0, end_minute=1440)
    channel = ChannelFactory(code="dst", calendar=calendar, owner=owner)
    SlaPolicyFactory(channel=channel, first_response_minutes=24 * 60, resolution_minutes=48 * 60)
    # Sunday 29 March 2026 lasts 23 hours in Warsaw: 24 business hours end at 13:00, not 12:00.
    contact = make_contact(channel=channel, opened_at=warsaw(2026, 3, 28, 12, 0))
    assert contact.first_response_due_at == warsaw(2026, 3, 29, 13, 0)
    assert contact.first_response_due_at - contact.opened_at == dt.timedelta(hours=24)
    # And 25 hours on 25 October (clocks go back).
    autumn = make_contact(channel=channel, opened_at=warsaw(2026, 10, 24, 12, 0))
    assert autumn.first_response_due_at == warsaw(2026, 10, 25, 11, 0)


def test_calendar_time_policy_ignores_business_hours(chat):
    SlaPolicyFactory(channel=chat, first_response_minutes=60, business_hours=False)
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 6, 17, 30))
    assert contact.first_response_due_at == warsaw(2026, 3, 6, 18, 30)


def test_channel_without_calendar_is_always_open(always, always_policy):
    contact = make_contact(channel=always, opened_at=dt.datetime(2026, 3, 7, 23, 0, tzinfo=UTC))
    assert contact.first_response_due_at == dt.datetime(2026, 3, 8, 0, 0, tzinfo=UTC)
    assert contact.resolution_due_at == dt.datetime(2026, 3, 8, 3, 0, tzinfo=UTC)


def test_priority_policy_first_then_any_priority_then_none(chat, chat_policy):
    urgent = SlaPolicyFactory(
        channel=chat, priority="urgent", first_response_minutes=15, resolution_minutes=120
    )
    SlaPolicyFactory(channel=chat, priority="low", first_response_minutes=5, is_active=False)
    opened = warsaw(2026, 3, 2, 10, 0)
    hot = make_contact(channel=chat, opened_at=opened, priority="urgent")
    assert hot.sla_policy == urgent
    assert hot.first_response_due_at == warsaw(2026, 3, 2, 10, 15)
    low = make_contact(channel=chat, opened_at=opened, priority="low")  # inactive one ignored
    assert low.sla_policy == chat_policy
    assert low.first_response_due_at == warsaw(2026, 3, 2, 11, 0)


def test_no_policy_means_no_deadlines(owner):
    channel = ChannelFactory(code="nopolicy", owner=owner)
    contact = make_contact(
        channel=channel,
        opened_at=warsaw(2026, 3, 2, 10, 0),
        first_response_at=warsaw(2026, 3, 2, 10, 30),
    )
    assert contact.sla_policy is None
    assert contact.first_response_due_at is None and contact.resolution_due_at is None
    assert contact.first_response_state == "pending"  # nothing to judge against
    assert contact.first_response_minutes == 30  # still measured, on the channel's calendar
    assert services.sla_sweep(now=warsaw(2026, 6, 1, 12, 0))["breaches"] == 0


def test_custom_warning_share(chat):
    SlaPolicyFactory(channel=chat, first_response_minutes=100, warning_percent=50)
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0))
    assert contact.first_response_warn_at == warsaw(2026, 3, 2, 10, 50)


def test_deadlines_are_stored_not_recomputed_on_read(chat, chat_policy):
    contact = make_contact(channel=chat, opened_at=warsaw(2026, 3, 2, 10, 0))
    chat_policy.first_response_minutes = 5  # a raw edit, not through the service
    chat_policy.save()
    assert Contact.objects.get(pk=contact.pk).first_response_due_at == warsaw(2026, 3, 2, 11, 0)


def test_minutes_taken_are_business_minutes(chat, chat_policy):
    contact = make_contact(
        channel=chat,
        opened_at=warsaw(2026, 3, 6, 17, 30),  # Friday
        first_response_at=warsaw(2026, 3, 9, 9, 10),  # Monday
        resolved_at=warsaw(2026, 3, 9, 12, 0),
    )
    assert contact.first_response_minutes == 40
    assert contact.resolution_minutes == 210
    assert (contact.first_response_state, contact.resolution_state) == ("met", "met")
