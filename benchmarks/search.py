"""Search benchmark: indexing throughput (segmentation included), top-20 query latency, and recall per
language of the ICU-segmented index against an unsegmented FTS5 baseline, in one run.

    python benchmarks/search.py --records 100000            # SQLite, in a temporary data directory
    python benchmarks/search.py --records 100000 --database-url postgresql://postgres@127.0.0.1:5432/bench

The PostgreSQL database named in the URL is dropped and created afresh. The texts are synthetic
(benchmarks/_corpus.py), labelled as such in the output.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def setup(database_url: str | None) -> None:
    data_dir = tempfile.mkdtemp(prefix="harbor-bench-")
    # The index of a million records takes about a gigabyte: never leave it behind.
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    os.environ["HARBOR_DATA_DIR"] = data_dir
    os.environ["HARBOR_SEARCH_SEMANTIC"] = "0"
    os.environ["HARBOR_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.config.settings")
    if database_url:
        import psycopg

        base, _sep, name = database_url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["HARBOR_DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    setup(args.database_url)

    from _corpus import COUNTRIES, KINDS, LANGUAGES, make_text
    from django.db import connection
    from tqdm import tqdm

    from harbor.search.services import IndexDocument, index_documents, search_documents
    from harbor.search.text import query_terms

    rng = random.Random(7)
    languages = [LANGUAGES[i % len(LANGUAGES)] for i in range(args.records)]
    texts = [make_text(rng, languages[i], i) for i in range(args.records)]

    def keys_of(i: int) -> list[str]:
        """A third of the records in every language are for members and one organisation."""
        return ["public"] if (i // len(LANGUAGES)) % 3 else ["members", f"o_{i % 50}"]

    def documents():  # type: ignore[no-untyped-def]
        for i, text in enumerate(texts):
            yield IndexDocument(
                source="bench",
                object_id=i + 1,
                texts={languages[i]: text},
                access_keys=keys_of(i),
                kind=KINDS[i % len(KINDS)],
                country=COUNTRIES[i % len(COUNTRIES)],
                facets={"language": [languages[i]]},
            )

    started = time.perf_counter()
    with tqdm(total=args.records, desc="indexing", unit="records") as bar:
        index_documents(
            documents(), batch_size=5000, progress=bar.update, embed=False, workers=args.workers
        )
    index_seconds = time.perf_counter() - started
    plain_rate = plain_fts5_rate(texts)

    # Queries: single words taken from the corpus, every language.
    words: dict[str, list[str]] = {}
    for language in LANGUAGES:
        sample = [texts[i] for i in range(len(texts)) if languages[i] == language][:50]
        words[language] = sorted(
            {term for text in sample for term in query_terms(text) if not term.isdigit()}
        )
    queries = [rng.choice(words[rng.choice(LANGUAGES)]) for _ in range(args.queries)]
    # Two words of the same language: documents must hold both.
    pairs = []
    for _ in range(args.queries):
        language = rng.choice(LANGUAGES)
        pairs.append(" ".join(rng.sample(words[language], 2)))
    # The same queries twice: first straight after the load (pages not yet in SQLite's cache), then
    # again, as a running node answers them.
    cold_latencies = []
    windowed = 0
    for query in queries:
        t0 = time.perf_counter()
        found = search_documents(query, access_keys=["public", "o_3"], source="bench", limit=20)
        cold_latencies.append((time.perf_counter() - t0) * 1000)
        windowed += found.ranking_windowed
    latencies = []
    for query in queries:
        t0 = time.perf_counter()
        search_documents(query, access_keys=["public", "o_3"], source="bench", limit=20)
        latencies.append((time.perf_counter() - t0) * 1000)
    pair_latencies = []
    for query in pairs:
        t0 = time.perf_counter()
        search_documents(query, access_keys=["public", "o_3"], source="bench", limit=20)
        pair_latencies.append((time.perf_counter() - t0) * 1000)
    # A verified member sees the members-only third as well.
    member_latencies = []
    for query in queries:
        t0 = time.perf_counter()
        search_documents(query, access_keys=["public", "o_3", "members"], source="bench", limit=20)
        member_latencies.append((time.perf_counter() - t0) * 1000)
    # A reader who sees nothing public: only the documents of its own organisation, a few of each
    # word's matches (the index must not walk the rest).
    own_latencies = []
    for query in queries:
        t0 = time.perf_counter()
        search_documents(query, access_keys=["o_3"], source="bench", limit=20)
        own_latencies.append((time.perf_counter() - t0) * 1000)
    faceted = []
    for query in queries[:100]:
        t0 = time.perf_counter()
        search_documents(
            query,
            access_keys=["public"],
            source="bench",
            limit=20,
            facet_names=("kind", "country", "language"),
        )
        faceted.append((time.perf_counter() - t0) * 1000)

    snippet_rows = snippets_of_long_texts(texts, languages, rng)

    recall_rows = recall_against_unsegmented(texts, languages, rng)

    engine = "PostgreSQL tsvector('simple')" if connection.vendor == "postgresql" else "SQLite FTS5"
    print(
        f"\n## Search benchmark ({engine}, {args.records:,} synthetic records, {len(LANGUAGES)} languages)\n"
    )
    print("| measure | value |")
    print("|---|---|")
    print(
        f"| index throughput (segmentation included) | {args.records / index_seconds:,.0f} records/s |"
    )
    plain_name = "tsvector('simple')" if connection.vendor == "postgresql" else "FTS5"
    print(
        f"| baseline: a plain {plain_name} index of the same texts, unsegmented, one process "
        f"| {plain_rate:,.0f} records/s (the harbor's index: {args.records / index_seconds / plain_rate:.2f} of it) |"
    )
    print(
        f"| top-20 query p50 / p95 | {statistics.median(latencies):.2f} ms / {percentile(latencies, 0.95):.2f} ms |"
    )
    print(
        f"| same queries, first pass after the load | {statistics.median(cold_latencies):.2f} ms / {percentile(cold_latencies, 0.95):.2f} ms |"
    )
    print(f"| queries ranked within the rank window | {windowed} of {len(queries)} |")
    print(
        f"| top-20 two-word query p50 / p95 | {statistics.median(pair_latencies):.2f} ms / {percentile(pair_latencies, 0.95):.2f} ms |"
    )
    print(
        f"| top-20 query p50 / p95, reader in a verified organisation | {statistics.median(member_latencies):.2f} ms / {percentile(member_latencies, 0.95):.2f} ms |"
    )
    print(
        f"| top-20 query p50 / p95, reader holding one organisation's key only | {statistics.median(own_latencies):.2f} ms / {percentile(own_latencies, 0.95):.2f} ms |"
    )
    print(
        f"| top-20 with 3 facets p50 / p95 | {statistics.median(faceted):.2f} ms / {percentile(faceted, 0.95):.2f} ms |"
    )
    print(
        "\n| snippets of 20 long texts (about 10,000 characters, match in the first 500) | by pieces | whole text (baseline) |"
    )
    print("|---|---|---|")
    for language, pieces, whole in snippet_rows:
        print(f"| {language} | {pieces:.1f} ms | {whole:.1f} ms |")
    if recall_rows:
        raw_name = "tsvector('simple')" if connection.vendor == "postgresql" else "FTS5"
        print(f"\n| language | recall, ICU-segmented | recall, unsegmented {raw_name} (baseline) |")
        print("|---|---|---|")
        for language, segmented, raw in recall_rows:
            print(f"| {language} | {segmented:.2f} | {raw:.2f} |")
        print(
            f"| **all** | {statistics.mean(r[1] for r in recall_rows):.2f} | {statistics.mean(r[2] for r in recall_rows):.2f} |"
        )


def create_unsegmented_table(cursor: Any, name: str) -> str:
    """Create the unsegmented baseline table ``name`` (rows keyed by record number): FTS5 with its own
    tokenizer (``unicode61``) on SQLite, a GIN-indexed ``to_tsvector('simple')`` column of the raw text on
    PostgreSQL. Returns the statement that inserts (record number, text)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        cursor.execute(
            f'CREATE VIRTUAL TABLE {name} USING fts5(text, tokenize="unicode61 remove_diacritics 0")'
        )
        return f"INSERT INTO {name} (rowid, text) VALUES (%s, %s)"
    cursor.execute(f"CREATE TABLE {name} (id bigint PRIMARY KEY, text tsvector)")
    cursor.execute(f"CREATE INDEX {name}_text ON {name} USING GIN (text)")
    return f"INSERT INTO {name} (id, text) VALUES (%s, to_tsvector('simple', %s))"


def plain_fts5_rate(texts: list[str]) -> float:
    """Records/s of the baseline: the same texts into an FTS5 table with its own tokenizer (unicode61), or
    a GIN-indexed ``tsvector('simple')`` column on PostgreSQL, in transactions of 5,000, with no
    segmentation, access keys, facets or statistics. Measured in the same run, so the ratio to the
    harbor's index holds on a slower or busier machine."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        insert = create_unsegmented_table(cursor, "bench_plain")
    started = time.perf_counter()
    for start in range(0, len(texts), 5000):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                insert,
                [(start + i + 1, text) for i, text in enumerate(texts[start : start + 5000])],
            )
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_plain")
    return len(texts) / seconds


def snippets_of_long_texts(
    texts: list[str], languages: list[str], rng: random.Random
) -> list[tuple[str, float, float]]:
    """Time 20 snippets of long texts per language: the pieces ``make_snippet`` reads against
    segmenting each whole text (``highlight_spans``), which it did before."""
    from _corpus import LANGUAGES

    from harbor.search.services import make_snippet
    from harbor.search.text import highlight_spans, query_terms

    rows = []
    for language in LANGUAGES:
        own = [
            text
            for text, lang in zip(texts[:2000], languages[:2000], strict=True)
            if lang == language
        ]
        bodies = []
        for _ in range(20):
            body = ""
            while len(body) < 10_000:
                body += rng.choice(own) + "\n"
            bodies.append(body)
        terms = [query_terms(body[:200])[:1] for body in bodies]
        started = time.perf_counter()
        for body, term in zip(bodies, terms, strict=True):
            make_snippet({language: body}, term, language)
        pieces = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        for body, term in zip(bodies, terms, strict=True):
            highlight_spans(body, term)
        whole = (time.perf_counter() - started) * 1000
        rows.append((language, pieces, whole))
    return rows


def recall_against_unsegmented(
    texts: list[str], languages: list[str], rng: random.Random
) -> list[tuple[str, float, float]]:
    """For sampled (document, word) pairs: does a one-word query find that document, in the harbor's
    segmented index and in an unsegmented index of the same text (FTS5 with ``unicode61`` on SQLite,
    ``to_tsvector('simple')`` of the raw text on PostgreSQL)?"""
    from _corpus import LANGUAGES
    from django.db import connection

    from harbor.search.text import query_terms

    with connection.cursor() as cursor:
        insert = create_unsegmented_table(cursor, "bench_raw")
        sample_ids = rng.sample(range(len(texts)), k=min(len(texts), 3000))
        cursor.executemany(insert, [(i + 1, texts[i]) for i in sample_ids])
        rows = []
        for language in LANGUAGES:
            pairs = []
            for i in sample_ids:
                if languages[i] != language:
                    continue
                terms = [t for t in query_terms(texts[i]) if not t.isdigit()]
                if terms:
                    pairs.append((i + 1, rng.choice(terms)))
                if len(pairs) >= 100:
                    break
            segmented = raw = 0
            for object_id, word in pairs:
                segmented += found_in_index(cursor, object_id, word)
                raw += found_unsegmented(cursor, object_id, word)
            rows.append((language, segmented / max(1, len(pairs)), raw / max(1, len(pairs))))
        cursor.execute("DROP TABLE bench_raw")
    return rows


def found_in_index(cursor: Any, object_id: int, word: str) -> int:
    """1 when the harbor's index holds ``word`` for the record, else 0."""
    from django.db import connection

    from harbor.search.fts import term_prefixes

    if connection.vendor != "sqlite":
        cursor.execute(
            "SELECT count(*) FROM search_searchdocument WHERE source = 'bench' AND object_id = %s "
            "AND terms_tsv @@ plainto_tsquery('simple', %s)",
            [object_id, word],
        )
        return int(cursor.fetchone()[0])
    # A term is stored in each part of the index that the document's keys open (harbor.search.fts): as
    # it is, behind "^" or behind "~key~".
    cursor.execute(
        "SELECT id, acl_terms FROM search_searchdocument WHERE source = 'bench' AND object_id = %s",
        [object_id],
    )
    document_id, acl_terms = cursor.fetchone()
    stored = " OR ".join(
        '"' + (prefix + word).replace('"', '""') + '"' for prefix in term_prefixes(acl_terms)
    )
    cursor.execute(
        "SELECT count(*) FROM search_fts WHERE rowid = %s AND search_fts MATCH %s",
        [document_id, f"{{terms}}: ({stored})"],
    )
    return int(cursor.fetchone()[0])


def found_unsegmented(cursor: Any, object_id: int, word: str) -> int:
    """1 when the unsegmented baseline finds the record by ``word``, else 0."""
    from django.db import connection

    if connection.vendor == "sqlite":
        sql = "SELECT count(*) FROM bench_raw WHERE rowid = %s AND bench_raw MATCH %s"
        query = '"' + word.replace('"', '""') + '"'
    else:
        sql = (
            "SELECT count(*) FROM bench_raw WHERE id = %s AND text @@ plainto_tsquery('simple', %s)"
        )
        query = word
    cursor.execute(sql, [object_id, query])
    return int(cursor.fetchone()[0])


if __name__ == "__main__":
    main()
