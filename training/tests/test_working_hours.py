"""A manager sets a person's working hours on a page (the admin goes through the same service);
the reminders honour them."""

from datetime import UTC, datetime, time

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.testing import flush_outbox
from training import reminders, services
from training.models import TrainingProfile

pytestmark = pytest.mark.django_db

URL = reverse("training:working-hours", kwargs={"username": "agent"})
MONDAY = datetime(2026, 3, 9, tzinfo=UTC)


def _errors(response) -> str:
    return response.content.decode()


def test_page_is_reachable_from_the_person_page(manager_client, assigned, settings):
    settings.TIME_ZONE = "Europe/Warsaw"
    person = manager_client.get(reverse("training:person", kwargs={"username": "agent"}))
    html = person.content.decode()
    assert URL in html
    assert "Not known: reminders may arrive at any time." in html
    page = manager_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Working hours of Adam Agent" in html
    assert '<option value="" selected>The portal&#x27;s time zone (Europe/Warsaw)</option>' in html
    assert '<option value="Asia/Tokyo">Asia/Tokyo</option>' in html
    assert 'type="time"' in html


def test_saving_hours_and_reminders_honour_them(manager_client, assigned):
    response = manager_client.post(
        URL, {"timezone": "Asia/Tokyo", "work_start": "09:00", "work_end": "17:00"}, follow=True
    )
    assert response.redirect_chain == [(reverse("training:person", args=["agent"]), 302)]
    html = response.content.decode()
    assert "The working hours of Adam Agent are saved." in html
    assert "Weekdays from 09:00 to 17:00 (Asia/Tokyo): reminders are sent only then." in html
    profile = TrainingProfile.objects.get(user=assigned)
    assert (profile.timezone, profile.work_start, profile.work_end) == (
        "Asia/Tokyo",
        time(9),
        time(17),
    )
    # 12:00 UTC is 21:00 in Tokyo: nothing; 03:00 UTC is 12:00 there: the reminder goes.
    assert reminders.reminders_send(now=MONDAY.replace(hour=12)) == 0
    assert not mail.outbox
    assert reminders.reminders_send(now=MONDAY.replace(hour=3)) == 1
    flush_outbox()
    assert mail.outbox[0].to == ["agent@example.com"]
    # The form shows what is stored.
    form = manager_client.get(URL).content.decode()
    assert '<option value="Asia/Tokyo" selected>' in form
    assert 'value="09:00"' in form and 'value="17:00"' in form


def test_a_night_shift_ends_after_midnight(manager_client, assigned):
    response = manager_client.post(
        URL, {"timezone": "UTC", "work_start": "22:00", "work_end": "06:00"}, follow=True
    )
    assert "Weekdays from 22:00 to 06:00 (UTC)" in response.content.decode()
    profile = TrainingProfile.objects.get(user=assigned)
    assert (profile.work_start, profile.work_end) == (time(22), time(6))
    # Noon is outside the shift; 23:00 is inside it.
    assert reminders.reminders_send(now=MONDAY.replace(hour=12)) == 0
    assert reminders.reminders_send(now=MONDAY.replace(hour=23)) == 1
    flush_outbox()


def test_portal_time_zone_when_none_is_chosen(manager_client, assigned, settings):
    settings.TIME_ZONE = "Europe/Warsaw"
    manager_client.post(URL, {"timezone": "", "work_start": "08:00", "work_end": "16:00"})
    profile = TrainingProfile.objects.get(user=assigned)
    assert profile.timezone == ""
    # Europe/Warsaw is UTC+1 in March: 14:30 UTC is 15:30 there (in), 15:30 UTC is 16:30 (out).
    assert reminders.reminders_send(now=MONDAY.replace(hour=15, minute=30)) == 0
    assert reminders.reminders_send(now=MONDAY.replace(hour=14, minute=30)) == 1
    flush_outbox()


def test_clearing_the_hours_means_any_time(manager_client, assigned):
    TrainingProfile.objects.create(
        user=assigned, timezone="Asia/Tokyo", work_start=time(9), work_end=time(17)
    )
    response = manager_client.post(
        URL, {"timezone": "Asia/Tokyo", "work_start": "", "work_end": ""}
    )
    assert response.status_code == 302
    profile = TrainingProfile.objects.get(user=assigned)
    assert (profile.work_start, profile.work_end) == (None, None)
    assert reminders.reminders_send(now=MONDAY.replace(hour=12)) == 1
    flush_outbox()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"timezone": "", "work_start": "09:00", "work_end": "09:00"},
            "The working hours cannot start and end at the same time.",
        ),
        (
            {"timezone": "", "work_start": "09:00", "work_end": ""},
            "Give both the start and the end of the working hours, or neither.",
        ),
        (
            {"timezone": "", "work_start": "", "work_end": "17:00"},
            "Give both the start and the end of the working hours, or neither.",
        ),
        ({"timezone": "", "work_start": "25:61", "work_end": "17:00"}, "Enter a valid time."),
        (
            {"timezone": "Mars/Olympus_Mons", "work_start": "09:00", "work_end": "17:00"},
            "Select a valid choice.",
        ),
    ],
)
def test_bad_input_is_a_form_error(manager_client, assigned, data, message):
    response = manager_client.post(URL, data)
    assert response.status_code == 200
    assert message in _errors(response)
    assert 'id="working-hours-form"' in _errors(response)
    assert not TrainingProfile.objects.exists()


def test_a_failed_save_keeps_the_stored_hours(manager_client, assigned):
    TrainingProfile.objects.create(user=assigned, work_start=time(9), work_end=time(17))
    manager_client.post(URL, {"timezone": "", "work_start": "18:00", "work_end": "18:00"})
    profile = TrainingProfile.objects.get(user=assigned)
    assert (profile.work_start, profile.work_end) == (time(9), time(17))


def test_staff_may_not_edit_hours(staff_client, assigned):
    assert staff_client.get(URL).status_code == 403
    data = {"timezone": "Asia/Tokyo", "work_start": "09:00", "work_end": "17:00"}
    assert staff_client.post(URL, data).status_code == 403
    assert not TrainingProfile.objects.exists()


def test_unknown_person_is_a_404(manager_client):
    url = reverse("training:working-hours", kwargs={"username": "nobody"})
    assert manager_client.get(url).status_code == 404


def test_service_rules(staff_user, manager):
    with pytest.raises(PermissionDenied):
        services.training_profile_update(
            user=staff_user, by=staff_user, work_start=time(9), work_end=time(17)
        )
    with pytest.raises(ValidationError) as exc:
        services.training_profile_update(
            user=staff_user,
            by=manager,
            timezone_name="Nowhere/City",
            work_start=None,
            work_end=None,
        )
    assert "timezone" in exc.value.message_dict
    profile = services.training_profile_update(
        user=staff_user, by=manager, timezone_name=" Asia/Tokyo ", work_start=None, work_end=None
    )
    assert profile.timezone == "Asia/Tokyo"
    again = services.training_profile_update(
        user=staff_user, by=manager, work_start=time(8), work_end=time(12)
    )
    assert again.pk == profile.pk and again.timezone == ""
    assert TrainingProfile.objects.count() == 1


def test_page_is_bounded(manager_client, assigned, django_assert_max_num_queries):
    TrainingProfile.objects.create(user=assigned, work_start=time(9), work_end=time(17))
    with django_assert_max_num_queries(10):
        assert manager_client.get(URL).status_code == 200
    with django_assert_max_num_queries(15):
        response = manager_client.post(
            URL, {"timezone": "Asia/Tokyo", "work_start": "10:00", "work_end": "18:00"}
        )
    assert response.status_code == 302


def test_admin_uses_the_same_rules(client, staff_user):
    from django.contrib.auth.models import User

    root = User.objects.create_superuser("root", "root@example.com", "correct-horse-battery")
    client.force_login(root)
    add = reverse("admin:training_trainingprofile_add")
    bad = client.post(
        add,
        {
            "user": staff_user.pk,
            "timezone": "Nowhere/City",
            "work_start": "9:00",
            "work_end": "9:00",
        },
    )
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "is not a known time zone" in html
    assert "The working hours cannot start and end at the same time." in html
    assert not TrainingProfile.objects.exists()
    good = client.post(
        add,
        {
            "user": staff_user.pk,
            "timezone": "Asia/Tokyo",
            "work_start": "09:00",
            "work_end": "17:00",
        },
    )
    assert good.status_code == 302
    profile = TrainingProfile.objects.get()
    assert (profile.user, profile.timezone, profile.work_end) == (
        staff_user,
        "Asia/Tokyo",
        time(17),
    )
