"""Query filters of the SLA lists; timestamps must carry an offset, as everywhere in the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from core.fields import FilterSet, InstantFilter
from sla.models import Breach, Contact, Metric


class ContactFilter(FilterSet):
    channel = django_filters.CharFilter(field_name="channel__code", help_text=_("Channel code."))
    agent = django_filters.CharFilter(field_name="agent__username", help_text=_("Username."))
    status = django_filters.ChoiceFilter(choices=Contact.Status.choices)
    first_response_state = django_filters.ChoiceFilter(choices=Contact.FirstResponseState.choices)
    resolution_state = django_filters.ChoiceFilter(choices=Contact.ResolutionState.choices)
    opened_after = InstantFilter(
        field_name="opened_at", lookup_expr="gte", help_text=_("Opened at or after (inclusive).")
    )
    opened_before = InstantFilter(
        field_name="opened_at", lookup_expr="lt", help_text=_("Opened before (exclusive).")
    )

    class Meta:
        model = Contact
        fields = []


class BreachFilter(FilterSet):
    channel = django_filters.CharFilter(
        field_name="contact__channel__code", help_text=_("Channel code.")
    )
    agent = django_filters.CharFilter(
        field_name="contact__agent__username", help_text=_("Username.")
    )
    metric = django_filters.ChoiceFilter(choices=Metric.choices)
    detected_after = InstantFilter(
        field_name="detected_at", lookup_expr="gte", help_text=_("Detected at or after.")
    )
    detected_before = InstantFilter(
        field_name="detected_at", lookup_expr="lt", help_text=_("Detected before (exclusive).")
    )

    class Meta:
        model = Breach
        fields = []
