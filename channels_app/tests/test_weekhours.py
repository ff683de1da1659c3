"""Rows as entered versus intervals as stored: overnight splitting, merging back, copying."""

from datetime import UTC, datetime, timedelta

import pytest

from channels_app import businesstime
from channels_app.forms import OpeningIntervalFormSet, hours_initial
from channels_app.weekhours import copy_day, is_overnight, merge_intervals, split_row, split_rows

H = 60
SAT, SUN, MON = 5, 6, 0


@pytest.mark.parametrize(
    ("row", "stored"),
    [
        ((0, 9 * H, 18 * H), [(0, 540, 1080)]),
        ((SAT, 22 * H, 6 * H), [(SAT, 1320, 1440), (SUN, 0, 360)]),
        ((SUN, 22 * H, 6 * H), [(SUN, 1320, 1440), (MON, 0, 360)]),  # the week wraps
        ((2, 22 * H, 0), [(2, 1320, 1440)]),  # 00:00 as an end is midnight, not overnight
        ((2, 22 * H, 24 * H), [(2, 1320, 1440)]),
        ((2, 0, 0), [(2, 0, 1440)]),  # 00:00–00:00 is the whole day
        ((2, 9 * H, 9 * H), [(2, 540, 540)]),  # left for validation to refuse
    ],
)
def test_split_row(row, stored):
    assert split_row(*row) == stored
    assert is_overnight(row[1], row[2]) == (len(stored) == 2)


def test_overnight_row_is_one_stretch_for_the_arithmetic():
    """The stored pair is what businesstime already reads as one continuous shift."""
    calendar = businesstime.Calendar("Europe/Warsaw", split_rows([(SAT, 22 * H, 6 * H)]))
    start = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)  # Saturday 22:00 in Warsaw
    assert calendar.add_minutes(start, 8 * H) == datetime(2026, 12, 6, 5, 0, tzinfo=UTC)
    assert calendar.minutes_between(start, start + timedelta(hours=10)) == 8 * H


@pytest.mark.parametrize(
    ("stored", "rows"),
    [
        ([(SAT, 1320, 1440), (SUN, 0, 360)], [(SAT, 1320, 360)]),
        ([(SUN, 1320, 1440), (MON, 0, 360)], [(SUN, 1320, 360)]),
        # A full day next to an evening is not a night shift: shown as stored.
        ([(0, 1320, 1440), (1, 0, 1440)], [(0, 1320, 1440), (1, 0, 1440)]),
        # An evening to midnight and a morning that runs past the evening's start: ambiguous.
        ([(0, 600, 1440), (1, 0, 700)], [(0, 600, 1440), (1, 0, 700)]),
        # Nights in a row: every morning belongs to the evening before.
        (
            [(0, 1320, 1440), (1, 0, 360), (1, 1320, 1440), (2, 0, 360)],
            [(0, 1320, 360), (1, 1320, 360)],
        ),
        ([(0, 540, 780), (0, 840, 1080)], [(0, 540, 780), (0, 840, 1080)]),
    ],
)
def test_merge_intervals_round_trips(stored, rows):
    assert merge_intervals(stored) == rows
    assert sorted(split_rows(rows)) == sorted(stored)


def test_copy_day_replaces_the_targets_and_keeps_the_rest():
    rows = [(0, 540, 780), (0, 840, 1080), (1, 600, 700), (SAT, 1320, 360)]
    copied = copy_day(rows, 0, [0, 1, 2, 3, 4])
    assert copied == sorted(
        [(d, 540, 780) for d in range(5)] + [(d, 840, 1080) for d in range(5)] + [(SAT, 1320, 360)]
    )
    # An overnight row stays overnight on its new day; an empty source day clears the targets.
    assert copy_day([(SAT, 1320, 360)], SAT, [SUN]) == [(SAT, 1320, 360), (SUN, 1320, 360)]
    assert copy_day(rows, 3, [0]) == [(1, 600, 700), (SAT, 1320, 360)]


def _post(rows):
    data = {"hours-TOTAL_FORMS": str(len(rows) + 2), "hours-INITIAL_FORMS": "0"}
    for index, (weekday, start, end, *delete) in enumerate(rows):
        data |= {
            f"hours-{index}-weekday": weekday,
            f"hours-{index}-start": start,
            f"hours-{index}-end": end,
        }
        if delete:
            data[f"hours-{index}-DELETE"] = "on"
    return OpeningIntervalFormSet(data, prefix="hours")


def test_formset_without_script_splits_overnight_rows_and_ignores_blank_and_removed_ones():
    formset = _post(
        [
            ("0", "09:00", "13:00"),
            ("0", "14:00", "18:00"),
            ("5", "22:00", "06:00"),
            ("3", "", "", "on"),  # a removed half-filled row is not judged
            ("4", "23:00", "00:00"),
        ]
    )
    assert formset.is_valid(), formset.errors
    assert sorted(formset.intervals()) == [
        (0, 540, 780),
        (0, 840, 1080),
        (4, 1380, 1440),
        (5, 1320, 1440),
        (6, 0, 360),
    ]


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([("5", "22:00", "06:00"), ("6", "05:00", "09:00")], "Saturday 22:00–06:00 overlaps"),
        ([("1", "09:00", "09:00")], "Tuesday 09:00–09:00 opens and closes at the same time."),
        ([("1", "24:00", "06:00")], "The start must be between 00:00 and 23:59."),
        ([("1", "09:00", "24:01")], "Enter a time as HH:MM between 00:00 and 24:00."),
    ],
)
def test_formset_refuses(rows, error):
    formset = _post(rows)
    assert not formset.is_valid()
    assert error in str(formset.errors) + str(formset.non_form_errors())


def test_midnight_end_shows_as_00_00_for_the_time_picker():
    """<input type=time> cannot hold 24:00; 00:00 as an end reads back as midnight."""
    formset = OpeningIntervalFormSet(initial=hours_initial([(2, 1320, 1440)]), prefix="hours")
    html = str(formset.forms[0]["end"])
    assert 'type="time"' in html
    assert 'value="00:00"' in html
    assert not formset.forms[0].is_overnight()
    night = OpeningIntervalFormSet(initial=hours_initial([(5, 1320, 1440), (6, 0, 360)]))
    assert len(night.initial_forms) == 1
    assert night.forms[0].is_overnight()
