"""A person's working hours and time zone, which reminders honour."""

from __future__ import annotations

from datetime import time

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from channels_app.models import timezone_names
from training.models import TrainingProfile
from training.services.common import require_manager


def working_hours_validate(*, timezone_name: str, work_start: time | None, work_end: time | None):
    """The rules of a person's working hours, for the page and the admin alike."""
    errors = {}
    if timezone_name and timezone_name not in timezone_names():
        errors["timezone"] = [
            gettext("“%(value)s” is not a known time zone; use an IANA name such as Europe/Warsaw.")
            % {"value": timezone_name}
        ]
    if (work_start is None) != (work_end is None):
        field = "work_end" if work_end is None else "work_start"
        errors[field] = [
            gettext("Give both the start and the end of the working hours, or neither.")
        ]
    elif work_start is not None and work_start == work_end:
        # An end before the start is a night shift (22:00 to 06:00), which reminders honour.
        errors["work_end"] = [gettext("The working hours cannot start and end at the same time.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def training_profile_update(
    *, user: User, by, timezone_name: str = "", work_start: time | None, work_end: time | None
) -> TrainingProfile:
    """Set when a person works (in their time zone; empty: the portal's). Reminders reach them
    on weekdays within these hours; without hours, at any time."""
    require_manager(by)
    timezone_name = (timezone_name or "").strip()
    working_hours_validate(timezone_name=timezone_name, work_start=work_start, work_end=work_end)
    profile, _created = TrainingProfile.objects.update_or_create(
        user=user,
        defaults={"timezone": timezone_name, "work_start": work_start, "work_end": work_end},
    )
    return profile
