"""Response guards for signed-in users: idle sign-out and no caching of their pages."""

import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers

#: Session key holding when the session's expiry was last pushed forward (epoch seconds).
TOUCHED_KEY = "_portal_touched"


def _refresh_seconds() -> int:
    # Pushing the expiry forward is a session write: once a minute at most, not per request
    # (SESSION_SAVE_EVERY_REQUEST would add a database write to every page).
    return max(1, min(60, settings.SESSION_COOKIE_AGE // 10))


class SignedInResponseMiddleware:
    """For a signed-in user: an idle (not absolute) session lifetime, and ``no-store``.

    Idle: the session expires ``SESSION_COOKIE_AGE`` after it was last saved; a request more
    than a minute after the last save marks the session modified, so SessionMiddleware saves it
    with a fresh expiry and cookie. A sign-in always saves the session, which stamps it here.

    No-store: pages and API answers for a signed-in user show personal data; neither a shared
    proxy cache nor the browser's back button on a shared computer may keep them. Anonymous
    public pages (surveys, kiosks) and static files (whitenoise answers before this runs) keep
    their normal caching. Must come after SessionMiddleware and AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        add_never_cache_headers(response)
        session = getattr(request, "session", None)
        if session is not None:
            now = int(time.time())
            touched = session.get(TOUCHED_KEY)
            if session.modified or (touched is not None and now - touched >= _refresh_seconds()):
                session[TOUCHED_KEY] = now
        return response
