"""Query filters of the SLA lists; timestamps must carry an offset, as everywhere in the API."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from sla.models import Breach, Contact, Metric


class AwareIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 with an offset only, like every timestamp of the API."""

    def to_python(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                raise DjangoValidationError(
                    _(
                        "Give the time with a UTC offset, e.g. 2026-01-31T09:30:00Z "
                        "(a + in an offset must be URL-encoded)."
                    ),
                    code="naive",
                )
        parsed = super().to_python(value)
        if parsed is None:
            return None
        # In UTC before it reaches the database: PostgreSQL refuses offsets beyond ±15:59, which
        # ISO 8601 (and Python) allow, and a far-past instant can overflow when converted.
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            raise DjangoValidationError(_("This time is out of range."), code="overflow") from None


class AwareIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = AwareIsoDateTimeField


class ContactFilter(django_filters.FilterSet):
    channel = django_filters.CharFilter(field_name="channel__code", help_text=_("Channel code."))
    agent = django_filters.CharFilter(field_name="agent__username", help_text=_("Username."))
    status = django_filters.ChoiceFilter(choices=Contact.Status.choices)
    first_response_state = django_filters.ChoiceFilter(choices=Contact.FirstResponseState.choices)
    resolution_state = django_filters.ChoiceFilter(choices=Contact.ResolutionState.choices)
    opened_after = AwareIsoDateTimeFilter(
        field_name="opened_at", lookup_expr="gte", help_text=_("Opened at or after (inclusive).")
    )
    opened_before = AwareIsoDateTimeFilter(
        field_name="opened_at", lookup_expr="lt", help_text=_("Opened before (exclusive).")
    )

    class Meta:
        model = Contact
        fields = []


class BreachFilter(django_filters.FilterSet):
    channel = django_filters.CharFilter(
        field_name="contact__channel__code", help_text=_("Channel code.")
    )
    agent = django_filters.CharFilter(
        field_name="contact__agent__username", help_text=_("Username.")
    )
    metric = django_filters.ChoiceFilter(choices=Metric.choices)
    detected_after = AwareIsoDateTimeFilter(
        field_name="detected_at", lookup_expr="gte", help_text=_("Detected at or after.")
    )
    detected_before = AwareIsoDateTimeFilter(
        field_name="detected_at", lookup_expr="lt", help_text=_("Detected before (exclusive).")
    )

    class Meta:
        model = Breach
        fields = []
