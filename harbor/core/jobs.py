"""Long work as jobs: a ``Job`` row with status, progress and log, run by a task in ``harbor worker``.

Apps register a handler per job kind with ``@job_handler("kind")``; ``start_job`` records the job and enqueues
it after the surrounding transaction commits; the handler reports progress through ``JobReporter``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.errors import ValidationFailed
from harbor.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

Handler = Callable[["JobReporter", dict[str, Any]], dict[str, Any] | None]
_HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``."""

    def register(handler: Handler) -> Handler:
        _HANDLERS[kind] = handler
        return handler

    return register


def job_kinds() -> list[str]:
    return sorted(_HANDLERS)


class JobReporter:
    """What a handler uses to tell the world how far it is."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def set_total(self, total: int) -> None:
        self.job.total = total
        self.job.save(update_fields=["total"])

    def advance(self, steps: int = 1) -> None:
        Job.objects.filter(pk=self.job.pk).update(progress=F("progress") + steps)
        self.job.progress += steps

    def log(self, line: str) -> None:
        stamp = timezone.now().strftime("%H:%M:%S")
        self.job.log = f"{self.job.log}[{stamp}] {line}\n"
        self.job.save(update_fields=["log"])


def start_job(kind: str, *, actor: Actor, params: dict[str, Any] | None = None) -> Job:
    """Record a queued job of ``kind`` and enqueue it once the current transaction commits."""
    if kind not in _HANDLERS:
        raise ValidationFailed.for_field("kind", _("Unknown job kind “%(kind)s”.") % {"kind": kind})
    job = Job.objects.create(
        kind=kind,
        params=params or {},
        created_by_id=actor.user_id,
        organisation_id=actor.organisation_id,
    )

    def enqueue() -> None:
        from harbor.core.tasks import run_job_task

        result = run_job_task.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def run_job(job_id: int) -> Job:
    """Run a queued job to the end, recording success or the error; safe to call again on a finished job."""
    job = Job.objects.get(pk=job_id)
    if job.is_finished:
        return job
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    reporter = JobReporter(job)
    try:
        result = _HANDLERS[job.kind](reporter, job.params)
    except Exception as exc:
        logger.exception("job failed", extra={"job_id": job.pk, "kind": job.kind})
        job.refresh_from_db()
        job.status = JobStatus.FAILED
        job.error = str(exc)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    job.refresh_from_db()
    job.status = JobStatus.SUCCEEDED
    job.result = result or {}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])
    return job
