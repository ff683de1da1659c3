"""Password reset, throttled per client address and per account."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponseRedirect
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core import outbox
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


PASSWORD_RESET = "core.password_reset"  # noqa: S105 -- a message kind, not a password


def register_messages() -> None:
    outbox.register(PASSWORD_RESET, label=_("Password reset"), template="core/email/prepared")


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, whose email goes through the outbox like every other.

    Drawn now, in the language of the page the person used (the link carries a token that only
    this request can make), and sent by the outbox with its retries: a mail server that is
    down for a minute does not lose the link, nor turn the request into an error.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox.enqueue(
            outbox.message(
                kind=PASSWORD_RESET,
                to=to_email,
                user=context.get("user"),
                language=translation.get_language(),
                context={"subject": subject, "body": body},
            )
        )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, except that past the limits no email goes out.

    The answer is the same neutral "if an account uses that address" page either way, so the
    throttle tells an attacker nothing about which addresses have accounts.
    """

    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        address = client_ip(self.request)
        if password_reset_throttled(address=address, email=form.cleaned_data["email"]):
            logger.info("Password reset throttled (client %s); no email sent.", address)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
