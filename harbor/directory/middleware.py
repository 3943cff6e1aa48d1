"""Resolve who is acting on each request: a bearer token, a signed-in session, or nobody."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.errors import ErrorCode
from harbor.core.problems import problem_response
from harbor.directory.services import authenticate_token, build_actor


class ActorMiddleware:
    """Set ``request.actor``; a bearer token that is unknown, expired or revoked is refused with 401."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            token = authenticate_token(header[7:])
            actor = build_actor(token.user, token=token) if token is not None else None
            if actor is None or actor.organisation_id is None:
                return problem_response(
                    request,
                    status=401,
                    code=ErrorCode.NOT_AUTHENTICATED,
                    detail=_("The API token is unknown, expired or revoked."),
                    headers={"WWW-Authenticate": 'Bearer realm="harbor"'},
                )
            request.actor = actor  # type: ignore[attr-defined]
            request.user = token.user  # type: ignore[union-attr]
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        elif request.user.is_authenticated:
            request.actor = build_actor(request.user)  # type: ignore[attr-defined, arg-type]
        else:
            request.actor = Actor.anonymous()  # type: ignore[attr-defined]
        return self.get_response(request)
