"""Asking the workers for something after the transaction commits, without ever failing for it.

The work itself is in the database first (an outbox row, a recomputation request), and a periodic
task picks it up anyway, so a broker that is down only delays it: a committed request must not
turn into an error because a message to the broker could not be sent.
"""

from __future__ import annotations

import logging

from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger("core.queue")

try:  # redis-py is only there with the Redis transport
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = KombuOperationalError

BROKER_ERRORS = (KombuOperationalError, RedisError, ConnectionError, OSError, TimeoutError)


def send_now(task, *args, **kwargs) -> bool:
    """Send ``task`` to the broker now; a broker outage is logged, not raised."""
    try:
        task.apply_async(args=args, kwargs=kwargs)
    except BROKER_ERRORS as exc:
        logger.warning("Could not enqueue %s (broker unavailable): %s", task.name, exc)
        return False
    return True


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send ``task`` after the current transaction commits (at once outside of one)."""
    transaction.on_commit(lambda: send_now(task, *args, **kwargs))
