"""Writes for channels and business calendars: the one code path for pages, API and commands.

Every function validates the whole change first and raises a Django ``ValidationError`` keyed by
field (``name``, ``timezone``, ``hours``, ``holidays``, ...) so that forms and the API can show
every problem at once, and writes nothing unless all of it is valid.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import pairwise

import holidays as holiday_data
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from channels_app import businesstime, signals
from channels_app.models import (
    MINUTES_PER_DAY,
    BusinessCalendar,
    Channel,
    Holiday,
    OpeningInterval,
    format_minutes,
)

# Years the holiday import accepts: wide enough for any SLA history, narrow enough to catch typos.
IMPORT_MIN_YEAR = 2000
IMPORT_MAX_YEAR = 2100

HOLIDAY_NAME_MAX_LENGTH = Holiday._meta.get_field("name").max_length

_UNSET = object()

HoursInput = Iterable[tuple[int, int, int]]
HolidaysInput = Iterable[tuple[date, str]]


# -- validation helpers --------------------------------------------------------------------------


def _interval_label(weekday: int, start: int, end: int) -> str:
    day = WEEKDAYS[weekday] if isinstance(weekday, int) and 0 <= weekday <= 6 else str(weekday)
    return f"{day} {_hhmm_or_raw(start)}–{_hhmm_or_raw(end)}"


def _hhmm_or_raw(minutes) -> str:
    if isinstance(minutes, int) and 0 <= minutes <= MINUTES_PER_DAY:
        return format_minutes(minutes)
    return str(minutes)


def opening_hours_problems(hours: Sequence[tuple[int, int, int]]) -> list[str]:
    """Translated problems with a week of opening intervals; empty when usable.

    The checks mirror ``businesstime.validate_intervals`` so that users read their own language;
    the pure module still has the last word, so nothing it would reject can slip through.
    """
    problems: list[str] = []
    by_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for weekday, start, end in hours:
        label = _interval_label(weekday, start, end)
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            problems.append(
                gettext("%(interval)s: the weekday must be 0 (Monday) to 6 (Sunday).")
                % {"interval": label}
            )
        elif not 0 <= start < MINUTES_PER_DAY:
            problems.append(
                gettext("%(interval)s: the start must be between 00:00 and 23:59.")
                % {"interval": label}
            )
        elif not 0 < end <= MINUTES_PER_DAY:
            problems.append(
                gettext("%(interval)s: the end must be between 00:01 and 24:00.")
                % {"interval": label}
            )
        elif start >= end:
            problems.append(
                gettext("%(interval)s: the start must be before the end.") % {"interval": label}
            )
        else:
            by_day[weekday].append((start, end))
    for weekday in sorted(by_day):
        spans = sorted(by_day[weekday])
        for (s1, e1), (s2, e2) in pairwise(spans):
            if s2 < e1:
                problems.append(
                    gettext("%(first)s overlaps %(second)s.")
                    % {
                        "first": _interval_label(weekday, s1, e1),
                        "second": _interval_label(weekday, s2, e2),
                    }
                )
    if not problems:
        problems = businesstime.validate_intervals(list(hours))
    return problems


def _holiday_problems(entries: Sequence[tuple[date, str]]) -> list[str]:
    problems: list[str] = []
    for day, count in sorted(Counter(day for day, _name in entries).items()):
        if count > 1:
            problems.append(
                gettext("%(date)s is listed more than once.")
                % {"date": date_format(day, "SHORT_DATE_FORMAT")}
            )
    for day, name in entries:
        if not (name or "").strip():
            problems.append(
                gettext("The holiday on %(date)s needs a name.")
                % {"date": date_format(day, "SHORT_DATE_FORMAT")}
            )
        elif len(name) > HOLIDAY_NAME_MAX_LENGTH:
            problems.append(
                gettext("The name of the holiday on %(date)s is longer than %(max)d characters.")
                % {"date": date_format(day, "SHORT_DATE_FORMAT"), "max": HOLIDAY_NAME_MAX_LENGTH}
            )
    return problems


def _errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {"__all__": list(exc.messages)}


def _save_unique(instance, *, field: str, message) -> None:
    """Save, turning a lost race on a unique column into the same error full_clean gives."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise ValidationError({field: [message]}) from None


# -- business calendars --------------------------------------------------------------------------


@transaction.atomic
def calendar_create(
    *,
    name: str,
    timezone: str,
    always_open: bool = False,
    hours: HoursInput = (),
    holidays: HolidaysInput = (),
) -> BusinessCalendar:
    calendar = BusinessCalendar(name=name, timezone=timezone, always_open=always_open)
    return _calendar_save(calendar, hours=list(hours), holidays=list(holidays))


@transaction.atomic
def calendar_update(
    *,
    calendar: BusinessCalendar,
    name: str | None = None,
    timezone: str | None = None,
    always_open: bool | None = None,
    hours: HoursInput | None = None,
    holidays: HolidaysInput | None = None,
) -> BusinessCalendar:
    """Change what is given; ``hours`` and ``holidays``, when given, replace the old rows.

    The calendar row is locked so that concurrent edits and holiday imports apply one after the
    other, and it is always saved so its ``updated_at`` moves and cached pure calendars go stale.
    """
    locked = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    if name is not None:
        locked.name = name
    if timezone is not None:
        locked.timezone = timezone
    if always_open is not None:
        locked.always_open = always_open
    _calendar_save(
        locked,
        hours=None if hours is None else list(hours),
        holidays=None if holidays is None else list(holidays),
    )
    _refresh_from(calendar, locked)
    signals.calendar_changed.send(sender=BusinessCalendar, calendar_ids=[locked.pk])
    return calendar


def _calendar_save(
    calendar: BusinessCalendar,
    *,
    hours: list[tuple[int, int, int]] | None,
    holidays: list[tuple[date, str]] | None,
) -> BusinessCalendar:
    errors: dict[str, list[str]] = {}
    try:
        calendar.full_clean()
    except ValidationError as exc:
        errors.update(_errors_of(exc))
    if hours is not None and (problems := opening_hours_problems(hours)):
        errors["hours"] = problems
    if holidays is not None and (problems := _holiday_problems(holidays)):
        errors["holidays"] = problems
    if errors:
        raise ValidationError(errors)

    _save_unique(calendar, field="name", message=_("A calendar with this name already exists."))
    if hours is not None:
        calendar.hours.all().delete()
        OpeningInterval.objects.bulk_create(
            OpeningInterval(calendar=calendar, weekday=w, start_minute=s, end_minute=e)
            for w, s, e in sorted(hours)
        )
    if holidays is not None:
        calendar.holidays.all().delete()
        Holiday.objects.bulk_create(
            Holiday(calendar=calendar, date=day, name=name.strip())
            for day, name in sorted(holidays)
        )
    # Drop anything prefetched before the change, so the caller sees the new rows.
    getattr(calendar, "_prefetched_objects_cache", {}).clear()
    return calendar


def _refresh_from(target: BusinessCalendar, source: BusinessCalendar) -> None:
    for field in ("name", "timezone", "always_open", "created_at", "updated_at"):
        setattr(target, field, getattr(source, field))
    getattr(target, "_prefetched_objects_cache", {}).clear()


@transaction.atomic
def calendar_delete(*, calendar: BusinessCalendar) -> None:
    """Delete, or explain which channels still run on the calendar (they are PROTECTed)."""
    try:
        calendar.delete()
    except (ProtectedError, RestrictedError) as exc:
        blockers = getattr(exc, "protected_objects", None) or exc.restricted_objects
        codes = sorted(obj.code for obj in blockers if isinstance(obj, Channel)) or sorted(
            str(obj) for obj in blockers
        )
        raise ValidationError(
            _(
                "This calendar is used by the channels %(channels)s; give them another "
                "calendar before deleting it."
            ),
            code="protected",
            params={"channels": ", ".join(codes)},
        ) from None


def _holiday_language(supported: Iterable[str]) -> str | None:
    """The interface language if the country's data has it, else the data's own default."""
    wanted = (get_language() or settings.LANGUAGE_CODE).replace("-", "_").lower()
    by_lower = {code.lower(): code for code in supported}
    if wanted in by_lower:
        return by_lower[wanted]
    prefix = wanted.split("_")[0]
    for lower, code in sorted(by_lower.items()):
        if lower.split("_")[0] == prefix:
            return code
    return None


@transaction.atomic
def calendar_import_holidays(
    *, calendar: BusinessCalendar, country: str, year: int, subdiv: str | None = None
) -> int:
    """Add a country's public holidays for one year; dates already present are kept as they are.

    Returns how many holidays were added, so running it twice adds 0 the second time.
    """
    country = (country or "").strip().upper()
    subdiv = (subdiv or "").strip().upper() or None
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not IMPORT_MIN_YEAR <= year <= IMPORT_MAX_YEAR:
        errors["year"] = [
            gettext("Choose a year between %(min)d and %(max)d.")
            % {"min": IMPORT_MIN_YEAR, "max": IMPORT_MAX_YEAR}
        ]
    supported = holiday_data.list_supported_countries()
    if country not in supported:
        errors["country"] = [
            gettext("No holiday data for the country “%(country)s”; use a two-letter ISO code.")
            % {"country": country}
        ]
    elif subdiv is not None and subdiv not in supported[country]:
        errors["subdiv"] = [
            gettext("“%(country)s” has no subdivision “%(subdiv)s”; known codes: %(known)s.")
            % {"country": country, "subdiv": subdiv, "known": ", ".join(supported[country])}
        ]
    if errors:
        raise ValidationError(errors)

    try:
        entries = holiday_data.country_holidays(country, years=year, subdiv=subdiv)
        language = _holiday_language(entries.supported_languages)
        if language is not None:
            entries = holiday_data.country_holidays(
                country, years=year, subdiv=subdiv, language=language
            )
    except NotImplementedError as exc:  # the package's way of saying "unknown code"
        raise ValidationError({"country": [str(exc)]}) from None

    locked = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    existing = set(locked.holidays.filter(date__in=list(entries)).values_list("date", flat=True))
    new = [
        Holiday(calendar=locked, date=day, name=name[:HOLIDAY_NAME_MAX_LENGTH])
        for day, name in sorted(entries.items())
        if day not in existing
    ]
    if new:
        Holiday.objects.bulk_create(new)
        locked.save(update_fields=["updated_at"])
        signals.calendar_changed.send(sender=BusinessCalendar, calendar_ids=[locked.pk])
    _refresh_from(calendar, locked)
    return len(new)


# -- channels ------------------------------------------------------------------------------------


@transaction.atomic
def channel_create(
    *,
    code: str,
    name: str,
    kind: str = Channel.Kind.OTHER,
    calendar: BusinessCalendar | None = None,
    owner=None,
    is_active: bool = True,
) -> Channel:
    channel = Channel(
        code=code, name=name, kind=kind, calendar=calendar, owner=owner, is_active=is_active
    )
    channel.full_clean()
    _save_unique(channel, field="code", message=_("A channel with this code already exists."))
    return channel


@transaction.atomic
def channel_update(
    *,
    channel: Channel,
    code=_UNSET,
    name=_UNSET,
    kind=_UNSET,
    calendar=_UNSET,
    owner=_UNSET,
    is_active=_UNSET,
) -> Channel:
    """Change the fields that are given (``calendar=None`` means always open, so a sentinel)."""
    changes = {
        "code": code,
        "name": name,
        "kind": kind,
        "calendar": calendar,
        "owner": owner,
        "is_active": is_active,
    }
    calendar_before = channel.calendar_id
    for field, value in changes.items():
        if value is not _UNSET:
            setattr(channel, field, value)
    channel.full_clean()
    _save_unique(channel, field="code", message=_("A channel with this code already exists."))
    if channel.calendar_id != calendar_before:
        signals.channel_changed.send(sender=Channel, channel_ids=[channel.pk])
    return channel


@transaction.atomic
def channel_delete(*, channel: Channel) -> None:
    """Delete, or explain that recorded data (contacts, policies) still refers to the channel."""
    try:
        channel.delete()
    except (ProtectedError, RestrictedError):
        raise ValidationError(
            _("This channel still has data recorded against it; deactivate it instead."),
            code="protected",
        ) from None
