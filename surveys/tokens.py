"""Survey links: ``<invitation id>.<HMAC under SECRET_KEY over the invitation's random nonce>``.

The nonce (32 random bytes) is stored, the HMAC is not: a copy of the database alone cannot
build a valid link, yet the link can always be rebuilt for the e-mail and the API's ``url``.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "surveys.invitation.link"


def _mac(invitation_id: int, nonce: str) -> str:
    return salted_hmac(SALT, f"{invitation_id}:{nonce}", algorithm="sha256").hexdigest()[:40]


def invitation_token(invitation) -> str:
    return f"{invitation.pk}.{_mac(invitation.pk, invitation.nonce)}"


def invitation_url(invitation) -> str:
    path = reverse("surveys:answer", kwargs={"token": invitation_token(invitation)})
    return f"{settings.PORTAL_BASE_URL}{path}"


def parse_token(token: str) -> tuple[int, str] | None:
    """``(id, mac)`` of a well-formed token, else None; the mac is checked by :func:`matches`."""
    head, sep, mac = (token or "").partition(".")
    if not sep or not head.isdigit() or len(head) > 12 or len(mac) != 40:
        return None
    return int(head), mac


def matches(invitation, mac: str) -> bool:
    return constant_time_compare(_mac(invitation.pk, invitation.nonce), mac)
