from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from conftest import make_user
from core.roles import MANAGER
from core.testing import flush_outbox

PASSWORD = "correct-horse-battery"


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_lands_on_the_dashboard(client, manager):
    response = login(client, "manager", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    page = client.get(reverse("dashboard"))
    assert "Maria Manager" in page.content.decode()


def test_wrong_password_shows_a_form_error(client, manager):
    response = login(client, "manager", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_out_username_from_that_address_only(client, db, settings):
    make_user("manager", MANAGER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "manager", "wrong", ip="10.0.0.66")
    locked = login(client, "manager", PASSWORD, ip="10.0.0.66")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    # The real user, from their own address, is not locked out by the attacker.
    ok = login(client, "manager", PASSWORD, ip="10.0.0.7")
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="manager").pk)


def test_logout_needs_post_and_ends_the_session(manager_client):
    response = manager_client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in manager_client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client, manager):
    response = client.post(reverse("password_reset"), {"email": "manager@example.com"})
    flush_outbox()  # the worker sends it right after the request commits
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line).strip()
    path = link[link.index("/accounts/reset/") :]
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-much-better-pass-2026", "new_password2": "a-much-better-pass-2026"},
    )
    assert done.status_code == 302
    manager.refresh_from_db()
    assert manager.check_password("a-much-better-pass-2026")


def test_password_change_rejects_weak_passwords(manager_client, manager):
    response = manager_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)
