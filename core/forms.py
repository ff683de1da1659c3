"""Forms of the kernel: the account page, the date and time inputs every form uses, and the one
way a page shows a service's ValidationError on its forms (``add_service_errors``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

# Browsers read and write the values of <input type=date|time|datetime-local> in ISO form,
# whatever the page's language; Django would otherwise render the active locale's first
# input format ("06.12.2026" in Russian and Polish), which the browser throws away.
ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def add_service_errors(
    exc: ValidationError,
    form,
    *,
    forms: Iterable = (),
    formsets: Mapping | None = None,
    keep: Iterable[str] = (),
) -> dict[str, list[str]]:
    """Show a service's ``ValidationError`` on the page's forms, as the service said it.

    Each field's messages go to the first of ``form`` and ``forms`` that has that field; those
    keyed by a name in ``formsets`` become that formset's errors as a whole; those keyed by a
    name in ``keep`` are returned for the page to show where it likes (next to a formset it
    draws itself). Everything else (non-field errors, a message without a field, a field no form
    has) is a non-field error of ``form``, so no message is ever lost.
    """
    formsets, keep = formsets or {}, set(keep)
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    candidates = [form, *(f for f in forms if f is not form)]
    kept: dict[str, list[str]] = {}
    for field, messages in errors.items():
        if field in keep:
            kept.setdefault(field, []).extend(messages)
        elif field in formsets:
            # non_form_errors() hands back the formset's own ErrorList, so extending it sticks.
            formsets[field].non_form_errors().extend(messages)
        else:
            target = next((f for f in candidates if field in f.fields), None)
            if target is None or field == NON_FIELD_ERRORS:
                form.add_error(None, messages)
            else:
                target.add_error(field, messages)
    return kept


class DateInput(forms.DateInput):
    """A native date picker whose value is ISO in every language."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


class TimeInput(forms.TimeInput):
    """A native time picker (hours and minutes) whose value is ISO in every language."""

    input_type = "time"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_TIME)


class DateTimeInput(forms.DateTimeInput):
    """A native local date-and-time picker whose value is ISO in every language."""

    input_type = "datetime-local"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATETIME_LOCAL)


def language_choices() -> list[tuple[str, str]]:
    """The portal's languages, each in its own name, as the language menu shows them: a person
    who landed in a language they cannot read still finds their own."""
    return [
        (code, capfirst(get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


class AccountForm(forms.Form):
    """What a signed-in person chooses for themselves."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        help_text=_("The portal's pages after you sign in, and every email it sends you."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
