"""Dates in every language: one short and one long format per language, genitive months, and
date pickers whose values stay ISO whatever the language."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from core.forms import DateInput, DateTimeInput, TimeInput

DAY = dt.date(2026, 12, 13)
MOMENT = dt.datetime(2026, 12, 13, 9, 5)


@pytest.mark.parametrize(
    "language, short_date, short_datetime, long_date, long_datetime, month_day",
    [
        (
            "en",
            "13.12.2026",
            "13.12.2026 09:05",
            "13 Dec 2026",
            "13 Dec 2026, 09:05",
            "13 December",
        ),
        (
            "ru",
            "13.12.2026",
            "13.12.2026 09:05",
            "13 декабря 2026 г.",
            "13 декабря 2026 г. 09:05",
            "13 декабря",
        ),
        (
            "pl",
            "13.12.2026",
            "13.12.2026 09:05",
            "13 grudnia 2026",
            "13 grudnia 2026 09:05",
            "13 grudnia",
        ),
    ],
)
def test_formats_per_language(
    language, short_date, short_datetime, long_date, long_datetime, month_day
):
    with translation.override(language):
        assert date_format(DAY, "SHORT_DATE_FORMAT") == short_date
        assert date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_datetime
        assert date_format(DAY, "DATE_FORMAT") == long_date
        assert date_format(MOMENT, "DATETIME_FORMAT") == long_datetime
        assert date_format(DAY, "MONTH_DAY_FORMAT") == month_day
        # Templates name the same formats, so pages and emails agree with the code.
        template = Template('{{ d|date:"SHORT_DATE_FORMAT" }}|{{ d|date:"DATE_FORMAT" }}')
        assert template.render(Context({"d": DAY})) == f"{short_date}|{long_date}"


class PickerForm(forms.Form):
    day = forms.DateField(widget=DateInput())
    at = forms.TimeField(widget=TimeInput())
    moment = forms.DateTimeField(widget=DateTimeInput())


def _form_classes():
    """Every form of the portal with a date picker, with what it needs to be built."""
    from django.contrib.auth.models import AnonymousUser

    from channels_app.forms import HolidayForm
    from quality.evaluation_forms import EvaluationFilterForm
    from sla.forms import ContactFilterForm
    from sla.reports.forms import ReportPeriodForm
    from training.forms import AssignForm

    return [
        (AssignForm, "start_date", {}),
        (ReportPeriodForm, "from", {"today": dt.date(2026, 12, 6)}),
        (ContactFilterForm, "opened_from", {}),
        (HolidayForm, "date", {}),
        (EvaluationFilterForm, "date_from", {"user": AnonymousUser(), "show_agent": False}),
    ]


@pytest.mark.parametrize("language", ["en", "ru", "pl"])
def test_date_pickers_render_iso_values_in_every_language(language, db):
    day = dt.date(2026, 12, 6)
    with translation.override(language):
        html = str(
            PickerForm(
                initial={"day": day, "at": dt.time(9, 5), "moment": dt.datetime(2026, 12, 6, 9, 5)}
            )
        )
        assert 'type="date" name="day" value="2026-12-06"' in html
        assert 'type="time" name="at" value="09:05"' in html
        assert 'type="datetime-local" name="moment" value="2026-12-06T09:05"' in html
        for form_class, field, kwargs in _form_classes():
            form = form_class(initial={field: day}, **kwargs)
            rendered = str(form[field])
            assert 'type="date"' in rendered, form_class
            assert 'value="2026-12-06"' in rendered, (form_class, rendered)


@pytest.mark.parametrize("language", ["ru", "pl"])
def test_date_pickers_read_back_what_the_browser_sends(language):
    with translation.override(language):
        form = PickerForm({"day": "2026-12-06", "at": "09:05", "moment": "2026-12-06T09:05"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == dt.date(2026, 12, 6)
        assert form.cleaned_data["at"] == dt.time(9, 5)


@pytest.mark.parametrize("language", ["ru", "pl"])
def test_assigning_a_track_works_in_every_language(manager_client, staff_user, language):
    """The start date the page proposes is what the browser shows and sends back."""
    from django.urls import reverse
    from django.utils import timezone

    from training.models import Track, TrackAssignment

    track = Track.objects.create(name="Basics")
    url = reverse("training:track-assign", kwargs={"pk": track.pk})
    page = manager_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    today = timezone.localdate().isoformat()
    assert f'name="start_date" value="{today}"' in page
    response = manager_client.post(
        url, {"users": [staff_user.pk], "start_date": today}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 302
    assert TrackAssignment.objects.get(track=track, user=staff_user).start_date.isoformat() == today


# --- dates inside sentences on pages ----------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ru", "pl"])
def test_marked_as_reviewed_message_uses_the_short_date(manager, client, language):
    from django.urls import reverse
    from django.utils import timezone

    from core.preferences import set_preferred_language
    from standards.tests.factories import make_published_standard

    standard = make_published_standard(review_interval_months=12)
    set_preferred_language(manager, language)
    client.force_login(manager)
    response = client.post(
        reverse("standards:reviewed", kwargs={"slug": standard.slug}), follow=True
    )
    standard.refresh_from_db()
    assert standard.next_review_date > timezone.localdate()
    body = response.content.decode()
    with translation.override(language):
        assert date_format(standard.next_review_date, "SHORT_DATE_FORMAT") in body
    assert standard.next_review_date.isoformat() not in body


@pytest.mark.parametrize("language", ["en", "ru", "pl"])
def test_report_form_limits_are_local_dates(language):
    from sla.reports.forms import ReportPeriodForm

    with translation.override(language):
        form = ReportPeriodForm(
            {"period": "custom", "from": "1969-12-31", "to": "1970-01-05"},
            today=dt.date(2026, 12, 6),
        )
        assert not form.is_valid()
        message = " ".join(form.errors["from"])
    assert "01.01.1970" in message and "31.12.9000" in message
    assert "1970-01-01" not in message


@pytest.mark.parametrize("language", ["ru", "pl"])
def test_onboarding_matrix_csv_writes_local_dates(manager, staff_user, client, language):
    from django.utils import timezone

    from core.preferences import set_preferred_language
    from standards.tests.factories import StandardFactory
    from training import services
    from training.tests.conftest import publish

    greeting = StandardFactory(title="Greeting", slug="greeting")
    publish(greeting, manager=manager)
    track = services.track_save(
        user=manager, name="Basics", items=[{"standard": greeting, "due_offset_days": 3}]
    )
    start = timezone.localdate()
    services.track_assign(track=track, users=[staff_user], by=manager, start_date=start)
    set_preferred_language(manager, language)
    client.force_login(manager)
    body = b"".join(client.get("/training/matrix/?format=csv").streaming_content).decode()
    due = start + dt.timedelta(days=3)
    with translation.override(language):
        words = {"ru": "срок", "pl": "termin"}[language]
        assert f"{words} {date_format(due, 'SHORT_DATE_FORMAT')}" in body
    assert due.isoformat() not in body
