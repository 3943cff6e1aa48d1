"""Cross-lingual benchmark: how often the semantic stage's hits are about the query's topic, for short
queries against the synthetic corpus's sentences, with the bundled multilingual-e5-small.

    python benchmarks/crosslingual.py

Every sentence of ``benchmarks/_corpus.py`` is a document. Sentences that say the same thing in different
languages share a topic, labelled below by hand (benchmark data only). Each query is one to four words in
one of several languages, labelled with the topic it asks for. For each rule that keeps the semantic
stage's nearest documents (at most ten), it reports the precision (kept documents on the query's topic)
and the recall (documents on the topic that were kept). The first rule is the one search uses
(``harbor.search.semantic.MIN_SIMILARITY``); it is the baseline for the others.

No database is read (a temporary data directory holds the settings' files); the model runs on the CPU.
"""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# (language, sentence number) → topic; sentences not listed belong to no labelled topic.
TOPICS: dict[tuple[str, int], str] = {
    ("en", 0): "bamboo furniture",
    ("zh-hans", 1): "bamboo furniture",
    ("zh-hant", 1): "bamboo furniture",
    ("en", 1): "electric vehicles",
    ("zh-hans", 2): "electric vehicles",
    ("zh-hant", 2): "electric vehicles",
    ("th", 2): "electric vehicles",
    ("ta", 1): "electric vehicles",
    ("en", 2): "cold chain",
    ("zh-hans", 3): "cold chain",
    ("th", 1): "cold chain",
    ("ms", 2): "cold chain",
    ("en", 3): "phishing",
    ("zh-hans", 4): "phishing",
    ("id", 1): "phishing",
    ("en", 4): "certificate of origin",
    ("id", 2): "certificate of origin",
    ("th", 3): "certificate of origin",
    ("ta", 2): "certificate of origin",
    ("fil", 2): "certificate of origin",
    ("km", 1): "certificate of origin",
    ("zh-hans", 0): "durian",
    ("zh-hant", 0): "durian",
    ("th", 0): "durian",
    ("vi", 3): "durian",
    ("fil", 1): "rice",
    ("km", 0): "rice",
    ("my", 2): "rice",
}
QUERIES: dict[str, list[str]] = {
    "durian": ["durian", "durian import", "榴莲", "ทุเรียน", "sầu riêng"],
    "cold chain": ["cold chain", "cold chain logistics Nanning", "冷链物流", "ห้องเย็น"],
    "rice": ["rice export", "大米出口", "ข้าว", "beras"],
    "phishing": ["phishing", "phishing invoice", "网络钓鱼"],
    "certificate of origin": ["certificate of origin", "原产地证书", "ใบรับรองถิ่นกำเนิด"],
    "electric vehicles": ["electric vehicle tariff", "电动汽车关税", "รถยนต์ไฟฟ้า"],
    "bamboo furniture": ["bamboo furniture", "竹制家具"],
}
TOP = 10


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="harbor-bench-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    os.environ["HARBOR_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.config.settings")
    os.environ.setdefault("HARBOR_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import numpy as np
    from _corpus import SENTENCES

    from harbor.search import semantic

    documents = [
        (language, number, sentence)
        for language, sentences in SENTENCES.items()
        for number, sentence in enumerate(sentences)
    ]
    topics = [TOPICS.get((language, number)) for language, number, _sentence in documents]
    passages = semantic.embed_passages([sentence for _l, _n, sentence in documents])
    threshold = semantic.MIN_SIMILARITY
    rules: list[tuple[str, Callable[[float, float], bool]]] = [
        (f"similarity ≥ {threshold:.2f} (search's rule, baseline)", lambda s, _b: s >= threshold),
        ("similarity ≥ 0.83", lambda s, _b: s >= 0.83),
        (
            f"≥ {threshold:.2f} and within 0.03 of the best",
            lambda s, b: s >= max(threshold, b - 0.03),
        ),
        (
            f"≥ {threshold:.2f} and within 0.05 of the best",
            lambda s, b: s >= max(threshold, b - 0.05),
        ),
    ]
    on_topic: list[float] = []
    off_topic: list[float] = []
    tallies = {name: [0, 0, 0] for name, _rule in rules}  # kept, kept on topic, on topic in all
    for topic, queries in QUERIES.items():
        relevant = sum(1 for label in topics if label == topic)
        for query in queries:
            similarities = passages @ semantic.embed_query(query)
            for label, similarity in zip(topics, similarities, strict=True):
                (on_topic if label == topic else off_topic).append(float(similarity))
            nearest = np.argsort(-similarities)[:TOP]
            best = float(similarities[nearest[0]])
            for name, rule in rules:
                kept = [i for i in nearest if rule(float(similarities[i]), best)]
                tallies[name][0] += len(kept)
                tallies[name][1] += sum(1 for i in kept if topics[i] == topic)
                tallies[name][2] += relevant
    count = sum(map(len, QUERIES.values()))
    print(
        f"\n## Cross-lingual semantic stage ({len(documents)} synthetic sentences in "
        f"{len(SENTENCES)} languages, {count} short queries, {len(QUERIES)} topics)\n"
    )
    print("| rule for keeping the nearest ten | kept | precision | recall |")
    print("|---|---|---|---|")
    for name, (kept, hits, relevant) in tallies.items():
        print(f"| {name} | {kept} | {hits / max(1, kept):.2f} | {hits / max(1, relevant):.2f} |")
    print(
        f"\nSimilarity of a query to a sentence on its topic: median {statistics.median(on_topic):.3f}; "
        f"to any other sentence: median {statistics.median(off_topic):.3f}, "
        f"{sum(s >= threshold for s in off_topic) / len(off_topic):.0%} of them ≥ {threshold:.2f}."
    )


if __name__ == "__main__":
    main()
