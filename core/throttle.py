"""Counting requests in the shared cache, failing open.

A limit here guards against abuse (mail floods, guessing); it is not a thing that must happen.
So when the cache is away the request is let through and the failure logged, as the design
asks of every page that does not need the cache.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cache_key(scope: str, value: str) -> str:
    """A short key that does not keep e.g. an email address in the cache in clear."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"throttle:{scope}:{digest}"


def over_limit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit on ``key`` in the current fixed window; True once it went over ``limit``.

    Fails open: any cache error answers False.
    """
    window = int(time.time() // window_seconds)
    full_key = f"{key}:{window}"
    try:
        cache.add(full_key, 0, timeout=window_seconds + 60)
        try:
            count = cache.incr(full_key)
        except ValueError:  # expired between add and incr
            cache.set(full_key, 1, timeout=window_seconds + 60)
            count = 1
    except Exception:
        logger.warning("Throttle %s not counted: the cache is unavailable.", key, exc_info=True)
        return False
    return count > limit
