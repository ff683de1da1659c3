"""Signed-in responses: idle session expiry and Cache-Control: no-store."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from core.roles import MANAGER

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def test_the_idle_time_comes_from_the_environment(monkeypatch, settings):
    import portal.settings as portal_settings

    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60  # the default: a working day
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "30")
    try:
        assert importlib.reload(portal_settings).SESSION_COOKIE_AGE == 30 * 60
    finally:
        monkeypatch.delenv("SESSION_IDLE_MINUTES")
        importlib.reload(portal_settings)


def test_a_session_expires_after_idle_time_not_after_sign_in(client, settings):
    settings.SESSION_COOKIE_AGE = 600  # ten idle minutes
    make_user("manager", MANAGER)
    dashboard = reverse("dashboard")
    with time_machine.travel(START, tick=False) as clock:
        signed_in = client.post(
            reverse("login"), {"username": "manager", "password": "correct-horse-battery"}
        )
        assert signed_in.status_code == 302
        clock.shift(dt.timedelta(minutes=8))
        assert client.get(dashboard).status_code == 200  # active: the expiry moves on
        clock.shift(dt.timedelta(minutes=8))  # 16 minutes after sign-in, 8 idle
        assert client.get(dashboard).status_code == 200
        clock.shift(dt.timedelta(minutes=11))  # 11 idle minutes
        expired = client.get(dashboard)
        assert expired.status_code == 302
        assert expired.url.startswith(reverse("login"))


def _session_writes(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_the_expiry_moves_at_most_once_a_minute(client):
    make_user("manager", MANAGER)
    url = reverse("password_change")
    with time_machine.travel(START, tick=False) as clock:
        client.post(reverse("login"), {"username": "manager", "password": "correct-horse-battery"})
        clock.shift(dt.timedelta(seconds=30))
        assert _session_writes(client, url) == []
        clock.shift(dt.timedelta(seconds=40))
        assert len(_session_writes(client, url)) == 1


def test_signed_in_pages_are_not_stored(manager_client):
    page = manager_client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]


def test_api_answers_to_a_signed_in_client_are_not_stored(manager_api):
    answer = manager_api.get("/api/v1/channels/")
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
