"""Operational endpoints and error pages."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from harbor.core import metrics
from harbor.core.errors import ErrorCode
from harbor.core.problems import problem_response


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("json" in accept and "html" not in accept)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database answers and every migration is applied."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure as not ready
        checks["database"] = f"error: {exc.__class__.__name__}"
    ready = all(value == "ok" for value in checks.values()) and len(checks) == 2
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )


def metrics_view(request: HttpRequest) -> HttpResponse:
    body, content_type = metrics.exposition()
    return HttpResponse(body, content_type=content_type)


def _error(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    if wants_json(request):
        return problem_response(request, status=status, code=code, detail=detail)
    return render(request, "errors/error.html", {"status": status, "detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, ErrorCode.BAD_REQUEST, _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(
        request, 403, ErrorCode.FORBIDDEN, _("You do not have permission to see this page.")
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, ErrorCode.NOT_FOUND, _("There is nothing at this address."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(
        request,
        500,
        ErrorCode.SERVER_ERROR,
        _("Something went wrong on our side. The error has been logged."),
    )
