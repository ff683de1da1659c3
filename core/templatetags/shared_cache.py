"""``{% cache %}`` that renders the fragment when the cache is away instead of failing the page.

Load it in place of Django's library (``{% load shared_cache %}``); the tag's syntax is the same.
"""

from __future__ import annotations

import logging

from django import template
from django.templatetags.cache import CacheNode, do_cache

from core.cache import CACHE_ERRORS

logger = logging.getLogger("core.cache")
register = template.Library()


class SharedCacheNode(CacheNode):
    def render(self, context):
        try:
            return super().render(context)
        except CACHE_ERRORS as exc:
            logger.warning(
                "Cache unavailable (fragment %s): %s: %s",
                self.fragment_name,
                type(exc).__name__,
                exc,
            )
            return self.nodelist.render(context)


@register.tag("cache")
def shared_cache(parser, token):
    node = do_cache(parser, token)
    return SharedCacheNode(
        node.nodelist, node.expire_time_var, node.fragment_name, node.vary_on, node.cache_name
    )
