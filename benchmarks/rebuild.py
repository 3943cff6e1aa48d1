"""Rebuild benchmark: records/s through ``harbor search rebuild`` (the records read from the database,
turned into index documents, segmented and written), beside the baseline of indexing each batch of ids
as a bulk load of its own, which is what a rebuild did before.

    python benchmarks/rebuild.py --records 100000 [--database-url postgresql://…/bench]

Records are synthetic (benchmarks/_corpus.py: a title and a summary in one of twelve languages; a third
public, a third for members, a third for members in one country), written in bulk. Both runs start from
an empty index.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    setup(args.database_url)

    from _corpus import LANGUAGES, make_text
    from django.db import connection
    from django.utils import timezone
    from tqdm import tqdm

    from harbor.core.actors import Actor
    from harbor.directory import services as directory
    from harbor.reference.services import load_reference
    from harbor.search import rebuild as rebuilding
    from harbor.search.services import index_documents, remove_documents
    from harbor.sharing.indexing import SOURCE, record_documents
    from harbor.sharing.models import Record, RecordAccess
    from harbor.sharing.policy import record_keys

    system = Actor.system("bench")
    load_reference(actor=system)
    owner = directory.create_organisation(
        actor=system, name="Publisher", country="VN", kind="government"
    )
    rng = random.Random(5)
    now = timezone.now()
    audiences = ["public", "members", "countries"]
    with tqdm(total=args.records, desc="writing records", unit="records") as bar:
        for start in range(0, args.records, 5000):
            rows = []
            for i in range(start, min(args.records, start + 5000)):
                language = LANGUAGES[i % len(LANGUAGES)]
                rows.append(
                    Record(
                        kind="notice",
                        status="published",
                        owner=owner,
                        home_country_id="VN",
                        original_language=language,
                        title={language: make_text(rng, language, i)},
                        summary={language: make_text(rng, language, i)},
                        audience=audiences[i % 3],
                        audience_countries=["TH"] if i % 3 == 2 else [],
                        topics=["trade"],
                        hs_codes=["081060"],
                        created_at=now,
                        updated_at=now,
                        published_at=now,
                    )
                )
            created = Record.objects.bulk_create(rows)
            RecordAccess.objects.bulk_create(
                [RecordAccess(record=r, key=key) for r in created for key in record_keys(r)]
            )
            bar.update(len(rows))

    def empty_index() -> None:
        remove_documents(SOURCE, Record.objects.values_list("pk", flat=True))

    # Baseline: every batch of ids a bulk load of its own (a new pool of workers for one batch).
    empty_index()
    started = time.perf_counter()
    last = 0
    with tqdm(total=args.records, desc="baseline: a load per batch", unit="records") as bar:
        while ids := list(
            Record.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[: rebuilding.BATCH]
        ):
            index_documents(record_documents(ids), embed=False, workers=os.cpu_count() or 1)
            last = ids[-1]
            bar.update(len(ids))
    baseline = args.records / (time.perf_counter() - started)

    empty_index()
    job = rebuilding.start_or_resume(resume=False)
    started = time.perf_counter()
    with tqdm(total=args.records, desc="harbor search rebuild", unit="records") as bar:
        rebuilding.rebuild(job, progress=bar.update)
    rate = args.records / (time.perf_counter() - started)

    engine = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"\n## Rebuild ({engine}, {args.records:,} synthetic records, embeddings off)\n")
    print("| path | records/s |")
    print("|---|---|")
    print(f"| `harbor search rebuild`: one bulk load per source | {rate:,.0f} |")
    print(
        f"| baseline: each batch of {rebuilding.BATCH:,} ids a bulk load of its own | {baseline:,.0f} |"
    )


if __name__ == "__main__":
    main()
