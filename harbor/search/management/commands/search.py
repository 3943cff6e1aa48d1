"""``harbor search rebuild [--resume]``: rebuild the search index with a progress bar.

``harbor search cells``: cut the embedding vectors into cells again now (``harbor.search.semantic``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from tqdm import tqdm

from harbor.core.models import JobStatus
from harbor.search import semantic
from harbor.search.models import SearchDocument, SearchVector
from harbor.search.rebuild import rebuild, start_or_resume
from harbor.search.services import embed_missing


class Command(BaseCommand):
    help = "Maintain the search index."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild_parser = sub.add_parser(
            "rebuild", help="reindex every record; --resume continues a stopped run"
        )
        rebuild_parser.add_argument("--resume", action="store_true")
        sub.add_parser(
            "cells", help="cut the embedding vectors into cells again (cross-lingual search)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "cells":
            self._cells()
            return
        job = start_or_resume(resume=options["resume"])
        job.status = JobStatus.RUNNING
        job.save(update_fields=["status"])
        with tqdm(total=job.total, initial=job.progress, desc="indexing", unit="records") as bar:
            result = rebuild(job, progress=bar.update)
        missing = SearchDocument.objects.filter(vector__isnull=True).count()
        with tqdm(
            total=missing, desc="embedding", unit="records", disable=not semantic.available()
        ) as bar:
            embedded = embed_missing(progress=bar.update)
        job.status = JobStatus.SUCCEEDED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        self.stdout.write(f"search index rebuilt: {result['indexed']}; {embedded} embeddings added")
        if semantic.training_due():
            self._cells()

    def _cells(self) -> None:
        total = SearchVector.objects.count()
        with tqdm(total=total, desc="placing vectors in cells", unit="vectors") as bar:
            row = semantic.train_cells(progress=bar.update)
        if row is None:
            self.stdout.write("no embedding vectors yet: nothing to cut into cells")
        else:
            self.stdout.write(f"{row.trained_on} vectors cut into {row.cells} cells")
