"""Tasks only the fault tests' workers load (``celery worker --include``): nothing in the product
sends them."""

import time

from celery import shared_task


@shared_task
def sleep_then_echo(seconds: float, value):
    """Hold the worker for ``seconds``, then return ``value``: a task in flight during an outage."""
    time.sleep(seconds)
    return value
