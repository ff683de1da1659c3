"""Template helpers every app's pages share."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """``?…&page=N`` keeping the list's filters, so paging never drops them."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
