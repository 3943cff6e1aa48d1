"""Outbound HTTP to addresses users give us (webhooks, federation peers), guarded against SSRF.

A destination is refused when any address its host resolves to is private, loopback, link-local,
multicast, reserved or unspecified, unless the operator allows that network in
``HARBOR_OUTBOUND_ALLOWED_NETWORKS`` (comma-separated CIDRs, e.g. ``127.0.0.1/32`` for a local receiver).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

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


def check_destination(url: str) -> None:
    """Raise DestinationRefused unless ``url`` is http(s) to a host that resolves only to allowed addresses."""
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
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if _is_internal(address) and not any(address in network for network in allowed):
            raise DestinationRefused(
                _(
                    "“%(host)s” resolves to an internal address (%(address)s); the operator has not allowed it."
                )
                % {"host": parts.hostname, "address": str(address)}
            )


def post(url: str, *, content: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST after checking the destination; redirects are not followed (they could lead inside)."""
    check_destination(url)
    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        return client.post(url, content=content, headers=headers)
