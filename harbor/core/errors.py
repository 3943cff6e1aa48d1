"""Domain errors with stable codes; the API and the pages turn them into RFC 9457 problem details."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _


class ErrorCode(StrEnum):
    """Codes shared by every app; apps add their own enums with the same shape."""

    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    NOT_AUTHENTICATED = "not_authenticated"
    VALIDATION = "validation_error"
    CONFLICT = "conflict"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    RATE_LIMITED = "rate_limited"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    BAD_REQUEST = "bad_request"
    SERVER_ERROR = "server_error"


STATUS_BY_CODE: dict[str, int] = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.VALIDATION: 422,
    ErrorCode.CONFLICT: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: 422,
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.SERVER_ERROR: 500,
}


@dataclass
class FieldError:
    """One invalid field: a dotted path into the request and a translated message."""

    field: str
    message: str | Promise

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": str(self.message)}


@dataclass
class HarborError(Exception):
    """A failure the caller can act on: a stable ``code``, a translated ``detail`` and an HTTP status."""

    code: str
    detail: str | Promise
    status: int | None = None
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status is None:
            self.status = STATUS_BY_CODE.get(self.code, 400)
        super().__init__(str(self.detail))

    @property
    def http_status(self) -> int:
        return self.status or 400


class NotFound(HarborError):
    def __init__(self, detail: str | Promise) -> None:
        super().__init__(ErrorCode.NOT_FOUND, detail)


class Forbidden(HarborError):
    def __init__(self, detail: str | Promise) -> None:
        super().__init__(ErrorCode.FORBIDDEN, detail)


class ValidationFailed(HarborError):
    def __init__(self, detail: str | Promise, errors: list[FieldError] | None = None) -> None:
        super().__init__(ErrorCode.VALIDATION, detail, errors=errors or [])

    @classmethod
    def for_field(cls, field_name: str, message: str | Promise) -> ValidationFailed:
        """A validation error that names a single field."""
        return cls(message, [FieldError(field_name, message)])

    @classmethod
    def for_fields(cls, errors: list[FieldError]) -> ValidationFailed:
        """A validation error naming every field in ``errors``, in order."""
        fields = ", ".join(error.field for error in errors)
        return cls(_("Some fields are invalid: %(fields)s.") % {"fields": fields}, errors)
