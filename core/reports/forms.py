"""A report page's period picker: the last 7, 30 or 90 days, or from–to (inclusive).

The bounds are the API's (:mod:`core.reports.period`): at most ``MAX_PERIOD_DAYS`` apart, dates
within core.parse's limits (``core.fields.DateField``), "the last N days" ending today. A report's
form extends it with its own filters; the messages are the pages' own wording of that rule.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from core import fields
from core.forms import DateInput
from core.reports.period import MAX_PERIOD_DAYS

CUSTOM = "custom"


class PeriodForm(forms.Form):
    max_days = MAX_PERIOD_DAYS

    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("7", _("Last 7 days")),
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
            (CUSTOM, _("From–to")),
        ],
        initial="30",
        required=False,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    from_ = fields.DateField(label=_("From"), required=False, widget=DateInput())
    to = fields.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: the field is declared as from_ and named here.
        self.fields = {("from" if k == "from_" else k): f for k, f in self.fields.items()}
        self.today = today

    def clean(self):
        data = super().clean()
        period = data.get("period") or "30"
        if period != CUSTOM:
            days = int(period)
            data["from"], data["to"] = self.today - dt.timedelta(days=days - 1), self.today
            data["period"] = period
            return data
        start, end = data.get("from"), data.get("to")
        if start is None and "from" not in self.errors:
            self.add_error("from", _("Give the first day of the period."))
        if end is None and "to" not in self.errors:
            self.add_error("to", _("Give the last day of the period."))
        if start and end:
            if start > end:
                self.add_error("from", _("The first day comes after the last day."))
            elif (end - start).days > self.max_days:
                self.add_error(
                    "to",
                    _("The period may be at most %(max)d days long.") % {"max": self.max_days},
                )
        return data
