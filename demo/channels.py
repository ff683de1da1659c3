"""Demo calendars and channels; ``seed_demo`` calls :func:`seed`. Safe to run again and again."""

from __future__ import annotations

from django.db import transaction

from channels_app import services
from channels_app.models import BusinessCalendar, Channel

OFFICE_HOURS = "Office hours (Warsaw)"
CONTACT_CENTRE = "Contact centre"
AROUND_THE_CLOCK = "Around the clock"

_WARSAW = "Europe/Warsaw"
_MON_FRI = range(5)
_SATURDAY = 5

CALENDARS = {
    OFFICE_HOURS: {
        "timezone": _WARSAW,
        "always_open": False,
        "hours": [(day, 9 * 60, 18 * 60) for day in _MON_FRI],
        "holiday_years": (2026, 2027),
    },
    CONTACT_CENTRE: {
        "timezone": _WARSAW,
        "always_open": False,
        "hours": [(day, 8 * 60, 20 * 60) for day in _MON_FRI] + [(_SATURDAY, 10 * 60, 16 * 60)],
        "holiday_years": (),
    },
    AROUND_THE_CLOCK: {
        "timezone": _WARSAW,
        "always_open": True,
        "hours": [],
        "holiday_years": (),
    },
}

# code: (name, kind, calendar name)
CHANNELS = {
    "phone": ("Phone hotline", Channel.Kind.PHONE, CONTACT_CENTRE),
    "chat": ("Website chat", Channel.Kind.CHAT, CONTACT_CENTRE),
    "email": ("Email", Channel.Kind.EMAIL, OFFICE_HOURS),
    "facebook": ("Facebook", Channel.Kind.SOCIAL, CONTACT_CENTRE),
    "instagram": ("Instagram", Channel.Kind.SOCIAL, CONTACT_CENTRE),
    "whatsapp": ("WhatsApp", Channel.Kind.MESSENGER, AROUND_THE_CLOCK),
    "office": ("Walk-in office", Channel.Kind.OFFICE, OFFICE_HOURS),
}


@transaction.atomic
def seed(*, owner) -> dict[str, Channel]:
    """Create or update the demo calendars and channels, through the services like any user.

    Holidays already present are kept (the import skips known dates), so a re-run adds nothing.
    """
    calendars = {name: _calendar_upsert(name, **spec) for name, spec in CALENDARS.items()}
    channels: dict[str, Channel] = {}
    for code, (name, kind, calendar_name) in CHANNELS.items():
        fields = {
            "name": name,
            "kind": kind,
            "calendar": calendars[calendar_name],
            "owner": owner,
            "is_active": True,
        }
        existing = Channel.objects.filter(code=code).first()
        if existing is None:
            channels[code] = services.channel_create(code=code, **fields)
        else:
            channels[code] = services.channel_update(channel=existing, **fields)
    return channels


def _calendar_upsert(name, *, timezone, always_open, hours, holiday_years) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(name=name).first()
    if calendar is None:
        calendar = services.calendar_create(
            name=name, timezone=timezone, always_open=always_open, hours=hours
        )
    elif (
        calendar.timezone != timezone
        or calendar.always_open != always_open
        or sorted((h.weekday, h.start_minute, h.end_minute) for h in calendar.hours.all())
        != sorted(hours)
    ):
        # Only when something differs, so a re-run leaves updated_at (and caches) alone.
        services.calendar_update(
            calendar=calendar, timezone=timezone, always_open=always_open, hours=hours
        )
    for year in holiday_years:
        services.calendar_import_holidays(calendar=calendar, country="PL", year=year)
    return calendar
