"""The client's address, resolved once per request from the trusted-proxy configuration.

Behind a proxy every request's ``REMOTE_ADDR`` is the proxy, and ``X-Forwarded-For`` is a list
that anyone can start: only the entries appended by proxies we trust mean anything. So, with
``PORTAL_TRUSTED_PROXIES`` set, the header is read from the right, skipping our own proxies,
and the first address a trusted proxy saw connecting is the client. Without trusted proxies
the header is ignored altogether. Lockouts (axes), rate limits and stored records all call
:func:`client_ip`, so they agree on who the client is.

The standard library's ``ipaddress`` does the work: django-ipware matches trusted proxies by
string prefix (no CIDR) and, unconfigured, believes the header's left-most entry.
"""

from __future__ import annotations

import contextlib
import ipaddress
from functools import lru_cache

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_ATTRIBUTE = "_portal_client_ip"


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_networks() -> tuple:
    """The configured proxies as networks (settings are validated at start-up)."""
    return _networks(tuple(settings.PORTAL_TRUSTED_PROXIES or ()))


def parse_address(value: str | None) -> IPAddress | None:
    """An address as a proxy may write it (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``), or None."""
    text = (value or "").strip()
    if text.startswith("["):  # [IPv6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, networks) -> bool:
    return any(address in network for network in networks)


def resolve(remote_addr: str | None, forwarded_for: str | None, networks) -> str | None:
    """The client address from the peer and its ``X-Forwarded-For``, trusting ``networks``."""
    peer = parse_address(remote_addr)
    if peer is None:
        return None
    if not networks or not _trusted(peer, networks):
        return str(peer)  # a direct client: whatever it says in headers is its own claim
    client = peer
    for hop in reversed((forwarded_for or "").split(",")):
        address = parse_address(hop)
        if address is None:
            # Garbage written by our proxy (nginx's "unknown") or an empty header: what lies
            # further left cannot be trusted, so the last proxy-vouched address is the answer.
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def client_ip(request) -> str | None:
    """The address of the client that sent ``request``; None when the server gave none.

    Computed once per request and kept on it, since axes, rate limits and records all ask.
    """
    cached = getattr(request, _ATTRIBUTE, False)
    if cached is not False:
        return cached
    meta = getattr(request, "META", {})
    address = resolve(meta.get("REMOTE_ADDR"), meta.get("HTTP_X_FORWARDED_FOR"), trusted_networks())
    with contextlib.suppress(AttributeError):  # not every object axes passes takes attributes
        setattr(request, _ATTRIBUTE, address)
    return address
