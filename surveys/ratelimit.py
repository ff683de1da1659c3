"""Per-IP rate limiting of the public survey pages and endpoint through the shared cache.

DRF throttles are quotas; this is the security limit, shared by every web process because the
cache is (Redis in production). While the cache is away the limit fails open (with a warning
in the log): a customer's answer matters more than a minute without the limit.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

from core import cache as shared_cache
from core.clientip import client_ip as resolve_client_ip

logger = logging.getLogger("surveys")


def client_ip(request) -> str:
    """The real client behind our trusted proxies, so each customer has their own bucket."""
    return resolve_client_ip(request) or "unknown"


def rate_limited(request, *, scope: str) -> bool:
    """Count this request; True once the IP went over ``SURVEYS_RATE_LIMIT`` per minute."""
    limit = settings.SURVEYS_RATE_LIMIT
    window = int(time.time() // 60)
    count = shared_cache.count(f"surveys:rl:{scope}:{client_ip(request)}:{window}", timeout=90)
    if count is None:
        logger.warning("Rate limit %s not applied: the cache is unavailable.", scope)
        return False
    return count > limit
