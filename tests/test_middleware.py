"""Request safeguards: body size, rate limits, idempotency, security headers, metrics, login throttling."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory, override_settings
from prometheus_client import REGISTRY

from harbor.core.models import IdempotencyRecord
from harbor.directory.models import Organisation, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ORG = {"name": "Idempotent Imports", "country": "ID", "kind": "enterprise"}


def post_json(client: Client, path: str, body: Any, **headers: str) -> Any:
    return client.post(path, body, content_type="application/json", headers=headers)


# --- body size --------------------------------------------------------------------------------------


@override_settings(HARBOR_MAX_BODY_BYTES=200)
def test_body_over_the_limit_is_a_413_problem(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    body = {**ORG, "description": {"en": "x" * 300}}

    response = post_json(api(owner), "/api/v1/organisations", body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://infoharbor.org/problems/payload_too_large",
        "title": "Payload too large",
        "status": 413,
        "detail": "The request body is larger than 200 bytes.",
        "code": "payload_too_large",
        "instance": "/api/v1/organisations",
    }
    assert not Organisation.objects.filter(name=ORG["name"]).exists()


@override_settings(HARBOR_MAX_BODY_BYTES=200)
def test_body_at_the_limit_passes(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    padding = 200 - len(json.dumps({**ORG, "website": ""}).encode())
    body = {**ORG, "website": ""}
    body["name"] = ORG["name"] + " " * padding
    assert len(json.dumps(body).encode()) == 200

    response = post_json(api(owner), "/api/v1/organisations", body)

    assert response.status_code == 201


@override_settings(HARBOR_MAX_BODY_BYTES=10)
def test_body_limit_applies_to_anonymous_requests_and_pages(db: None) -> None:
    response = Client().post(
        "/accounts/login/",
        "username=someone&password=xxxxxxxxxxxx",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than 10 bytes."


@override_settings(HARBOR_MAX_BODY_BYTES=10, HARBOR_MAX_ATTACHMENT_BYTES=100)
def test_uploads_get_the_attachment_limit(db: None) -> None:
    client = Client()
    boundary = "----harbor"

    def upload(size: int) -> Any:
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n'
            + "x" * size
            + f"\r\n--{boundary}--\r\n"
        )
        return client.post(
            "/accounts/login/", body, content_type=f"multipart/form-data; boundary={boundary}"
        )

    assert upload(1000).status_code == 200
    too_big = upload(100 + 64 * 1024)
    assert too_big.status_code == 413
    assert too_big.json()["detail"] == f"The request body is larger than {100 + 64 * 1024} bytes."


# --- rate limits ------------------------------------------------------------------------------------


@override_settings(HARBOR_RATE_LIMIT_IP=3)
def test_rate_limit_per_address(db: None) -> None:
    client = Client(REMOTE_ADDR="203.0.113.7")

    with time_machine.travel("2026-03-01 10:00:15+00:00", tick=False):
        remaining = [
            client.get("/api/v1/reference/currencies")["RateLimit-Remaining"] for _ in range(3)
        ]
        limited = client.get("/api/v1/reference/currencies")
        other_address = Client(REMOTE_ADDR="203.0.113.8").get("/api/v1/reference/currencies")
        not_api = client.get("/healthz")

    assert remaining == ["2", "1", "0"]
    assert limited.status_code == 429
    assert limited["Retry-After"] == "45"
    assert limited["Content-Type"] == "application/problem+json"
    assert limited.json()["code"] == "rate_limited"
    assert limited.json()["detail"] == "Too many requests: at most 3 a minute."
    assert other_address.status_code == 200
    assert other_address["RateLimit-Limit"] == "3"
    assert not_api.status_code == 200

    with time_machine.travel("2026-03-01 10:01:00+00:00", tick=False):
        assert client.get("/api/v1/reference/currencies").status_code == 200


@override_settings(HARBOR_RATE_LIMIT_IP=2)
def test_forwarded_for_header_does_not_evade_the_limit_without_a_trusted_proxy(db: None) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")

    statuses = [
        client.get(
            "/api/v1/reference/languages", headers={"X-Forwarded-For": f"198.51.100.{n}"}
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]


@override_settings(
    HARBOR_RATE_LIMIT_IP=2, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_behind_a_trusted_proxy_the_forwarded_address_is_limited(db: None) -> None:
    proxy = Client(REMOTE_ADDR="10.0.0.1")

    def get(client_address: str) -> int:
        headers = {"X-Forwarded-For": f"{client_address}, 10.0.0.1"}
        return proxy.get("/api/v1/reference/languages", headers=headers).status_code

    assert [get("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert get("198.51.100.2") == 200


@override_settings(HARBOR_RATE_LIMIT_TOKEN=2, HARBOR_RATE_LIMIT_IP=100)
def test_rate_limit_per_token(
    api: Callable[..., Client], owner: User, org: Organisation, viewer: User
) -> None:
    first = api(owner)
    second = api(viewer)

    with time_machine.travel("2026-03-01 10:00:50+00:00", tick=False):
        statuses = [first.get("/api/v1/me").status_code for _ in range(3)]
        limited = first.get("/api/v1/me")
        other_token = second.get("/api/v1/me")
        anonymous = Client().get("/api/v1/reference/currencies")

    assert statuses == [200, 200, 429]
    assert limited.status_code == 429
    assert limited["Retry-After"] == "10"
    assert limited.json()["detail"] == "Too many requests: at most 2 a minute."
    assert other_token.status_code == 200
    assert other_token["RateLimit-Limit"] == "2"
    assert other_token["RateLimit-Remaining"] == "1"
    assert anonymous.status_code == 200
    assert anonymous["RateLimit-Limit"] == "100"


# --- idempotency ------------------------------------------------------------------------------------


def test_same_key_and_body_replays_the_response(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    client = api(owner)

    first = post_json(client, "/api/v1/organisations", ORG, **{"Idempotency-Key": "k-1"})
    second = post_json(client, "/api/v1/organisations", ORG, **{"Idempotency-Key": "k-1"})

    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert second["Content-Type"] == first["Content-Type"]
    assert Organisation.objects.filter(name=ORG["name"]).count() == 1
    assert IdempotencyRecord.objects.filter(key="k-1").count() == 1


def test_same_key_with_another_body_is_refused(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    client = api(owner)
    post_json(client, "/api/v1/organisations", ORG, **{"Idempotency-Key": "k-2"})

    response = post_json(
        client, "/api/v1/organisations", {**ORG, "name": "Other"}, **{"Idempotency-Key": "k-2"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert (
        response.json()["detail"]
        == "This Idempotency-Key was already used for a different request."
    )
    assert not Organisation.objects.filter(name="Other").exists()


def test_same_key_on_another_path_is_refused(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    client = api(owner)
    post_json(client, "/api/v1/tokens", {"name": "a"}, **{"Idempotency-Key": "k-3"})

    response = post_json(
        client, "/api/v1/organisations", {"name": "a"}, **{"Idempotency-Key": "k-3"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_caller(
    api: Callable[..., Client], owner: User, org: Organisation, viewer: User
) -> None:
    post_json(api(owner), "/api/v1/organisations", ORG, **{"Idempotency-Key": "shared"})

    response = post_json(api(viewer), "/api/v1/organisations", ORG, **{"Idempotency-Key": "shared"})

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert Organisation.objects.filter(name=ORG["name"]).count() == 2


def test_a_refused_request_is_replayed_as_refused(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    client = api(owner)
    bad = {**ORG, "country": "XX"}

    first = post_json(client, "/api/v1/organisations", bad, **{"Idempotency-Key": "k-4"})
    second = post_json(client, "/api/v1/organisations", bad, **{"Idempotency-Key": "k-4"})

    assert first.status_code == second.status_code == 422
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"


def test_a_key_whose_first_request_is_still_running_is_a_409(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    client = api(owner)
    body = json.dumps(ORG).encode()
    token_id = client.get("/api/v1/tokens").json()[0]["id"]
    IdempotencyRecord.objects.create(
        owner=f"token:{token_id}",
        key="running",
        method="POST",
        path="/api/v1/organisations",
        request_hash=hashlib.sha256(b"/api/v1/organisations\n" + body).hexdigest(),
    )

    response = client.post(
        "/api/v1/organisations",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "running"},
    )

    assert response.status_code == 409
    assert (
        response.json()["detail"] == "A request with this Idempotency-Key is still being processed."
    )
    assert not Organisation.objects.filter(name=ORG["name"]).exists()


def test_overlong_key_is_a_400(api: Callable[..., Client], owner: User, org: Organisation) -> None:
    response = post_json(api(owner), "/api/v1/organisations", ORG, **{"Idempotency-Key": "k" * 256})

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert not Organisation.objects.filter(name=ORG["name"]).exists()


def test_without_a_key_each_post_creates(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    client = api(owner)

    post_json(client, "/api/v1/organisations", ORG)
    post_json(client, "/api/v1/organisations", ORG)

    assert Organisation.objects.filter(name=ORG["name"]).count() == 2
    assert IdempotencyRecord.objects.count() == 0


def test_session_callers_get_idempotency_too(
    session_client: Callable[..., Client], owner: User, org: Organisation
) -> None:
    client = session_client(owner)

    post_json(client, "/api/v1/organisations", ORG, **{"Idempotency-Key": "s-1"})
    second = post_json(client, "/api/v1/organisations", ORG, **{"Idempotency-Key": "s-1"})

    assert second["Idempotent-Replayed"] == "true"
    assert IdempotencyRecord.objects.get(key="s-1").owner == f"user:{owner.pk}"
    assert Organisation.objects.filter(name=ORG["name"]).count() == 1


# --- headers, metrics, health -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/api/v1/reference/languages", "/api/v1/organisations/nope"])
def test_security_headers_are_sent(db: None, path: str) -> None:
    response = Client().get(path)

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_request_id_is_echoed_or_generated(db: None) -> None:
    given = Client().get("/healthz", headers={"X-Request-ID": "trace-42"})
    generated = Client().get("/healthz")

    assert given["X-Request-ID"] == "trace-42"
    assert len(generated["X-Request-ID"]) == 32
    int(generated["X-Request-ID"], 16)


def test_metrics_count_requests_by_route_and_status(db: None) -> None:
    labels = {"method": "GET", "route": "api/v1/reference/countries/<code>", "status": "404"}
    before = REGISTRY.get_sample_value("harbor_http_requests_total", labels) or 0.0

    Client().get("/api/v1/reference/countries/XX")
    Client().get("/api/v1/reference/countries/ZZ")
    response = Client().get("/metrics")

    assert REGISTRY.get_sample_value("harbor_http_requests_total", labels) == before + 2
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "# TYPE harbor_http_requests_total counter" in text
    assert (
        'harbor_http_requests_total{method="GET",route="api/v1/reference/countries/<code>",status="404"}'
        in text
    )
    assert "harbor_http_request_duration_seconds_bucket" in text


def test_unmatched_paths_share_one_metrics_label(db: None) -> None:
    labels = {"method": "GET", "route": "unmatched", "status": "404"}
    before = REGISTRY.get_sample_value("harbor_http_requests_total", labels) or 0.0

    Client().get("/no/such/page/1")
    Client().get("/no/such/page/2")

    assert REGISTRY.get_sample_value("harbor_http_requests_total", labels) == before + 2


def test_readyz_and_healthz(db: None) -> None:
    assert Client().get("/readyz").json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
    }
    assert Client().get("/readyz").status_code == 200
    assert Client().get("/healthz").json() == {"status": "ok"}


def test_unknown_api_path_is_a_problem(db: None) -> None:
    response = Client().get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


# --- login throttling -------------------------------------------------------------------------------


def login(client: Client, password: str, username: str = "owner") -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_is_locked_after_the_failure_limit(owner: User) -> None:
    client = Client(REMOTE_ADDR="192.0.2.10")
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5

    failures = [login(client, "wrong-password").status_code for _ in range(limit - 1)]
    assert failures == [200] * (limit - 1)
    assert login(client, "wrong-password").status_code == 429

    locked = login(client, PASSWORD)

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert (
        authenticate(
            request=RequestFactory().post("/accounts/login/", REMOTE_ADDR="192.0.2.10"),
            username="owner",
            password=PASSWORD,
        )
        is None
    )


def test_login_succeeds_below_the_limit_and_resets_the_count(owner: User) -> None:
    client = Client(REMOTE_ADDR="192.0.2.11")

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wrong-password")
    success = login(client, PASSWORD)

    assert success.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "wrong-password")
    assert login(client, PASSWORD).status_code == 302


def test_lockout_is_per_user_and_address(owner: User, viewer: User) -> None:
    attacker = Client(REMOTE_ADDR="192.0.2.12")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(attacker, "wrong-password")

    assert login(Client(REMOTE_ADDR="192.0.2.13"), PASSWORD).status_code == 302
    assert login(attacker, PASSWORD, username="viewer").status_code == 302
