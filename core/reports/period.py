"""A report's period and the one rule that reads it from outside, for every report (SLA,
satisfaction, standards) and for the API and the pages alike.

A period is local dates ``start``–``end`` (inclusive) in an IANA time zone ``tz``; what it
covers is ``bounds()``, [start 00:00, end + 1 00:00) in that zone.

Decisions where the contract (docs/api.md) is silent:

* ``from`` and ``to`` are optional: ``to`` defaults to today in ``tz`` (or to ``from`` when that
  is later) and ``from`` to 29 days before ``to`` (the last :data:`DEFAULT_DAYS` days).
* ``from`` and ``to`` lie within :data:`core.parse.MIN_DATE` .. ``MAX_DATE`` and at most
  :data:`MAX_PERIOD_DAYS` days apart; ``tz`` defaults to ``settings.TIME_ZONE``.
* The pages' "last N days" (:meth:`Period.last_days`) are the API's default for N = 30: whole
  local days of the portal's zone, today included.

A report extends :class:`PeriodQuerySerializer` with its own filters and :class:`Period` with
its own dimensions (``sla.reports.report.ReportQuery``); the pages' picker is
:class:`core.reports.forms.PeriodForm`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import parse

# The dates every parser of outside values takes (core.parse): far from where a date plus a day
# or a time zone offset would overflow.
MIN_DATE, MAX_DATE = parse.MIN_DATE, parse.MAX_DATE
DEFAULT_DAYS = 30
MAX_PERIOD_DAYS = 366
TIME_GROUPS = ("day", "week", "month")


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)


def local_today(tz: str | None = None, *, now: dt.datetime | None = None) -> dt.date:
    """Today in ``tz`` (default: the portal's time zone)."""
    return (now or timezone.now()).astimezone(ZoneInfo(tz or settings.TIME_ZONE)).date()


def time_key(day: dt.date, group_by: str) -> dt.date:
    """The day, its week's Monday or its month's first day."""
    if group_by == "week":
        return day - dt.timedelta(days=day.weekday())
    if group_by == "month":
        return day.replace(day=1)
    return day


def truncated(field: str, grain: str, zone: ZoneInfo):
    """:func:`time_key` in the database: the ORM expression of ``field``'s day, week or month
    in ``zone``."""
    return {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}[grain](field, tzinfo=zone)


def trend_grain(start: dt.date, end: dt.date) -> str:
    """A chart's grain for a period: days up to a month, weeks up to about four months,
    months beyond."""
    days = (end - start).days + 1
    if days <= 31:
        return "day"
    if days <= 120:
        return "week"
    return "month"


def time_slots(start: dt.date, end: dt.date, grain: str) -> list[str]:
    """Every key (:func:`time_key`) of the period in order, so that a chart shows empty days too."""
    keys, day = [], start
    while day <= end:
        key = time_key(day, grain).isoformat()
        if not keys or keys[-1] != key:
            keys.append(key)
        day += dt.timedelta(days=1)
    return keys


def slot_ticks(slots: list[str], grain: str) -> list[str]:
    """Short tick labels in the page's language: "6 Dec" for days and weeks, "Dec 2026" for
    months (the ISO keys stay in the tooltips and the tables)."""
    fmt = "M Y" if grain == "month" else "j M"
    return [date_format(dt.date.fromisoformat(slot), fmt) for slot in slots]


@dataclass(frozen=True)
class Period:
    """Local dates ``start`` to ``end`` (inclusive) in the time zone ``tz``."""

    start: dt.date
    end: dt.date
    tz: str

    def __post_init__(self):
        if self.start > self.end:
            raise ValueError("start after end")

    @classmethod
    def last_days(cls, days: int, *, now: dt.datetime | None = None, tz=None, **fields):
        """The last ``days`` local days, today included, in ``tz`` (default: the portal's time
        zone); ``fields``: a subclass's own."""
        tz = tz or settings.TIME_ZONE
        today = local_today(tz, now=now)
        return cls(start=today - dt.timedelta(days=days - 1), end=today, tz=tz, **fields)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start 00:00, end+1 00:00) in the period's time zone, as aware datetimes."""
        return local_midnight(self.start, self.zone), local_midnight(
            self.end + dt.timedelta(days=1), self.zone
        )


def _date_field(help_text, invalid) -> serializers.DateField:
    return serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text=help_text,
        error_messages={"invalid": invalid, "datetime": invalid},
    )


# ``from`` is a Python keyword: a serializer declares the field as ``from_`` and this names it
# ``from``. (No docstrings here or below: the OpenAPI schema would give them to every report's
# answer as its description.)
class FromFieldMixin:
    def get_fields(self):
        fields = super().get_fields()
        return {"from" if name == "from_" else name: f for name, f in fields.items()}


# The period a report's answer states (``from``, ``to``, ``tz``), before its own fields.
class PeriodAnswerSerializer(FromFieldMixin, serializers.Serializer):
    from_ = serializers.DateField()
    to = serializers.DateField()
    tz = serializers.CharField()


class PeriodQuerySerializer(FromFieldMixin, serializers.Serializer):
    """``from``, ``to`` and ``tz``, as every report's query takes them; validated, ``from`` and
    ``to`` are filled in and ``tz`` is a known zone (see the module's decisions)."""

    from_ = _date_field(
        _("First local date of the period (YYYY-MM-DD, inclusive). Default: 29 days before “to”."),
        _("“from” must be a date in the form YYYY-MM-DD."),
    )
    to = _date_field(
        _("Last local date of the period (YYYY-MM-DD, inclusive). Default: today."),
        _("“to” must be a date in the form YYYY-MM-DD."),
    )
    tz = serializers.CharField(
        required=False,
        max_length=64,
        help_text=_(
            "IANA time zone of the dates and of the day, week and month keys. "
            "Default: the portal's time zone."
        ),
    )

    def validate_tz(self, value):
        if value not in parse.timezone_names():
            raise serializers.ValidationError(
                _("“%(value)s” is not a known time zone; use an IANA name such as Europe/Warsaw.")
                % {"value": value}
            )
        return value

    def validate(self, attrs):
        tz = attrs.get("tz") or settings.TIME_ZONE
        attrs["tz"] = tz
        errors = {}
        for name in ("from", "to"):
            day = attrs.get(name)
            if day is not None and not (MIN_DATE <= day <= MAX_DATE):
                errors[name] = [
                    _("“%(name)s” must lie between %(min)s and %(max)s.")
                    % {"name": name, "min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
                ]
        if errors:
            raise serializers.ValidationError(errors)
        end = attrs.get("to")
        if end is None:
            end = local_today(tz)
            if attrs.get("from") and attrs["from"] > end:
                end = attrs["from"]
        start = attrs.get("from") or max(MIN_DATE, end - dt.timedelta(days=DEFAULT_DAYS - 1))
        if start > end:
            raise serializers.ValidationError(
                {
                    "from": [
                        _("“from” (%(from)s) is after “to” (%(to)s).") % {"from": start, "to": end}
                    ]
                }
            )
        days = (end - start).days
        if days > MAX_PERIOD_DAYS:
            raise serializers.ValidationError(
                {
                    "to": [
                        _(
                            "“from” and “to” may be at most %(max)d days apart; "
                            "these are %(days)d days apart."
                        )
                        % {"max": MAX_PERIOD_DAYS, "days": days}
                    ]
                }
            )
        attrs["from"], attrs["to"] = start, end
        return attrs


def period_for(data) -> Period:
    """The period of a report's query parameters; raises DRF's ValidationError (a 400)."""
    serializer = PeriodQuerySerializer(data=data)
    serializer.is_valid(raise_exception=True)
    attrs = serializer.validated_data
    return Period(start=attrs["from"], end=attrs["to"], tz=attrs["tz"])
