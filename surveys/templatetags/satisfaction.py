"""Figures as the satisfaction pages show them."""

from django import template
from django.utils import formats

register = template.Library()

NO_FIGURE = "—"


@register.filter
def percent(value) -> str:
    """``66.67`` -> ``66.67 %`` (a non-breaking space, so a narrow screen never wraps the unit
    away from its number), the number localised as the page's others; None (no data) -> "—"."""
    if value is None or value == "":
        return NO_FIGURE
    return f"{formats.localize(value)}\N{NO-BREAK SPACE}%"
