"""Business-time arithmetic for SLA clocks.

Over 400 lines on purpose: the calendar, its index of open stretches and the conversions share
one representation and its invariants (DST, 24:00, touching stretches) and are tested as one.

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
* Speed: each calendar keeps a cumulative index of its open stretches over the span its
  queries touch (:class:`_Index`), so ``add_minutes`` and ``minutes_between`` are bisects; the
  day-by-day walk defines the results, answers what the index does not cover, and a property
  test holds the two equal (DST zones, holidays, fractions of a minute).
* Range: instants are converted to local time and stepped through local days up to
  ``MAX_SEARCH_DAYS`` ahead, so near the ends of Python's ``datetime`` (years 1 and 9999) they
  overflow. Outside values reach this module through ``core.parse``, which keeps instants within
  1970..9000 (tested there at both ends in extreme time zones); an instant that cannot be
  converted at all is a ``ValueError`` here, like any other bad argument.
"""

from __future__ import annotations

import bisect
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
# The cumulative index (see :class:`_Index`): local days added around a query that misses it,
# and its widest span (below MAX_SEARCH_DAYS, so an answer found in it is one the walk finds).
_INDEX_MARGIN_BEFORE = 31
_INDEX_MARGIN_AFTER = 62
_INDEX_MAX_DAYS = 2 * 366
_INDEX_RESTART_MISSES = 256
_ZERO = timedelta()
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

    __slots__ = (
        "_always_open",
        "_day",
        "_holidays",
        "_index",
        "_intervals",
        "_tz",
        "_weekly",
        "_weekly_open",
    )

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
        setattr_(self, "_index", None)
        setattr_(self, "_weekly_open", any(weekly))

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
        # A policy's few amounts, converted and checked once (``type``: True is not 1 here).
        remaining = _DURATIONS.get(minutes) if type(minutes) in (int, float) else None
        if remaining is None:
            remaining = _duration(minutes)
            if remaining is None:  # exactly 0: nothing has to elapse
                return cursor
        if self._always_open:
            try:
                return cursor + remaining
            except OverflowError as exc:
                raise ValueError(f"{minutes!r} minutes is too far in the future.") from exc
        if not self._weekly_open:
            self._require_open_time()
        index = self._index_for(cursor, cursor) if remaining else None  # 1e-9 rounds to 0 µs
        if index is not None:
            found = index.add(cursor, remaining)
            if found is not None:
                return found
        return self._walk_add(cursor, remaining, minutes)

    def _walk_add(self, cursor: datetime, remaining: timedelta, minutes: float) -> datetime:
        """:meth:`add_minutes` day by day: the definition, and what the index falls back to."""
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
        if not self._weekly_open:
            return 0.0
        index = self._index_for(lo, hi)
        if index is not None:
            return (index.offset(hi) - index.offset(lo)) / _MINUTE
        return self._walk_between(lo, hi)

    def _walk_between(self, lo: datetime, hi: datetime) -> float:
        """:meth:`minutes_between` stretch by stretch: the definition, and the fallback."""
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

    def _index_for(self, lo: datetime, hi: datetime) -> _Index | None:
        """The cumulative index covering ``[lo, hi]`` (UTC), built or widened on a miss; None
        when that would span more than ``_INDEX_MAX_DAYS`` (the walk answers then).

        Built once per calendar for the span a batch touches (a year of history: one index),
        then every query is two bisects. Replaced, never changed, so threads may share it.
        Queries far from it (beyond the widest span) take the walk; only after
        ``_INDEX_RESTART_MISSES`` of them is it rebuilt around the new place, so queries
        alternating between distant years do not rebuild it each time.
        """
        index = self._index
        if index is not None and index.start <= lo and hi <= index.end:
            return index
        try:
            first = lo.astimezone(self._tz).toordinal() - _INDEX_MARGIN_BEFORE
            last = hi.astimezone(self._tz).toordinal() + _INDEX_MARGIN_AFTER
        except OverflowError:
            return None
        if last - first > _INDEX_MAX_DAYS or first < 2 or last > date.max.toordinal() - 2:
            return None
        if index is not None:
            wider = min(first, index.first), max(last, index.last)
            if wider[1] - wider[0] <= _INDEX_MAX_DAYS:
                first, last = wider
            else:
                index.misses += 1  # racy, and harmless: a count, not a correctness matter
                if index.misses < _INDEX_RESTART_MISSES:
                    return None
        index = _Index(self, first, last)
        object.__setattr__(self, "_index", index)
        return index

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


class _Index:
    """The open stretches of local days ``first..last`` in order, with the business time
    elapsed before each: ``add_minutes`` and ``minutes_between`` become bisects.

    Exact, not approximate: the same stretches as the walk (:meth:`Calendar._compute_day`, so
    holidays and DST are as there) and the same whole-microsecond ``timedelta`` arithmetic.
    Stretches of days before ``first`` end by ``start`` (the UTC instant of ``first``'s local
    midnight) and those after ``last`` begin at ``end``, so an instant in ``[start, end]`` sees
    every stretch that matters, and an answer found here is the walk's (the span is narrower
    than ``MAX_SEARCH_DAYS``).
    """

    __slots__ = ("after", "before", "closes", "end", "first", "last", "misses", "opens", "start")

    def __init__(self, calendar: Calendar, first: int, last: int) -> None:
        opens: list[datetime] = []
        closes: list[datetime] = []
        before: list[timedelta] = []
        after: list[timedelta] = []
        elapsed = _ZERO
        for ordinal in range(first, last + 1):
            for open_at, close_at in calendar._day(ordinal):
                opens.append(open_at)
                closes.append(close_at)
                before.append(elapsed)
                elapsed += close_at - open_at
                after.append(elapsed)
        self.first, self.last = first, last
        self.start = calendar._local_to_utc(first, 0)
        self.end = calendar._local_to_utc(last + 1, 0)
        self.opens, self.closes, self.before, self.after = opens, closes, before, after
        self.misses = 0

    def offset(self, at: datetime) -> timedelta:
        """Business time from ``start`` to ``at`` (which lies in ``[start, end]``)."""
        i = bisect.bisect_right(self.opens, at) - 1
        if i < 0:
            return _ZERO
        if at >= self.closes[i]:
            return self.after[i]
        return self.before[i] + (at - self.opens[i])

    def add(self, cursor: datetime, remaining: timedelta) -> datetime | None:
        """``cursor`` plus ``remaining`` business time, or None when the answer lies beyond."""
        target = self.offset(cursor) + remaining
        j = bisect.bisect_left(self.after, target)
        if j == len(self.after):
            return None
        return self.opens[j] + (target - self.before[j])


_DURATIONS: dict[float, timedelta] = {}


def _duration(minutes: object) -> timedelta | None:
    """``minutes`` as a ``timedelta`` rounded to whole microseconds; None for exactly 0."""
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)):
        raise ValueError(f"minutes must be a number, got {minutes!r}.")
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"minutes must be a finite number >= 0, got {minutes!r}.")
    if minutes == 0:
        return None
    try:
        remaining = timedelta(minutes=minutes)
    except OverflowError as exc:
        raise ValueError(f"{minutes!r} minutes is too far in the future.") from exc
    if type(minutes) in (int, float):
        if len(_DURATIONS) >= 4096:
            _DURATIONS.clear()
        _DURATIONS[minutes] = remaining
    return remaining


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
