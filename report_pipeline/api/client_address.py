"""The client's address: X-Forwarded-For only from proxies we were told to trust.

REPORT_PIPELINE_API_TRUSTED_PROXIES lists addresses or networks (CIDR). A
request from anywhere else keeps its socket peer as client, whatever headers it
sends, so nobody can put another address into the audit log or a rate limit.
From a trusted proxy the client is the right-most hop that is not a trusted
proxy itself (earlier hops are the caller's own claims).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_from(peer: str, forwarded_for: str | None, networks: tuple[Network, ...]) -> str:
    if not forwarded_for or not _trusted(peer, networks):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage from behind the proxy: keep what we know
    return peer


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("client"):
            forwarded = None
            for name, value in scope.get("headers", ()):
                if name == b"x-forwarded-for":
                    forwarded = value.decode("latin-1")
            peer, port = scope["client"]
            scope["client"] = (client_from(peer, forwarded, self.networks), port)
        await self.app(scope, receive, send)
