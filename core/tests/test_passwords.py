"""Password reset: throttled per client address and per account, without telling which."""

from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from conftest import make_user
from core.models import OutboxMessage
from core.testing import flush_outbox

pytestmark = pytest.mark.django_db
DONE = reverse("password_reset_done")


@pytest.fixture
def limits(settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 2
    settings.PORTAL_TRUSTED_PROXIES = ["10.1.0.5"]
    return settings


def _reset(client, email, address, **extra):
    answer = client.post(
        reverse("password_reset"),
        {"email": email},
        REMOTE_ADDR="10.1.0.5",
        HTTP_X_FORWARDED_FOR=address,
        **extra,
    )
    flush_outbox()  # what the worker does right after the request commits
    return answer


def test_one_account_gets_at_most_its_limit(client, limits):
    make_user("ann", None)
    answers = [_reset(client, "ann@example.com", f"198.51.100.{n}") for n in range(4)]
    assert [(a.status_code, a.url) for a in answers] == [(302, DONE)] * 4
    assert len(mail.outbox) == 2
    # Case does not make it another account.
    _reset(client, "ANN@example.com", "198.51.100.9")
    assert len(mail.outbox) == 2


def test_one_address_gets_at_most_its_limit(client, limits):
    for name in ("ann", "bob", "cy", "dee", "eve"):
        make_user(name, None)
    for name in ("ann", "bob", "cy", "dee"):
        assert _reset(client, f"{name}@example.com", "198.51.100.1").url == DONE
    assert [m.to for m in mail.outbox] == [
        ["ann@example.com"],
        ["bob@example.com"],
        ["cy@example.com"],
    ]
    # Another client behind the same proxy is not affected.
    _reset(client, "eve@example.com", "198.51.100.2")
    assert mail.outbox[-1].to == ["eve@example.com"]


def test_the_throttled_answer_is_the_neutral_page(client, limits):
    make_user("ann", None)
    for n in range(3):
        _reset(client, "ann@example.com", f"198.51.100.{n}")
    page = client.get(DONE)
    assert "If an account uses that address" in page.content.decode()
    unknown = _reset(client, "nobody@example.com", "198.51.100.50")
    assert (unknown.status_code, unknown.url) == (302, DONE)


def test_a_cache_outage_does_not_stop_resets(client, limits):
    make_user("ann", None)
    with mock.patch("core.throttle.cache.add", side_effect=ConnectionError("down")):
        for _ in range(3):
            assert _reset(client, "ann@example.com", "198.51.100.1").url == DONE
    assert len(mail.outbox) == 3


def test_a_malformed_email_is_a_form_error(client, limits):
    page = _reset(client, "not-an-email", "198.51.100.1")
    assert page.status_code == 200
    assert page.context["form"].errors["email"]


def test_the_reset_email_goes_through_the_outbox_in_the_pages_language(client, limits):
    make_user("ann", None)
    _reset(client, "ann@example.com", "198.51.100.1", HTTP_ACCEPT_LANGUAGE="pl")
    message = OutboxMessage.objects.get(kind="core.password_reset")
    assert (message.status, message.language, message.recipient.username) == ("sent", "pl", "ann")
    [email] = mail.outbox
    assert "/accounts/reset/" in email.body
    assert "&amp;" not in email.subject
