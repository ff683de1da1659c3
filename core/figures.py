"""How a percentage is written, in one place for every page, email and message.

One style in every language: the number as the page localises it ("87,5" in ru and pl, "87.5"
in English), a no-break space, then "%". The Russian norm (CLDR) writes the space, Polish usage
accepts it, and the no-break space keeps a narrow screen from wrapping the unit away from its
number. Sentences take the finished text as a placeholder (``%(score)s``), so no catalogue entry
carries its own percent style.
"""

from django.utils import formats

NO_FIGURE = "—"


def percent(value) -> str:
    """``87.5`` -> ``"87.5 %"`` (no-break space, number localised); None -> ``"—"``."""
    if value is None or value == "":
        return NO_FIGURE
    return f"{formats.localize(value)}\N{NO-BREAK SPACE}%"
