"""Opening hours as a manager enters them (rows) versus as they are stored (intervals).

A *row* is ``(weekday, start, end)`` in minutes as typed on the calendar page. When ``end`` is
not after ``start`` the row runs overnight: 22:00–06:00 on Saturday is stored as the two local-day
intervals it covers, Saturday 22:00–24:00 and Sunday 00:00–06:00 (Sunday wraps to Monday), which
is exactly what :mod:`channels_app.businesstime` already reads as one continuous stretch. An end
of 00:00 means midnight (24:00), and 00:00–00:00 is the whole day, so a native time picker, which
cannot show 24:00, can still say everything.

Pure functions, no Django: the form, the view's no-script "copy" and the tests share them.
"""

from __future__ import annotations

from collections.abc import Iterable

MINUTES_PER_DAY = 1440
DAYS = 7

Row = tuple[int, int, int]


def normalise_end(start: int, end: int) -> int:
    """An end of 00:00 closes at midnight, i.e. 24:00 of the same day (or 00:00–00:00, all day)."""
    return MINUTES_PER_DAY if end == 0 else end


def is_overnight(start: int, end: int) -> bool:
    """True when the row closes on the next day (22:00–06:00); 23:00–00:00 does not."""
    return 0 < normalise_end(start, end) < start < MINUTES_PER_DAY


def split_row(weekday: int, start: int, end: int) -> list[Row]:
    """The stored intervals of one row: one for a same-day row, two for an overnight one.

    A row whose start equals its end (09:00–09:00) is handed back unchanged so that validation
    reports it instead of guessing a 24-hour shift.
    """
    end = normalise_end(start, end)
    if is_overnight(start, end):
        return [(weekday, start, MINUTES_PER_DAY), ((weekday + 1) % DAYS, 0, end)]
    return [(weekday, start, end)]


def split_rows(rows: Iterable[Row]) -> list[Row]:
    return [interval for row in rows for interval in split_row(*row)]


def merge_intervals(intervals: Iterable[Row]) -> list[Row]:
    """Rows to show for stored intervals: ``D hh:mm–24:00`` followed by ``D+1 00:00–hh:mm``
    becomes one overnight row, when the pair reads unambiguously as one (its end is before its
    start). Everything else is shown as stored. Sorted by weekday and start.
    """
    intervals = sorted(set(intervals))
    heads = {
        weekday: (weekday, start, end)
        for weekday, start, end in intervals
        if end == MINUTES_PER_DAY and start > 0
    }
    tails = {
        weekday: (weekday, start, end)
        for weekday, start, end in intervals
        if start == 0 and end < MINUTES_PER_DAY
    }
    merged: dict[Row, Row] = {}
    used: set[Row] = set()
    for weekday, head in heads.items():
        tail = tails.get((weekday + 1) % DAYS)
        if tail is not None and tail[2] < head[1] and tail not in used:
            merged[head] = (weekday, head[1], tail[2])
            used.add(tail)
    rows = [merged.get(interval, interval) for interval in intervals if interval not in used]
    return sorted(rows)


def copy_day(rows: Iterable[Row], source: int, targets: Iterable[int]) -> list[Row]:
    """Give each target weekday the source day's rows, replacing what the target had.

    Overnight rows stay overnight (Monday 22:00–06:00 copied to Tuesday closes on Wednesday).
    """
    rows = list(rows)
    targets = {day for day in targets if day != source}
    kept = [row for row in rows if row[0] not in targets]
    copies = [(day, start, end) for day in sorted(targets) for w, start, end in rows if w == source]
    return sorted(kept + copies)
