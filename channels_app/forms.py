"""Manager forms. They check the input's shape only; the services judge the calendar as a whole."""

from __future__ import annotations

import itertools

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.timezone import localdate
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channels_app import businesstime, services, weekhours
from channels_app.models import (
    BusinessCalendar,
    Channel,
    OpeningInterval,
    format_minutes,
    timezone_names,
)
from core import fields
from core.forms import DateInput, TimeInput


class UserChoiceField(fields.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.get_username()})" if full_name else obj.get_username()


class NoTagHelperMixin:
    """Forms are rendered inside one <form> element with the formsets, so crispy adds no tag."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class ChannelForm(NoTagHelperMixin, forms.ModelForm):
    calendar = fields.ModelChoiceField(
        queryset=BusinessCalendar.objects.all(),
        required=False,
        label=_("Business calendar"),
        empty_label=_("— Always open —"),
        help_text=_("Empty means always open."),
    )
    owner = UserChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        label=_("Owner"),
        help_text=_("Receives the breach notifications of this channel."),
    )

    class Meta:
        model = Channel
        fields = ["code", "name", "kind", "calendar", "owner", "is_active"]


def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(timezone_names())]


class CalendarForm(NoTagHelperMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_timezone_choices,
        initial="Europe/Warsaw",
        help_text=_("Opening hours and holidays are in this time zone's local time."),
    )
    always_open = forms.BooleanField(
        label=_("Always open"),
        required=False,
        help_text=_("Business time runs around the clock; opening hours and holidays are ignored."),
    )


class HHMMField(forms.Field):
    """``HH:MM`` in, minutes out; ``24:00`` is accepted (as an end it means midnight).

    The widget is the native time picker, which cannot show 24:00: an end at midnight is shown
    as 00:00, which :mod:`channels_app.weekhours` reads back as midnight.
    """

    widget = TimeInput
    default_error_messages = {"invalid": _("Enter a time as HH:MM between 00:00 and 24:00.")}

    def to_python(self, value):
        value = value.strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        try:
            return businesstime.parse_hhmm(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, int):
            return format_minutes(value % businesstime.MINUTES_PER_DAY)
        return value


def row_label(weekday: int, start: int, end: int) -> str:
    """A row as the manager typed it: "Saturday 22:00–06:00"."""
    return f"{WEEKDAYS[weekday]} {format_minutes(start)}–{format_minutes(end)}"


class OpeningIntervalForm(forms.Form):
    """One row of the week. An end not after the start means the row closes the next day."""

    # The blank choice keeps untouched extra rows unchanged, so the formset ignores them.
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=[("", "—"), *OpeningInterval.Weekday.choices],
        coerce=int,
        empty_value=None,
    )
    start = HHMMField(label=_("Opens"))
    end = HHMMField(label=_("Closes"))

    def clean(self):
        data = super().clean()
        weekday, start, end = data.get("weekday"), data.get("start"), data.get("end")
        if weekday is None or start is None or end is None:
            return data
        if start >= businesstime.MINUTES_PER_DAY:
            self.add_error("start", gettext("The start must be between 00:00 and 23:59."))
        elif start == end and start != 0:
            self.add_error(
                "end",
                gettext("%(row)s opens and closes at the same time.")
                % {"row": row_label(weekday, start, end)},
            )
        else:
            data["intervals"] = weekhours.split_row(weekday, start, end)
        return data

    def is_overnight(self) -> bool:
        """Whether the row as shown (bound or initial) runs into the next day."""
        values = [self[name].value() for name in ("start", "end")]
        try:
            start, end = (v if isinstance(v, int) else businesstime.parse_hhmm(v) for v in values)
        except (TypeError, ValueError):
            return False
        return weekhours.is_overnight(start, end)


class HolidayForm(forms.Form):
    date = fields.DateField(label=_("Date"), widget=DateInput())
    name = forms.CharField(label=_("Name"), max_length=services.HOLIDAY_NAME_MAX_LENGTH)


class ServiceErrorsFormSet(forms.BaseFormSet):
    """A formset that can show the service's verdict on the rows as a whole."""

    def rows(self) -> list[dict]:
        """cleaned_data of the rows that are filled in and not marked for deletion."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


class OpeningIntervalBaseFormSet(ServiceErrorsFormSet):
    """The week's rows; overlaps are told in the rows the manager typed, overnight ones too.

    The service checks the stored intervals again and has the last word.
    """

    def clean(self):
        if any(self.errors):
            return
        pieces: dict[int, list[tuple[int, int, str]]] = {}
        for row in self.rows():
            label = row_label(row["weekday"], row["start"], row["end"])
            for weekday, start, end in row["intervals"]:
                pieces.setdefault(weekday, []).append((start, end, label))
        problems: list[str] = []
        for weekday in sorted(pieces):
            spans = sorted(pieces[weekday])
            for (_s1, e1, first), (s2, _e2, second) in itertools.pairwise(spans):
                message = gettext("%(first)s overlaps %(second)s.") % {
                    "first": first,
                    "second": second,
                }
                if s2 < e1 and message not in problems:
                    problems.append(message)
        if problems:
            raise forms.ValidationError(problems)

    def intervals(self) -> list[tuple[int, int, int]]:
        """The stored intervals of every row: overnight rows give two."""
        return [interval for row in self.rows() for interval in row["intervals"]]

    def entered_rows(self) -> list[tuple[int, int, int]]:
        return [(row["weekday"], row["start"], row["end"]) for row in self.rows()]


OpeningIntervalFormSet = forms.formset_factory(
    OpeningIntervalForm, formset=OpeningIntervalBaseFormSet, extra=3, can_delete=True
)


def hours_initial(intervals) -> list[dict]:
    """Initial rows of the hours formset: stored intervals, overnight pairs merged back."""
    return [
        {"weekday": weekday, "start": start, "end": end}
        for weekday, start, end in weekhours.merge_intervals(intervals)
    ]


class CopyDayForm(forms.Form):
    """Copy one day's rows to other days; the page's script does it in place, and without a
    script the page posts it and comes back with the rows copied (nothing saved yet)."""

    source = forms.TypedChoiceField(
        label=_("Copy"), choices=OpeningInterval.Weekday.choices, coerce=int, initial=0
    )
    targets = forms.TypedMultipleChoiceField(
        label=_("to"),
        choices=[(day, WEEKDAYS_ABBR[day]) for day in range(7)],
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
        error_messages={"required": _("Tick the days to copy to.")},
    )


HolidayFormSet = forms.formset_factory(
    HolidayForm, formset=ServiceErrorsFormSet, extra=3, can_delete=True
)


#: The import's own <form> element: its fields sit on the calendar page inside the calendar's
#: form (HTML has no nested forms), so they name their owner with the ``form`` attribute.
HOLIDAY_IMPORT_FORM_ID = "holiday-import"


class HolidayImportForm(NoTagHelperMixin, forms.Form):
    country = forms.CharField(
        label=_("Country"),
        max_length=3,
        initial="PL",
        help_text=_("Two-letter ISO code, e.g. PL, DE, GB, US."),
    )
    year = fields.IntegerField(
        label=_("Year"),
        min_value=services.IMPORT_MIN_YEAR,
        max_value=services.IMPORT_MAX_YEAR,
        initial=lambda: localdate().year,
    )
    subdiv = forms.CharField(
        label=_("Subdivision"),
        max_length=10,
        required=False,
        help_text=_("Optional region code, e.g. BY for Bavaria in DE."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update(
                {"form": HOLIDAY_IMPORT_FORM_ID, "class": "form-control form-control-sm"}
            )
