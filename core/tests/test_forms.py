"""One mapper puts a service's ValidationError on a page's forms (core.forms.add_service_errors):
each message next to its field, on the formset it concerns, or above the form; none is lost."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from core.forms import add_service_errors


class NameForm(forms.Form):
    name = forms.CharField()


class DateForm(forms.Form):
    day = forms.CharField()


RowsFormSet = forms.formset_factory(DateForm, extra=0)


def _valid(form_class, **data):
    form = form_class(data)
    assert form.is_valid()
    return form


def test_each_message_lands_next_to_its_field_or_above_the_form():
    form = _valid(NameForm, name="x")
    exc = ValidationError(
        {
            "name": ["Taken."],
            "colour": ["No such field here."],
            NON_FIELD_ERRORS: ["Django's own."],
            "non_field_errors": ["DRF's spelling."],
        }
    )
    assert add_service_errors(exc, form) == {}
    assert form.errors["name"] == ["Taken."]
    assert sorted(form.non_field_errors()) == [
        "DRF's spelling.",
        "Django's own.",
        "No such field here.",
    ]
    assert "name" not in form.cleaned_data


def test_a_message_without_a_field_is_a_form_error():
    form = _valid(NameForm, name="x")
    add_service_errors(ValidationError(["One.", "Two."]), form)
    assert form.non_field_errors() == ["One.", "Two."]
    form = _valid(NameForm, name="x")
    add_service_errors(ValidationError("Alone."), form)
    assert form.non_field_errors() == ["Alone."]


def test_fields_of_other_forms_formsets_and_kept_names():
    main, other = _valid(NameForm, name="x"), _valid(DateForm, day="mon")
    rows = RowsFormSet({"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})
    assert rows.is_valid()
    exc = ValidationError(
        {"day": ["Closed."], "rows": ["Rows overlap."], "answers": ["Score each one."]}
    )
    kept = add_service_errors(
        exc, main, forms=[main, other], formsets={"rows": rows}, keep=["answers"]
    )
    assert kept == {"answers": ["Score each one."]}
    assert other.errors["day"] == ["Closed."]
    assert rows.non_form_errors() == ["Rows overlap."]
    assert not main.errors


def test_standards_apply_errors_is_the_same_mapper():
    from standards.views.common import apply_errors

    form = _valid(NameForm, name="x")
    kept = apply_errors(
        ValidationError({"name": ["Taken."], "criteria": ["Add one."]}),
        forms=[form],
        fallback=form,
        keep=("criteria",),
    )
    assert kept == {"criteria": ["Add one."]}
    assert form.errors["name"] == ["Taken."]
