"""Extension points: a page of a lower app leaves a named slot for links, an app above it fills
the slot (from its ``AppConfig.ready``) without the lower app importing it.

A provider is called with the request and the page's object and returns the links to show (none
when the user may not follow them); it must not query per row of a list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    url: str
    label: str
    #: The element's id (for tests and journeys); empty for none.
    id: str = ""
    #: Shown as the page's main action.
    primary: bool = False


Provider = Callable[..., Iterable[Link]]

_providers: dict[str, list[Provider]] = defaultdict(list)


def add_links(slot: str, provider: Provider) -> None:
    """Fill ``slot`` with the links ``provider(request, obj)`` returns; registering twice is one."""
    if provider not in _providers[slot]:
        _providers[slot].append(provider)


def links(slot: str, *, request, obj=None) -> list[Link]:
    """Every link the slot's providers give for this request and object, in registration order."""
    return [link for provider in _providers.get(slot, ()) for link in provider(request, obj)]
