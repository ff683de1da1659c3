"""The parser of outside values: what it takes, what it refuses, and that its bounds hold in
the business-time arithmetic for every time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from channels_app.businesstime import Calendar as BusinessCalendar
from core import parse


@pytest.mark.parametrize(
    "raw, expected", [("1", 1), (" 42 ", 42), (7, 7), (str(2**63 - 1), 2**63 - 1)]
)
def test_ids_within_bigint_are_taken(raw, expected):
    assert parse.parse_id(raw) == expected


@pytest.mark.parametrize(
    "raw", ["0", "-1", str(2**63), "9" * 20, "9" * 5000, "1e5", "١٢", "", True, 1.5, None]
)
def test_other_ids_are_refused_with_one_exception_type(raw):
    with pytest.raises(parse.OutsideValueError) as caught:
        parse.parse_id(raw)
    # One type for forms (ValidationError), URL converters (ValueError) and DRF alike.
    assert isinstance(caught.value, ValidationError) and isinstance(caught.value, ValueError)
    assert "9999" not in caught.value.messages[0]  # the message never echoes the value


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:30:00+01:00",
        "1969-12-31T23:59:59Z",
    ],
)
def test_instants_outside_the_bounds_are_refused(raw):
    with pytest.raises(parse.OutsideValueError) as caught:
        parse.parse_instant(raw)
    assert caught.value.code == "instant_range"
    assert "1970-01-01" in caught.value.messages[0] and "9000-12-31" in caught.value.messages[0]


def test_naive_instants_are_refused_and_big_offsets_become_utc():
    with pytest.raises(parse.OutsideValueError) as caught:
        parse.parse_instant("2026-03-02T10:00:00")
    assert caught.value.code == "naive"
    # PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows.
    parsed = parse.parse_instant("2026-03-02T10:00:00+23:59")
    assert parsed == dt.datetime(2026, 3, 1, 10, 1, tzinfo=dt.UTC) and parsed.tzinfo is dt.UTC


@pytest.mark.parametrize("raw", ["0001-01-01", "9999-12-31", "2026-02-30", "2026-1-1x", "\ud800"])
def test_bad_dates_are_refused(raw):
    with pytest.raises(parse.OutsideValueError):
        parse.parse_date(raw)


@pytest.mark.parametrize("raw", ["a\x00b", "\ud800", "x\udfff"])
def test_text_no_database_stores_is_refused(raw):
    with pytest.raises(parse.OutsideValueError) as caught:
        parse.parse_text(raw)
    assert caught.value.code == "unstorable"


def test_json_depth_is_measured_without_recursion():
    deep = []
    for _ in range(100_000):
        deep = [deep]
    assert parse.json_too_deep(deep)
    assert not parse.json_too_deep({"a": [{"b": [1, 2]}]})


ZONES = ["Pacific/Kiritimati", "Etc/GMT+12", "America/St_Johns", "Europe/Warsaw", "Asia/Kathmandu"]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    st.sampled_from(ZONES),
    st.sampled_from([parse.MIN_INSTANT, parse.MAX_INSTANT - dt.timedelta(microseconds=1)]),
    st.integers(min_value=1, max_value=100_000),  # about a year of this calendar
)
def test_the_business_time_arithmetic_holds_every_instant_the_parser_lets_through(
    zone, at, minutes
):
    """Year 1 overflowed here (a 500 on a channel with business hours); the bounds keep every
    instant far enough from the ends of Python's datetime for a year of business minutes."""
    calendar = BusinessCalendar(ZoneInfo(zone), [(d, 9 * 60, 17 * 60) for d in range(5)])
    due = calendar.add_minutes(at, minutes)
    assert due > at
    assert calendar.minutes_between(at, due) == pytest.approx(minutes)


def test_bounded_form_fields_make_hostile_values_form_errors():
    from core.fields import DateField, DateTimeField, IntegerField

    class Form(forms.Form):
        day = DateField(required=False)
        at = DateTimeField(required=False)
        count = IntegerField(required=False)

    form = Form({"day": "0001-01-01", "at": "0001-01-01T00:00", "count": "9" * 20})
    assert not form.is_valid()
    assert set(form.errors) == {"day", "at", "count"}
