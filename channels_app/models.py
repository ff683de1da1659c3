"""Channels and the business calendars their SLA clocks run on.

Opening hours are stored as whole minutes ``0..1440`` rather than ``TimeField`` because an
interval must be able to end at ``24:00``; :mod:`channels_app.businesstime` uses the same unit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from channels_app import businesstime, weekhours
from core import parse
from core.basemodels import TimeStampedModel

MINUTES_PER_DAY = businesstime.MINUTES_PER_DAY

# The kernel's list of IANA names (core.parse), named here for the apps that validate zones.
timezone_names = parse.timezone_names


def validate_timezone(value: str) -> None:
    if value not in timezone_names():
        raise ValidationError(
            _("“%(value)s” is not a known time zone; use an IANA name such as Europe/Warsaw."),
            code="invalid_timezone",
            params={"value": value},
        )


def format_minutes(minutes: int) -> str:
    """Minutes since midnight as ``HH:MM`` (1440 gives ``24:00``)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class BusinessCalendarQuerySet(models.QuerySet):
    def with_schedule(self):
        """Hours and holidays in two extra queries, whatever the number of calendars."""
        return self.prefetch_related("hours", "holidays")


class BusinessCalendar(TimeStampedModel):
    """Time zone, weekly opening intervals and holidays that business time is measured in."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("A calendar with this name already exists.")},
    )
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        validators=[validate_timezone],
        help_text=_("IANA time zone name, e.g. Europe/Warsaw. Opening hours are local to it."),
    )
    always_open = models.BooleanField(
        _("always open"),
        default=False,
        help_text=_("Business time runs around the clock; opening hours and holidays are ignored."),
    )

    objects = BusinessCalendarQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def to_business_calendar(self) -> businesstime.Calendar:
        """The pure calendar the SLA arithmetic runs on.

        Reads ``hours`` and ``holidays`` through ``.all()`` so that prefetched rows are used;
        callers wanting it cached go through ``selectors.calendar_business_calendar``.
        """
        if self.always_open:
            return businesstime.Calendar(self.timezone, (), always_open=True)
        return businesstime.Calendar(
            self.timezone,
            [(h.weekday, h.start_minute, h.end_minute) for h in self.hours.all()],
            holidays=[h.date for h in self.holidays.all()],
        )

    def hours_summary(self) -> str:
        """Compact weekly hours ("Mon–Fri 09:00–18:00; Sat 22:00–06:00") from prefetched rows.

        A night shift stored as two days is shown as the one row the calendar page shows.
        """
        if self.always_open:
            return str(_("Always open"))
        by_day: dict[int, list[str]] = {}
        rows = weekhours.merge_intervals(
            (h.weekday, h.start_minute, h.end_minute) for h in self.hours.all()
        )
        for weekday, start, end in rows:
            by_day.setdefault(weekday, []).append(f"{format_minutes(start)}–{format_minutes(end)}")
        parts: list[str] = []
        day = 0
        while day < 7:
            spans = by_day.get(day)
            if not spans:
                day += 1
                continue
            last = day
            while last + 1 < 7 and by_day.get(last + 1) == spans:
                last += 1
            days = str(WEEKDAYS_ABBR[day])
            if last > day:
                days = f"{days}–{WEEKDAYS_ABBR[last]}"
            parts.append(f"{days} {', '.join(spans)}")
            day = last + 1
        return "; ".join(parts) if parts else str(_("No opening hours"))


class OpeningInterval(TimeStampedModel):
    """One open stretch of a weekday, in the calendar's local wall time."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, WEEKDAYS[0]
        TUESDAY = 1, WEEKDAYS[1]
        WEDNESDAY = 2, WEEKDAYS[2]
        THURSDAY = 3, WEEKDAYS[3]
        FRIDAY = 4, WEEKDAYS[4]
        SATURDAY = 5, WEEKDAYS[5]
        SUNDAY = 6, WEEKDAYS[6]

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="hours",
        verbose_name=_("calendar"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_minute = models.PositiveSmallIntegerField(
        _("start minute"),
        validators=[MaxValueValidator(MINUTES_PER_DAY - 1)],
        help_text=_("Minutes after local midnight, 0–1439."),
    )
    end_minute = models.PositiveSmallIntegerField(
        _("end minute"),
        validators=[MinValueValidator(1), MaxValueValidator(MINUTES_PER_DAY)],
        help_text=_("Minutes after local midnight, 1–1440 (1440 is 24:00)."),
    )

    class Meta:
        ordering = ["calendar", "weekday", "start_minute"]
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening intervals")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="channels_interval_weekday_range",
                violation_error_message=_("The weekday must be 0 (Monday) to 6 (Sunday)."),
            ),
            models.CheckConstraint(
                condition=Q(
                    start_minute__gte=0,
                    start_minute__lt=models.F("end_minute"),
                    end_minute__lte=MINUTES_PER_DAY,
                ),
                name="channels_interval_start_before_end",
                violation_error_message=_(
                    "An opening interval must start before it ends, within 00:00–24:00."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.label()}"

    @property
    def start(self) -> str:
        return format_minutes(self.start_minute)

    @property
    def end(self) -> str:
        return format_minutes(self.end_minute)

    def label(self) -> str:
        return f"{self.start}–{self.end}"


class Holiday(TimeStampedModel):
    """A local date on which the calendar is closed all day."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="holidays",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"],
                name="channels_holiday_unique_date",
                violation_error_message=_("This calendar already has a holiday on that date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class ChannelQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_related(self):
        """Calendar and owner joined in, so lists and the SLA engine need no extra queries."""
        return self.select_related("calendar", "owner")


class ChannelKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Social network")
    MESSENGER = "messenger", _("Messenger")
    OFFICE = "office", _("Office")
    OTHER = "other", _("Other")


class Channel(TimeStampedModel):
    """Where contacts come from; its calendar decides when SLA clocks run."""

    # Defined at module level only because Meta (a nested scope) could not see it otherwise.
    Kind = ChannelKind

    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        error_messages={"unique": _("A channel with this code already exists.")},
        help_text=_("Short identifier used by the API and integrations, e.g. “chat”."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("business calendar"),
        help_text=_("Empty means always open."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_channels",
        verbose_name=_("owner"),
        help_text=_("Receives the breach notifications of this channel."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ChannelKind.values),
                name="channels_channel_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name
