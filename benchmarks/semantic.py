"""Semantic stage benchmark: the cells of the embedding space against the exact comparisons, in one run.

    python benchmarks/semantic.py --vectors 1000000
    python benchmarks/semantic.py --vectors 1000000 --also-candidates 10000,20000   # the time/recall trade
    python benchmarks/semantic.py --vectors 200000 --database-url postgresql://postgres@127.0.0.1:5432/bench

Embedding a million texts with the bundled model would take hours on a small machine, so the vectors are
synthetic, and labelled as such: each is the real multilingual-e5-small embedding of one of ``--bases``
synthetic texts (benchmarks/_corpus.py), plus Gaussian noise, so they gather in clouds around real
points of the space. The queries are real embeddings of fresh synthetic texts. For each query it reports:

- the cells (``semantic.nearest``): latency, and recall of the true 10 nearest visible documents;
- the rule used before cells (``_nearest_recent``): the 5,000 most recent visible documents, compared
  exactly: latency and recall;
- reading every vector from the database and comparing all (the exact baseline), on a few queries;
  its latency only, since it applies no keys.

The true nearest documents are computed in memory. The similarity threshold is switched off so that
every query has ten answers to compare.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import percentile, setup

READER = ["public", "o_3"]
TOP = 10
RECENT_QUERIES = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--bases", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument(
        "--noise", type=float, default=0.03, help="standard deviation per dimension"
    )
    parser.add_argument("--candidates", type=int, default=5000, help="vectors compared per query")
    parser.add_argument(
        "--also-candidates",
        default="",
        help="more values of --candidates to time on the same cells and queries, e.g. 10000,20000",
    )
    parser.add_argument("--database-url")
    args = parser.parse_args()
    setup(args.database_url)

    from _corpus import LANGUAGES, make_text
    from django.conf import settings
    from django.db import connection, transaction
    from tqdm import tqdm

    from harbor.search import cells, semantic
    from harbor.search.engine import SearchQuery, backend
    from harbor.search.services import IndexDocument, index_documents

    settings.HARBOR_SEARCH_SEMANTIC = True
    settings.HARBOR_SEARCH_SEMANTIC_CANDIDATES = args.candidates
    semantic.MIN_SIMILARITY = -1.0
    rng = random.Random(11)
    numbers = np.random.default_rng(11)

    base_texts = [make_text(rng, LANGUAGES[i % len(LANGUAGES)], i) for i in range(args.bases)]
    bases = np.concatenate(
        [
            semantic.embed_passages(base_texts[start : start + 64])
            for start in tqdm(range(0, args.bases, 64), desc="embedding bases", unit="batch")
        ]
    )
    base_of = numbers.integers(0, args.bases, size=args.vectors)
    visible = np.array([bool(i % 3) or i % 50 == 3 for i in range(args.vectors)])

    def documents():  # type: ignore[no-untyped-def]
        for i in range(args.vectors):
            yield IndexDocument(
                source="bench",
                object_id=i + 1,
                texts={"en": f"document {i + 1}"},
                access_keys=["public"] if i % 3 else ["members", f"o_{i % 50}"],
            )

    with tqdm(total=args.vectors, desc="indexing documents", unit="records") as bar:
        index_documents(documents(), batch_size=5000, progress=bar.update, embed=False, workers=2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT object_id, id FROM search_searchdocument ORDER BY object_id")
        document_ids = np.array([row[1] for row in cursor.fetchall()], dtype=np.int64)

    vectors = np.empty((args.vectors, bases.shape[1]), dtype=np.float16)
    for start in range(0, args.vectors, 100_000):
        stop = min(args.vectors, start + 100_000)
        noisy = bases[base_of[start:stop]] + numbers.normal(
            scale=args.noise, size=(stop - start, bases.shape[1])
        )
        vectors[start:stop] = cells.unit_rows(noisy).astype(np.float16)
    with tqdm(total=args.vectors, desc="storing vectors", unit="vectors") as bar:
        for start in range(0, args.vectors, 10_000):
            stop = min(args.vectors, start + 10_000)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO search_searchvector (document_id, vector, cell) VALUES (%s, %s, 0)",
                    [(int(document_ids[i]), vectors[i].tobytes()) for i in range(start, stop)],
                )
            bar.update(stop - start)

    started = time.perf_counter()
    with tqdm(total=args.vectors, desc="training cells", unit="vectors") as bar:
        row = semantic.train_cells(progress=bar.update)
    train_seconds = time.perf_counter() - started
    assert row is not None

    queries = np.stack(
        [
            semantic.embed_query(make_text(rng, LANGUAGES[i % len(LANGUAGES)], 10**7 + i))
            for i in range(args.queries)
        ]
    )
    visible_rows = np.flatnonzero(visible)
    visible_matrix = vectors[visible_rows].astype(np.float32)
    engine = backend()
    query = SearchQuery(terms=[], access_keys=READER, source="bench")

    def truth(vector: np.ndarray) -> set[int]:
        similarities = visible_matrix @ vector
        best = visible_rows[np.argsort(-similarities)[:TOP]]
        return {int(document_ids[i]) for i in best}

    def timed(function, vector):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        found = function(vector, engine, query)
        return (time.perf_counter() - t0) * 1000, {row[0] for row in found}

    results: dict[str, tuple[list[float], list[float]]] = {"cells": ([], []), "recent": ([], [])}
    for number, vector in enumerate(tqdm(queries, desc="querying", unit="queries")):
        expected = truth(vector)
        for name, function in (
            ("cells", semantic.nearest),
            ("recent", semantic._nearest_recent),
        ):
            if name == "recent" and number >= RECENT_QUERIES:
                continue  # seconds each at a million vectors
            milliseconds, found = timed(function, vector)
            results[name][0].append(milliseconds)
            results[name][1].append(len(found & expected) / TOP)

    trade: list[tuple[int, int, list[float], list[float]]] = []
    for value in [int(v) for v in args.also_candidates.split(",") if v.strip()]:
        settings.HARBOR_SEARCH_SEMANTIC_CANDIDATES = value
        latencies, recalls = [], []
        for vector in queries:
            milliseconds, found = timed(semantic.nearest, vector)
            latencies.append(milliseconds)
            recalls.append(len(found & truth(vector)) / TOP)
        trade.append(
            (value, cells.probe_count(row.trained_on, row.cells, value), latencies, recalls)
        )
    settings.HARBOR_SEARCH_SEMANTIC_CANDIDATES = args.candidates

    full_scan = []
    for vector in queries[:5]:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT document_id, vector FROM search_searchvector")
            stored = cursor.fetchall()
        all_vectors = semantic._matrix([row[1] for row in stored])
        np.argsort(-(all_vectors @ vector))[:TOP]
        full_scan.append((time.perf_counter() - t0) * 1000)

    probes = cells.probe_count(row.trained_on, row.cells, semantic.candidates())
    engine_name = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(
        f"\n## Semantic stage ({engine_name}, {args.vectors:,} synthetic vectors around "
        f"{args.bases:,} real embeddings, noise {args.noise}, {args.queries} real queries)\n"
    )
    print(
        f"{row.cells:,} cells trained in {train_seconds:.1f} s "
        f"({args.vectors / train_seconds:,.0f} vectors placed/s); a query reads {probes} cells.\n"
    )
    print("| method | p50 | p95 | recall of the true 10 nearest visible |")
    print("|---|---|---|---|")
    for name, label in (
        ("cells", "cells nearest to the query"),
        (
            "recent",
            f"{semantic.candidates():,} most recent visible, exact (the rule before cells; "
            f"{min(RECENT_QUERIES, args.queries)} queries)",
        ),
    ):
        latencies, recalls = results[name]
        print(
            f"| {label} | {statistics.median(latencies):.1f} ms | {percentile(latencies, 0.95):.1f} ms "
            f"| {statistics.mean(recalls):.2f} |"
        )
    for value, value_probes, latencies, recalls in trade:
        print(
            f"| cells nearest to the query, {value:,} candidates ({value_probes} cells) "
            f"| {statistics.median(latencies):.1f} ms | {percentile(latencies, 0.95):.1f} ms "
            f"| {statistics.mean(recalls):.2f} |"
        )
    print(
        f"| every vector read and compared, before any key check (exact baseline, {len(full_scan)} "
        f"queries) | {statistics.median(full_scan):.0f} ms | {max(full_scan):.0f} ms | — |"
    )


if __name__ == "__main__":
    main()
