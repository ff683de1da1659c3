"""Per-IP rate limiting of the public survey pages and endpoint through the shared cache.

DRF throttles are quotas; this is the security limit, shared by every web process because the
cache is (Redis in production).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from core.clientip import client_ip as resolve_client_ip


def client_ip(request) -> str:
    """The real client behind our trusted proxies, so each customer has their own bucket."""
    return resolve_client_ip(request) or "unknown"


def rate_limited(request, *, scope: str) -> bool:
    """Count this request; True once the IP went over ``SURVEYS_RATE_LIMIT`` per minute."""
    limit = int(getattr(settings, "SURVEYS_RATE_LIMIT", 30))
    window = int(time.time() // 60)
    key = f"surveys:rl:{scope}:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        count = 1
    return count > limit
