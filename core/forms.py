"""Forms of the kernel: the account page, and the date and time inputs every form uses."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

# Browsers read and write the values of <input type=date|time|datetime-local> in ISO form,
# whatever the page's language; Django would otherwise render the active locale's first
# input format ("06.12.2026" in Russian and Polish), which the browser throws away.
ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


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
