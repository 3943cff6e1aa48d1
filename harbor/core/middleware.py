"""Request-level safeguards: structured request logs and metrics, body size limit, rate limits, idempotency."""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from harbor.core import metrics
from harbor.core.errors import ErrorCode, FieldError
from harbor.core.models import IdempotencyRecord
from harbor.core.problems import problem_response

logger = logging.getLogger("harbor.request")

ABANDONED_AFTER = timedelta(minutes=5)

GetResponse = Callable[[HttpRequest], HttpResponse]


def client_ip(request: HttpRequest) -> str:
    """The peer address; behind a trusted proxy, the first address it forwarded."""
    if settings.SECURE_PROXY_SSL_HEADER and (forwarded := request.META.get("HTTP_X_FORWARDED_FOR")):
        return str(forwarded.split(",")[0].strip())
    return str(request.META.get("REMOTE_ADDR", ""))


class RequestLogMiddleware:
    """Log one structured line per request and feed the Prometheus metrics."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        metrics.observe(request.method or "", route, response.status_code, elapsed)
        response["X-Request-ID"] = request_id
        if request.path not in ("/healthz", "/metrics"):
            logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
        return response


class BodySizeLimitMiddleware:
    """Refuse request bodies over HARBOR_MAX_BODY_BYTES with 413 before anything reads them."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.HARBOR_MAX_BODY_BYTES
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            # File uploads may be larger; the attachment service enforces its own limit on the file.
            limit = max(limit, settings.HARBOR_MAX_ATTACHMENT_BYTES + 64 * 1024)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return problem_response(
                request,
                status=413,
                code=ErrorCode.PAYLOAD_TOO_LARGE,
                detail=_("The request body is larger than %(limit)d bytes.") % {"limit": limit},
            )
        return self.get_response(request)


def _first_nul(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) in decoded JSON that holds a NUL character."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return inner
            if (found := _first_nul(item, inner)) is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _first_nul(item, f"{path}.{index}" if path else str(index))) is not None:
                return found
    return None


class NullCharacterMiddleware:
    """Refuse NUL characters in the path, headers, query or JSON body: no database column can hold them.

    Without this, a NUL in any input reaches PostgreSQL and fails there as a server error.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in str(value) for name, value in request.META.items() if name.startswith("HTTP_")
        ):
            return problem_response(
                request,
                status=400,
                code=ErrorCode.BAD_REQUEST,
                detail=_("The request could not be understood."),
            )
        field = next(
            (
                name or "query"
                for name, values in request.GET.lists()
                if "\x00" in name or any("\x00" in value for value in values)
            ),
            None,
        )
        if field is None and self._is_json(request):
            body = request.body
            if b"\x00" in body:
                field = "body"
            elif b"\\u0000" in body:
                try:
                    field = _first_nul(json.loads(body))
                except ValueError:
                    field = None  # not JSON after all: the API reports that itself
        if field is not None:
            message = _("Text may not contain NUL characters.")
            return problem_response(
                request,
                status=422,
                code=ErrorCode.VALIDATION,
                detail=message,
                errors=[FieldError(field, message)],
            )
        return self.get_response(request)

    @staticmethod
    def _is_json(request: HttpRequest) -> bool:
        content_type = request.content_type or ""
        return content_type == "application/json" or content_type.endswith("+json")


class RateLimitMiddleware:
    """Fixed one-minute windows per API token, or per client address for everyone else."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        actor = getattr(request, "actor", None)
        if actor is not None and actor.token_id is not None:
            key, limit = f"token:{actor.token_id}", settings.HARBOR_RATE_LIMIT_TOKEN
        else:
            key, limit = f"ip:{client_ip(request)}", settings.HARBOR_RATE_LIMIT_IP
        window = int(time.time() // 60)
        cache_key = f"ratelimit:{key}:{window}"
        cache.add(cache_key, 0, timeout=120)
        try:
            count = cache.incr(cache_key)
        except ValueError:
            count = 1
        if count > limit:
            retry_after = str(60 - int(time.time()) % 60)
            return problem_response(
                request,
                status=429,
                code=ErrorCode.RATE_LIMITED,
                detail=_("Too many requests: at most %(limit)d a minute.") % {"limit": limit},
                headers={"Retry-After": retry_after},
            )
        response = self.get_response(request)
        response["RateLimit-Limit"] = str(limit)
        response["RateLimit-Remaining"] = str(max(0, limit - count))
        return response


class IdempotencyMiddleware:
    """Replay the stored response when a POST repeats its ``Idempotency-Key`` with the same body.

    The same key with a different body is refused (422); a key whose first request is still running is a 409.
    Keys belong to the token or user that sent them, so two callers cannot collide.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        actor = getattr(request, "actor", None)
        if request.method != "POST" or not key or actor is None or not actor.is_authenticated:
            return self.get_response(request)
        if len(key) > 255:
            return problem_response(
                request,
                status=400,
                code=ErrorCode.BAD_REQUEST,
                detail=_("The Idempotency-Key header is longer than 255 characters."),
            )
        owner = f"token:{actor.token_id}" if actor.token_id else f"user:{actor.user_id}"
        request_hash = hashlib.sha256(request.path.encode() + b"\n" + request.body).hexdigest()
        # A key whose first request never finished (the process died) is released after a while.
        IdempotencyRecord.objects.filter(
            owner=owner,
            key=key,
            status_code__isnull=True,
            created_at__lt=timezone.now() - ABANDONED_AFTER,
        ).delete()
        existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if existing is not None:
            return self._replay(request, existing, request_hash)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    method="POST",
                    path=request.path,
                    request_hash=request_hash,
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(owner=owner, key=key)
            return self._replay(request, existing, request_hash)
        response = self.get_response(request)
        if response.status_code >= 500 or response.streaming:
            record.delete()
            return response
        record.status_code = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.body = response.content
        record.save(update_fields=["status_code", "content_type", "body"])
        return response

    def _replay(
        self, request: HttpRequest, record: IdempotencyRecord, request_hash: str
    ) -> HttpResponse:
        if record.request_hash != request_hash:
            return problem_response(
                request,
                status=422,
                code=ErrorCode.IDEMPOTENCY_KEY_REUSED,
                detail=_("This Idempotency-Key was already used for a different request."),
            )
        if record.status_code is None:
            return problem_response(
                request,
                status=409,
                code=ErrorCode.CONFLICT,
                detail=_("A request with this Idempotency-Key is still being processed."),
            )
        response = HttpResponse(
            bytes(record.body), status=record.status_code, content_type=record.content_type
        )
        response["Idempotent-Replayed"] = "true"
        return response
