"""Language identification benchmark: accuracy per language on the harbor's test set, the
Indonesian/Malay and Simplified/Traditional confusion matrices, Zawgyi detection, and throughput in
sentences per second beside two baselines measured in the same run on the same sentences.

    python benchmarks/langid.py [--rounds 200]

The sentences are the project's own test set (``tests/data/langid/``): trade notices, customs and
ministry announcements and news briefs written for it, fifteen per content language.

Columns:

- ``identify``: ``harbor.language.identify.identify`` from text alone;
- ``with country``: the same with the author's country (ID for Indonesian, MY for Malay, the obvious
  member state elsewhere); only Indonesian and Malay depend on it;
- ``certain``: how many answers from text alone were marked certain;
- ``CLD2 alone``: ``pycld2.detect`` on the same text, its code mapped to the harbor's (``zh`` →
  ``zh-hans``, ``zh-Hant`` → ``zh-hant``, ``tl`` → ``fil``), no script rule, no metadata.

Throughput baselines: CLD2 alone and langid.py alone (restricted to the harbor's languages), each over the
same sentences.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data" / "langid"
LANGUAGES = ("en", "zh-hans", "zh-hant", "id", "ms", "th", "vi", "fil", "km", "lo", "my", "ta")
COUNTRY = {
    "en": "SG",
    "zh-hans": "CN",
    "zh-hant": None,
    "id": "ID",
    "ms": "MY",
    "th": "TH",
    "vi": "VN",
    "fil": "PH",
    "km": "KH",
    "lo": "LA",
    "my": "MM",
    "ta": "SG",
}
CLD2_CODES = {"zh": "zh-hans", "zh-Hant": "zh-hant", "tl": "fil"}


def sentences(name: str) -> list[str]:
    lines = (DATA / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def percent(right: int, total: int) -> str:
    return f"{float(Fraction(right, total) * 100):.1f} %"


def cld2_language(text: str) -> str | None:
    import pycld2

    try:
        _reliable, _bytes, details = pycld2.detect(text, isPlainText=True)
    except pycld2.error:
        return None
    code = str(details[0][1])
    return CLD2_CODES.get(code, code)


def throughput(function: Callable[[str], object], texts: list[str], rounds: int) -> float:
    """Sentences per second over ``rounds`` passes (after one warm-up pass that loads models)."""
    for text in texts:
        function(text)
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            function(text)
    return len(texts) * rounds / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()

    import py3langid

    from harbor.language.identify import identify

    sets = {language: sentences(language) for language in LANGUAGES}
    print("## Language identification (test set: tests/data/langid, written for the project)\n")
    print("| language | sentences | identify | with country | certain | CLD2 alone |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    totals = Counter[str]()
    malay = Counter[tuple[str, str]]()
    malay_country = Counter[tuple[str, str]]()
    chinese = Counter[tuple[str, str]]()
    for language, texts in sets.items():
        alone = [identify(text) for text in texts]
        with_country = [identify(text, country=COUNTRY[language]) for text in texts]
        right = sum(1 for item in alone if item and item.language == language)
        right_country = sum(1 for item in with_country if item and item.language == language)
        certain = sum(1 for item in alone if item and item.certain)
        cld2 = sum(1 for text in texts if cld2_language(text) == language)
        n = len(texts)
        totals.update(n=n, alone=right, country=right_country, certain=certain, cld2=cld2)
        print(
            f"| {language} | {n} | {percent(right, n)} | {percent(right_country, n)} "
            f"| {certain}/{n} | {percent(cld2, n)} |"
        )
        for item, item_country in zip(alone, with_country, strict=True):
            found = item.language if item else "none"
            if language in {"id", "ms"}:
                malay[(language, found)] += 1
                malay_country[(language, item_country.language if item_country else "none")] += 1
            if language in {"zh-hans", "zh-hant"}:
                chinese[(language, found)] += 1
    n = totals["n"]
    print(
        f"| **all** | {n} | **{percent(totals['alone'], n)}** | **{percent(totals['country'], n)}** "
        f"| {totals['certain']}/{n} | {percent(totals['cld2'], n)} |"
    )

    for title, matrix, labels in (
        ("Indonesian/Malay, text alone (every answer marked uncertain)", malay, ("id", "ms")),
        ("Indonesian/Malay, with the author's country", malay_country, ("id", "ms")),
        ("Simplified/Traditional Chinese", chinese, ("zh-hans", "zh-hant")),
    ):
        print(f"\n### {title}\n")
        print("| written in ↓ / identified as → | " + " | ".join(labels) + " | other |")
        print("| --- | " + " | ".join("---:" for _ in labels) + " | ---: |")
        for truth in labels:
            row = [matrix[(truth, label)] for label in labels]
            other = sum(count for (t, found), count in matrix.items() if t == truth) - sum(row)
            print(f"| {truth} | " + " | ".join(str(count) for count in row) + f" | {other} |")

    zawgyi = sentences("my-zawgyi")
    flagged = [identify(text) for text in zawgyi]
    detected = sum(1 for item in flagged if item and item.language == "my" and item.zawgyi)
    unicode_burmese = set(sets["my"])
    converted = sum(1 for item in flagged if item and item.normalised_text in unicode_burmese)
    print(
        f"\nZawgyi Burmese: {detected}/{len(zawgyi)} identified as `my` with zawgyi=true, "
        f"{converted}/{len(zawgyi)} converted back to the Unicode sentence exactly.\n"
    )

    texts = [text for language in LANGUAGES for text in sets[language]]
    langid = py3langid.langid.LanguageIdentifier.from_model_file(py3langid.langid.MODEL_FILE)
    langid.set_languages(["en", "zh", "id", "ms", "th", "vi", "tl", "km", "lo", "my", "ta"])
    rates = {
        "identify (script, Han table, CLD2, langid.py for id/ms)": throughput(
            identify, texts, args.rounds
        ),
        "baseline: CLD2 alone": throughput(cld2_language, texts, args.rounds),
        "baseline: langid.py alone": throughput(langid.classify, texts, args.rounds),
    }
    print(f"### Throughput ({len(texts)} sentences × {args.rounds} rounds, one thread)\n")
    print("| method | sentences/s | µs per sentence |")
    print("| --- | ---: | ---: |")
    for name, rate in rates.items():
        print(f"| {name} | {rate:,.0f} | {1_000_000 / rate:.1f} |")


if __name__ == "__main__":
    main()
