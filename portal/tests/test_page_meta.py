"""What every HTML answer carries besides its content: a description in the reader's language,
and no compression of pages that hold a CSRF token (BREACH; see README, "Production layout")."""

import re

import pytest
from django.test import Client
from django.utils import translation

from channels_app.tests.factories import ChannelFactory
from surveys import services


def _description(response) -> str:
    match = re.search(r'<meta name="description" content="([^"]*)">', response.content.decode())
    assert match, "no meta description"
    return match.group(1)


@pytest.mark.django_db
def test_pages_describe_themselves_in_the_readers_language(client, manager):
    login = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert _description(login).startswith("Sign in to the Service Standards Portal")
    client.force_login(manager)
    dashboard = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert _description(dashboard) == (
        "Your team's customer-service standards, SLAs, onboarding and customer satisfaction "
        "in one place."
    )
    docs = client.get("/api/v1/docs/")
    assert '<html lang="en">' in docs.content.decode()
    assert _description(docs).startswith("Interactive documentation")


@pytest.mark.django_db
def test_the_kiosk_has_its_own_description_in_its_language():
    office = ChannelFactory(code="office", name="Office", calendar=None)
    kiosk = services.kiosk_create(name="Lobby", channel=office, min_interval_seconds=0)
    english = Client().get(f"/kiosk/{kiosk.key}/?lang=en")
    assert _description(english) == "Tell us how your visit went: one tap, no sign-in."
    polish = Client().get(f"/kiosk/{kiosk.key}/?lang=pl")
    with translation.override("pl"):
        expected = translation.gettext("Tell us how your visit went: one tap, no sign-in.")
    assert _description(polish) == expected


@pytest.mark.django_db
def test_pages_with_a_csrf_token_are_not_compressed(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "Content-Encoding" not in response.headers
