"""Rebuilding the index from the sources, in id order, with a checkpoint per batch so it can resume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from harbor.core.jobs import JobReporter, job_handler
from harbor.core.models import Job, JobStatus
from harbor.search import semantic
from harbor.search.engine import backend
from harbor.search.models import SearchDocument
from harbor.search.services import embed_missing, remove_documents
from harbor.search.sources import sources

KIND = "search.rebuild"
BATCH = 2000


def rebuild(
    job: Job, *, progress: Callable[[int], object] | None = None, batch: int = BATCH
) -> dict[str, Any]:
    """Reindex every source after the job's checkpoint, then drop documents whose object is gone.

    Documents are replaced in place, so search keeps answering during a rebuild. First, an index that no
    longer matches the stored documents (rows deleted around the search services) is rebuilt from them.
    """
    checkpoint: dict[str, Any] = dict(job.result.get("checkpoint", {}))
    totals: dict[str, int] = dict(job.result.get("indexed", {}))
    if backend().repair():
        totals["repaired"] = 1
    for name, source in sorted(sources().items()):
        last_id = int(checkpoint.get(name, 0))
        while ids := source.ids_after(last_id, batch):
            totals[name] = totals.get(name, 0) + source.index_ids(ids)
            last_id = ids[-1]
            checkpoint[name] = last_id
            job.progress += len(ids)
            job.result = {"checkpoint": checkpoint, "indexed": totals}
            job.save(update_fields=["progress", "result"])
            if progress is not None:
                progress(len(ids))
        existing = set(source.ids_after(0, 10**9))
        stale = (
            set(SearchDocument.objects.filter(source=name).values_list("object_id", flat=True))
            - existing
        )
        totals[f"{name}.removed"] = remove_documents(name, stale)
    return {"checkpoint": checkpoint, "indexed": totals}


def start_or_resume(*, resume: bool) -> Job:
    """The unfinished rebuild to resume, or a new one."""
    if resume:
        job = (
            Job.objects.filter(kind=KIND)
            .exclude(status=JobStatus.SUCCEEDED)
            .order_by("-id")
            .first()
        )
        if job is not None:
            return job
    return Job.objects.create(
        kind=KIND,
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        total=sum(s.count() for s in sources().values()),
    )


@job_handler(KIND)
def rebuild_job(reporter: JobReporter, params: dict[str, Any]) -> dict[str, Any]:
    reporter.set_total(sum(source.count() for source in sources().values()))
    result = rebuild(reporter.job)
    result["embedded"] = embed_missing()
    cells = semantic.train_cells_if_due()
    result["cells"] = cells.cells if cells is not None else 0
    return result
