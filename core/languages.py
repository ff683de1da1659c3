"""Each person's language: the interface after sign-in and every email to them."""

from __future__ import annotations

from django.conf import settings


def codes() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def site_language() -> str:
    """The portal's default language when it is one of ``settings.LANGUAGES``, else English."""
    return settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in codes() else "en"


def supported(code: str | None) -> str | None:
    """``code`` if the portal speaks it (``ru-RU`` counts as ``ru``), else None."""
    if not code:
        return None
    code = code.lower().replace("_", "-")
    for candidate in (code, code.split("-")[0]):
        if candidate in codes():
            return candidate
    return None


def language_for(user) -> str:
    """The language to write to ``user`` in: their preference, else the site's default."""
    if user is None:
        return settings.LANGUAGE_CODE
    try:
        preferred = user.portal_profile.language
    except Exception:
        preferred = ""
    return supported(preferred) or settings.LANGUAGE_CODE
