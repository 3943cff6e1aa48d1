"""Trade benchmark: bill-of-materials lines evaluated per second by the origin calculator, beside two
baselines measured in the same run on the same goods.

    python benchmarks/trade.py --lines 200000 [--seed 7]

The goods are synthetic: bills of 5 to 50 lines drawn from furniture, textile, electrical and food
headings, under ACFTA, ATIGA or RCEP between random parties, a third of them with a product-specific rule,
materials of mixed origin (parties, non-parties, unknown) with and without proof of origin.

Measurements (one function each, so that others such as landed cost can sit beside them):

- ``calculate_origin``: validation, cumulation, every criterion with its explanation, the worksheet.
- baseline, rule parsed afresh: the same, with the parsed-rule caches cleared before every good.
- baseline, plain sum: a bare RVC over the same lines (sum of non-originating values, one comparison);
  the floor of touching every line in Python, with no rule, validation or explanation.

Budget: at least 10,000 lines per second through ``calculate_origin``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harbor.trade.agreements import AGREEMENTS
from harbor.trade.origin import Material, OriginInput, calculate_origin, clear_rule_caches

BUDGET_LINES_PER_SECOND = 10_000

PRODUCTS = {
    "940360": ["441011", "440710", "940390", "350691", "830242", "731815", "320890"],
    "610910": ["600622", "611780", "520420", "580710", "960621", "610990"],
    "520832": ["520819", "520512", "320416", "340213"],
    "850440": ["854231", "853221", "850490", "392690", "854449", "732690"],
    "190590": ["110100", "170199", "040510", "150790", "190590", "210230"],
}
PRODUCT_RULES = [
    "CTH",
    "CC | RVC(40)",
    "CTSH & RVC(35) | CC",
    'CC except 50-55 | CTSH & SP("Dyeing")',
    "RVC(40) | CTH except 4407, 4408",
]
AGREEMENT_CODES = ["ACFTA", "ATIGA", "RCEP"]
ORIGINS = ["CN", "VN", "TH", "MY", "ID", "JP", "KR", "DE", "US", ""]


def setup() -> None:
    """Messages are translated through Django; no database is opened."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.config.settings")
    os.environ.setdefault("HARBOR_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def make_goods(lines: int, seed: int) -> list[OriginInput]:
    """Random goods whose bills of materials add up to at least `lines` lines."""
    rng = random.Random(seed)
    goods: list[OriginInput] = []
    total = 0
    while total < lines:
        agreement = AGREEMENTS[rng.choice(AGREEMENT_CODES)]
        exporter, importer = rng.sample(sorted(agreement.parties), 2)
        hs_code = rng.choice(sorted(PRODUCTS))
        count = rng.randint(5, 50)
        materials = tuple(
            Material(
                description=f"material {index}",
                hs_code=rng.choice(PRODUCTS[hs_code]),
                value=rng.randint(100, 50_000),
                origin_country=rng.choice([exporter, *ORIGINS]),
                originating=rng.random() < 0.4,
                weight=rng.randint(1, 2_000) if rng.random() < 0.8 else None,
            )
            for index in range(count)
        )
        value = sum(material.value for material in materials)
        goods.append(
            OriginInput(
                hs_code=hs_code,
                fob_value=int(value * rng.uniform(1.1, 2.2)) + 1,
                currency="USD",
                agreement=agreement.code,
                exporter=exporter,
                importer=importer,
                materials=materials,
                processes=("dyeing",) if rng.random() < 0.3 else (),
                product_rule=rng.choice(PRODUCT_RULES) if rng.random() < 0.33 else None,
                product_weight=sum(material.weight or 0 for material in materials) or None,
            )
        )
        total += count
    return goods


@dataclass(frozen=True)
class Measurement:
    name: str
    goods: int
    lines: int
    seconds: float
    originating: int

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds


def _timed(
    name: str, goods: list[OriginInput], evaluate: Callable[[OriginInput], bool]
) -> Measurement:
    lines = sum(len(good.materials) for good in goods)
    started = time.perf_counter()
    originating = sum(1 for good in goods if evaluate(good))
    return Measurement(name, len(goods), lines, time.perf_counter() - started, originating)


def measure_origin(goods: list[OriginInput]) -> Measurement:
    return _timed("`calculate_origin`", goods, lambda good: calculate_origin(good).originating)


def measure_origin_reparsed(goods: list[OriginInput]) -> Measurement:
    def evaluate(good: OriginInput) -> bool:
        clear_rule_caches()
        return calculate_origin(good).originating

    return _timed("baseline: `calculate_origin`, rule parsed afresh per good", goods, evaluate)


def measure_plain_sum(goods: list[OriginInput]) -> Measurement:
    def evaluate(good: OriginInput) -> bool:
        vnm = sum(material.value for material in good.materials if not material.originating)
        return (good.fob_value - vnm) * 100 >= 40 * good.fob_value

    return _timed("baseline: plain sum of values, one RVC comparison", goods, evaluate)


def print_table(title: str, measurements: list[Measurement], reference: Measurement) -> None:
    print(f"\n## {title}\n")
    print(
        "| measurement | goods | lines | originating | seconds | lines/s | × `calculate_origin` |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for item in measurements:
        ratio = item.lines_per_second / reference.lines_per_second
        print(
            f"| {item.name} | {item.goods:,} | {item.lines:,} | {item.originating:,} | "
            f"{item.seconds:.2f} | {item.lines_per_second:,.0f} | {ratio:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--lines", type=int, default=200_000, help="bill-of-materials lines to evaluate"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup()

    goods = make_goods(args.lines, args.seed)
    measure_origin(goods[:200])  # warm-up: imports, translations, parsed rules

    origin = measure_origin(goods)
    measurements = [origin, measure_origin_reparsed(goods), measure_plain_sum(goods)]
    print_table(
        f"Rules of origin ({origin.lines:,} synthetic bill-of-materials lines, {origin.goods:,} goods)",
        measurements,
        origin,
    )
    verdict = "met" if origin.lines_per_second >= BUDGET_LINES_PER_SECOND else "NOT met"
    print(f"\nBudget ≥ {BUDGET_LINES_PER_SECOND:,} lines/s through `calculate_origin`: {verdict}.")


if __name__ == "__main__":
    main()
