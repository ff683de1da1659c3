"""Signal receivers of the kernel; they only call services."""

from __future__ import annotations

from django.conf import settings

from core.preferences import fill_preference_once, preferred_language, remember_in_session


def fill_language_on_login(sender, request, user, **kwargs):
    """A person without a preference keeps the language they chose before signing in (the
    language switcher's cookie), so their email follows it from now on."""
    if request is None or user is None:
        return
    fill_preference_once(user, request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    remember_in_session(request, preferred_language(user))
