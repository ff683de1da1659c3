"""Password reset, throttled per client address and per account."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect

from core.clientip import client_ip
from core.throttle import cache_key, over_limit

logger = logging.getLogger(__name__)
HOUR = 60 * 60


def password_reset_throttled(*, address: str | None, email: str) -> bool:
    """Count a reset request; True when its address or its account asked too often this hour.

    Both counters move on every request, so rotating addresses does not help against one
    account, and one address cannot walk through many accounts.
    """
    by_address = over_limit(
        cache_key("pwreset-ip", address or "unknown"),
        limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        window_seconds=HOUR,
    )
    by_account = over_limit(
        cache_key("pwreset-account", email.strip().casefold()),
        limit=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT,
        window_seconds=HOUR,
    )
    return by_address or by_account


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, except that past the limits no email goes out.

    The answer is the same neutral "if an account uses that address" page either way, so the
    throttle tells an attacker nothing about which addresses have accounts.
    """

    def form_valid(self, form):
        address = client_ip(self.request)
        if password_reset_throttled(address=address, email=form.cleaned_data["email"]):
            logger.info("Password reset throttled (client %s); no email sent.", address)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
