"""Which peers the fetcher may talk to, checked on the socket actually connected.

Why after connecting and not on the name: a host name can resolve to a public address when
checked and to 127.0.0.1 when connected (DNS rebinding), and a redirect can name any host.
So every new connection resolves the name once, connects to one of those addresses itself,
and then asks the socket for its peer (`getpeername`) before a byte of the request is sent
or a TLS handshake begins; a peer that is loopback, private, link-local, multicast, reserved
or unspecified ends the connection with `FetchRefused`.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore

from storyfold.errors import FetchRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Policy = Callable[[str], str | None]  # peer address -> why it may not be reached, or None
ALLOW_HINT = ("set fetch.allow_private_networks or STORYFOLD_ALLOW_PRIVATE_NETWORKS=1 to "
              "allow it")


class AddressRefused(FetchRefused):
    """The peer of a connection is not an address the policy allows (no URL in the message:
    the fetcher adds it)."""


def why_not_public(address: str) -> str | None:
    """Why a peer address may not be reached without `allow_private_networks`, or None when
    it is a public (globally routable unicast) address."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, test in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                       ("multicast", ip.is_multicast), ("unspecified", ip.is_unspecified),
                       ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if test:
            return kind
    if not ip.is_global:
        return "not globally routable"
    return None


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend with the peer check: each connection goes to an address the
    name resolved to, and its peer is checked before the stream is handed back."""

    def __init__(self, allow_private: bool, policy: Policy | None = None) -> None:
        self.policy: Policy = policy or ((lambda _address: None) if allow_private
                                         else why_not_public)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        refused: str | None = None
        last: Exception | None = None
        for _family, _type, _proto, _name, sockaddr in infos:
            address = str(sockaddr[0])
            reason = self.policy(address)
            if reason:
                refused = _refusal(host, address, reason)
                continue
            try:
                stream = super().connect_tcp(address, port, timeout, local_address,
                                             socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            self._check_peer(stream, host)
            return stream
        if last is not None:
            raise last
        raise AddressRefused(refused or f"refused: {host} has no address")

    def _check_peer(self, stream: httpcore.NetworkStream, host: str) -> None:
        sock = stream.get_extra_info("socket")
        try:
            peer = str(sock.getpeername()[0])
        except (OSError, AttributeError) as exc:
            stream.close()
            raise httpcore.ConnectError(f"connection to {host} closed at once") from exc
        reason = self.policy(peer)
        if reason:
            stream.close()
            raise AddressRefused(_refusal(host, peer, reason))


def _refusal(host: str, address: str, reason: str) -> str:
    where = address if host.strip("[]") == address else f"{host} ({address})"
    return f"refused: {where} is a {reason} address; {ALLOW_HINT}"
