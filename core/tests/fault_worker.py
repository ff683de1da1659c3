"""What only the fault tests' workers load (``celery worker --include``): the kind of message
they send. Nothing in the product writes it."""

from core import outbox

outbox.register("fault.test", label="Fault test message", template="fault/message")
