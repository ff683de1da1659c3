"""Time to breach in words: "2 h 05 min left", "overdue by 1 d 4 h".

One rule for the server and for the live countdown (``sla/static/sla/time_to_breach.js``):
the page carries the translated unit words for sample numbers (:func:`countdown_words`), and the
script picks the sample of the same plural category (``Intl.PluralRules``) as the number it
shows. For English, Russian and Polish, gettext's plural forms and CLDR's integer categories
coincide (one / few / many), so both sides choose the same form.

Precision shrinks with size: under an hour minutes, under a day hours and minutes (minutes with
two digits), from a day on days and hours. Seconds are dropped (rounded towards zero).
"""

from __future__ import annotations

from django.utils.translation import gettext, npgettext

MINUTE, HOUR, DAY = 60, 3600, 86400
# Numbers whose plural categories cover one, few, many and other in en, ru and pl.
SAMPLES = (1, 2, 5, 0)
_PLACEHOLDER = "{n}"


NBSP = "\u00a0"


def _unit(text: str) -> str:
    """A number and its unit never split across lines ("3 h" stays together in a narrow cell)."""
    return text.replace(" ", NBSP)


def _days(count: int, shown: str) -> str:
    text = npgettext("time to breach", "%(count)s d", "%(count)s d", count)
    return _unit(text % {"count": shown})


def _hours(count: int, shown: str) -> str:
    text = npgettext("time to breach", "%(count)s h", "%(count)s h", count)
    return _unit(text % {"count": shown})


def _minutes(count: int, shown: str) -> str:
    text = npgettext("time to breach", "%(count)s min", "%(count)s min", count)
    return _unit(text % {"count": shown})


UNITS = {"d": _days, "h": _hours, "min": _minutes}


def duration_text(seconds: float) -> str:
    """An unsigned length of time, e.g. "2 h 05 min" or "1 d 4 h"."""
    rest = int(abs(seconds))
    if rest < MINUTE:
        return gettext("less than a minute")
    days, hours, minutes = rest // DAY, rest % DAY // HOUR, rest % HOUR // MINUTE
    if days:
        text = _days(days, str(days))
        return f"{text} {_hours(hours, str(hours))}" if hours else text
    if hours:
        return f"{_hours(hours, str(hours))} {_minutes(minutes, f'{minutes:02d}')}"
    return _minutes(minutes, str(minutes))


def time_to_breach_text(seconds: float) -> str:
    """Seconds until the deadline (negative once passed) in words."""
    if seconds < 0:
        return gettext("overdue by %(duration)s") % {"duration": duration_text(seconds)}
    return gettext("%(duration)s left") % {"duration": duration_text(seconds)}


def countdown_words() -> dict:
    """What the live countdown needs to say the same in the page's language (JSON-ready)."""
    return {
        "units": {
            unit: {str(n): words(n, _PLACEHOLDER) for n in SAMPLES} for unit, words in UNITS.items()
        },
        "less_than_a_minute": gettext("less than a minute"),
        "left": gettext("%(duration)s left") % {"duration": "{duration}"},
        "overdue": gettext("overdue by %(duration)s") % {"duration": "{duration}"},
    }
