"""Cells of the embedding space, so the semantic stage reads a few cells instead of every vector.

The vectors are cut into cells by spherical k-means (Lloyd's iterations on unit vectors, cosine
similarity): each cell has a centroid, each vector belongs to the cell of its nearest centroid. A query
reads only the vectors of the cells whose centroids are nearest to it (an inverted-file index, "IVF").
The cells live in the database with the vectors (``harbor.search.semantic``); this module is the
arithmetic, with no database.

Rules:
- about √N cells for N vectors (at least 1, at most ``MAX_CELLS``), trained on a sample of at most
  ``SAMPLE_PER_CELL`` vectors per cell;
- a query probes as many of the nearest cells as hold, on average, ``candidates`` vectors in all, and never
  fewer than ``MIN_PROBES`` of them. Cells grow as √N, so a fixed number of candidates reads ever fewer
  of them: at a million vectors 5,000 candidates are 5 of 1,000 cells, and recall of the true ten nearest
  was 0.79 with 5 cells, 0.93 with 10, 0.98 with 15 and 0.99 with 20 (20, 38, 50 and 67 ms at the median;
  docs/PERFORMANCE.md). Below about 110,000 vectors the candidates alone already cover 15 cells;
- the first centroids are chosen by greedy k-means++ (each next one far from those already chosen)
  among at most ``SEEDING_PER_CELL`` sample vectors per cell;
- a cell left empty by an iteration is given the sample vector worst served by its own centroid, so no
  centroid is wasted.
"""

from __future__ import annotations

import math

import numpy as np

MAX_CELLS = 4096
SAMPLE_PER_CELL = 64
MIN_PROBES = 15
SEEDING_PER_CELL = 8
ASSIGN_CHUNK = 16_384


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """The rows scaled to length 1, as float32 (a zero row stays zero)."""
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def cell_count(vectors: int) -> int:
    """How many cells to cut ``vectors`` vectors into: about their square root."""
    return max(1, min(MAX_CELLS, round(math.sqrt(vectors))))


def probe_count(vectors: int, cells: int, candidates: int) -> int:
    """How many of the nearest cells a query reads to see about ``candidates`` vectors."""
    if cells <= 0:
        return 0
    per_cell = max(1.0, vectors / cells)
    return min(cells, max(MIN_PROBES, math.ceil(candidates / per_cell)))


def assign(vectors: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The cell (index of the most similar centroid) of each vector."""
    cells = np.empty(len(vectors), dtype=np.int32)
    for start in range(0, len(vectors), ASSIGN_CHUNK):
        chunk = np.asarray(vectors[start : start + ASSIGN_CHUNK], dtype=np.float32)
        cells[start : start + len(chunk)] = np.argmax(chunk @ centroids.T, axis=1)
    return cells


def nearest_cells(query: np.ndarray, centroids: np.ndarray, probes: int) -> list[int]:
    """The ``probes`` cells whose centroids are most similar to the query, nearest first."""
    similarities = centroids @ np.asarray(query, dtype=np.float32)
    probes = min(probes, len(centroids))
    top = np.argpartition(-similarities, probes - 1)[:probes]
    return [int(cell) for cell in top[np.argsort(-similarities[top])]]


def _seeds(data: np.ndarray, cells: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeding on a subsample: at each step a few candidates are drawn with probability
    ∝ their squared distance (2 − 2·cosine) to the nearest seed so far, and the one that brings the
    vectors closest to their seeds is kept."""
    pool = data[rng.choice(len(data), size=min(len(data), cells * SEEDING_PER_CELL), replace=False)]
    tries = 2 + int(math.log(cells))
    chosen = [int(rng.integers(len(pool)))]
    distance = np.maximum(0.0, 2.0 - 2.0 * (pool @ pool[chosen[0]]))
    for _ in range(1, cells):
        total = float(distance.sum())
        if total <= 0:  # every pool vector is already a seed's twin: take any not chosen yet
            rest = np.setdiff1d(np.arange(len(pool)), chosen)
            candidates = rest[:1] if len(rest) else np.array(chosen[-1:])
        else:
            candidates = rng.choice(len(pool), size=tries, p=distance / total)
        options = np.minimum(
            distance[None, :], np.maximum(0.0, 2.0 - 2.0 * (pool[candidates] @ pool.T))
        )
        best = int(np.argmin(options.sum(axis=1)))
        chosen.append(int(candidates[best]))
        distance = options[best]
    return pool[chosen].copy()


def train(sample: np.ndarray, cells: int, *, iterations: int = 12, seed: int = 0) -> np.ndarray:
    """Centroids (unit rows, float32) of ``cells`` cells fitted to the sample by spherical k-means."""
    data = unit_rows(sample)
    if len(data) == 0:
        raise ValueError("no vectors to train cells on")
    cells = max(1, min(cells, len(data)))
    rng = np.random.default_rng(seed)
    centroids = _seeds(data, cells, rng)
    for _ in range(iterations):
        similarities = data @ centroids.T
        members = np.argmax(similarities, axis=1)
        best = similarities[np.arange(len(data)), members]
        order = np.argsort(members, kind="stable")
        counts = np.bincount(members, minlength=cells)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        filled = counts > 0
        sums = np.zeros_like(centroids)
        sums[filled] = np.add.reduceat(data[order], starts[filled], axis=0)
        empty = np.flatnonzero(~filled)
        if len(empty):
            worst = np.argsort(best)[: len(empty)]
            sums[empty] = data[worst]
        centroids = unit_rows(sums)
    return centroids
