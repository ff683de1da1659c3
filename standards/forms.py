"""Manager forms. They check the input's shape; the services judge the standard as a whole."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channels_app.forms import NoTagHelperMixin, UserChoiceField
from channels_app.models import Channel
from core import fields
from core.roles import MANAGER
from standards.markdown import MAX_BODY_LENGTH
from standards.models import (
    REVIEW_INTERVAL_MAX_MONTHS,
    WEIGHT_MAX,
    Category,
    Criterion,
    Standard,
    StandardVersion,
    TypicalSituation,
)
from standards.services.common import (
    CHANGE_SUMMARY_MAX,
    MAX_CRITERIA,
    MAX_SITUATIONS,
    SITUATION_TEXT_MAX,
)


class StandardForm(NoTagHelperMixin, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=Standard._meta.get_field("title").max_length
    )
    slug = forms.SlugField(
        label=_("Address (slug)"),
        max_length=Standard._meta.get_field("slug").max_length,
        required=False,
        help_text=_("Part of the page address. Leave empty to make one from the title."),
    )
    category = forms.CharField(
        label=_("Category"),
        max_length=Category._meta.get_field("name").max_length,
        required=False,
        help_text=_("Pick one or type a new name."),
        widget=forms.TextInput(attrs={"list": "category-options", "autocomplete": "off"}),
    )
    channels = fields.ModelMultipleChoiceField(
        label=_("Channels"),
        queryset=Channel.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The channels this standard applies to."),
    )
    owner = UserChoiceField(
        label=_("Owner"),
        queryset=get_user_model()
        .objects.filter(is_active=True, groups__name=MANAGER)
        .distinct()
        .order_by("username"),
        help_text=_("Keeps the standard up to date and receives the review reminders."),
    )
    review_interval_months = fields.IntegerField(
        label=_("Review every (months)"),
        min_value=1,
        max_value=REVIEW_INTERVAL_MAX_MONTHS,
        initial=12,
    )

    def __init__(self, *args, with_slug: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_slug:
            del self.fields["slug"]

    @classmethod
    def initial_for(cls, standard: Standard) -> dict:
        return {
            "title": standard.title,
            "slug": standard.slug,
            "category": standard.category.name if standard.category else "",
            "channels": list(standard.channels.all()),
            "owner": standard.owner,
            "review_interval_months": standard.review_interval_months,
        }

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["category"] = data["category"].strip() or None
        if not data.get("slug"):
            data.pop("slug", None)  # new: made from the title; existing: kept
        return data


FOUR_EYES_CHOICES = {"": None, "required": True, "not_required": False}


class StandardSettingsForm(StandardForm):
    """The settings page adds what the editor does not show: the four-eyes rule."""

    four_eyes = forms.ChoiceField(
        label=_("Publication by a second manager (four eyes)"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Required: a version is published by a manager other than its author "
            "(the manager who started the draft)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        portal = _("required") if settings.STANDARDS_FOUR_EYES else _("not required")
        self.fields["four_eyes"].choices = [
            ("", _("As the portal's setting (now: %(value)s)") % {"value": portal}),
            ("required", _("Required")),
            ("not_required", _("Not required")),
        ]

    @classmethod
    def initial_for(cls, standard: Standard) -> dict:
        choice = {None: "", True: "required", False: "not_required"}[standard.four_eyes]
        return {**super().initial_for(standard), "four_eyes": choice}

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["four_eyes"] = FOUR_EYES_CHOICES[data.get("four_eyes") or ""]
        return data


class VersionForm(NoTagHelperMixin, forms.Form):
    body_markdown = forms.CharField(
        label=_("Text (Markdown)"),
        max_length=MAX_BODY_LENGTH,
        required=False,
        strip=False,
        widget=forms.Textarea(
            # form-control here: the editor renders this field by hand, its toolbar in between.
            attrs={
                "rows": 18,
                "class": "form-control font-monospace",
                "data-preview-source": "true",
            }
        ),
        help_text=_(
            "**bold**, *italic*, lists with - or 1., tables, [links](https://example.com). "
            "The preview shows exactly what staff will read."
        ),
    )
    change_kind = forms.ChoiceField(
        label=_("Kind of change"),
        choices=StandardVersion.ChangeKind.choices,
        initial=StandardVersion.ChangeKind.MAJOR,
        widget=forms.RadioSelect,
    )
    change_summary = forms.CharField(
        label=_("Change summary"),
        max_length=CHANGE_SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What changed and why, in a sentence or two. Required to publish."),
    )

    @classmethod
    def initial_for(cls, version: StandardVersion) -> dict:
        return {
            "body_markdown": version.body_markdown,
            "change_kind": version.change_kind,
            "change_summary": version.change_summary,
        }


class CriterionForm(forms.Form):
    text = forms.CharField(
        label=_("Criterion"),
        max_length=Criterion._meta.get_field("text").max_length,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. Greets within 5 seconds, using the company greeting")}
        ),
    )
    weight = fields.IntegerField(label=_("Weight"), min_value=1, max_value=WEIGHT_MAX, initial=1)
    is_critical = forms.BooleanField(label=_("Critical"), required=False)


class SituationForm(forms.Form):
    title = forms.CharField(
        label=_("Situation"), max_length=TypicalSituation._meta.get_field("title").max_length
    )
    customer_says = forms.CharField(
        label=_("The customer says or does"),
        max_length=SITUATION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    prescribed_response = forms.CharField(
        label=_("Prescribed response"),
        max_length=SITUATION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _PartsFormSet(forms.BaseFormSet):
    """Extra rows left empty are ignored; rows ticked "Remove" are dropped; the rest is kept in
    order (rows that were already there count even when nothing in them changed)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def rows(self) -> list[dict]:
        rows = []
        for index, form in enumerate(self.forms):
            if self._should_delete_form(form):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            rows.append({k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
        return rows


CriterionFormSet = forms.formset_factory(
    CriterionForm,
    formset=_PartsFormSet,
    extra=2,
    can_delete=True,
    max_num=MAX_CRITERIA,
    validate_max=True,
    absolute_max=MAX_CRITERIA + 10,
)
SituationFormSet = forms.formset_factory(
    SituationForm,
    formset=_PartsFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_SITUATIONS,
    validate_max=True,
    absolute_max=MAX_SITUATIONS + 10,
)


def criteria_initial(version: StandardVersion | None) -> list[dict]:
    if version is None:
        return []
    return [
        {"text": c.text, "weight": c.weight, "is_critical": c.is_critical}
        for c in version.criteria.all()
    ]


def situations_initial(version: StandardVersion | None) -> list[dict]:
    if version is None:
        return []
    return [
        {
            "title": s.title,
            "customer_says": s.customer_says,
            "prescribed_response": s.prescribed_response,
        }
        for s in version.situations.all()
    ]


class PublishForm(NoTagHelperMixin, forms.Form):
    change_summary = forms.CharField(
        label=_("Change summary"),
        max_length=CHANGE_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff read this with the new version: what changed and why."),
        error_messages={"required": _("Say in a sentence what changed before publishing.")},
    )
    change_kind = forms.ChoiceField(
        label=_("Kind of change"),
        choices=StandardVersion.ChangeKind.choices,
        widget=forms.RadioSelect,
    )


class ReturnToDraftForm(NoTagHelperMixin, forms.Form):
    comment = forms.CharField(
        label=_("What has to change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say what has to change before the version can be published.")
        },
    )


class PreviewForm(forms.Form):
    body_markdown = forms.CharField(max_length=MAX_BODY_LENGTH, required=False, strip=False)


class StandardFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search standards")}),
    )
    category = fields.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    channel = fields.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All channels"),
    )

    retired = forms.BooleanField(label=_("Retired standards only"), required=False)

    def __init__(self, *args, categories, channels, can_manage: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["channel"].queryset = channels
        if not can_manage:
            del self.fields["retired"]
