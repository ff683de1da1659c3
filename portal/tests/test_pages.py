"""Error pages, security headers, language switching and static assets."""

import pytest
from django.test import override_settings
from django.urls import path

from portal import health
from portal import urls as portal_urls


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [*portal_urls.urlpatterns, path("boom/", boom)]
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500


@pytest.fixture
def prod_like(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "portal.tests.test_pages"


def test_404_is_friendly_and_translated(client, db, prod_like):
    english = client.get("/no/such/page/")
    assert english.status_code == 404
    assert "Page not found" in english.content.decode()
    russian = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="ru")
    assert russian.status_code == 404
    assert "Страница не найдена" in russian.content.decode()
    polish = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="pl")
    assert "Nie znaleziono strony" in polish.content.decode()


def test_500_is_friendly_and_translated(client, db, prod_like):
    client.raise_request_exception = False
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 500
    body = response.content.decode()
    assert 'lang="pl"' in body
    assert "boom" not in body


def test_403_is_translated(client, no_role_user, prod_like):
    client.force_login(no_role_user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 403
    assert 'lang="ru"' in response.content.decode()


def test_language_switcher_sets_the_language(manager_client):
    response = manager_client.post("/i18n/setlang/", {"language": "pl", "next": "/"})
    assert response.status_code == 302
    page = manager_client.get("/")
    assert 'lang="pl"' in page.content.decode()


def test_strict_content_security_policy(manager_client):
    response = manager_client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    body = response.content.decode()
    assert "<script>" not in body
    assert "style=" not in body
    assert "https://" not in body.split("<body", 1)[1].replace("https://getbootstrap", "")


@override_settings(DEBUG=True)
def test_bootstrap_is_served_locally(client, db):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/bootstrap/css/bootstrap.min.css")
    assert finders.find("vendor/bootstrap/js/bootstrap.bundle.min.js")


def test_dashboard_shows_worker_status(manager_client):
    page = manager_client.get("/").content.decode()
    assert "Not running" in page
    health.record_heartbeat()
    page = manager_client.get("/").content.decode()
    assert "Running: last seen" in page
