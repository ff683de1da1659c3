"""``{% load hooks %}{% slot_links "app.slot" obj as links %}``: the links other apps put in a
page's slot (``core.hooks``)."""

from django import template

from core import hooks

register = template.Library()


@register.simple_tag(takes_context=True)
def slot_links(context, slot: str, obj=None) -> list[hooks.Link]:
    request = context.get("request")
    if request is None:
        return []
    return hooks.links(slot, request=request, obj=obj)
