"""Client addresses behind trusted proxies: the resolver, and the lockout that depends on it."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from conftest import make_user
from core.clientip import client_ip, parse_address, resolve, trusted_networks
from core.roles import MANAGER

PROXY = "10.1.0.5"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def behind_proxy(settings):
    settings.PORTAL_TRUSTED_PROXIES = ["10.1.0.0/24", "192.0.2.1"]
    return settings


def _ip(remote, xff=None):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.PORTAL_TRUSTED_PROXIES = []
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_behind_a_trusted_proxy_the_forwarded_client_is_used(behind_proxy):
    assert _ip(PROXY, "198.51.100.1") == "198.51.100.1"
    assert _ip(PROXY) == PROXY  # the proxy itself, e.g. its health check


def test_a_client_cannot_choose_its_address_by_starting_the_header(behind_proxy):
    # The client sent "X-Forwarded-For: 1.1.1.1"; our proxy appended what it saw.
    assert _ip(PROXY, "1.1.1.1, 198.51.100.1") == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_skipped_from_the_right(behind_proxy):
    assert _ip(PROXY, "1.1.1.1, 198.51.100.1, 192.0.2.1, 10.1.0.7") == "198.51.100.1"


def test_an_untrusted_peer_cannot_forward(behind_proxy):
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_garbage_in_the_header_stops_the_walk(behind_proxy):
    assert _ip(PROXY, "198.51.100.1, unknown") == PROXY
    assert _ip(PROXY, "1.1.1.1, unknown, 10.1.0.7") == "10.1.0.7"


def test_ports_brackets_and_mapped_addresses(behind_proxy):
    assert _ip(PROXY, "198.51.100.1:4711") == "198.51.100.1"
    assert _ip(PROXY, "[2001:db8::1]:443") == "2001:db8::1"
    assert _ip("::ffff:10.1.0.5", "2001:db8::2") == "2001:db8::2"
    assert parse_address("not an address") is None
    assert parse_address("") is None


def test_no_peer_address_is_none(behind_proxy):
    assert resolve(None, "198.51.100.1", trusted_networks()) is None


def test_a_malformed_setting_stops_start_up(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example.com")
    with pytest.raises(ImproperlyConfigured, match="PORTAL_TRUSTED_PROXIES"):
        importlib.reload(portal_settings)
    monkeypatch.delenv("PORTAL_TRUSTED_PROXIES")
    importlib.reload(portal_settings)


def _login(client, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": "manager", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_one_client_behind_the_proxy_cannot_lock_out_another(client, db, behind_proxy):
    make_user("manager", MANAGER)
    for _ in range(behind_proxy.AXES_FAILURE_LIMIT):
        _login(client, "wrong", "198.51.100.66")
    locked = _login(client, PASSWORD, "198.51.100.66")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session

    ok = _login(client, PASSWORD, "198.51.100.7")
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="manager").pk)


def test_an_attacker_varying_the_header_without_a_trusted_proxy_is_still_locked(
    client, db, settings
):
    make_user("manager", MANAGER)
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "manager", "password": "wrong"},
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    again = client.post(
        reverse("login"),
        {"username": "manager", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.66",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert again.status_code == 429
