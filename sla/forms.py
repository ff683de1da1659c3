"""Forms of the SLA pages. They check the input's shape only; the services judge the rest."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from channels_app.forms import NoTagHelperMixin, UserChoiceField
from channels_app.models import Channel
from core import fields
from core.forms import DateInput
from sla import selectors
from sla.models import MAX_TARGET_MINUTES, Contact, SlaPolicy
from sla.services.imports import MSG_TOO_BIG, max_bytes


def _any(choices, label):
    return [("", label), *choices]


class ContactFilterForm(forms.Form):
    """The contacts list's filters (GET); an invalid value is ignored, never a 500."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("External id, subject, customer name or email."),
    )
    channel = fields.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.order_by("name"), required=False
    )
    agent = UserChoiceField(
        label=_("Agent"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_any(Contact.Status.choices, _("Any"))
    )
    first_response_state = forms.ChoiceField(
        label=_("First response"),
        required=False,
        choices=_any(Contact.FirstResponseState.choices, _("Any")),
    )
    resolution_state = forms.ChoiceField(
        label=_("Resolution"),
        required=False,
        choices=_any(Contact.ResolutionState.choices, _("Any")),
    )
    opened_from = fields.DateField(label=_("Opened from"), required=False, widget=DateInput())
    opened_to = fields.DateField(label=_("Opened until"), required=False, widget=DateInput())
    # Set by the import's redirect (the contacts one CSV import created); not a visible filter.
    import_batch = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args, show_agent: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not show_agent:
            del self.fields["agent"]
        for field in self.fields.values():
            if field.widget.is_hidden:
                continue
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def clean(self):
        data = super().clean()
        start, end = data.get("opened_from"), data.get("opened_to")
        if start and end and start > end:
            self.add_error("opened_to", _("The end date is before the start date."))
        return data

    def filter(self, contacts):
        """The contacts matching the valid filters (dates are days in the portal's time zone)."""
        if not self.is_valid():
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        else:
            data = self.cleaned_data
        if data.get("q"):
            q = data["q"]
            contacts = contacts.filter(
                Q(external_id__icontains=q)
                | Q(subject__icontains=q)
                | Q(customer_name__icontains=q)
                | Q(customer_email__icontains=q)
            )
        if data.get("import_batch"):
            contacts = selectors.contacts_of_import(contacts, data["import_batch"])
        for name in ("channel", "agent", "status", "first_response_state", "resolution_state"):
            if data.get(name):
                contacts = contacts.filter(**{name: data[name]})
        tz = timezone.get_current_timezone()
        if data.get("opened_from"):
            start = dt.datetime.combine(data["opened_from"], dt.time(), tzinfo=tz)
            contacts = contacts.filter(opened_at__gte=start)
        if data.get("opened_to"):
            end = dt.datetime.combine(
                data["opened_to"] + dt.timedelta(days=1), dt.time(), tzinfo=tz
            )
            contacts = contacts.filter(opened_at__lt=end)
        return contacts


def _policy_field(name: str, **kwargs):
    return SlaPolicy._meta.get_field(name).formfield(**kwargs)


class SlaPolicyForm(NoTagHelperMixin, forms.Form):
    """A policy's fields; one active policy per channel and priority is the service's check."""

    name = _policy_field("name")
    channel = fields.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.order_by("name"))
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=_any(SlaPolicy.Priority.choices, _("— Any priority —")),
        help_text=SlaPolicy._meta.get_field("priority").help_text,
    )
    first_response_minutes = _policy_field(
        "first_response_minutes", min_value=1, max_value=MAX_TARGET_MINUTES
    )
    resolution_minutes = _policy_field(
        "resolution_minutes", min_value=1, max_value=MAX_TARGET_MINUTES
    )
    warning_percent = _policy_field("warning_percent", min_value=1, max_value=99)
    business_hours = _policy_field("business_hours")
    is_active = _policy_field("is_active")

    def clean_priority(self):
        return self.cleaned_data["priority"] or None

    @classmethod
    def initial_for(cls, policy: SlaPolicy) -> dict:
        return {name: getattr(policy, name) for name in cls.base_fields}


class ContactImportForm(NoTagHelperMixin, forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=lazy(
            lambda: (
                _("A helpdesk export in CSV, UTF-8, plain or gzip-compressed, at most %(max)d MB.")
                % {"max": max_bytes() // 2**20}
            ),
            str,
        )(),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(MSG_TOO_BIG, params={"max": max_bytes() // 2**20})
        return upload


class ContactImportStartForm(forms.Form):
    """The choice made when a checked import is started."""

    invite_customers = forms.BooleanField(
        required=False,
        label=_("Send survey invitations for recently resolved contacts"),
        help_text=_(
            "Customers whose contact was resolved recently enough for a survey link to be valid "
            "get an invitation, as they would for a contact closed today. Leave it off to load "
            "history without writing to anyone."
        ),
    )
