"""Links other apps add to a standard's and a version's pages, so standards never imports them
(training adds "Comprehension check"). An app registers a provider in its ``AppConfig.ready``;
the page asks every provider for its links.

A provider is ``provider(*, user, standard, version) -> list[PageLink]``, where ``version`` is
the version the page is about (on a standard's page: the one in preparation, else the published
one; None when there is neither). It must not query the database more than a fixed number of
times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str
    id: str


_providers: list[Callable[..., list[PageLink]]] = []


def register(provider: Callable[..., list[PageLink]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def links_for(*, user, standard, version) -> list[PageLink]:
    return [
        link
        for provider in _providers
        for link in provider(user=user, standard=standard, version=version)
    ]
