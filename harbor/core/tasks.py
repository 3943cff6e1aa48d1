"""Task wrappers: ids in, load, call the job runner."""

from __future__ import annotations

from django_tasks import task

from harbor.core.jobs import run_job


@task()
def run_job_task(job_id: int) -> str:
    return run_job(job_id).status
