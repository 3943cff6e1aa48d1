"""Task wrappers of the search index."""

from __future__ import annotations

from django_tasks import task

from harbor.search.semantic import train_cells_if_due


@task()
def train_cells_task() -> int:
    """Retrain the cells of the embedding space if they are due; how many vectors were placed."""
    row = train_cells_if_due()
    return row.trained_on if row is not None else 0
