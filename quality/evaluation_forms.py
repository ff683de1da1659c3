"""Forms of the QA evaluation pages. They check the input's shape; the service judges the rest."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channels_app.forms import UserChoiceField
from channels_app.models import Channel
from core import fields
from core.forms import ISO_DATETIME_LOCAL, DateInput, DateTimeInput
from quality import evaluation_selectors
from quality.models import Evaluation, EvaluationItem
from quality.models.evaluations import COMMENT_MAX, NOTE_MAX, REFERENCE_MAX
from standards.models import Criterion, Standard, StandardVersion

DATETIME_LOCAL = ISO_DATETIME_LOCAL
RESULT_REQUIRED = _("Choose met, not met or not applicable.")


class EvaluationForm(forms.Form):
    """The interaction (agent, channel, reference, time, comment) and one answer per criterion.

    Criterion fields are named ``result_<id>`` and ``note_<id>``; ``version_number`` carries the
    number of the version the form was shown for, so a publication in between is noticed.
    """

    version_number = fields.IntegerField(widget=forms.HiddenInput, min_value=1)
    agent = UserChoiceField(
        label=_("Staff member"),
        queryset=evaluation_selectors.evaluation_agents(),
        empty_label=_("Choose a staff member"),
        error_messages={
            "required": _("Choose the staff member whose interaction you evaluated."),
            "invalid_choice": _("Choose one of the staff members in the list."),
        },
    )
    channel = fields.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.none(),
        required=False,
        empty_label=_("Not recorded"),
        error_messages={"invalid_choice": _("Choose one of the channels in the list.")},
    )
    interaction_reference = forms.CharField(
        label=_("Interaction reference"),
        max_length=REFERENCE_MAX,
        help_text=_("The helpdesk ticket number, call id or chat id of the interaction."),
        error_messages={
            "required": _("Give the ticket number, call id or other reference of the interaction.")
        },
    )
    occurred_at = fields.DateTimeField(
        label=_("Time of the interaction"),
        widget=DateTimeInput(),
        error_messages={
            "required": _("Give the date and time of the interaction."),
            "invalid": _("Enter a date and time, for example 2026-03-14 15:30."),
        },
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What went well and what to work on; the staff member reads it."),
    )

    def __init__(
        self,
        *args,
        version: StandardVersion,
        criteria: list[Criterion],
        channels: list[Channel],
        **kwargs,
    ):
        """``channels``: those the standard applies to; none means every active channel."""
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.fields["version_number"].initial = version.number
        self.fields["channel"].queryset = (
            Channel.objects.filter(pk__in=[c.pk for c in channels]).order_by("name")
            if channels
            else Channel.objects.active().order_by("name")
        )
        now = timezone.localtime()
        self.fields["occurred_at"].widget.attrs["max"] = now.strftime(DATETIME_LOCAL)
        self.fields["occurred_at"].help_text = _(
            "Local time in %(zone)s. It cannot be in the future."
        ) % {"zone": timezone.get_current_timezone_name()}
        for criterion in criteria:
            self.fields[f"result_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.text,
                choices=EvaluationItem.Result.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                error_messages={"required": RESULT_REQUIRED, "invalid_choice": RESULT_REQUIRED},
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note on “%(criterion)s”") % {"criterion": criterion.text},
                max_length=NOTE_MAX,
                required=False,
            )

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("The interaction cannot be in the future."))
        return value

    def rows(self) -> list[dict]:
        """One row per criterion for the template: the criterion and its two bound fields."""
        return [
            {
                "criterion": criterion,
                "result": self[f"result_{criterion.pk}"],
                "note": self[f"note_{criterion.pk}"],
            }
            for criterion in self.criteria
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "agent": data["agent"],
            "channel": data["channel"],
            "interaction_reference": data["interaction_reference"],
            "occurred_at": data["occurred_at"],
            "comment": data["comment"],
            "answers": [
                {
                    "criterion": criterion,
                    "result": data[f"result_{criterion.pk}"],
                    "note": data[f"note_{criterion.pk}"],
                }
                for criterion in self.criteria
            ],
        }


class EvaluationFilterForm(forms.Form):
    """The list's filters (GET). An invalid value is shown as an error and otherwise ignored."""

    ORDER_CHOICES = [
        ("newest", _("Newest first")),
        ("oldest", _("Oldest first")),
        ("lowest", _("Lowest score first")),
        ("highest", _("Highest score first")),
    ]

    agent = UserChoiceField(
        label=_("Staff member"),
        queryset=evaluation_selectors.filter_agents(),
        required=False,
        empty_label=_("Everyone"),
    )
    standard = fields.ModelChoiceField(
        label=_("Standard"),
        queryset=Standard.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("All standards"),
    )
    channel = fields.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All channels"),
    )
    date_from = fields.DateField(
        label=_("Interactions from"),
        required=False,
        widget=DateInput(),
    )
    date_to = fields.DateField(
        label=_("Interactions until"),
        required=False,
        widget=DateInput(),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Any state")), *Evaluation.State.choices],
        required=False,
    )
    order = forms.ChoiceField(label=_("Order"), choices=ORDER_CHOICES, required=False)

    def __init__(self, *args, user, show_agent: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_agent:
            del self.fields["agent"]
        self.fields["standard"].queryset = evaluation_selectors.filter_standards(user=user)
        self.fields["channel"].queryset = evaluation_selectors.filter_channels(user=user)
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        """The valid filters as keyword arguments of ``evaluation_list``."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors and value not in (None, "")
        }
        if "date_to" in self.errors:
            data.pop("date_from", None)  # an inverted period is ignored as a whole
        return data


class AnswerForm(forms.Form):
    """The staff member's answer: accept (comment optional) or dispute (comment required, the
    service says so). The submit button's ``action`` says which."""

    ACTIONS = ("accept", "dispute")

    comment = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Needed to dispute: say what you disagree with."),
    )


class ResolveForm(forms.Form):
    """A manager's resolution of a dispute: uphold, or change the score with a reason."""

    outcome = forms.ChoiceField(
        label=_("Resolution"),
        choices=Evaluation.Resolution.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose whether the evaluation is upheld or changed.")},
    )
    score = forms.DecimalField(
        label=_("New score (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        max_digits=4,
        widget=forms.NumberInput(
            attrs={"class": "form-control", "step": "0.1", "min": "0", "max": "100"}
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("Needed to change the score; the staff member reads it."),
    )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        upheld = data["outcome"] == Evaluation.Resolution.UPHELD
        return {"upheld": upheld, "score": data.get("score"), "reason": data.get("reason", "")}
