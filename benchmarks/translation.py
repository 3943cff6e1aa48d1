"""Machine-translation benchmark: sentences per second, batched and one at a time, and cache-hit latency.

    python benchmarks/translation.py                      # builds the model in a temporary folder
    python benchmarks/translation.py --model-dir var/mt-bench   # build once, reuse afterwards

The model has the shape of an OPUS-MT (Marian transformer-base) model, 6 + 6 layers, d_model 512, 8 heads,
feed-forward 2048, a 32,000-piece SentencePiece vocabulary trained on generated text, int8 weights, but
random weights. Random weights never choose to stop, so every output runs to the decoding bound the
engine always applies (1.5 × input + 10 pieces), about twice as long as a trained model's output: the
engine figures are pessimistic. To show the speed at a realistic length, the same batches are also
decoded by CTranslate2 directly with outputs stopped at 1.1 × the input, as a trained model stops on its
own. The cache-hit latency is the in-process translation cache, through
``harbor.language.engines.translate``. The translation-memory hit is measured on a fresh SQLite database
holding 20,000 approved units (benchmark data): ``memory.lookup`` alone, and a whole
``services.translate_texts`` call for a sentence the memory holds (segmentation, lookup, glossary terms),
with no engine called. Budgets: at least 30 sentences/s batched on 2 threads; memory hits at most 1 ms.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup(threads: int, batch_size: int, work: Path) -> None:
    os.environ["HARBOR_DATA_DIR"] = str(work / "data")
    os.environ["HARBOR_MT_THREADS"] = str(threads)
    os.environ["HARBOR_MT_BATCH_SIZE"] = str(batch_size)
    os.environ["HARBOR_MT_MODELS_DIR"] = str(work / "models")
    os.environ["HARBOR_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.config.settings")
    import django

    django.setup()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=500, help="sentences translated batched")
    parser.add_argument("--single", type=int, default=50, help="sentences translated one by one")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--model-dir", type=Path, help="where the model is built (reused if there)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="harbor-mt-bench-"))
    try:
        run(args, work, load)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path, load: float) -> None:
    setup(args.threads, args.batch_size, work)

    import ctranslate2
    import sentencepiece

    from harbor.language.engines import CTranslate2Engine, install_model, translate
    from harbor.language.testing import build_tiny_model, generate_sentences

    folder = args.model_dir or work / "opus-mt-base-shape"
    build_seconds = None
    if not (folder / "manifest.json").is_file():
        started = time.perf_counter()
        build_tiny_model(
            folder,
            sentences=generate_sentences(25_000, seed=11),
            source_lang="th",
            target_lang="en",
            name="random-base-th-en",
            vocab_size=32_000,
            d_model=512,
            layers=6,
            heads=8,
            ffn_size=2048,
            quantization="int8",
            tokenizer_type="bpe",
        )
        build_seconds = time.perf_counter() - started

    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(folder / "source.spm"))
    vocabulary = tokenizer.get_piece_size()
    candidates = generate_sentences(args.sentences * 4, seed=29, min_words=5, max_words=16)
    texts = [text for text in candidates if 10 <= len(tokenizer.encode(text)) <= 25]
    texts = texts[: args.sentences]
    pieces = [len(tokenizer.encode(text)) for text in texts]

    engine = CTranslate2Engine(folder)
    started = time.perf_counter()
    engine.load()
    load_seconds = time.perf_counter() - started
    engine.translate_batch(texts[:8], source="th", target="en")  # warm-up

    rows = []
    for beam in (1, 2):
        beamed = CTranslate2Engine(folder, replace(engine.manifest, beam_size=beam))
        beamed.load()
        started = time.perf_counter()
        outputs = beamed.translate_batch(texts, source="th", target="en")
        batched = len(texts) / (time.perf_counter() - started)
        single_texts = texts[: args.single]
        started = time.perf_counter()
        for text in single_texts:
            beamed.translate_batch([text], source="th", target="en")
        single = len(single_texts) / (time.perf_counter() - started)
        output_pieces = statistics.mean(len(tokenizer.encode(text)) for text in outputs)
        realistic = realistic_length_rate(
            ctranslate2,
            folder,
            tokenizer,
            texts,
            beam=beam,
            threads=args.threads,
            batch=args.batch_size,
        )
        rows.append((beam, batched, single, output_pieces, realistic))

    install_model(folder)
    cached = texts[:200]
    translate(cached, source="th", target="en")
    hits = []
    for text in cached:
        started = time.perf_counter()
        result = translate([text], source="th", target="en")
        hits.append((time.perf_counter() - started) * 1_000_000)
        assert result.cached == 1

    print(
        f"\n## Translation benchmark (random-weight OPUS-MT-base shape, int8, vocabulary "
        f"{vocabulary:,}, {args.threads} threads, batch {args.batch_size}, {os.cpu_count()} CPUs, "
        f"load average {load:.1f} at the start)\n"
    )
    print(
        f"{len(texts)} generated sentences of {min(pieces)}–{max(pieces)} pieces "
        f"(mean {statistics.mean(pieces):.1f}); outputs bounded at 1.5 × input + 10 pieces.\n"
    )
    print("| measure | value |")
    print("|---|---|")
    if build_seconds is not None:
        print(
            f"| model build (tokenizer training, random weights, int8 conversion) | {build_seconds:.1f} s |"
        )
    print(f"| model load | {load_seconds:.2f} s |")
    print(f"| model.bin size | {(folder / 'model.bin').stat().st_size / 1_000_000:.0f} MB |")
    for beam, batched, single, output_pieces, realistic in rows:
        print(
            f"| beam {beam}: engine, batched ({args.batch_size} a batch), outputs of "
            f"{output_pieces:.1f} pieces on average | {batched:.1f} sentences/s |"
        )
        print(f"| beam {beam}: engine, one sentence at a time | {single:.1f} sentences/s |")
        print(
            f"| beam {beam}: CTranslate2, batched, outputs stopped at 1.1 × input | "
            f"{realistic:.1f} sentences/s |"
        )
    print(
        f"| cache hit, one sentence, p50 / p95 | {statistics.median(hits):.0f} µs / "
        f"{percentile(hits, 0.95):.0f} µs |"
    )
    lookup_hits, service_hits = memory_hits(texts)
    print(
        f"| translation-memory hit, `memory.lookup`, p50 / p95 | "
        f"{statistics.median(lookup_hits):.0f} µs / {percentile(lookup_hits, 0.95):.0f} µs |"
    )
    print(
        f"| translation-memory hit, whole `translate_texts` call, p50 / p95 | "
        f"{statistics.median(service_hits):.0f} µs / {percentile(service_hits, 0.95):.0f} µs |"
    )


def memory_hits(texts: list[str], units: int = 20_000) -> tuple[list[float], list[float]]:
    """Exact translation-memory hits on a database of ``units`` approved translations (µs each)."""
    from django.core.management import call_command

    from harbor.language import memory
    from harbor.language.models import TranslationUnit
    from harbor.language.services import translate_texts

    call_command("migrate", verbosity=0)
    rows = []
    for index in range(units):
        source = f"{texts[index % len(texts)]} {index}"
        normalised = memory.normalise_segment(source, "th")
        rows.append(
            TranslationUnit(
                source_language="th",
                target_language="en",
                source_text=normalised,
                source_hash=memory.segment_hash(normalised),
                source_length=len(normalised),
                target_text=f"translation {index}",
            )
        )
    TranslationUnit.objects.bulk_create(rows, batch_size=1000)
    asked = [f"{texts[index % len(texts)]} {index}" for index in range(0, units, units // 200)]
    for text in asked[:20]:
        memory.lookup(text, source="th", target="en", fuzzy=False)  # warm-up
    lookups, services = [], []
    for text in asked:
        started = time.perf_counter()
        found = memory.lookup(text, source="th", target="en", fuzzy=False)
        lookups.append((time.perf_counter() - started) * 1_000_000)
        assert found is not None
        started = time.perf_counter()
        outcome = translate_texts([text], source="th", target="en")
        services.append((time.perf_counter() - started) * 1_000_000)
        assert outcome.items[0].provenance == "memory"
    return lookups, services


def realistic_length_rate(
    ctranslate2: Any,
    folder: Path,
    tokenizer: Any,
    texts: list[str],
    *,
    beam: int,
    threads: int,
    batch: int,
) -> float:
    """Sentences per second when each output stops at 1.1 × its input, batches sorted by length."""
    translator = ctranslate2.Translator(str(folder), device="cpu", intra_threads=threads)
    tokens = sorted(([*tokenizer.encode(text, out_type=str), "</s>"] for text in texts), key=len)
    started = time.perf_counter()
    for start in range(0, len(tokens), batch):
        chunk = tokens[start : start + batch]
        translator.translate_batch(
            chunk,
            beam_size=beam,
            max_batch_size=batch,
            max_decoding_length=math.ceil(1.1 * max(len(window) for window in chunk)),
        )
    return len(tokens) / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
