"""Behind a trusted proxy each customer has their own rate-limit bucket."""

import pytest
from django.test import override_settings

from surveys.models import Invitation
from surveys.tests.conftest import resolve

pytestmark = pytest.mark.django_db
PROXY = "10.1.0.5"


@pytest.fixture
def invitation(survey, chat):
    resolve(chat)
    return Invitation.objects.get()


def _get(client, invitation, forwarded_for):
    return client.get(
        f"/s/{invitation.token}/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for
    )


@override_settings(SURVEYS_RATE_LIMIT=2, PORTAL_TRUSTED_PROXIES=["10.1.0.0/24"])
def test_buckets_are_per_real_client_behind_the_proxy(client, invitation):
    assert [_get(client, invitation, "198.51.100.1").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    # Another customer behind the same proxy is not limited by the first one...
    assert _get(client, invitation, "198.51.100.2").status_code == 200
    # ...and the first cannot escape its bucket by sending its own header first.
    assert _get(client, invitation, "203.0.113.50, 198.51.100.1").status_code == 429


@override_settings(SURVEYS_RATE_LIMIT=2, PORTAL_TRUSTED_PROXIES=[])
def test_an_untrusted_forwarded_for_does_not_open_new_buckets(client, invitation):
    codes = [_get(client, invitation, f"198.51.100.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_the_public_survey_page_is_not_marked_no_store(client, invitation):
    page = client.get(f"/s/{invitation.token}/")
    assert page.status_code == 200
    assert "no-store" not in page.get("Cache-Control", "")
