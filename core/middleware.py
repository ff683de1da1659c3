"""The interface speaks each signed-in person's preferred language.

Django's ``LocaleMiddleware`` runs before authentication (it needs no user) and picks the
language from the cookie or ``Accept-Language``. This middleware runs right after
``AuthenticationMiddleware`` and, for a signed-in person with a preference, activates that
language instead; on the way out it keeps the language cookie equal to the preference, so the
pages seen after signing out (the login page) stay in the same language. Anonymous requests
and people without a preference keep Django's behaviour. Cost: none on most requests, since
the session remembers the preference (``core.preferences.request_language``); one profile
read when the session's copy is older than a few minutes.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from core.preferences import remembered_language, request_language


def set_language_cookie(response, code: str) -> None:
    """The language cookie exactly as Django's ``set_language`` view sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class PreferredLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        preferred = request_language(request)
        if preferred:
            translation.activate(preferred)
            request.LANGUAGE_CODE = preferred
        response = self.get_response(request)
        # The view may have signed someone in or out, or changed the preference: the sign-in
        # receiver and the views that change it keep the session's copy up to date. Only that
        # copy is read here: an API view may have authenticated a token, with no session.
        preferred = remembered_language(request)
        if (
            preferred
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != preferred
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies
        ):
            set_language_cookie(response, preferred)
        return response
