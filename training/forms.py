"""Forms of the onboarding pages; they check shape, the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from channels_app.models import timezone_names
from core import fields
from core.forms import DateInput, TimeInput
from standards.models import Standard
from training.models import Question, Track


class UserChoiceField(fields.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{name} ({obj.username})" if name else obj.username


class CheckForm(forms.Form):
    """The comprehension check: one field per question."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            choices = [(str(c.pk), c.text) for c in question.choices.all()]
            if question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=choices,
                    widget=forms.CheckboxSelectMultiple,
                    label=question.text,
                    help_text=_("Tick every answer that is right."),
                    error_messages={"required": _("Answer this question.")},
                )
            else:
                field = forms.ChoiceField(
                    choices=choices,
                    widget=forms.RadioSelect,
                    label=question.text,
                    error_messages={"required": _("Answer this question.")},
                )
            self.fields[f"q{question.pk}"] = field

    def answers(self) -> dict[str, list[str]]:
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}") or []
            result[str(question.pk)] = value if isinstance(value, list) else [value]
        return result


class AcknowledgeForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("I have read this standard and will follow it"),
        error_messages={"required": _("Tick the box to confirm you read the standard.")},
    )
    full_name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        help_text=_("Type it as it is on your account; it is your signature."),
    )


class TrackForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrackItemForm(forms.Form):
    standard = fields.ModelChoiceField(
        label=_("Standard"), queryset=Standard.objects.order_by("title"), required=False
    )
    due_offset_days = fields.IntegerField(
        label=_("Due after (days)"), min_value=0, max_value=365, initial=7
    )
    order = fields.IntegerField(label=_("Order"), min_value=0, max_value=999, required=False)


TrackItemFormSet = forms.formset_factory(TrackItemForm, extra=3, can_delete=True, max_num=100)


class AssignForm(forms.Form):
    users = UserChoiceField(
        label=_("People"),
        queryset=User.objects.filter(is_active=True).order_by("last_name", "username"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    groups = fields.ModelMultipleChoiceField(
        label=_("Groups"),
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone currently in the group."),
    )
    start_date = fields.DateField(
        label=_("Start date"),
        initial=timezone.localdate,
        widget=DateInput(),
    )

    def clean(self):
        data = super().clean()
        if not data.get("users") and not data.get("groups"):
            raise forms.ValidationError(_("Choose people or a group."))
        return data


class GroupRuleForm(forms.Form):
    group = fields.ModelChoiceField(label=_("Group"), queryset=Group.objects.order_by("name"))
    track = fields.ModelChoiceField(label=_("Track"), queryset=Track.objects.all())
    assign_members = forms.BooleanField(
        label=_("Also assign the track to the group's current members"),
        required=False,
        initial=True,
    )


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    choices = forms.CharField(
        label=_("Answers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One answer a line; start the correct ones with *."),
    )


class CheckSettingsForm(forms.Form):
    pass_mark = fields.IntegerField(label=_("Pass mark (%)"), min_value=1, max_value=100)
    max_attempts = fields.IntegerField(label=_("Attempts"), min_value=1, max_value=20)


class MatrixFilterForm(forms.Form):
    group = fields.ModelChoiceField(
        label=_("Group"),
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    track = fields.ModelChoiceField(
        label=_("Track"),
        queryset=Track.objects.all(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _working_timezone_choices() -> list[tuple[str, str]]:
    """Empty first (the portal's zone, as the reminders read it), then every IANA name."""
    portal = gettext("The portal's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}
    return [("", portal), *((name, name) for name in sorted(timezone_names()))]


class WorkingHoursForm(forms.Form):
    """A person's working hours; the service checks the rules (both or neither, start first)."""

    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_working_timezone_choices,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    work_start = forms.TimeField(
        label=_("Working day starts at"),
        required=False,
        widget=TimeInput(),
    )
    work_end = forms.TimeField(
        label=_("Working day ends at"),
        required=False,
        widget=TimeInput(),
        help_text=_(
            "Reminders reach the person on weekdays between these times, in their time zone. "
            "Leave both empty to send reminders at any time."
        ),
    )
