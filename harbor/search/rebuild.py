"""Rebuilding the index from the sources, in id order, with a checkpoint per batch so it can resume."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone

from harbor.core.jobs import JobReporter, job_handler
from harbor.core.models import Job, JobStatus
from harbor.search import semantic
from harbor.search.engine import backend
from harbor.search.models import SearchDocument
from harbor.search.services import (
    IndexDocument,
    embed_missing,
    index_documents,
    remove_documents,
)
from harbor.search.sources import IndexSource, sources

KIND = "search.rebuild"
BATCH = 2000


def rebuild(
    job: Job, *, progress: Callable[[int], object] | None = None, batch: int = BATCH
) -> dict[str, Any]:
    """Reindex every source after the job's checkpoint, then drop documents whose object is gone.

    Each source's documents stream through one bulk load (``index_documents`` with a worker process
    per core), read a batch of ids at a time in id order; the checkpoint moves to the last object of
    each batch written. Before, every batch of ids was a load of its own: a new pool of workers for
    one batch, which the writer then waited for, and planner statistics refreshed after each.
    Documents are replaced in place, so search keeps answering during a rebuild. First, an index that
    no longer matches the stored documents (rows deleted around the search services) is rebuilt from
    them.
    """
    checkpoint: dict[str, Any] = dict(job.result.get("checkpoint", {}))
    totals: dict[str, int] = dict(job.result.get("indexed", {}))
    if backend().repair():
        totals["repaired"] = 1
    for name, source in sorted(sources().items()):
        _reindex(job, source, checkpoint, totals, progress=progress, batch=batch)
        existing = set(source.ids_after(0, 10**9))
        stale = (
            set(SearchDocument.objects.filter(source=name).values_list("object_id", flat=True))
            - existing
        )
        totals[f"{name}.removed"] = remove_documents(name, stale)
    return {"checkpoint": checkpoint, "indexed": totals}


def _reindex(
    job: Job,
    source: IndexSource,
    checkpoint: dict[str, Any],
    totals: dict[str, int],
    *,
    progress: Callable[[int], object] | None,
    batch: int,
) -> None:
    """Stream the source's documents after its checkpoint through one bulk load, saving the job's
    checkpoint and totals after each batch written (documents come in id order, so every object up to
    the last one written has been indexed)."""

    def documents() -> Iterator[IndexDocument]:
        after = int(checkpoint.get(source.name, 0))
        while ids := source.ids_after(after, batch):
            yield from source.documents(ids)
            after = ids[-1]

    def written(documents: list[IndexDocument]) -> None:
        checkpoint[source.name] = documents[-1].object_id
        totals[source.name] = totals.get(source.name, 0) + len(documents)
        job.progress += len(documents)
        job.result = {"checkpoint": checkpoint, "indexed": totals}
        job.save(update_fields=["progress", "result"])

    index_documents(
        documents(),
        batch_size=batch,
        progress=progress,
        embed=False,
        workers=os.cpu_count() or 1,
        written=written,
    )


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
