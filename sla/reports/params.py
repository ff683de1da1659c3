"""The report's query parameters: checked once, here, for the API and the pages alike.

Decisions where the contract is silent:

* ``from`` and ``to`` are optional: ``to`` defaults to today in ``tz`` and ``from`` to 29 days
  before ``to`` (the last 30 days).
* An unknown ``channel`` code or ``agent`` username is a 400 naming the parameter, not an
  empty report: a typo in a BI tool should not look like a quiet month.
* Staff read only their own figures: ``agent`` must be their own username (anything else is a
  403, whether or not that user exists) and without ``agent`` they get their own figures.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from channels_app.models import Channel, timezone_names
from core import parse
from core.roles import INTEGRATION, MANAGER, STAFF, user_roles
from sla.reports.query import GROUP_BYS, MAX_PERIOD_DAYS, ReportQuery

# The dates every parser of outside values takes (core.parse): far from where a date plus a day
# or a time zone offset would overflow.
MIN_DATE, MAX_DATE = parse.MIN_DATE, parse.MAX_DATE
DEFAULT_DAYS = 30


def _date_field(help_text, invalid) -> serializers.DateField:
    return serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text=help_text,
        error_messages={"invalid": invalid, "datetime": invalid},
    )


class ReportQuerySerializer(serializers.Serializer):
    """Query parameters of ``GET /api/v1/reports/sla/``."""

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
    group_by = serializers.ChoiceField(
        choices=GROUP_BYS,
        required=False,
        default="channel",
        help_text=_("What a row stands for. Weeks start on Monday."),
        error_messages={
            "invalid_choice": _(
                "Unknown group_by “{input}”; use channel, agent, priority, day, week or month."
            )
        },
    )
    channel = serializers.CharField(
        required=False, max_length=100, help_text=_("Only this channel (its code).")
    )
    agent = serializers.CharField(
        required=False,
        max_length=150,
        help_text=_("Only this agent (username). Staff may only give their own."),
    )

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so the field is declared as from_ and renamed here.
        renamed = {"from" if name == "from_" else name: f for name, f in fields.items()}
        return renamed

    def validate_tz(self, value):
        if value not in timezone_names():
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
            end = timezone.now().astimezone(ZoneInfo(tz)).date()
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


def report_query_for(*, user, data) -> ReportQuery:
    """Checks the parameters and the reader's rights; raises DRF's ValidationError (400) or
    PermissionDenied (403)."""
    roles = user_roles(user)
    staff_only = STAFF in roles and not roles & {MANAGER, INTEGRATION}
    if staff_only and data.get("agent") not in (None, user.get_username()):
        raise PermissionDenied(
            _("Staff may only read their own figures (agent=%(me)s).") % {"me": user.get_username()}
        )
    serializer = ReportQuerySerializer(data=data)
    serializer.is_valid(raise_exception=True)
    attrs = serializer.validated_data
    channel_id = agent_id = None
    if attrs.get("channel"):
        channel_id = (
            Channel.objects.filter(code=attrs["channel"]).values_list("id", flat=True).first()
        )
        if channel_id is None:
            raise serializers.ValidationError(
                {"channel": [_("No channel has the code “%(code)s”.") % {"code": attrs["channel"]}]}
            )
    if staff_only:
        agent_id = user.pk
    elif attrs.get("agent"):
        agent_id = (
            get_user_model()
            .objects.filter(username=attrs["agent"])
            .values_list("id", flat=True)
            .first()
        )
        if agent_id is None:
            raise serializers.ValidationError(
                {"agent": [_("No user has the username “%(name)s”.") % {"name": attrs["agent"]}]}
            )
    return ReportQuery(
        start=attrs["from"],
        end=attrs["to"],
        tz=attrs["tz"],
        group_by=attrs.get("group_by") or "channel",
        channel_id=channel_id,
        agent_id=agent_id,
    )
