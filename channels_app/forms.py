"""Manager forms. They check the input's shape only; the services judge the calendar as a whole."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from channels_app import businesstime, services
from channels_app.models import BusinessCalendar, Channel, OpeningInterval, timezone_names
from core import fields


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
    """``HH:MM`` in, minutes out; ``24:00`` is accepted (as an end it means midnight)."""

    widget = forms.TextInput
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
            return f"{value // 60:02d}:{value % 60:02d}"
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"placeholder": "09:00", "maxlength": 5, "size": 5})
        return attrs


class OpeningIntervalForm(forms.Form):
    # The blank choice keeps untouched extra rows unchanged, so the formset ignores them.
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=[("", "—"), *OpeningInterval.Weekday.choices],
        coerce=int,
        empty_value=None,
    )
    start = HHMMField(label=_("Opens"))
    end = HHMMField(label=_("Closes"))


class HolidayForm(forms.Form):
    date = fields.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    name = forms.CharField(label=_("Name"), max_length=services.HOLIDAY_NAME_MAX_LENGTH)


class ServiceErrorsFormSet(forms.BaseFormSet):
    """A formset that can show the service's verdict on the rows as a whole."""

    def add_service_errors(self, messages: list[str]) -> None:
        # non_form_errors() hands back the formset's own ErrorList, so extending it sticks.
        self.non_form_errors().extend(messages)

    def rows(self) -> list[dict]:
        """cleaned_data of the rows that are filled in and not marked for deletion."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


OpeningIntervalFormSet = forms.formset_factory(
    OpeningIntervalForm, formset=ServiceErrorsFormSet, extra=3, can_delete=True
)
HolidayFormSet = forms.formset_factory(
    HolidayForm, formset=ServiceErrorsFormSet, extra=3, can_delete=True
)


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
