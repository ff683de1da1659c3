"""Reading and storing each person's preferred language (``core.models.Profile``).

Profiles are created lazily, the first time a person chooses a language. Reading goes through
the reverse one-to-one accessor, which Django caches on the user instance (a missing profile
too), so a request asks the database at most once however often the preference is read; the
pages read it through the session instead (``request_language``).
"""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from core.languages import codes, supported
from core.models import Profile


def preferred_language(user) -> str | None:
    """The portal language ``user`` chose, or None when they have not chosen one."""
    if user is None or not user.is_authenticated:
        return None
    try:
        code = user.portal_profile.language
    except Profile.DoesNotExist:
        return None
    return supported(code)


@transaction.atomic
def set_preferred_language(user, code: str) -> Profile:
    """Store ``code`` as the preference of ``user``; refuses a language the portal lacks."""
    language = supported(code)
    if language is None:
        raise ValidationError(
            {"language": [gettext("Choose one of the languages the portal speaks.")]}
        )
    profile, created = Profile.objects.get_or_create(user=user, defaults={"language": language})
    if not created and profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
    user.portal_profile = profile  # later reads in this request see the new value
    return profile


def fill_preference_once(user, code: str | None) -> bool:
    """Store ``code`` (what the person chose before signing in) unless they already have a
    preference. Returns whether it was stored."""
    language = supported(code)
    if language is None or preferred_language(user):
        return False
    with transaction.atomic():
        profile, created = Profile.objects.get_or_create(user=user, defaults={"language": language})
        if not created:
            # Only fill an empty (or no longer offered) preference: a concurrent choice made
            # meanwhile wins.
            updated = (
                Profile.objects.filter(pk=profile.pk)
                .exclude(language__in=codes())
                .update(language=language)
            )
            if not updated:
                profile.refresh_from_db(fields=["language"])
                user.portal_profile = profile
                return False
            profile.language = language
    user.portal_profile = profile
    return True


# The interface reads the preference on every signed-in request. The session (loaded anyway to
# find the user) remembers it, so pages cost no extra query; it is read again from the profile
# after REFRESH_SECONDS, so a change made in another browser shows there within minutes.
SESSION_KEY = "core.language"
REFRESH_SECONDS = 300


def remember_in_session(request, code: str | None) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = [code or "", int(time.time())]


def _remembered(request) -> tuple[str | None, bool]:
    """(the session's copy of the preference, whether that copy is recent)."""
    session = getattr(request, "session", None)
    remembered = session.get(SESSION_KEY) if session is not None else None
    if not (
        isinstance(remembered, list)
        and len(remembered) == 2
        and isinstance(remembered[0], str)
        and isinstance(remembered[1], int)
    ):
        return None, False
    # No lower bound: a clock set back (or a test travelling in time) keeps the copy.
    return supported(remembered[0]), time.time() - remembered[1] < REFRESH_SECONDS


def remembered_language(request) -> str | None:
    """The session's copy only: never a query, never a new session (for API requests that
    authenticate by token and carry no session)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return _remembered(request)[0]


def request_language(request) -> str | None:
    """The preferred language of the person signed in on ``request``, or None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    code, recent = _remembered(request)
    if recent:
        return code
    code = preferred_language(user)
    remember_in_session(request, code)
    return code
