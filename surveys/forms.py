from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from channels_app.models import Channel
from core import fields, languages
from surveys.models import TEXT_KEYS, Kiosk, Survey

TEXT_LABELS = {
    "intro": _("Introduction"),
    "csat": _("CSAT question"),
    "nps": _("NPS question"),
    "ces": _("CES question"),
    "comment": _("Comment prompt"),
    "thanks": _("Thank-you message"),
}


class SurveyForm(forms.ModelForm):
    """The survey plus one optional override per language and text (empty: default wording)."""

    channels = fields.ModelMultipleChoiceField(
        queryset=Channel.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Channels"),
    )

    class Meta:
        model = Survey
        fields = [
            "name",
            "channels",
            "ask_csat",
            "ask_nps",
            "ask_ces",
            "ask_comment",
            "send_delay_minutes",
            "link_lifetime_days",
            "throttle_days",
            "follow_up_business_hours",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        texts = (self.instance.texts or {}) if self.instance else {}
        for code, language in settings.LANGUAGES:
            for key in TEXT_KEYS:
                self.fields[f"text_{code}_{key}"] = forms.CharField(
                    label=f"{TEXT_LABELS[key]} ({language})",
                    required=False,
                    max_length=500,
                    initial=texts.get(code, {}).get(key, ""),
                    help_text=self.instance.text(key, code)
                    if not texts.get(code, {}).get(key)
                    else "",
                )

    def texts(self) -> dict:
        result: dict = {}
        for code in languages.codes():
            for key in TEXT_KEYS:
                value = (self.cleaned_data.get(f"text_{code}_{key}") or "").strip()
                if value:
                    result.setdefault(code, {})[key] = value
        return result

    def model_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name != "channels" and name in self.cleaned_data
        }


class KioskForm(forms.ModelForm):
    class Meta:
        model = Kiosk
        fields = ["name", "channel", "min_interval_seconds", "language"]


class KioskLanguageForm(forms.ModelForm):
    """One kiosk's opening language, edited in place on the kiosks page."""

    class Meta:
        model = Kiosk
        fields = ["language"]
        widgets = {"language": forms.Select(attrs={"class": "form-select form-select-sm"})}


class FollowUpFilterForm(forms.Form):
    """The follow-ups page's filters (GET). A value the page does not offer is a form error
    shown above the list, which then shows the default (open follow-ups, everyone's)."""

    STATUSES = (("open", _("Open")), ("closed", _("Closed")), ("all", _("All")))

    status = forms.ChoiceField(label=_("Status"), choices=STATUSES, required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.order_by("name"),
        to_field_name="code",
        required=False,
        empty_label=_("All channels"),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        from django.contrib.auth import get_user_model

        super().__init__(*args, **kwargs)
        # Owners of a follow-up or of a channel: the people a follow-up can be waiting on.
        users = (
            get_user_model()
            .objects.filter(Q(survey_follow_ups__isnull=False) | Q(owned_channels__isnull=False))
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.owners = {u.username: u for u in users}
        self.fields["owner"].choices = [
            ("", _("Everyone")),
            ("none", _("Nobody")),
            *[(u.username, u.get_full_name() or u.username) for u in users],
        ]
        for name in ("status", "owner", "channel"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["overdue"].widget.attrs["class"] = "form-check-input"

    def filters(self) -> dict:
        """Keyword arguments for ``selectors.follow_up_list``; defaults when the form is bad."""
        if not self.is_valid():
            return {"status": "open"}
        data = self.cleaned_data
        owner = data["owner"]
        return {
            "status": data["status"] or "open",
            "owner": "none" if owner == "none" else self.owners.get(owner),
            "channel": data["channel"],
            "overdue": data["overdue"],
        }


class FollowUpCloseForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class DashboardPeriodForm(forms.Form):
    """The satisfaction dashboard's period (GET ``period``): the last 7, 30 or 90 days.

    A value the page does not offer is reported next to the choices and the default shown.
    """

    DEFAULT_DAYS = 90

    period = forms.TypedChoiceField(
        label=_("Period"),
        choices=[(7, _("Last 7 days")), (30, _("Last 30 days")), (90, _("Last 90 days"))],
        coerce=int,
        required=False,
        empty_value=DEFAULT_DAYS,
        error_messages={
            "invalid_choice": _("Choose one of these periods; the last 90 days are shown.")
        },
    )

    @property
    def days(self) -> int:
        return self.cleaned_data["period"] if self.is_valid() else self.DEFAULT_DAYS
