"""The shared cache on request paths: an optimisation, so reading or writing it may fail.

In production the cache is Redis, the same server as the Celery broker. While it is away, every
page and endpoint that does not need the broker must keep answering: these helpers turn a cache
error into "nothing cached" (or "not counted") and one warning line, never an exception. Short
socket timeouts in ``CACHES["default"]["OPTIONS"]`` keep an unreachable server from holding
requests.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT

logger = logging.getLogger("core.cache")

try:  # redis-py is there with the Redis cache (and Celery's Redis transport)
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = OSError

#: What a cache backend raises when its server is away: redis-py's errors (connection refused,
#: timeouts, a server that is loading) and the file cache's ``OSError``.
CACHE_ERRORS = (RedisError, OSError, TimeoutError)


def _unavailable(action: str, key: str, exc: Exception) -> None:
    logger.warning("Cache unavailable (%s %s): %s: %s", action, key, type(exc).__name__, exc)


_AS_DEFAULT = object()


def get(key: str, default: Any = None, *, unavailable: Any = _AS_DEFAULT) -> Any:
    """``cache.get``; when the cache cannot be read, ``unavailable`` (by default ``default``).

    Pass ``unavailable`` to tell "not cached" from "cannot tell".
    """
    try:
        return cache.get(key, default)
    except CACHE_ERRORS as exc:
        _unavailable("get", key, exc)
        return default if unavailable is _AS_DEFAULT else unavailable


def set(key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT) -> bool:
    """``cache.set``; False when the cache cannot be written (the value is simply not kept)."""
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS as exc:
        _unavailable("set", key, exc)
        return False
    return True


def count(key: str, timeout: float) -> int | None:
    """Add one to the counter under ``key`` (created with ``timeout``); None if the cache is away.

    ``add`` then ``incr`` is atomic on Redis, so every web process counts into the same number.
    """
    try:
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=timeout)
            return 1
    except CACHE_ERRORS as exc:
        _unavailable("count", key, exc)
        return None
