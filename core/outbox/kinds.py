"""The kinds of message apps register (templates, and what to do when a row is sent or given
up), and a row's context as stored: JSON in which dates and instants keep their type."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.functional import Promise

from core.models import OutboxMessage


@dataclass(frozen=True)
class Kind:
    """A kind of message: its templates and what its app wants to hear back.

    ``template`` is a path prefix: ``<template>_subject.txt``, ``<template>.txt`` and, with
    ``html``, ``<template>.html``, rendered with the row's context (decoded, see ``decode``), the
    message itself as ``message``, and ``base_url``. ``on_sent`` and ``on_failed`` get the
    ``ref`` values of rows that were sent or given up, inside the transaction that records it.
    ``contexts``, for messages drawn from data that may change while they wait (a digest whose
    breaches a late event withdrew), gets a batch of rows and returns each one's context as it
    stands now, or None for a message that has nothing left to say (it is cancelled).
    """

    name: str
    label: Promise | str
    template: str
    html: bool = False
    on_sent: Callable[[list[str], datetime], None] | None = None
    on_failed: Callable[[list[str]], None] | None = None
    contexts: Callable[[list[OutboxMessage]], dict[int, dict | None]] | None = None


_KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    label,
    template: str,
    html: bool = False,
    on_sent=None,
    on_failed=None,
    contexts=None,
) -> Kind:
    """Declare a kind of message (from an app's ``AppConfig.ready``)."""
    _KINDS[name] = Kind(name, label, template, html, on_sent, on_failed, contexts)
    return _KINDS[name]


def kind(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"No message kind {name!r} is registered.") from None


def kinds() -> dict[str, Kind]:
    return dict(_KINDS)


# --- context: JSON that keeps dates and instants ----------------------------------------------


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, datetime):
            return {"$datetime": o.isoformat()}
        if isinstance(o, date):
            return {"$date": o.isoformat()}
        if isinstance(o, Promise):
            return str(o)
        return super().default(o)


def _revive(value: dict):
    if len(value) == 1:
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
    return value


def encode(context: dict) -> dict:
    """A context as stored: plain JSON in which dates and instants keep their type."""
    return json.loads(json.dumps(context, cls=_Encoder))


def _decoded(value):
    if isinstance(value, dict):
        return _revive({key: _decoded(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


def decode(context: dict) -> dict:
    """A stored context as it was given (a fresh copy: rendering adds to it).

    A walk over the stored JSON rather than a round trip through text, which cost the sender
    more than the rest of the drawing bar the templates.
    """
    return _decoded(context)
