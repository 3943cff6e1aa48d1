"""HTTP conventions of the API: conditional reads and released idempotency keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone

from harbor.core.models import IdempotencyRecord
from harbor.directory.models import Organisation, User


def test_reads_carry_an_etag_and_answer_304_when_unchanged(db: None, org: Organisation) -> None:
    client = Client()
    first = client.get("/api/v1/organisations")
    assert first.status_code == 200
    etag = first["ETag"]
    assert client.get("/api/v1/organisations", headers={"If-None-Match": etag}).status_code == 304
    assert (
        client.get("/api/v1/organisations?q=x", headers={"If-None-Match": etag}).status_code == 200
    )


def test_an_abandoned_idempotency_key_is_released(
    api: Callable[..., Client], owner: User, org: Organisation
) -> None:
    client = api(owner)
    # a first attempt that died before it answered
    payload = {"name": "Retry Co", "country": "TH", "kind": "enterprise"}
    body = json.dumps(payload, cls=DjangoJSONEncoder).encode()
    stuck = IdempotencyRecord.objects.create(
        owner=f"token:{owner.api_tokens.get().pk}",
        key="k-1",
        method="POST",
        path="/api/v1/organisations",
        request_hash=hashlib.sha256(b"/api/v1/organisations\n" + body).hexdigest(),
    )
    busy = client.post(
        "/api/v1/organisations",
        payload,
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert busy.status_code == 409
    IdempotencyRecord.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(minutes=6)
    )
    retried = client.post(
        "/api/v1/organisations",
        payload,
        content_type="application/json",
        headers={"Idempotency-Key": "k-1"},
    )
    assert retried.status_code == 201
    assert Organisation.objects.filter(name="Retry Co").count() == 1
