"""Cells of the embedding space: the k-means arithmetic, and cross-lingual search over the whole corpus
once the vectors are cut into cells (on whichever database the suite runs on)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from harbor.search import cells, semantic
from harbor.search.models import SearchVector, VectorCells
from harbor.search.services import IndexDocument, index_documents, search_documents
from harbor.search.tasks import train_cells_task


def clustered(rng: np.random.Generator, centres: int, per_centre: int, spread: float) -> np.ndarray:
    """Unit vectors scattered around ``centres`` random directions, grouped by centre."""
    directions = cells.unit_rows(rng.normal(size=(centres, 48)))
    noise = rng.normal(scale=spread, size=(centres, per_centre, 48))
    return cells.unit_rows((directions[:, None, :] + noise).reshape(-1, 48))


def test_training_finds_well_separated_clusters() -> None:
    rng = np.random.default_rng(3)
    data = clustered(rng, centres=8, per_centre=60, spread=0.05)
    centroids = cells.train(data, 8, seed=1)
    assigned = cells.assign(data, centroids).reshape(8, 60)
    # each cluster lies in one cell, and no two clusters share one
    assert all(len(set(row)) == 1 for row in assigned.tolist())
    assert len({row[0] for row in assigned.tolist()}) == 8
    assert np.allclose(np.linalg.norm(centroids, axis=1), 1.0, atol=1e-5)


def test_no_centroid_is_left_empty() -> None:
    rng = np.random.default_rng(5)
    # 3 tight groups but 6 cells: the seeds that land in one group are moved to the worst-served points
    data = clustered(rng, centres=3, per_centre=40, spread=0.2)
    centroids = cells.train(data, 6, seed=2)
    assert len(set(cells.assign(data, centroids).tolist())) == 6


@hypothesis_settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.integers(1, 40), st.integers(0, 10_000))
def test_assignment_is_the_most_similar_centroid(rows: int, count: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    data = cells.unit_rows(rng.normal(size=(rows, 16)))
    centroids = cells.unit_rows(rng.normal(size=(count, 16)))
    placed = cells.assign(data, centroids)
    similarities = data @ centroids.T
    assert np.allclose(similarities[np.arange(rows), placed], similarities.max(axis=1))


def test_cell_and_probe_counts() -> None:
    assert cells.cell_count(1) == 1
    assert cells.cell_count(1_000_000) == 1000
    assert cells.cell_count(10**9) == cells.MAX_CELLS
    # a million vectors in 1000 cells: 5,000 candidates would be 5 cells, but never fewer than 15
    assert cells.probe_count(1_000_000, 1000, 5000) == 15
    assert cells.probe_count(100_000, 316, 5000) == 16  # 5,000 candidates in cells of about 316
    assert cells.probe_count(1_000_000, 1000, 50_000) == 50
    assert cells.probe_count(100, 10, 5000) == 10  # never more cells than there are
    query = cells.unit_rows(np.eye(4, dtype=np.float32))
    assert cells.nearest_cells(query[2], query, 2)[0] == 2


def test_training_needs_vectors() -> None:
    with pytest.raises(ValueError, match="no vectors"):
        cells.train(np.zeros((0, 4), dtype=np.float32), 2)


# -- on the database, with the real embedding model ------------------------------------------------

pytestmark_db = pytest.mark.django_db

CHINESE = {
    1: "大米出口配额管理办法",  # the one the Thai query is about, indexed first (oldest)
    2: "关于电动汽车进口关税调整的通知",
    3: "网络钓鱼攻击预警",
    4: "竹制家具出口合作",
    5: "南宁至曼谷冷链物流线路开通",
    6: "海关总署关于进口榴莲检疫要求的公告",
}
THAI_RICE_QUOTA = (
    "โควตาส่งออกข้าว"  # "export quota for rice": no word in common with the Chinese text
)


@pytest.fixture
def corpus(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Six Chinese notices with vectors; one query compares at most three documents exactly."""
    settings.HARBOR_SEARCH_SEMANTIC = True
    settings.HARBOR_SEARCH_SEMANTIC_CANDIDATES = 3
    monkeypatch.setattr(semantic, "DUE_CHECK_EVERY", 10**9)  # training is started by the tests
    index_documents(
        IndexDocument(source="xl", object_id=pk, texts={"zh-hans": text}, access_keys=["public"])
        for pk, text in CHINESE.items()
    )


def found_ids(text: str, keys: list[str]) -> list[int]:
    return [
        doc.object_id for doc in search_documents(text, access_keys=keys, source="xl").documents
    ]


@pytestmark_db
def test_without_cells_only_the_most_recent_documents_are_compared(corpus: None) -> None:
    assert VectorCells.objects.count() == 0
    assert 1 not in found_ids(THAI_RICE_QUOTA, ["public"])


@pytestmark_db
def test_with_cells_the_oldest_document_is_found_and_keys_still_apply(corpus: None) -> None:
    assert semantic.training_due()
    row = semantic.train_cells()
    assert row is not None and row.trained_on == 6 and row.cells == cells.cell_count(6)
    assert not semantic.training_due()
    assert found_ids(THAI_RICE_QUOTA, ["public"])[0] == 1
    assert found_ids(THAI_RICE_QUOTA, ["o_99"]) == []


@pytestmark_db
def test_every_vector_is_in_the_cell_of_its_nearest_centroid(corpus: None) -> None:
    semantic.train_cells()
    index_documents(
        [
            IndexDocument(
                source="xl", object_id=7, texts={"en": "Rice export quota"}, access_keys=["public"]
            )
        ]
    )
    current = semantic.current_cells()
    assert current is not None
    for vector in SearchVector.objects.all():
        matrix = np.frombuffer(bytes(vector.vector), dtype=np.float16).astype(np.float32)
        assert vector.cell == int(cells.assign(matrix[None, :], current.centroids)[0])


@pytestmark_db
def test_a_query_reads_only_the_cells_nearest_to_it(
    corpus: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cells, "MIN_PROBES", 1)  # with 3 candidates per query: one cell
    semantic.train_cells()
    current = semantic.current_cells()
    assert current is not None and len(current.centroids) > 1
    nearest = cells.nearest_cells(semantic.embed_query(THAI_RICE_QUOTA), current.centroids, 1)[0]
    rice = SearchVector.objects.get(document__object_id=1, document__source="xl")
    assert (1 in found_ids(THAI_RICE_QUOTA, ["public"])) == (rice.cell == nearest)
    # moved to another cell, it is no longer read
    SearchVector.objects.filter(pk=rice.pk).update(cell=nearest + 1)
    assert 1 not in found_ids(THAI_RICE_QUOTA, ["public"])


@pytestmark_db
def test_facet_filters_apply_to_the_semantic_stage(corpus: None) -> None:
    semantic.train_cells()
    found = search_documents(
        THAI_RICE_QUOTA, access_keys=["public"], source="xl", filters={"kind": ["advisory"]}
    )
    assert found.documents == []


@pytestmark_db
def test_retraining_is_due_when_the_vectors_double_and_runs_as_a_task(
    corpus: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    semantic.train_cells()
    monkeypatch.setattr(semantic, "DUE_CHECK_EVERY", 1)
    with django_capture_on_commit_callbacks(execute=True):
        index_documents(
            IndexDocument(
                source="xl", object_id=pk, texts={"en": f"notice {pk}"}, access_keys=["public"]
            )
            for pk in range(10, 16)
        )
    assert semantic.training_due()
    queued = DBTaskResult.objects.filter(task_path="harbor.search.tasks.train_cells_task")
    assert queued.exists()
    assert train_cells_task.call() == 12
    assert VectorCells.objects.get().trained_on == 12
    assert not semantic.training_due()


@pytestmark_db
def test_the_cells_command(corpus: None) -> None:
    out = StringIO()
    call_command("search", "cells", stdout=out)
    assert f"6 vectors cut into {cells.cell_count(6)} cells" in out.getvalue()
    SearchVector.objects.all().delete()
    out = StringIO()
    call_command("search", "cells", stdout=out)
    assert "nothing to cut" in out.getvalue()


@pytestmark_db
def test_training_writes_the_vectors_again_in_cell_order(corpus: None) -> None:
    index_documents(
        IndexDocument(source="xl", object_id=pk, texts={"en": text}, access_keys=["public"])
        for pk, text in [
            (20, "Rice export quota"),
            (21, "Durian import rules"),
            (22, "Phishing alert"),
        ]
    )
    before = dict(SearchVector.objects.values_list("document_id", "vector"))
    semantic.train_cells()
    rows = list(SearchVector.objects.order_by("pk").values_list("cell", "document_id", "vector"))
    assert [(cell, document) for cell, document, _v in rows] == sorted(
        (cell, document) for cell, document, _v in rows
    )
    assert {document: bytes(vector) for _c, document, vector in rows} == {
        document: bytes(vector) for document, vector in before.items()
    }
