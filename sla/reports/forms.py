"""The SLA dashboard's period picker: the kernel's (:class:`core.reports.forms.PeriodForm`)
with an agent filter."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channels_app.forms import UserChoiceField
from core.reports.forms import PeriodForm


class ReportPeriodForm(PeriodForm):
    agent = UserChoiceField(
        label=_("Agent"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        empty_label=_("All agents"),
    )
