"""RFC 9457 problem+json responses."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from harbor.core.errors import ErrorCode, FieldError, HarborError

PROBLEM_CONTENT_TYPE = "application/problem+json"


def _title(status: int) -> str:
    titles = {
        400: _("Bad request"),
        401: _("Not authenticated"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("Payload too large"),
        422: _("Invalid input"),
        429: _("Too many requests"),
        500: _("Server error"),
        503: _("Service unavailable"),
    }
    return titles.get(status, _("Error"))


def problem_response(
    request: HttpRequest | None,
    *,
    status: int,
    code: str,
    detail: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JsonResponse:
    """Build a problem+json response with a stable ``code`` and a translated ``detail``."""
    body: dict[str, Any] = {
        "type": f"https://infoharbor.org/problems/{code}",
        "title": _title(status),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if request is not None:
        body["instance"] = request.path
    if errors:
        body["errors"] = [error.as_dict() for error in errors]
    body.update(extra)
    response = JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def problem_from_error(request: HttpRequest | None, error: HarborError) -> JsonResponse:
    """Turn a domain error into its problem+json response."""
    return problem_response(
        request,
        status=error.http_status,
        code=error.code,
        detail=str(error.detail),
        errors=error.errors,
        **error.extra,
    )


def server_error_problem(request: HttpRequest | None) -> JsonResponse:
    return problem_response(
        request,
        status=500,
        code=ErrorCode.SERVER_ERROR,
        detail=_("Something went wrong on our side. The error has been logged."),
    )
