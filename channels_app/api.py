"""REST API for business calendars and channels (``/api/v1/calendars/``, ``/api/v1/channels/``).

Serializers only check the shape of the input and translate it to service arguments; the
services decide whether a calendar or channel is valid, so the API and the pages agree.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from channels_app import selectors, services
from channels_app.models import BusinessCalendar, Channel, format_minutes
from core.fields import FilterSet
from core.roles import ALL_ROLES, MANAGER

HHMM_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$"
_HHMM_RE = re.compile(HHMM_PATTERN)


@extend_schema_field(
    {"type": "string", "pattern": HHMM_PATTERN, "example": "09:00"},
)
class HHMMField(serializers.Field):
    """Local wall time as ``HH:MM``, stored as minutes; ``24:00`` is the end of the day."""

    default_error_messages = {
        "invalid": _("Enter a time as HH:MM between 00:00 and 24:00."),
    }

    def to_representation(self, value: int) -> str:
        return format_minutes(value)

    def to_internal_value(self, data) -> int:
        if not isinstance(data, str) or not _HHMM_RE.fullmatch(data):
            self.fail("invalid")
        hours, minutes = data.split(":")
        return int(hours) * 60 + int(minutes)


class OpeningIntervalSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(
        min_value=0, max_value=6, help_text=_("0 = Monday … 6 = Sunday.")
    )
    start = HHMMField(source="start_minute")
    end = HHMMField(source="end_minute", help_text=_("May be 24:00."))


class HolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=services.HOLIDAY_NAME_MAX_LENGTH)


class CalendarSerializer(serializers.ModelSerializer):
    hours = OpeningIntervalSerializer(many=True, required=False)
    holidays = HolidaySerializer(many=True, required=False)

    class Meta:
        model = BusinessCalendar
        fields = ["id", "name", "timezone", "always_open", "hours", "holidays"]

    def to_service_kwargs(self) -> dict:
        data = dict(self.validated_data)
        if "hours" in data:
            data["hours"] = [
                (h["weekday"], h["start_minute"], h["end_minute"]) for h in data["hours"]
            ]
        if "holidays" in data:
            data["holidays"] = [(h["date"], h["name"]) for h in data["holidays"]]
        return data


_CALENDAR_HELP = _("Business calendar id; null means always open.")


class ChannelSerializer(serializers.ModelSerializer):
    calendar = serializers.PrimaryKeyRelatedField(
        queryset=BusinessCalendar.objects.all(),
        allow_null=True,
        required=False,
        help_text=_CALENDAR_HELP,
    )

    class Meta:
        model = Channel
        fields = ["id", "code", "name", "kind", "calendar", "is_active"]


# Responses always carry every field, but DRF marks optional input fields as not required, which
# the schema would then repeat for responses too. These read-only twins describe responses
# exactly; they are used for the schema only.
@extend_schema_serializer(component_name="Calendar")
class CalendarResponseSerializer(CalendarSerializer):
    hours = OpeningIntervalSerializer(many=True, read_only=True)
    holidays = HolidaySerializer(many=True, read_only=True)

    class Meta(CalendarSerializer.Meta):
        read_only_fields = CalendarSerializer.Meta.fields


@extend_schema_serializer(component_name="Channel")
class ChannelResponseSerializer(ChannelSerializer):
    calendar = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_CALENDAR_HELP
    )

    class Meta(ChannelSerializer.Meta):
        read_only_fields = ChannelSerializer.Meta.fields


def _responses(serializer):
    single = extend_schema(responses=serializer)
    return extend_schema_view(
        list=extend_schema(responses=serializer(many=True)),
        retrieve=single,
        create=extend_schema(responses={201: serializer}),
        update=single,
        partial_update=single,
    )


class ChannelFilter(FilterSet):
    class Meta:
        model = Channel
        fields = ["kind", "is_active"]


@_responses(CalendarResponseSerializer)
class CalendarViewSet(viewsets.ModelViewSet):
    """Business calendars: time zone, weekly opening hours, holidays."""

    serializer_class = CalendarSerializer
    read_roles = ALL_ROLES
    write_roles = (MANAGER,)

    def get_queryset(self):
        return selectors.calendar_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.calendar_create(**serializer.to_service_kwargs())

    def perform_update(self, serializer):
        serializer.instance = services.calendar_update(
            calendar=serializer.instance, **serializer.to_service_kwargs()
        )

    def perform_destroy(self, instance):
        services.calendar_delete(calendar=instance)


@_responses(ChannelResponseSerializer)
class ChannelViewSet(viewsets.ModelViewSet):
    """Contact channels, looked up by their ``code``."""

    serializer_class = ChannelSerializer
    filterset_class = ChannelFilter
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    read_roles = ALL_ROLES
    write_roles = (MANAGER,)

    def get_queryset(self):
        return selectors.channel_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.channel_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.channel_update(
            channel=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.channel_delete(channel=instance)


def register(router):
    """Add this app's viewsets to the API router."""
    router.register("calendars", CalendarViewSet, basename="calendar")
    router.register("channels", ChannelViewSet, basename="channel")
