"""API plumbing shared by every router: actor access, authentication, problem+json error handlers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.utils import check_csrf

from harbor.core.actors import Actor
from harbor.core.errors import ErrorCode, FieldError, HarborError
from harbor.core.problems import problem_from_error, problem_response


class Problem(Schema):
    """RFC 9457 problem details with a stable ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[dict[str, str]] | None = None


def actor_of(request: HttpRequest) -> Actor:
    return getattr(request, "actor", None) or Actor.anonymous()


SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def signed_in(request: HttpRequest) -> Actor | None:
    """Ninja auth callable: the actor when signed in (token or session), else None (→ 401).

    A browser session writing through the API must pass Django's CSRF check; tokens are not cookies and
    need none.
    """
    actor = actor_of(request)
    if not actor.is_authenticated:
        return None
    if (
        actor.token_id is None
        and request.method not in SAFE_METHODS
        and check_csrf(request) is not None
    ):
        raise HarborError(ErrorCode.FORBIDDEN, _("The CSRF token is missing or wrong."))
    return actor


def anyone(request: HttpRequest) -> Actor:
    """Ninja auth callable for public reads: always passes, anonymous included."""
    return actor_of(request)


def _field_path(location: list[Any]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "payload")]
    return ".".join(parts) or "body"


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error leaves the API as problem+json: domain errors, validation, auth, and the unexpected."""

    @api.exception_handler(HarborError)
    def harbor_error(request: HttpRequest, exc: HarborError) -> HttpResponse:
        return problem_from_error(request, exc)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [
            FieldError(_field_path(list(e.get("loc", []))), str(e.get("msg", "")))
            for e in exc.errors
        ]
        return problem_response(
            request,
            status=422,
            code=ErrorCode.VALIDATION,
            detail=_("Some fields are invalid: %(fields)s.")
            % {"fields": ", ".join(e.field for e in errors)},
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            status=401,
            code=ErrorCode.NOT_AUTHENTICATED,
            detail=_("Sign in or send an API token to do this."),
            headers={"WWW-Authenticate": 'Bearer realm="harbor"'},
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {
            400: ErrorCode.BAD_REQUEST,
            404: ErrorCode.NOT_FOUND,
            405: ErrorCode.BAD_REQUEST,
        }.get(exc.status_code, ErrorCode.BAD_REQUEST)
        return problem_response(request, status=exc.status_code, code=code, detail=str(exc))
