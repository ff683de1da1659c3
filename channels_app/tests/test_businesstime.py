"""Tests for channels_app.businesstime (pure Python: no Django needed or imported)."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from channels_app.businesstime import (
    MAX_SEARCH_DAYS,
    Calendar,
    Interval,
    parse_hhmm,
    validate_intervals,
)

WAW = ZoneInfo("Europe/Warsaw")
MON_FRI_9_18 = [(d, 540, 1080) for d in range(5)]
ALL_DAY = [(d, 0, 1440) for d in range(7)]


def waw(*args: int) -> datetime:
    return datetime(*args, tzinfo=WAW)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="module")
def office() -> Calendar:
    return Calendar("Europe/Warsaw", MON_FRI_9_18)


# -- add_minutes: explicit cases ---------------------------------------------------------------


def test_within_hours_same_day(office: Calendar) -> None:
    # Mon 2026-01-05 10:00 CET = 09:00 UTC
    result = office.add_minutes(waw(2026, 1, 5, 10, 0), 60)
    assert result == utc(2026, 1, 5, 10, 0)
    assert result.tzinfo is UTC


def test_started_in_evening_starts_next_morning(office: Calendar) -> None:
    assert office.add_minutes(waw(2026, 1, 5, 20, 0), 60) == waw(2026, 1, 6, 10, 0)


def test_started_at_weekend_starts_monday(office: Calendar) -> None:
    # Sat 2026-01-10 -> Mon 2026-01-12 09:00 + 90 min
    assert office.add_minutes(waw(2026, 1, 10, 12, 0), 90) == utc(2026, 1, 12, 9, 30)


def test_friday_afternoon_rolls_over_weekend(office: Calendar) -> None:
    assert office.add_minutes(waw(2026, 1, 9, 17, 0), 120) == waw(2026, 1, 12, 10, 0)


def test_due_exactly_at_closing(office: Calendar) -> None:
    assert office.add_minutes(waw(2026, 1, 5, 9, 0), 540) == waw(2026, 1, 5, 18, 0)
    assert office.add_minutes(waw(2026, 1, 5, 17, 0), 60) == utc(2026, 1, 5, 17, 0)


def test_started_exactly_at_closing_continues_next_day(office: Calendar) -> None:
    assert office.add_minutes(waw(2026, 1, 5, 18, 0), 1) == waw(2026, 1, 6, 9, 1)


def test_full_days(office: Calendar) -> None:
    # 1440 business minutes = 2 days 360 min: Mon 09:00 -> Wed 15:00
    assert office.add_minutes(waw(2026, 1, 5, 9, 0), 1440) == waw(2026, 1, 7, 15, 0)


def test_fractional_minutes(office: Calendar) -> None:
    assert office.add_minutes(waw(2026, 1, 5, 9, 0), 1.5) == waw(2026, 1, 5, 9, 1, 30)


def test_zero_minutes_returns_start_unchanged(office: Calendar) -> None:
    saturday = waw(2026, 1, 10, 12, 0)
    assert office.add_minutes(saturday, 0) == saturday
    assert office.add_minutes(saturday, 0).tzinfo is UTC
    assert office.add_minutes(saturday, 0.0) == saturday
    # ...but any positive amount starts at the next opening.
    assert office.add_minutes(saturday, 1e-9) == waw(2026, 1, 12, 9, 0)


def test_lunch_break() -> None:
    cal = Calendar(
        "Europe/Warsaw", [(d, s, e) for d in range(5) for s, e in ((540, 780), (840, 1080))]
    )
    mon = (2026, 1, 5)
    assert cal.add_minutes(waw(*mon, 12, 0), 60) == waw(*mon, 13, 0)  # due at lunch closing
    assert cal.add_minutes(waw(*mon, 12, 0), 90) == waw(*mon, 14, 30)
    assert cal.add_minutes(waw(*mon, 13, 30), 10) == waw(*mon, 14, 10)  # started during lunch
    assert cal.add_minutes(waw(*mon, 9, 0), 480) == waw(*mon, 18, 0)
    assert cal.add_minutes(waw(*mon, 9, 0), 481) == waw(2026, 1, 6, 9, 1)
    assert cal.minutes_between(waw(*mon, 0, 0), waw(2026, 1, 6, 0, 0)) == 480
    assert not cal.is_open(waw(*mon, 13, 0))
    assert cal.is_open(waw(*mon, 14, 0))
    assert cal.next_opening(waw(*mon, 13, 15)) == waw(*mon, 14, 0)


def test_overnight_shift_is_continuous() -> None:
    cal = Calendar("Europe/Warsaw", [(0, 1320, 1440), (1, 0, 360)])
    assert cal.add_minutes(waw(2026, 1, 5, 22, 0), 180) == waw(2026, 1, 6, 1, 0)
    assert cal.add_minutes(waw(2026, 1, 5, 23, 0), 60) == waw(2026, 1, 6, 0, 0)
    assert cal.add_minutes(waw(2026, 1, 5, 12, 0), 480) == waw(2026, 1, 6, 6, 0)
    assert cal.add_minutes(waw(2026, 1, 5, 12, 0), 481) == waw(2026, 1, 12, 22, 1)
    assert cal.is_open(waw(2026, 1, 6, 0, 0))
    periods = list(cal.open_periods(waw(2026, 1, 5), waw(2026, 1, 7)))
    assert periods == [(utc(2026, 1, 5, 21, 0), utc(2026, 1, 6, 5, 0))]


def test_sunday_to_monday_wraps_across_week_boundary() -> None:
    cal = Calendar("Europe/Warsaw", [(6, 1320, 1440), (0, 0, 360)])
    sunday = (2026, 1, 4)
    assert cal.add_minutes(waw(*sunday, 23, 0), 120) == waw(2026, 1, 5, 1, 0)
    assert cal.add_minutes(waw(2026, 1, 5, 7, 0), 30) == waw(2026, 1, 11, 22, 30)
    periods = list(cal.open_periods(waw(*sunday), waw(2026, 1, 6)))
    assert periods == [(utc(2026, 1, 4, 21, 0), utc(2026, 1, 5, 5, 0))]
    assert cal.minutes_between(waw(*sunday), waw(2026, 1, 6)) == 480


def test_holiday_is_skipped() -> None:
    cal = Calendar("Europe/Warsaw", MON_FRI_9_18, holidays=[date(2026, 1, 6)])
    assert cal.add_minutes(waw(2026, 1, 5, 17, 0), 120) == waw(2026, 1, 7, 10, 0)
    assert cal.minutes_between(waw(2026, 1, 5), waw(2026, 1, 8)) == 1080
    assert not cal.is_open(waw(2026, 1, 6, 12, 0))
    assert cal.next_opening(waw(2026, 1, 6, 12, 0)) == waw(2026, 1, 7, 9, 0)


def test_holiday_closes_overnight_half_on_that_date() -> None:
    cal = Calendar("Europe/Warsaw", [(0, 1320, 1440), (1, 0, 360)], holidays=[date(2026, 1, 6)])
    assert cal.minutes_between(waw(2026, 1, 5), waw(2026, 1, 7)) == 120
    assert cal.add_minutes(waw(2026, 1, 5, 22, 0), 121) == waw(2026, 1, 12, 22, 1)


# -- DST ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [(date(2026, 3, 29), 1380), (date(2026, 10, 25), 1500), (date(2026, 3, 28), 1440)],
)
def test_dst_all_day_interval_counts_real_time(day: date, expected: int) -> None:
    cal = Calendar("Europe/Warsaw", ALL_DAY)
    start = waw(day.year, day.month, day.day)
    end = waw(*(day + timedelta(days=1)).timetuple()[:3])
    assert cal.minutes_between(start, end) == expected
    assert cal.add_minutes(start, expected) == end


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Australia/Lord_Howe", date(2026, 10, 4), 1410),  # 30-minute DST shift
        ("Australia/Lord_Howe", date(2026, 4, 5), 1470),
        ("America/New_York", date(2026, 3, 8), 1380),
        ("America/New_York", date(2026, 11, 1), 1500),
        ("Asia/Kolkata", date(2026, 3, 29), 1440),
    ],
)
def test_dst_other_zones(zone: str, day: date, expected: int) -> None:
    tz = ZoneInfo(zone)
    cal = Calendar(tz, ALL_DAY)
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    assert cal.minutes_between(start, end) == expected
    assert cal.add_minutes(start, expected) == end


def test_dst_spring_forward_add_minutes() -> None:
    sunday_only = Calendar("Europe/Warsaw", [(6, 0, 1440)])
    # Sun 2026-03-29 00:00 CET = Sat 23:00 UTC; the day ends at Mon 00:00 CEST = Sun 22:00 UTC.
    assert sunday_only.add_minutes(waw(2026, 3, 28, 12, 0), 1380) == utc(2026, 3, 29, 22, 0)
    assert sunday_only.add_minutes(waw(2026, 3, 28, 12, 0), 1381) == utc(2026, 4, 4, 22, 1)
    # 03:00 CEST on that day is 120 real minutes after midnight, not 180.
    assert sunday_only.add_minutes(waw(2026, 3, 29, 0, 0), 120) == waw(2026, 3, 29, 3, 0)


def test_dst_fall_back_add_minutes() -> None:
    sunday_only = Calendar("Europe/Warsaw", [(6, 0, 1440)])
    assert sunday_only.add_minutes(waw(2026, 10, 24, 12, 0), 1500) == utc(2026, 10, 25, 23, 0)
    # 04:00 CET is 300 real minutes after midnight CEST.
    assert sunday_only.add_minutes(waw(2026, 10, 25, 0, 0), 300) == waw(2026, 10, 25, 4, 0)


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_dst_office_hours_unaffected(day: date) -> None:
    cal = Calendar("Europe/Warsaw", [(6, 540, 1080)])
    start = waw(day.year, day.month, day.day)
    assert cal.minutes_between(start, start + timedelta(days=1)) == 540
    assert cal.add_minutes(start, 540) == waw(day.year, day.month, day.day, 18, 0)


def test_dst_friday_to_monday_across_spring_forward(office: Calendar) -> None:
    # Fri 17:00 CET (16:00 UTC) + 120 -> Mon 10:00 CEST (08:00 UTC)
    assert office.add_minutes(waw(2026, 3, 27, 17, 0), 120) == utc(2026, 3, 30, 8, 0)


def test_dst_gap_boundaries_use_fold_0() -> None:
    # Warsaw 2026-03-29: 02:00 CET jumps to 03:00 CEST. 02:30 read with fold=0 is 01:30 UTC.
    gap = Calendar("Europe/Warsaw", [(6, 150, 240)])  # 02:30-04:00
    day = (waw(2026, 3, 29), waw(2026, 3, 30))
    assert cal_periods(gap, *day) == [(utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 2, 0))]
    inside_gap = Calendar("Europe/Warsaw", [(6, 120, 180)])  # 02:00-03:00 does not exist
    assert inside_gap.minutes_between(*day) == 0
    # That day has no open time at all, so the clock runs on the following Sunday.
    assert inside_gap.add_minutes(day[0], 30) == waw(2026, 4, 5, 2, 30)


def test_dst_ambiguous_boundaries_use_first_occurrence() -> None:
    # Warsaw 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 is the first (CEST) one.
    cal = Calendar("Europe/Warsaw", [(6, 150, 240)])  # 02:30-04:00
    assert cal_periods(cal, waw(2026, 10, 25), waw(2026, 10, 26)) == [
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 3, 0))
    ]


def cal_periods(cal: Calendar, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    return list(cal.open_periods(start, end))


# -- always open, queries, errors --------------------------------------------------------------


def test_always_open_equals_wall_clock() -> None:
    cal = Calendar.always()
    start = waw(2026, 3, 28, 23, 0)
    # Real elapsed time: unlike aware-datetime arithmetic in a ZoneInfo zone, which is wall time.
    assert cal.add_minutes(start, 1440) == start.astimezone(UTC) + timedelta(minutes=1440)
    assert cal.add_minutes(start, 1440) != start + timedelta(minutes=1440)
    assert cal.add_minutes(start, 1440) == utc(2026, 3, 29, 22, 0)
    # Sat 23:00 CET -> Mon 00:00 CEST reads as 25 wall hours but is 24 real hours.
    assert cal.minutes_between(start, waw(2026, 3, 30, 0, 0)) == 1440
    assert cal.is_open(start)
    assert cal.next_opening(start) == start
    assert cal_periods(cal, start, start + timedelta(days=2)) == [
        (start, start + timedelta(days=2))
    ]


def test_minutes_between_end_not_after_start(office: Calendar) -> None:
    t = waw(2026, 1, 5, 10, 0)
    assert office.minutes_between(t, t) == 0
    assert office.minutes_between(t, t - timedelta(hours=1)) == 0
    assert Calendar.always().minutes_between(t, t - timedelta(hours=1)) == 0
    assert cal_periods(office, t, t) == []


def test_minutes_between_mixed_time_zones(office: Calendar) -> None:
    start = datetime(2026, 1, 5, 3, 0, tzinfo=ZoneInfo("America/New_York"))  # 09:00 Warsaw
    assert office.minutes_between(start, utc(2026, 1, 6, 9, 0)) == 540 + 60


def test_open_periods_clipped_to_range(office: Calendar) -> None:
    assert cal_periods(office, waw(2026, 1, 5, 10, 0), waw(2026, 1, 6, 10, 0)) == [
        (waw(2026, 1, 5, 10, 0), waw(2026, 1, 5, 18, 0)),
        (waw(2026, 1, 6, 9, 0), waw(2026, 1, 6, 10, 0)),
    ]


def test_is_open_and_next_opening(office: Calendar) -> None:
    assert office.is_open(waw(2026, 1, 5, 9, 0))
    assert not office.is_open(waw(2026, 1, 5, 18, 0))
    assert not office.is_open(waw(2026, 1, 10, 12, 0))
    assert office.next_opening(waw(2026, 1, 5, 12, 0)) == waw(2026, 1, 5, 12, 0)
    assert office.next_opening(waw(2026, 1, 9, 18, 0)) == waw(2026, 1, 12, 9, 0)
    assert office.next_opening(waw(2026, 1, 9, 18, 0)).tzinfo is UTC


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.add_minutes(datetime(2026, 1, 5, 10, 0), 10),
        lambda c: c.minutes_between(datetime(2026, 1, 5), utc(2026, 1, 6)),
        lambda c: c.minutes_between(utc(2026, 1, 5), datetime(2026, 1, 6)),
        lambda c: c.open_periods(datetime(2026, 1, 5), utc(2026, 1, 6)),
        lambda c: c.is_open(datetime(2026, 1, 5, 10, 0)),
        lambda c: c.next_opening(datetime(2026, 1, 5, 10, 0)),
        lambda c: Calendar.always().add_minutes(datetime(2026, 1, 5, 10, 0), 10),
    ],
)
def test_naive_datetimes_raise(office: Calendar, call) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(office)


@pytest.mark.parametrize("minutes", [-1, -0.5, math.nan, math.inf, "10", None, True])
def test_bad_minutes_raise(office: Calendar, minutes: object) -> None:
    with pytest.raises(ValueError, match="minutes"):
        office.add_minutes(waw(2026, 1, 5, 10, 0), minutes)  # type: ignore[arg-type]


def test_calendar_without_open_time_raises() -> None:
    cal = Calendar("Europe/Warsaw", [])
    with pytest.raises(ValueError, match="no opening hours"):
        cal.add_minutes(waw(2026, 1, 5, 10, 0), 10)
    with pytest.raises(ValueError, match="no opening hours"):
        cal.next_opening(waw(2026, 1, 5, 10, 0))
    assert cal.minutes_between(waw(2026, 1, 5), waw(2027, 1, 5)) == 0
    assert not cal.is_open(waw(2026, 1, 5, 10, 0))
    assert cal.add_minutes(waw(2026, 1, 5, 10, 0), 0) == waw(2026, 1, 5, 10, 0)


def test_every_day_a_holiday_raises_instead_of_looping() -> None:
    start = date(2026, 1, 1)
    holidays = [start + timedelta(days=i) for i in range(-1, MAX_SEARCH_DAYS + 10)]
    cal = Calendar("Europe/Warsaw", ALL_DAY, holidays=holidays)
    with pytest.raises(ValueError, match="days"):
        cal.add_minutes(waw(2026, 1, 1, 10, 0), 1)
    with pytest.raises(ValueError, match="days"):
        cal.next_opening(waw(2026, 1, 1, 10, 0))


def test_target_beyond_search_horizon_raises() -> None:
    one_minute_a_week = Calendar("UTC", [(0, 600, 601)])
    with pytest.raises(ValueError, match="days"):
        one_minute_a_week.add_minutes(utc(2026, 1, 1), 1000)
    assert one_minute_a_week.add_minutes(utc(2026, 1, 1), 100) == utc(2027, 11, 29, 10, 1)


def test_calendar_constructor_validation() -> None:
    with pytest.raises(ValueError, match="start must be before end"):
        Calendar("UTC", [(0, 600, 540)])
    with pytest.raises(ValueError, match="overlaps"):
        Calendar("UTC", [(0, 540, 780), (0, 720, 1080)])
    with pytest.raises(ValueError, match="Unknown time zone"):
        Calendar("Mars/Olympus_Mons", MON_FRI_9_18)


def test_calendar_is_immutable_and_accepts_interval_objects() -> None:
    cal = Calendar(WAW, [Interval(0, 780, 1080), Interval(0, 540, 780)])
    assert cal.intervals == (Interval(0, 540, 780), Interval(0, 780, 1080))
    assert cal.minutes_between(waw(2026, 1, 5), waw(2026, 1, 6)) == 540
    assert cal_periods(cal, waw(2026, 1, 5), waw(2026, 1, 6)) == [
        (waw(2026, 1, 5, 9, 0), waw(2026, 1, 5, 18, 0))
    ]
    with pytest.raises(AttributeError):
        cal.always_open = True  # type: ignore[misc]
    assert str(Interval(2, 1320, 1440)) == "Wed 22:00-24:00"


# -- parse_hhmm / validate_intervals -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("00:00", 0),
        ("09:00", 540),
        ("9:30", 570),
        ("23:59", 1439),
        ("24:00", 1440),
        (" 18:00 ", 1080),
    ],
)
def test_parse_hhmm_valid(text: str, minutes: int) -> None:
    assert parse_hhmm(text) == minutes


@pytest.mark.parametrize(
    "text",
    ["24:30", "24:01", "25:00", "9:7x", "12:60", "9", "09:0", "", "ab:cd", "-1:00", "09:00:00"],
)
def test_parse_hhmm_invalid(text: str) -> None:
    with pytest.raises(ValueError, match="Invalid time"):
        parse_hhmm(text)


def test_parse_hhmm_non_string() -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_hhmm(900)  # type: ignore[arg-type]


def test_validate_intervals_ok() -> None:
    assert validate_intervals([]) == []
    assert validate_intervals(MON_FRI_9_18) == []
    # touching intervals and 24:00 as an end are fine
    assert validate_intervals([(0, 540, 780), (0, 780, 1080), (0, 1320, 1440), (1, 0, 360)]) == []
    assert validate_intervals([Interval(6, 0, 1440)]) == []


def test_validate_intervals_problems() -> None:
    assert validate_intervals([(0, 600, 540)]) == ["Mon 10:00-09:00: start must be before end."]
    assert validate_intervals([(0, 600, 600)]) == ["Mon 10:00-10:00: start must be before end."]
    assert validate_intervals([(0, 540, 780), (0, 720, 1080)]) == [
        "Mon 09:00-13:00 overlaps 12:00-18:00."
    ]
    assert validate_intervals([(0, 540, 780), (1, 720, 1080)]) == []  # different days
    assert validate_intervals([(7, 540, 600)]) == [
        "Day 7 09:00-10:00: weekday must be 0 (Monday) to 6 (Sunday)."
    ]
    assert validate_intervals([(-1, 540, 600)]) != []
    assert validate_intervals([(0, 1440, 1440)]) == [
        "Mon 24:00-24:00: start must be between 00:00 and 23:59."
    ]
    assert validate_intervals([(0, 0, 0)]) == [
        "Mon 00:00-00:00: end must be between 00:01 and 24:00."
    ]
    assert validate_intervals([(0, 540, 1500)]) == [
        "Mon 09:00-1500: end must be between 00:01 and 24:00."
    ]
    assert validate_intervals([(0, 9.5, 600)]) == [
        "Interval 1: weekday and minutes must be whole numbers."
    ]
    assert validate_intervals([(0, 540)]) == [
        "Interval 1: expected (weekday, start minute, end minute)."
    ]


def test_validate_intervals_reports_every_problem() -> None:
    problems = validate_intervals([(0, 600, 540), (9, 0, 60), (2, 0, 600), (2, 300, 700)])
    assert len(problems) == 3


# -- property tests ----------------------------------------------------------------------------

ZONES = ["Europe/Warsaw", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
FIXED_ZONES = ["Asia/Kolkata", "UTC"]
YEARS = (2019, 2030)


def _transitions(zone: str) -> list[datetime]:
    """UTC instants of offset changes in YEARS, found by bisection (for start instants)."""
    tz = ZoneInfo(zone)
    found = []
    t = utc(YEARS[0], 1, 1)
    stop = utc(YEARS[1] + 1, 1, 1)
    step = timedelta(days=1)
    while t < stop:
        lo, hi = t, t + step
        if lo.astimezone(tz).utcoffset() != hi.astimezone(tz).utcoffset():
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
                    lo = mid
                else:
                    hi = mid
            found.append(hi.replace(second=0, microsecond=0))
        t += step
    return found


TRANSITIONS = [t for zone in ZONES for t in _transitions(zone)]


@st.composite
def week_intervals(draw: st.DrawFn) -> list[tuple[int, int, int]]:
    """Random valid week: sorted boundary points paired up (may touch, never overlap)."""
    intervals = []
    for weekday in range(7):
        points = sorted(draw(st.lists(st.integers(0, 1440), max_size=6)))
        for start, end in zip(points[::2], points[1::2], strict=False):
            if start < end:
                intervals.append((weekday, start, end))
    return intervals


@st.composite
def calendars(draw: st.DrawFn, zones: list[str] = ZONES) -> Calendar:
    intervals = draw(week_intervals())
    # Enough weekly open time that 5000 minutes are reached well within the search horizon.
    assume(sum(end - start for _, start, end in intervals) >= 120)
    holidays = draw(st.lists(st.dates(date(YEARS[0], 1, 1), date(YEARS[1], 12, 31)), max_size=15))
    return Calendar(draw(st.sampled_from(zones)), intervals, holidays=holidays)


random_instants = st.datetimes(
    datetime(YEARS[0], 1, 1), datetime(YEARS[1], 12, 31), timezones=st.just(UTC)
)
near_transitions = st.builds(
    lambda t, m: t + timedelta(minutes=m), st.sampled_from(TRANSITIONS), st.integers(-3000, 3000)
)
instants = st.one_of(random_instants, near_transitions).flatmap(
    # also feed instants expressed in assorted local zones: only the instant must matter
    lambda t: st.sampled_from([t, t.astimezone(ZoneInfo("America/New_York")), t.astimezone(WAW)])
)
minute_amounts = st.one_of(
    st.integers(0, 5000), st.floats(0, 5000, allow_nan=False, allow_infinity=False)
)
PROPS = settings(max_examples=200, deadline=None)


@PROPS
@given(calendars(), instants, minute_amounts)
def test_prop_add_then_measure_roundtrip(cal: Calendar, start: datetime, minutes: float) -> None:
    result = cal.add_minutes(start, minutes)
    assert result.tzinfo is UTC
    assert result >= start
    assert math.isclose(cal.minutes_between(start, result), minutes, abs_tol=1e-6)


@PROPS
@given(calendars(), instants, minute_amounts)
def test_prop_result_is_open_or_a_closing_boundary(
    cal: Calendar, start: datetime, minutes: float
) -> None:
    assume(minutes > 0)  # exactly 0 returns the start unchanged, open or not
    result = cal.add_minutes(start, minutes)
    if cal.is_open(result):
        return
    periods = cal_periods(cal, result - timedelta(days=8), result)
    assert periods and periods[-1][1] == result, "result lies inside a closed period"
    assert cal.is_open(result - timedelta(microseconds=1))


@PROPS
@given(calendars(), instants, minute_amounts, minute_amounts)
def test_prop_monotone_in_minutes(cal: Calendar, start: datetime, m1: float, m2: float) -> None:
    m1, m2 = sorted((m1, m2))
    assert cal.add_minutes(start, m1) <= cal.add_minutes(start, m2)


@PROPS
@given(calendars(), instants, st.integers(0, 5 * 1440 * 60_000_000), minute_amounts)
def test_prop_monotone_in_start(cal: Calendar, start: datetime, shift_us: int, m: float) -> None:
    later = start.astimezone(UTC) + timedelta(microseconds=shift_us)
    assert cal.add_minutes(start, m) <= cal.add_minutes(later, m)


@PROPS
@given(instants, minute_amounts)
def test_prop_always_open_is_wall_clock(start: datetime, minutes: float) -> None:
    cal = Calendar.always()
    end = start.astimezone(UTC) + timedelta(minutes=minutes)
    assert cal.add_minutes(start, minutes) == end
    assert math.isclose(cal.minutes_between(start, end), minutes, abs_tol=1e-6)


@PROPS
@given(calendars(), instants, st.integers(0, 6 * 1440))
def test_prop_open_periods_consistent(cal: Calendar, start: datetime, span: int) -> None:
    end = start.astimezone(UTC) + timedelta(minutes=span)
    periods = cal_periods(cal, start, end)
    for (_, e1), (s2, _) in itertools.pairwise(periods):
        assert e1 < s2  # sorted, disjoint and merged (never merely touching)
    for s, e in periods:
        assert start <= s < e <= end
        assert cal.is_open(s) and cal.is_open(e - timedelta(microseconds=1))
        if e < end:
            assert not cal.is_open(e)
    total = sum(((e - s) for s, e in periods), timedelta()) / timedelta(minutes=1)
    assert math.isclose(cal.minutes_between(start, end), total, abs_tol=1e-9)


@PROPS
@given(calendars(), instants)
def test_prop_next_opening(cal: Calendar, at: datetime) -> None:
    opening = cal.next_opening(at)
    assert opening >= at
    assert cal.is_open(opening)
    assert cal.minutes_between(at, opening) == 0
    # Compare in UTC: PEP 495 makes == false across zones for a local time with fold=1.
    assert (opening == at.astimezone(UTC)) == cal.is_open(at)


def _brute_force_minutes(cal: Calendar, start: datetime, end: datetime) -> int:
    """Independent oracle: look at the local wall clock minute by minute (fixed-offset zones)."""
    weekly = {d: [] for d in range(7)}
    for iv in cal.intervals:
        weekly[iv.weekday].append((iv.start_minute, iv.end_minute))
    holidays = cal.holidays
    count, t = 0, start
    while t < end:
        local = t.astimezone(cal.tz)
        minute = local.hour * 60 + local.minute
        if local.date() not in holidays and any(
            s <= minute < e for s, e in weekly[local.weekday()]
        ):
            count += 1
        t += timedelta(minutes=1)
    return count


@settings(max_examples=60, deadline=None)
@given(calendars(FIXED_ZONES), instants, st.integers(0, 4 * 1440))
def test_prop_matches_brute_force_oracle(cal: Calendar, start: datetime, span: int) -> None:
    start = start.astimezone(UTC).replace(second=0, microsecond=0)
    end = start + timedelta(minutes=span)
    assert cal.minutes_between(start, end) == _brute_force_minutes(cal, start, end)


# -- the cumulative index answers exactly as the day-by-day walk -------------------------------

ZONES = (
    "UTC",
    "Europe/Warsaw",
    "America/New_York",
    "America/Santiago",  # DST changes at midnight
    "America/Havana",  # and clocks going back across midnight
    "Australia/Lord_Howe",  # half-hour DST
    "Asia/Kathmandu",
    "Pacific/Apia",  # skipped a whole day in 2011
)


@st.composite
def calendars(draw) -> Calendar:
    intervals = []
    for weekday in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 1440), max_size=6)))
        for start, end in zip(cuts[::2], cuts[1::2], strict=False):
            if start < end:
                intervals.append((weekday, start, end))
    assume(intervals)
    holidays = draw(
        st.sets(st.dates(min_value=date(2010, 1, 1), max_value=date(2013, 12, 31)), max_size=40)
    )
    return Calendar(draw(st.sampled_from(ZONES)), intervals, holidays)


instants = st.datetimes(
    min_value=datetime(2010, 1, 1), max_value=datetime(2013, 12, 31), timezones=st.just(UTC)
)
amounts = st.one_of(
    st.integers(0, 20_000),
    st.floats(0, 20_000, allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-9, 0.5, 59.99999, 480, 1440]),
)


def walk_add(cal: Calendar, start: datetime, minutes: float):
    try:
        return cal._walk_add(start, timedelta(minutes=minutes), minutes) if minutes else start
    except ValueError:
        return "raises"


@settings(max_examples=300, deadline=None)
@given(cal=calendars(), data=st.data())
def test_index_add_minutes_equals_walk(cal: Calendar, data) -> None:
    """Many queries on one calendar, far apart, so the index is built, widened and replaced."""
    for _ in range(8):
        start = data.draw(instants)
        minutes = data.draw(amounts)
        expected = walk_add(cal, start, minutes)
        try:
            got = cal.add_minutes(start, minutes)
        except ValueError:
            got = "raises"
        assert got == expected
        if got != "raises":
            assert got.tzinfo is UTC


@settings(max_examples=300, deadline=None)
@given(cal=calendars(), data=st.data())
def test_index_minutes_between_equals_walk(cal: Calendar, data) -> None:
    for _ in range(8):
        lo = data.draw(instants)
        hi = lo + data.draw(st.timedeltas(timedelta(0), timedelta(days=400)))
        assert cal.minutes_between(lo, hi) == cal._walk_between(lo, hi)


def test_index_is_built_once_for_a_year_and_reused(office: Calendar) -> None:
    start = utc(2026, 1, 5, 8, 0)
    fresh = Calendar("Europe/Warsaw", MON_FRI_9_18, holidays=[date(2026, 1, 6)])
    fresh.add_minutes(start, 60)
    index = fresh._index
    assert index is not None
    assert fresh.add_minutes(start, 60) == utc(2026, 1, 5, 9, 0)
    assert fresh.add_minutes(start, 600) == utc(2026, 1, 7, 9, 0)  # the holiday skipped
    assert fresh._index is index
    fresh.minutes_between(start - timedelta(days=300), start)  # widened, not restarted
    assert fresh._index.first < index.first and fresh._index.last == index.last


def test_index_far_queries_walk_then_move_it() -> None:
    """Queries years apart do not rebuild the index each time: they walk, until enough of them
    say the work has moved, and the answers are the walk's either way."""
    cal = Calendar("Europe/Warsaw", MON_FRI_9_18)
    near, far = utc(2026, 1, 5, 8, 0), utc(2030, 1, 7, 8, 0)
    cal.add_minutes(near, 60)
    index = cal._index
    for _ in range(10):
        assert cal.add_minutes(far, 60) == cal._walk_add(far, timedelta(minutes=60), 60)
        assert cal.add_minutes(near, 60) == utc(2026, 1, 5, 9, 0)
    assert cal._index is index
    for _ in range(300):
        cal.add_minutes(far, 60)
    assert cal._index is not index and cal._index.start <= far <= cal._index.end
