"""Outbound HTTP to addresses users give us (webhooks, federation peers), guarded against SSRF.

A destination is refused when any address its host resolves to is private, loopback, link-local,
multicast, reserved or unspecified, unless the operator allows that network in
``HARBOR_OUTBOUND_ALLOWED_NETWORKS`` (comma-separated CIDRs, e.g. ``127.0.0.1/32`` for a local receiver).

The host is resolved once, and the request goes to the address that was checked (the original host name
still goes in the ``Host`` header and, for HTTPS, in TLS SNI and certificate verification), so a host
whose DNS answer changes between the check and the connection (DNS rebinding) cannot lead inside.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from harbor.core.errors import HarborError

TIMEOUT_SECONDS = 10.0


class DestinationRefused(HarborError):
    def __init__(self, detail: str) -> None:
        super().__init__("destination_refused", detail, status=422)


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(cidr, strict=False)
        for cidr in settings.HARBOR_OUTBOUND_ALLOWED_NETWORKS
    ]


def _is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def check_destination(url: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses ``url``'s host resolves to, all allowed; else DestinationRefused.

    ``url`` must be http(s) to a host that resolves only to allowed addresses.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused(_("Only http and https addresses can be called."))
    try:
        infos = socket.getaddrinfo(
            parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        )
    except socket.gaierror:
        raise DestinationRefused(
            _("The host “%(host)s” does not resolve.") % {"host": parts.hostname}
        ) from None
    allowed = _allowed_networks()
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address not in addresses:
            addresses.append(address)
        if _is_internal(address) and not any(address in network for network in allowed):
            raise DestinationRefused(
                _(
                    "“%(host)s” resolves to an internal address (%(address)s); the operator has not allowed it."
                )
                % {"host": parts.hostname, "address": str(address)}
            )
    return addresses


def pinned(url: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[str, str]:
    """``url`` with its host replaced by ``address``, and the ``Host`` header value it had."""
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    original = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=netloc)), original


def post(url: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST to the checked address of ``url``'s host; redirects are not followed (they could lead inside)."""
    address = check_destination(url)[0]
    target, host = pinned(url, address)
    hostname = urlsplit(url).hostname or ""
    extensions = {"sni_hostname": hostname} if url.lower().startswith("https") else {}
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        return client.post(
            target, content=content, headers={**headers, "Host": host}, extensions=extensions
        )
