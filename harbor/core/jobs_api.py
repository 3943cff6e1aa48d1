"""Jobs API: watch long work, and (staff) start it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from harbor.core.api import Problem, actor_of, signed_in
from harbor.core.jobs import start_job
from harbor.core.pagination import paginate
from harbor.core.permissions import require
from harbor.core.selectors import get_job_for, list_jobs_for

router = Router(tags=["jobs"])


class JobRead(Schema):
    id: int
    kind: str
    status: str
    progress: int
    total: int
    percent: int
    log: str
    result: dict[str, Any]
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(Schema):
    items: list[JobRead]
    next_cursor: str | None


class JobCreate(Schema):
    kind: str
    params: dict[str, Any] = {}


@router.get(
    "/jobs",
    response={200: JobPage, 401: Problem, 422: Problem},
    auth=signed_in,
    operation_id="list_jobs",
)
def list_jobs(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> object:
    """Jobs you started or that ran for your organisation (staff: all)."""
    return paginate(list_jobs_for(actor_of(request)), cursor=cursor, limit=limit, order=("-id",))


@router.get(
    "/jobs/{job_id}",
    response={200: JobRead, 401: Problem, 404: Problem, 422: Problem},
    auth=signed_in,
    operation_id="get_job",
)
def get_job(request: HttpRequest, job_id: int) -> object:
    return get_job_for(actor_of(request), job_id)


@router.post(
    "/jobs",
    response={201: JobRead, 401: Problem, 403: Problem, 422: Problem},
    auth=signed_in,
    operation_id="start_job",
)
def create_job(request: HttpRequest, payload: JobCreate) -> object:
    """Start a job of a registered kind (platform staff)."""
    actor = actor_of(request)
    require(actor, "core.start_job")
    return 201, start_job(payload.kind, actor=actor, params=payload.params)
