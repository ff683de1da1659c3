"""The SLA report's query parameters (also the satisfaction report's): the kernel's period rule
(:class:`core.reports.period.PeriodQuerySerializer`: ``from``, ``to``, ``tz``, their defaults,
limits and messages) with the SLA dimensions, checked once, here, for the API and the pages.

Decisions where the contract is silent:

* An unknown ``channel`` code or ``agent`` username is a 400 naming the parameter, not an
  empty report: a typo in a BI tool should not look like a quiet month.
* Staff read only their own figures: ``agent`` must be their own username (anything else is a
  403, whether or not that user exists) and without ``agent`` they get their own figures.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from channels_app.models import Channel
from core.reports.period import PeriodQuerySerializer
from core.roles import INTEGRATION, MANAGER, STAFF, user_roles
from sla.reports.report import GROUP_BYS, ReportQuery


class ReportQuerySerializer(PeriodQuerySerializer):
    """Query parameters of ``GET /api/v1/reports/sla/``: the period, then the grouping and the
    filters."""

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
