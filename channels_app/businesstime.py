"""Business-time arithmetic for SLA clocks.

Pure Python on purpose (no Django imports): the model layer builds a :class:`Calendar` once and
reuses it for many calls, and the maths stays testable on its own.

Semantics in short:

* Opening hours are given per weekday (0 = Monday) in local wall time as whole minutes
  ``0..1440``; ``1440`` ("24:00") ends an interval at the midnight closing that local date.
* Business time is *real* elapsed time inside open stretches, so an ``00:00-24:00`` day lasts
  23 or 25 hours on DST change days.
* Open stretches that touch (Mon 22:00-24:00 followed by Tue 00:00-06:00) are one continuous
  stretch.
* A holiday closes its whole local date.
* All results are aware datetimes in UTC.
* Range: instants are converted to local time and stepped through local days up to
  ``MAX_SEARCH_DAYS`` ahead, so near the ends of Python's ``datetime`` (years 1 and 9999) they
  overflow. Outside values reach this module through ``core.parse``, which keeps instants within
  1970..9000 (tested there at both ends in extreme time zones); an instant that cannot be
  converted at all is a ``ValueError`` here, like any other bad argument.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "MAX_SEARCH_DAYS",
    "Calendar",
    "Interval",
    "parse_hhmm",
    "validate_intervals",
]

MINUTES_PER_DAY = 1440
# Searches give up after this many local days (about three years) so that a calendar whose
# every day is a holiday, or a target absurdly far away, raises instead of spinning.
MAX_SEARCH_DAYS = 3 * 366

_MINUTE = timedelta(minutes=1)
_DAY_CACHE_SIZE = 4096  # local dates; ~11 years, enough for any realistic working set
_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_HHMM_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")

Stretch = tuple[datetime, datetime]


@dataclass(frozen=True, order=True)
class Interval:
    """One opening interval in local wall time.

    Minutes rather than ``datetime.time`` because ``24:00`` (end of day) must be representable.
    """

    weekday: int
    start_minute: int
    end_minute: int

    def __str__(self) -> str:
        return _label(self.weekday, self.start_minute, self.end_minute)


def parse_hhmm(value: str) -> int:
    """Parse ``"HH:MM"`` into minutes since midnight; ``"24:00"`` gives 1440.

    Whether 24:00 is acceptable as a *start* is left to :func:`validate_intervals`, which knows
    the context.
    """
    if not isinstance(value, str):
        raise ValueError(f"Expected a time as HH:MM, got {value!r}.")
    match = _HHMM_RE.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"Invalid time {value!r}: expected HH:MM.")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"Invalid time {value!r}: must be between 00:00 and 24:00.")
    return hours * 60 + minutes


def validate_intervals(intervals: Iterable[Interval | tuple[int, int, int]]) -> list[str]:
    """Return human-readable problems with ``intervals``; an empty list means they are usable.

    Returns messages instead of raising so a form can show every problem at once. Touching
    intervals (09:00-13:00 and 13:00-18:00) are fine; they merge into one stretch.
    """
    problems: list[str] = []
    by_day: dict[int, list[tuple[int, int]]] = {}
    for index, item in enumerate(intervals, start=1):
        try:
            weekday, start, end = _unpack(item)
        except (TypeError, ValueError):
            problems.append(f"Interval {index}: expected (weekday, start minute, end minute).")
            continue
        if not all(_is_int(v) for v in (weekday, start, end)):
            problems.append(f"Interval {index}: weekday and minutes must be whole numbers.")
            continue
        label = _label(weekday, start, end)
        ok = True
        if not 0 <= weekday <= 6:
            problems.append(f"{label}: weekday must be 0 (Monday) to 6 (Sunday).")
            ok = False
        if not 0 <= start < MINUTES_PER_DAY:
            problems.append(f"{label}: start must be between 00:00 and 23:59.")
            ok = False
        if not 0 < end <= MINUTES_PER_DAY:
            problems.append(f"{label}: end must be between 00:01 and 24:00.")
            ok = False
        if ok and start >= end:
            problems.append(f"{label}: start must be before end.")
            ok = False
        if ok:
            by_day.setdefault(weekday, []).append((start, end))
    for weekday in sorted(by_day):
        spans = sorted(by_day[weekday])
        for (s1, e1), (s2, e2) in itertools.pairwise(spans):
            if s2 < e1:
                problems.append(
                    f"{_label(weekday, s1, e1)} overlaps {_label(weekday, s2, e2)[4:]}."
                )
    return problems


class Calendar:
    """Opening hours in one time zone; build once, then reuse (per-date results are cached).

    Instances are immutable so one calendar can be shared freely between requests and threads.
    """

    __slots__ = ("_always_open", "_day", "_holidays", "_intervals", "_tz", "_weekly")

    def __init__(
        self,
        tz: str | tzinfo,
        intervals: Iterable[Interval | tuple[int, int, int]],
        holidays: Iterable[date] = (),
        always_open: bool = False,
    ) -> None:
        if isinstance(tz, str):
            try:
                tz = ZoneInfo(tz)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"Unknown time zone {tz!r}.") from exc
        elif not isinstance(tz, tzinfo):
            raise ValueError(f"Expected a time zone name or tzinfo, got {tz!r}.")
        intervals = list(intervals)
        problems = validate_intervals(intervals)
        if problems:
            raise ValueError("Invalid opening hours: " + " ".join(problems))
        parsed = tuple(sorted(Interval(*_unpack(i)) for i in intervals))
        # Merge touching intervals per weekday once, so the hot path never has to.
        weekly: list[tuple[tuple[int, int], ...]] = []
        for weekday in range(7):
            merged: list[list[int]] = []
            for iv in parsed:
                if iv.weekday != weekday:
                    continue
                if merged and iv.start_minute <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], iv.end_minute)
                else:
                    merged.append([iv.start_minute, iv.end_minute])
            weekly.append(tuple((s, e) for s, e in merged))
        setattr_ = object.__setattr__
        setattr_(self, "_tz", tz)
        setattr_(self, "_intervals", parsed)
        setattr_(self, "_weekly", tuple(weekly))
        setattr_(self, "_holidays", frozenset(d.toordinal() for d in holidays))
        setattr_(self, "_always_open", bool(always_open))
        # Per-instance cache: a class-level lru_cache would keep every calendar alive forever.
        setattr_(self, "_day", lru_cache(maxsize=_DAY_CACHE_SIZE)(self._compute_day))

    @classmethod
    def always(cls) -> Calendar:
        """A calendar where business time equals wall-clock time (24/7 support)."""
        return cls("UTC", (), always_open=True)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Calendar is immutable")

    def __repr__(self) -> str:
        if self._always_open:
            return f"Calendar({self.tz!s}, always_open=True)"
        hours = ", ".join(str(i) for i in self._intervals)
        return f"Calendar({self.tz!s}, [{hours}], holidays={len(self._holidays)})"

    @property
    def tz(self) -> tzinfo:
        return self._tz

    @property
    def intervals(self) -> tuple[Interval, ...]:
        return self._intervals

    @property
    def holidays(self) -> frozenset[date]:
        return frozenset(date.fromordinal(o) for o in self._holidays)

    @property
    def always_open(self) -> bool:
        return self._always_open

    @property
    def has_open_time(self) -> bool:
        return self._always_open or any(self._weekly)

    # -- public queries -------------------------------------------------------------------

    def add_minutes(self, start: datetime, minutes: float) -> datetime:
        """Return the first instant at which ``minutes`` of open time have elapsed since ``start``.

        A clock started while closed starts at the next opening; a target reached exactly at a
        closing instant is due at that closing, not at the next opening. Exactly 0 minutes
        returns ``start`` unchanged (in UTC) even when closed: nothing has to elapse, so there is
        no reason to push the instant to the next opening. Any positive amount, however small,
        does start at the next opening.
        """
        cursor = _to_utc(start, "start")
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)):
            raise ValueError(f"minutes must be a number, got {minutes!r}.")
        if not math.isfinite(minutes) or minutes < 0:
            raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}.")
        if minutes == 0:
            return cursor
        try:
            remaining = timedelta(minutes=minutes)  # rounds to whole microseconds
            if self._always_open:
                return cursor + remaining
        except OverflowError as exc:
            raise ValueError(f"{minutes!r} minutes is too far in the future.") from exc
        self._require_open_time()
        ordinal = cursor.astimezone(self._tz).toordinal()
        limit = ordinal + MAX_SEARCH_DAYS
        day = self._day
        while ordinal <= limit:
            for open_at, close_at in day(ordinal):
                if close_at <= cursor:
                    continue
                if open_at > cursor:
                    cursor = open_at
                left = close_at - cursor
                if left >= remaining:
                    return cursor + remaining
                remaining -= left
                cursor = close_at
            ordinal += 1
        raise ValueError(
            f"Adding {minutes!r} business minutes needs more than {MAX_SEARCH_DAYS} days "
            "of this calendar (too few opening hours, or all days are holidays)."
        )

    def minutes_between(self, start: datetime, end: datetime) -> float:
        """Business minutes in ``[start, end)``; 0 when ``end <= start`` (never negative)."""
        lo, hi = _to_utc(start, "start"), _to_utc(end, "end")
        if hi <= lo:
            return 0.0
        if self._always_open:
            return (hi - lo) / _MINUTE
        total = timedelta()
        for open_at, close_at in self._periods(lo, hi):
            total += close_at - open_at
        return total / _MINUTE

    def open_periods(self, start: datetime, end: datetime) -> Iterator[Stretch]:
        """Yield UTC open stretches within ``[start, end)``, clipped to it, in order.

        Touching stretches are merged, so an overnight shift split at midnight (or a Sunday to
        Monday wrap) comes out as one period.
        """
        lo, hi = _to_utc(start, "start"), _to_utc(end, "end")  # validate eagerly, not lazily
        if hi <= lo:
            return iter(())
        if self._always_open:
            return iter(((lo, hi),))
        return self._periods(lo, hi)

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` lies in an open stretch (opening instant included, closing excluded)."""
        instant = _to_utc(at, "at")
        if self._always_open:
            return True
        for open_at, close_at in self._day(instant.astimezone(self._tz).toordinal()):
            if open_at <= instant < close_at:
                return True
        return False

    def next_opening(self, at: datetime) -> datetime:
        """Return ``at`` (in UTC) if open, else the start of the next open stretch."""
        cursor = _to_utc(at, "at")
        if self._always_open:
            return cursor
        self._require_open_time()
        ordinal = cursor.astimezone(self._tz).toordinal()
        limit = ordinal + MAX_SEARCH_DAYS
        day = self._day
        while ordinal <= limit:
            for open_at, close_at in day(ordinal):
                if close_at > cursor:
                    return max(open_at, cursor)
            ordinal += 1
        raise ValueError(f"No opening found within {MAX_SEARCH_DAYS} days of {cursor}.")

    # -- internals ------------------------------------------------------------------------

    def _require_open_time(self) -> None:
        if not self.has_open_time:
            raise ValueError("Calendar has no opening hours at all; business time never passes.")

    def _periods(self, lo: datetime, hi: datetime) -> Iterator[Stretch]:
        if not any(self._weekly):
            return
        ordinal = lo.astimezone(self._tz).toordinal()
        # One extra day guards against zones whose clocks fall back across midnight.
        last = hi.astimezone(self._tz).toordinal() + 1
        day = self._day
        pending: Stretch | None = None
        while ordinal <= last:
            for open_at, close_at in day(ordinal):
                if close_at <= lo:
                    continue
                if open_at >= hi:
                    break
                open_at, close_at = max(open_at, lo), min(close_at, hi)
                if pending is not None and open_at <= pending[1]:
                    pending = (pending[0], max(pending[1], close_at))
                    continue
                if pending is not None:
                    yield pending
                pending = (open_at, close_at)
            ordinal += 1
        if pending is not None:
            yield pending

    def _compute_day(self, ordinal: int) -> tuple[Stretch, ...]:
        """UTC open stretches of one local date, sorted, disjoint, within that date.

        DST choice: every local wall-clock boundary is converted with ``fold=0`` (zoneinfo's
        default). For an ambiguous time (clocks going back) that is the first occurrence; for a
        time inside a gap (clocks going forward) it is read with the pre-transition offset, so
        02:30 in a 02:00->03:00 gap means 03:30 after the jump. An interval lying wholly in a gap
        thus has no open time that day, and a stretch whose mapped end precedes its start is
        dropped. Stretches are clipped to the real span of the local date (from its 00:00 to the
        next 00:00, both fold=0) so consecutive dates never overlap, and overlaps that the gap
        mapping can create within a date are merged.
        """
        spans = self._weekly[(ordinal - 1) % 7]  # date.fromordinal(1) is a Monday
        if not spans or ordinal in self._holidays:
            return ()
        day_start = self._local_to_utc(ordinal, 0)
        day_end = self._local_to_utc(ordinal, MINUTES_PER_DAY)
        stretches: list[list[datetime]] = []
        for start_minute, end_minute in spans:
            open_at = max(self._local_to_utc(ordinal, start_minute), day_start)
            close_at = min(self._local_to_utc(ordinal, end_minute), day_end)
            if close_at > open_at:
                stretches.append([open_at, close_at])
        stretches.sort()
        merged: list[list[datetime]] = []
        for stretch in stretches:
            if merged and stretch[0] <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], stretch[1])
            else:
                merged.append(stretch)
        return tuple((s, e) for s, e in merged)

    def _local_to_utc(self, ordinal: int, minute: int) -> datetime:
        if minute >= MINUTES_PER_DAY:
            ordinal, minute = ordinal + 1, minute - MINUTES_PER_DAY
        d = date.fromordinal(ordinal)
        local = datetime(d.year, d.month, d.day, minute // 60, minute % 60, tzinfo=self._tz)
        return local.astimezone(UTC)


def _to_utc(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {value!r}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}.")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{name} is out of range: {value!r}.") from None


def _unpack(item: Interval | tuple[int, int, int]) -> tuple[int, int, int]:
    if isinstance(item, Interval):
        return item.weekday, item.start_minute, item.end_minute
    weekday, start, end = item
    return weekday, start, end


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _label(weekday: object, start: object, end: object) -> str:
    day = _WEEKDAY_NAMES[weekday] if _is_int(weekday) and 0 <= weekday <= 6 else f"Day {weekday}"
    return f"{day} {_fmt(start)}-{_fmt(end)}"


def _fmt(minute: object) -> str:
    if _is_int(minute) and 0 <= minute <= MINUTES_PER_DAY:
        return f"{minute // 60:02d}:{minute % 60:02d}"
    return str(minute)
