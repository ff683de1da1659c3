"""Manager pages, the import_holidays command, the demo data and the admin."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels_app.models import BusinessCalendar, Channel, Holiday, OpeningInterval
from channels_app.tests.factories import BusinessCalendarFactory, ChannelFactory
from demo import channels as demo

pytestmark = pytest.mark.django_db

XMAS = dt.date(2026, 12, 25)


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _page_urls(calendar, channel):
    return [
        reverse("channels:channel-list"),
        reverse("channels:channel-create"),
        reverse("channels:channel-update", args=[channel.pk]),
        reverse("channels:channel-delete", args=[channel.pk]),
        reverse("channels:calendar-list"),
        reverse("channels:calendar-create"),
        reverse("channels:calendar-update", args=[calendar.pk]),
        reverse("channels:calendar-delete", args=[calendar.pk]),
        reverse("channels:calendar-import-holidays", args=[calendar.pk]),
    ]


# -- permissions and markup --------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    channel = ChannelFactory()
    for url in _page_urls(channel.calendar, channel):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login"))


def test_staff_gets_403(staff_client):
    channel = ChannelFactory()
    for url in _page_urls(channel.calendar, channel):
        assert staff_client.get(url).status_code == 403, url
        assert staff_client.post(url, {}).status_code == 403, url
    assert Channel.objects.count() == 1


def test_pages_render_for_managers_without_inline_styles_or_scripts(manager_client):
    channel = ChannelFactory()
    for url in _page_urls(channel.calendar, channel):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url


def test_missing_objects_are_404(manager_client):
    assert manager_client.get(reverse("channels:channel-update", args=[9999])).status_code == 404
    assert manager_client.get(reverse("channels:calendar-update", args=[9999])).status_code == 404


# -- lists -------------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_calendar_list_summary_and_bounded_queries(manager_client, django_assert_max_num_queries):
    url = reverse("channels:calendar-list")
    for _ in range(3):
        ChannelFactory()
    few, _ = _queries(manager_client, url)
    for _ in range(27):
        ChannelFactory()
    with django_assert_max_num_queries(6):  # session, user, roles, count, page, hours
        many, response = _queries(manager_client, url)
    assert many == few
    html = response.content.decode()
    assert html.count("Mon–Fri 09:00–18:00") == 30
    assert "Europe/Warsaw" in html


def test_channel_list_summary_and_bounded_queries(manager_client, django_assert_max_num_queries):
    url = reverse("channels:channel-list")
    for _ in range(3):
        ChannelFactory()
    few, _ = _queries(manager_client, url)
    for _ in range(27):
        ChannelFactory()
    ChannelFactory(code="wa", name="WhatsApp", kind="messenger", calendar=None, is_active=False)
    with django_assert_max_num_queries(5):  # session, user, roles, count, page
        many, response = _queries(manager_client, url)
    assert many == few
    html = response.content.decode()
    assert "WhatsApp" in html and "Always open" in html and "Inactive" in html


# -- channel pages -----------------------------------------------------------------------------


def test_create_channel_page(manager_client, manager):
    calendar = BusinessCalendarFactory()
    response = manager_client.post(
        reverse("channels:channel-create"),
        {
            "code": "chat",
            "name": "Chat",
            "kind": "chat",
            "calendar": calendar.pk,
            "owner": manager.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.code, channel.calendar, channel.owner, channel.is_active) == (
        "chat",
        calendar,
        manager,
        True,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "chat"}, "code"),
        ({"code": "two words"}, "code"),
        ({"kind": "fax"}, "kind"),
        ({"calendar": "999999"}, "calendar"),
        ({"name": ""}, "name"),
    ],
)
def test_create_channel_page_shows_errors(manager_client, changes, field):
    ChannelFactory(code="chat")
    data = {"code": "phone", "name": "Phone", "kind": "phone", "calendar": "", **changes}
    response = manager_client.post(reverse("channels:channel-create"), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert 'class="invalid-feedback' in response.content.decode()
    assert Channel.objects.count() == 1


def test_update_channel_page(manager_client):
    channel = ChannelFactory(code="chat")
    response = manager_client.post(
        reverse("channels:channel-update", args=[channel.pk]),
        {"code": "chat", "name": "Live chat", "kind": "chat", "calendar": ""},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.name, channel.calendar, channel.is_active) == ("Live chat", None, False)


def test_delete_channel_page(manager_client):
    channel = ChannelFactory()
    response = manager_client.post(reverse("channels:channel-delete", args=[channel.pk]))
    assert response.status_code == 302
    assert not Channel.objects.exists()


# -- calendar pages ----------------------------------------------------------------------------


def _formset(prefix, rows, extra=2, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    for index in range(len(rows), len(rows) + extra):  # blank rows as a browser sends them
        for key in ("weekday", "start", "end") if prefix == "hours" else ("date", "name"):
            data[f"{prefix}-{index}-{key}"] = ""
    return data


def _calendar_post(name="Office", timezone="Europe/Warsaw", hours=None, holidays=None, **extra):
    hours = (
        [{"weekday": str(d), "start": "09:00", "end": "18:00"} for d in range(5)]
        if hours is None
        else hours
    )
    holidays = [{"date": "2026-12-25", "name": "Christmas"}] if holidays is None else holidays
    return {
        "name": name,
        "timezone": timezone,
        **_formset("hours", hours),
        **_formset("holidays", holidays),
        **extra,
    }


def test_create_calendar_page(manager_client):
    data = _calendar_post(hours=[{"weekday": "5", "start": "22:00", "end": "24:00"}])
    response = manager_client.post(reverse("channels:calendar-create"), data)
    calendar = BusinessCalendar.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("channels:calendar-update", args=[calendar.pk])
    assert list(calendar.hours.values_list("weekday", "start_minute", "end_minute")) == [
        (5, 1320, 1440)
    ]
    assert list(calendar.holidays.values_list("date", "name")) == [(XMAS, "Christmas")]
    assert _messages(response) == ["Calendar “Office” saved."]


def test_edit_page_shows_current_rows(manager_client):
    calendar = BusinessCalendarFactory(office=True)
    html = manager_client.get(reverse("channels:calendar-update", args=[calendar.pk])).content
    html = html.decode()
    assert 'name="hours-4-end" value="18:00"' in html
    assert 'name="holidays-0-date" value="2026-12-25"' in html
    assert 'name="hours-TOTAL_FORMS" value="8"' in html  # five rows and three blank ones


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _calendar_post(timezone="Europe/Atlantis"),
            "Select a valid choice. Europe/Atlantis is not one of the available choices.",
        ),
        (
            _calendar_post(
                hours=[
                    {"weekday": "0", "start": "09:00", "end": "13:00"},
                    {"weekday": "0", "start": "12:00", "end": "18:00"},
                ]
            ),
            "Monday 09:00–13:00 overlaps Monday 12:00–18:00.",
        ),
        (
            _calendar_post(hours=[{"weekday": "2", "start": "09:00", "end": "09:00"}]),
            "Wednesday 09:00–09:00 opens and closes at the same time.",
        ),
        (
            _calendar_post(hours=[{"weekday": "2", "start": "24:00", "end": "06:00"}]),
            "The start must be between 00:00 and 23:59.",
        ),
        (  # an overnight row overlaps the next morning's row
            _calendar_post(
                hours=[
                    {"weekday": "6", "start": "09:00", "end": "12:00"},
                    {"weekday": "5", "start": "22:00", "end": "10:00"},
                ]
            ),
            "Saturday 22:00–10:00 overlaps Sunday 09:00–12:00.",
        ),
        (  # Sunday night runs into Monday
            _calendar_post(
                hours=[
                    {"weekday": "6", "start": "23:00", "end": "02:00"},
                    {"weekday": "0", "start": "01:00", "end": "10:00"},
                ]
            ),
            "Sunday 23:00–02:00 overlaps Monday 01:00–10:00.",
        ),
        (  # two night shifts of the same evening
            _calendar_post(
                hours=[
                    {"weekday": "4", "start": "22:00", "end": "06:00"},
                    {"weekday": "4", "start": "23:00", "end": "24:00"},
                ]
            ),
            "Friday 22:00–06:00 overlaps Friday 23:00–24:00.",
        ),
        (
            _calendar_post(hours=[{"weekday": "2", "start": "9.00", "end": "18:00"}]),
            "Enter a time as HH:MM between 00:00 and 24:00.",
        ),
        (
            _calendar_post(hours=[{"weekday": "2", "start": "09:00", "end": "24:30"}]),
            "Enter a time as HH:MM between 00:00 and 24:00.",
        ),
        (
            _calendar_post(hours=[{"weekday": "9", "start": "09:00", "end": "18:00"}]),
            "Select a valid choice. 9 is not one of the available choices.",
        ),
        (
            _calendar_post(hours=[{"weekday": "1", "start": "09:00", "end": ""}]),
            "This field is required.",
        ),
        (
            _calendar_post(
                holidays=[
                    {"date": "2026-12-25", "name": "Christmas"},
                    {"date": "2026-12-25", "name": "Again"},
                ]
            ),
            "is listed more than once.",
        ),
        (
            _calendar_post(holidays=[{"date": "2026-02-30", "name": "Nope"}]),
            "Enter a valid date.",
        ),
        (_calendar_post(name=""), "This field is required."),
    ],
)
def test_create_calendar_page_shows_errors(manager_client, data, message):
    response = manager_client.post(reverse("channels:calendar-create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BusinessCalendar.objects.exists()
    assert not OpeningInterval.objects.exists()
    assert not Holiday.objects.exists()


def test_duplicate_calendar_name_on_page(manager_client):
    BusinessCalendarFactory(name="Office")
    response = manager_client.post(reverse("channels:calendar-create"), _calendar_post())
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {"name": ["A calendar with this name already exists."]}
    assert BusinessCalendar.objects.count() == 1


def test_update_calendar_page_replaces_rows(manager_client):
    calendar = BusinessCalendarFactory(office=True, name="Office")
    data = _calendar_post(
        name="Office",
        hours=[
            {"weekday": str(d), "start": "09:00", "end": "18:00", "DELETE": "on" if d else ""}
            for d in range(5)
        ]
        + [{"weekday": "5", "start": "10:00", "end": "14:00"}],
        holidays=[{"date": "2026-12-25", "name": "Christmas Day", "DELETE": "on"}],
        always_open="",
    )
    data["hours-INITIAL_FORMS"] = "5"
    data["holidays-INITIAL_FORMS"] = "1"
    response = manager_client.post(reverse("channels:calendar-update", args=[calendar.pk]), data)
    assert response.status_code == 302
    assert list(calendar.hours.values_list("weekday", "start_minute", "end_minute")) == [
        (0, 540, 1080),
        (5, 600, 840),
    ]
    assert not calendar.holidays.exists()


def test_failed_update_keeps_rows(manager_client):
    calendar = BusinessCalendarFactory(office=True, name="Office")
    data = _calendar_post(
        name="Renamed",
        hours=[
            {"weekday": "0", "start": "09:00", "end": "13:00"},
            {"weekday": "0", "start": "10:00", "end": "11:00"},
        ],
    )
    response = manager_client.post(reverse("channels:calendar-update", args=[calendar.pk]), data)
    assert response.status_code == 200
    assert "overlaps" in response.content.decode()
    calendar.refresh_from_db()
    assert calendar.name == "Office"
    assert calendar.hours.count() == 5


def test_delete_calendar_in_use_shows_message(manager_client):
    channel = ChannelFactory(code="chat")
    response = manager_client.post(
        reverse("channels:calendar-delete", args=[channel.calendar_id]), follow=True
    )
    assert response.status_code == 200
    assert (
        "This calendar is used by the channels chat; give them another calendar before "
        "deleting it." in response.content.decode()
    )
    assert BusinessCalendar.objects.filter(pk=channel.calendar_id).exists()


def test_delete_unused_calendar_page(manager_client):
    calendar = BusinessCalendarFactory(office=True)
    response = manager_client.post(reverse("channels:calendar-delete", args=[calendar.pk]))
    assert response.status_code == 302
    assert not BusinessCalendar.objects.exists()


def test_overnight_row_is_saved_as_two_days_and_shown_again_as_one_row(manager_client):
    data = _calendar_post(
        hours=[
            {"weekday": "0", "start": "09:00", "end": "13:00"},
            {"weekday": "0", "start": "14:00", "end": "18:00"},
            {"weekday": "5", "start": "22:00", "end": "06:00"},
            {"weekday": "6", "start": "20:00", "end": "00:00"},  # closes at midnight
        ]
    )
    response = manager_client.post(reverse("channels:calendar-create"), data)
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert list(calendar.hours.values_list("weekday", "start_minute", "end_minute")) == [
        (0, 540, 780),
        (0, 840, 1080),
        (5, 1320, 1440),
        (6, 0, 360),
        (6, 1200, 1440),
    ]
    page = manager_client.get(response.url)
    initial = [form.initial for form in page.context["hours_formset"].initial_forms]
    assert initial == [
        {"weekday": 0, "start": 540, "end": 780},
        {"weekday": 0, "start": 840, "end": 1080},
        {"weekday": 5, "start": 1320, "end": 360},
        {"weekday": 6, "start": 1200, "end": 1440},
    ]
    html = page.content.decode()
    assert 'name="hours-2-start" value="22:00"' in html
    assert 'name="hours-2-end" value="06:00"' in html
    assert 'name="hours-3-end" value="00:00"' in html
    # Only the Saturday row says it closes the next day.
    assert html.count('overnight-hint"') == 1

    # Saved again unchanged, the rows stay the same intervals.
    again = _calendar_post(
        hours=[
            {
                k: str(v) if k == "weekday" else f"{v // 60 % 24:02d}:{v % 60:02d}"
                for k, v in row.items()
            }
            for row in initial
        ]
    )
    again["hours-INITIAL_FORMS"] = "4"
    response = manager_client.post(reverse("channels:calendar-update", args=[calendar.pk]), again)
    assert response.status_code == 302
    assert calendar.hours.count() == 5


def test_copy_without_script_copies_the_posted_rows_and_saves_nothing(manager_client):
    data = _calendar_post(
        name="",  # not filled in yet: copying does not complain about it
        hours=[
            {"weekday": "0", "start": "09:00", "end": "13:00"},
            {"weekday": "0", "start": "14:00", "end": "18:00"},
            {"weekday": "2", "start": "07:00", "end": "08:00"},
            {"weekday": "5", "start": "22:00", "end": "06:00"},
        ],
        action="copy",
        **{"copy-source": "0", "copy-targets": ["1", "2", "3", "4"]},
    )
    response = manager_client.post(reverse("channels:calendar-create"), data)
    assert response.status_code == 200
    assert not BusinessCalendar.objects.exists()
    rows = [
        (f.initial["weekday"], f.initial["start"], f.initial["end"])
        for f in response.context["hours_formset"].initial_forms
    ]
    week = [(d, 540, 780) for d in range(5)] + [(d, 840, 1080) for d in range(5)]
    assert rows == [*sorted(week), (5, 1320, 360)]
    assert not response.context["form"].errors
    assert _messages(response) == ["Copied to 4 days. Save to keep the changes."]
    assert 'name="hours-TOTAL_FORMS" value="14"' in response.content.decode()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"copy-source": "0"}, "Tick the days to copy to."),
        ({"copy-source": "0", "copy-targets": ["1"], "hours-0-end": "25:00"}, "Enter a time"),
    ],
)
def test_copy_without_script_shows_errors(manager_client, extra, message):
    data = _calendar_post(action="copy", **extra)
    response = manager_client.post(reverse("channels:calendar-create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_holiday_import_sits_on_the_calendar_page(manager_client):
    calendar = BusinessCalendarFactory(name="Office")
    html = manager_client.get(reverse("channels:calendar-update", args=[calendar.pk])).content
    html = html.decode()
    action = reverse("channels:calendar-import-holidays", args=[calendar.pk])
    assert f'action="{action}" id="holiday-import"' in html
    # Its fields sit among the holidays but belong to the import's own form.
    assert re.search(r'<input type="text" name="country"[^>]*form="holiday-import"', html)
    assert re.search(r'<button type="submit" form="holiday-import"', html)


# -- holiday import ----------------------------------------------------------------------------


def test_import_holidays_page(manager_client):
    calendar = BusinessCalendarFactory(name="Office")
    url = reverse("channels:calendar-import-holidays", args=[calendar.pk])
    response = manager_client.post(url, {"country": "PL", "year": "2026", "subdiv": ""})
    assert response.status_code == 302
    assert response.url == reverse("channels:calendar-update", args=[calendar.pk])
    assert _messages(manager_client.get(response.url)) == [
        f"Imported {calendar.holidays.count()} holidays into “Office”."
    ]
    count = calendar.holidays.count()
    assert count >= 13
    assert calendar.holidays.filter(date=XMAS).exists()

    response = manager_client.post(url, {"country": "PL", "year": "2026"}, follow=True)
    assert _messages(response) == ["Imported 0 holidays into “Office”."]
    assert "Imported 0 holidays into “Office”." in response.content.decode()
    assert calendar.holidays.count() == count


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"country": "XX", "year": "2026"}, "country"),
        ({"country": "PL", "year": "1800"}, "year"),
        ({"country": "PL", "year": "soon"}, "year"),
        ({"country": "PL", "year": "2026", "subdiv": "ZZ"}, "subdiv"),
        ({"country": "", "year": "2026"}, "country"),
    ],
)
def test_import_holidays_page_shows_errors(manager_client, data, field):
    calendar = BusinessCalendarFactory()
    url = reverse("channels:calendar-import-holidays", args=[calendar.pk])
    response = manager_client.post(url, data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert _messages(response) == ["The holidays could not be imported; see the errors below."]
    assert not Holiday.objects.exists()


def test_import_holidays_command():
    calendar = BusinessCalendarFactory(name="Office hours (Warsaw)")
    out = StringIO()
    call_command("import_holidays", "Office hours (Warsaw)", country="PL", year=2026, stdout=out)
    count = calendar.holidays.count()
    assert calendar.holidays.filter(date=XMAS).exists()
    assert f"Imported {count} holiday(s)" in out.getvalue()

    out = StringIO()
    call_command("import_holidays", str(calendar.pk), "--country=PL", "--year=2026", stdout=out)
    assert "Imported 0 holiday(s)" in out.getvalue()
    assert calendar.holidays.count() == count


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nowhere", "--country=PL", "--year=2026"], "No business calendar"),
        (["Office", "--country=XX", "--year=2026"], "country:"),
        (["Office", "--country=PL", "--year=1800"], "year:"),
        (["Office", "--country=PL", "--year=2026", "--subdiv=ZZ"], "subdiv:"),
    ],
)
def test_import_holidays_command_errors(args, message):
    BusinessCalendarFactory(name="Office")
    with pytest.raises(CommandError, match=message):
        call_command("import_holidays", *args)
    assert not Holiday.objects.exists()


# -- demo data and admin -----------------------------------------------------------------------


def test_demo_seed_is_idempotent(manager):
    channels = demo.seed(owner=manager)
    assert set(channels) == set(demo.CHANNELS)
    assert {"facebook", "instagram", "whatsapp", "office"} <= set(channels)
    assert {c.kind for c in channels.values()} == set(Channel.Kind.values) - {"other"}
    assert all(c.owner == manager for c in channels.values())
    office = BusinessCalendar.objects.get(name=demo.OFFICE_HOURS)
    assert office.holidays.filter(date=XMAS).exists()
    assert office.holidays.filter(date=dt.date(2027, 12, 25)).exists()
    assert channels["whatsapp"].calendar.always_open
    centre = BusinessCalendar.objects.get(name=demo.CONTACT_CENTRE)
    assert list(centre.hours.values_list("weekday", "start_minute", "end_minute")) == [
        *[(d, 480, 1200) for d in range(5)],
        (5, 600, 960),
    ]
    rows = (
        BusinessCalendar.objects.count(),
        OpeningInterval.objects.count(),
        Holiday.objects.count(),
        Channel.objects.count(),
    )
    again = demo.seed(owner=manager)
    assert {code: c.pk for code, c in again.items()} == {code: c.pk for code, c in channels.items()}
    assert rows == (
        BusinessCalendar.objects.count(),
        OpeningInterval.objects.count(),
        Holiday.objects.count(),
        Channel.objects.count(),
    )


def test_admin_pages(admin_client):
    channel = ChannelFactory()
    for url in [
        reverse("admin:channels_app_channel_changelist"),
        reverse("admin:channels_app_channel_change", args=[channel.pk]),
        reverse("admin:channels_app_businesscalendar_changelist"),
        reverse("admin:channels_app_businesscalendar_change", args=[channel.calendar_id]),
        reverse("admin:channels_app_openinginterval_changelist"),
        reverse("admin:channels_app_holiday_changelist"),
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_enter_in_a_field_saves_rather_than_copies(manager_client):
    """Browsers submit a form with its first submit button when Enter is pressed in a field."""
    html = manager_client.get(reverse("channels:calendar-create")).content.decode()
    buttons = re.findall(r'<button type="submit"[^>]*name="action" value="(\w+)"', html)
    assert buttons[0] == "save"
    assert "copy" in buttons
