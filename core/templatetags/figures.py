"""``{% load figures %}``: ``{{ value|percent }}`` writes a percentage as core.figures does."""

from django import template

from core import figures

register = template.Library()


@register.filter
def percent(value) -> str:
    return figures.percent(value)
