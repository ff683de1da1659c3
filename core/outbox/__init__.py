"""The outbox: every email the portal sends is a row here, sent by one task.

Apps *register* the kinds of message they write (templates, and what to do when a row is sent or
given up) and *enqueue* rows in the transaction of the change that calls for them; nothing else
in the project talks to the mail server.

A package by job: ``kinds`` (the registry and the stored context), ``rows`` (writing rows,
"send again", and the managers' list) and ``sending`` (the one sender). Apps use the names
below, as ``outbox.register``, ``outbox.message``, ``outbox.enqueue`` and so on.
"""

from core.outbox.kinds import _KINDS, Kind, decode, encode, kind, kinds, register
from core.outbox.rows import (
    absolute_url,
    attention_counts,
    enqueue,
    message,
    message_list,
    messages_resend,
    retry_window,
)
from core.outbox.sending import (
    BATCH_SIZE,
    FIRST_RETRY,
    LEASE,
    MAX_RETRY_DELAY,
    _Courier,
    _Marks,
    outbox_send,
    render,
)

__all__ = [
    "BATCH_SIZE",
    "FIRST_RETRY",
    "LEASE",
    "MAX_RETRY_DELAY",
    "_KINDS",
    "Kind",
    "_Courier",
    "_Marks",
    "absolute_url",
    "attention_counts",
    "decode",
    "encode",
    "enqueue",
    "kind",
    "kinds",
    "message",
    "message_list",
    "messages_resend",
    "outbox_send",
    "register",
    "render",
    "retry_window",
]
