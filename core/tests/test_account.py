"""Each person's language: the account page, the switcher, sign-in and the middleware."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from core import preferences
from core.languages import language_for
from core.models import Profile
from core.preferences import set_preferred_language
from core.testing_browser import TEST_PASSWORD

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_lang(response) -> str:
    body = response.content.decode()
    return body.split('<html lang="', 1)[1].split('"', 1)[0]


# --- the middleware -------------------------------------------------------------------------


def test_anonymous_pages_follow_the_cookie_then_the_browser(client, db):
    assert html_lang(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="pl")) == "pl"
    client.cookies[COOKIE] = "ru"
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="pl")
    assert html_lang(response) == "ru"
    assert COOKIE not in response.cookies


def test_a_preference_beats_cookie_and_browser_and_resets_the_cookie(client, staff_user):
    set_preferred_language(staff_user, "ru")
    client.force_login(staff_user)
    client.cookies[COOKIE] = "pl"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 200
    assert html_lang(response) == "ru"
    assert response.headers["Content-Language"] == "ru"
    assert response.cookies[COOKIE].value == "ru"
    # Once the cookie agrees, it is left alone.
    again = client.get("/", HTTP_ACCEPT_LANGUAGE="pl")
    assert html_lang(again) == "ru"
    assert COOKIE not in again.cookies


def test_without_a_preference_a_signed_in_person_keeps_the_cookie(client, staff_user):
    client.force_login(staff_user)
    client.cookies[COOKIE] = "pl"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    assert html_lang(response) == "pl"
    assert COOKIE not in response.cookies
    assert not Profile.objects.exists()  # reading never creates a profile


def profile_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"core_profile"' in q["sql"]]


def test_pages_read_the_preference_from_the_session(client, staff_user, monkeypatch):
    """No query for the preference on ordinary requests; one when the session's copy is old,
    which is how a change made in another browser reaches this one."""
    set_preferred_language(staff_user, "pl")
    client.force_login(staff_user)
    for _round in range(2):  # with and without the cookie to set
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("account"))
        assert html_lang(response) == "pl"
        assert profile_reads(queries) == []
    # Another browser changes it; this session follows once its copy is old.
    set_preferred_language(User.objects.get(pk=staff_user.pk), "ru")
    assert html_lang(client.get("/")) == "pl"
    later = time.time() + preferences.REFRESH_SECONDS + 1
    monkeypatch.setattr(preferences.time, "time", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert html_lang(response) == "ru"
    assert len(profile_reads(queries)) == 1
    assert response.cookies[COOKIE].value == "ru"
    with CaptureQueriesContext(connection) as queries:
        assert html_lang(client.get("/")) == "ru"
    assert profile_reads(queries) == []


def test_a_session_from_before_reads_the_profile_once(client, staff_user):
    set_preferred_language(staff_user, "ru")
    client.force_login(staff_user)
    session = client.session
    del session[preferences.SESSION_KEY]
    session.save()
    with CaptureQueriesContext(connection) as queries:
        assert html_lang(client.get("/")) == "ru"
    assert len(profile_reads(queries)) == 1


def test_a_stale_unsupported_preference_is_ignored(client, staff_user):
    Profile.objects.create(user=staff_user, language="de")
    client.force_login(staff_user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="pl")
    assert html_lang(response) == "pl"
    assert COOKIE not in response.cookies


# --- language_for -----------------------------------------------------------------------------


def test_language_for_reads_the_preference_once(staff_user, django_assert_num_queries):
    assert language_for(None) == "en"
    set_preferred_language(staff_user, "pl")
    fresh = User.objects.get(pk=staff_user.pk)
    with django_assert_num_queries(1):
        assert language_for(fresh) == "pl"
        assert language_for(fresh) == "pl"
    nobody = make_user("nobody", None)
    with django_assert_num_queries(1):
        assert language_for(nobody) == "en"
        assert language_for(nobody) == "en"


# --- the account page -----------------------------------------------------------------------


def test_account_page_needs_a_sign_in(client, db):
    response = client.get(reverse("account"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_account_page_offers_every_language_in_its_own_name(staff_client):
    response = staff_client.get(reverse("account"), HTTP_ACCEPT_LANGUAGE="pl")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="language"' in body
    for code, name in (("en", "English"), ("ru", "Русский"), ("pl", "Polski")):
        assert f'value="{code}"' in body and f">{name}</option>" in body
    # Nothing stored yet: the page proposes the language being shown.
    assert '<option value="pl" selected>' in body
    # Reachable from the user menu of every page.
    assert f'href="{reverse("account")}"' in staff_client.get("/").content.decode()


@pytest.mark.parametrize("user_fixture", ["staff_user", "manager", "integration_user"])
def test_saving_the_language_switches_the_interface_at_once(client, request, user_fixture):
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    response = client.post(reverse("account"), {"language": "ru"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response.url == reverse("account")
    assert response.cookies[COOKIE].value == "ru"
    assert Profile.objects.get(user=user).language == "ru"
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(page) == "ru"
    assert '<option value="ru" selected>' in page.content.decode()
    assert language_for(User.objects.get(pk=user.pk)) == "ru"


def test_changing_an_existing_preference_updates_the_one_row(staff_client, staff_user):
    set_preferred_language(staff_user, "pl")
    staff_client.post(reverse("account"), {"language": "en"})
    assert list(Profile.objects.values_list("user_id", "language")) == [(staff_user.pk, "en")]


@pytest.mark.parametrize("value", ["xx", "", "ru-RU", "ru\x00"])
def test_an_unknown_language_is_a_form_error(staff_client, staff_user, value):
    response = staff_client.post(reverse("account"), {"language": value})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert "is-invalid" in response.content.decode()
        assert response.context["form"].errors["language"]
    assert not Profile.objects.exists()


# --- Django's language switcher ---------------------------------------------------------------


def test_the_switcher_stores_a_signed_in_choice(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("set_language"), {"language": "pl", "next": "/"})
    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies[COOKIE].value == "pl"
    assert Profile.objects.get(user=staff_user).language == "pl"
    # The preference, not the cookie, holds it: a new browser gets Polish after signing in.
    fresh = Client()
    fresh.force_login(User.objects.get(pk=staff_user.pk))
    assert html_lang(fresh.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "pl"


def test_the_switcher_without_sign_in_only_sets_the_cookie(client, db):
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/accounts/login/"})
    assert response.cookies[COOKIE].value == "ru"
    assert not Profile.objects.exists()


@pytest.mark.parametrize(
    "method, data",
    [("get", {"language": "pl", "next": "/"}), ("post", {"language": "xx", "next": "/"})],
)
def test_the_switcher_ignores_a_get_or_an_unknown_language(client, staff_user, method, data):
    set_preferred_language(staff_user, "ru")
    client.force_login(staff_user)
    response = getattr(client, method)(reverse("set_language"), data)
    assert response.status_code == 302
    assert Profile.objects.get(user=staff_user).language == "ru"


def test_the_switcher_needs_the_csrf_token(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(reverse("set_language"), {"language": "pl", "next": "/"})
    assert response.status_code == 403
    assert not Profile.objects.exists()


# --- first fill on sign-in --------------------------------------------------------------------


def sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})


def test_signing_in_keeps_the_language_chosen_before(client, staff_user):
    client.cookies[COOKIE] = "pl"
    response = sign_in(client, staff_user)
    assert response.status_code == 302
    assert Profile.objects.get(user=staff_user).language == "pl"


def test_signing_in_never_overwrites_a_preference(client, staff_user):
    set_preferred_language(staff_user, "ru")
    client.cookies[COOKIE] = "pl"
    response = sign_in(client, staff_user)
    assert response.status_code == 302
    assert Profile.objects.get(user=staff_user).language == "ru"
    # The cookie follows the preference from the sign-in on.
    assert response.cookies[COOKIE].value == "ru"


@pytest.mark.parametrize("stored", ["", "de"])
def test_signing_in_fills_an_empty_profile(client, staff_user, stored):
    Profile.objects.create(user=staff_user, language=stored)
    client.cookies[COOKIE] = "ru"
    sign_in(client, staff_user)
    assert Profile.objects.get(user=staff_user).language == "ru"


@pytest.mark.parametrize("cookie", [None, "xx", ""])
def test_signing_in_without_a_usable_choice_stores_nothing(client, staff_user, cookie):
    if cookie is not None:
        client.cookies[COOKIE] = cookie
    response = sign_in(
        client,
        staff_user,
    )
    assert response.status_code == 302
    assert not Profile.objects.exists()


def test_token_api_requests_get_no_session_and_no_cookie(staff_user, staff_api):
    from django.contrib.sessions.models import Session

    set_preferred_language(staff_user, "ru")
    with CaptureQueriesContext(connection) as queries:
        response = staff_api.get("/api/v1/channels/")
    assert response.status_code == 200
    assert COOKIE not in response.cookies
    assert not Session.objects.exists()
    assert profile_reads(queries) == []
