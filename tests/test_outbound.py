"""The outbound guard: destinations are checked, and the request goes to the address that was checked."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.test import override_settings

from harbor.core.outbound import DestinationRefused, check_destination, pinned, post


class _Receiver(BaseHTTPRequestHandler):
    hosts: list[str] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.hosts.append(self.headers["Host"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def port() -> Iterator[int]:
    _Receiver.hosts = []
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


@pytest.mark.parametrize(
    ("url", "address", "expected"),
    [
        (
            "https://hooks.example.org/x?a=1",
            "203.0.113.5",
            ("https://203.0.113.5/x?a=1", "hooks.example.org"),
        ),
        (
            "http://hooks.example.org:8080/x",
            "203.0.113.5",
            ("http://203.0.113.5:8080/x", "hooks.example.org:8080"),
        ),
        (
            "https://hooks.example.org/",
            "2001:db8::1",
            ("https://[2001:db8::1]/", "hooks.example.org"),
        ),
    ],
)
def test_pinned_puts_the_checked_address_in_the_url_and_keeps_the_host(
    url: str, address: str, expected: tuple[str, str]
) -> None:
    assert pinned(url, ipaddress.ip_address(address)) == expected


def test_a_host_resolved_once_is_called_at_that_address_even_if_its_dns_answer_changes(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])
    asked: list[str] = []

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            asked.append(host)
            # first answer: the allowed receiver; any later answer: the cloud metadata address
            address = next(answers, "169.254.169.254")
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, args[0] if args else 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with override_settings(HARBOR_OUTBOUND_ALLOWED_NETWORKS=["127.0.0.1/32"]):
        response = post(f"http://rebind.example:{port}/hook", content=b"{}", headers={})

    assert response.status_code == 204
    assert asked == ["rebind.example"]
    assert _Receiver.hosts == [f"rebind.example:{port}"]


def test_internal_and_non_http_destinations_are_refused() -> None:
    with pytest.raises(DestinationRefused):
        check_destination("http://127.0.0.1:9/hook")
    with pytest.raises(DestinationRefused):
        check_destination("file:///etc/passwd")
