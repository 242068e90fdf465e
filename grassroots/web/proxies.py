"""The resident's own address behind reverse proxies.

Per-address limits (portal reports, tracking secrets, logins) and the audit log read
`REMOTE_ADDR`. Behind a load balancer that is the balancer's address, so every resident
would share one limit. `X-Forwarded-For` carries the real address, but anyone can send that
header: it is believed only when the peer is one of `TRUSTED_PROXIES`, and only as far back
as the chain of trusted proxies goes — the first address from the right that is not a
trusted proxy is the client. Everything left of it could have been written by the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import TypeAlias

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """`10.0.0.5`, `10.0.0.0/8` or `::1` — a bad entry stops start-up with its text."""
    parsed = []
    for entry in entries:
        try:
            parsed.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an address or network ({error})") from None
    return tuple(parsed)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str | None:
    """The client's address as the nearest untrusted hop in the chain.

    A malformed hop ends the walk at the last address that was vouched for, rather than
    believing anything further left.
    """
    current = _address(peer or "")
    if current is None or not forwarded_for or not any(current in network for network in trusted):
        return peer
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not any(address in network for network in trusted):
            break
    return str(current)


class TrustedProxyMiddleware:
    """Sets `REMOTE_ADDR` to the client's address when a trusted proxy forwarded the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = networks(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted:
            address = client_address(
                request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"), self.trusted
            )
            if address is not None:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)
