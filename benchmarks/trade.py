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

Landed cost (``--quotes N``, default 2,000): quotes per second and p50/p95 latency of
``quote_landed_cost`` on a fresh SQLite database with the reference data, the ECB rates and synthetic
Thai MFN and ACFTA lines for every six-digit subheading of chapters 84, 85 and 94 (benchmark data only);
half the quotes are declared in CNY and converted. Baseline in the same run: the same duty and tax
arithmetic on rows fetched beforehand (no database work per quote). Budget: at most 5 ms per quote.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
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
    """A throw-away SQLite database in a temporary data directory, migrated."""
    os.environ["HARBOR_DATA_DIR"] = tempfile.mkdtemp(prefix="harbor-bench-")
    os.environ.pop("HARBOR_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harbor.config.settings")
    os.environ.setdefault("HARBOR_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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
    parser.add_argument("--quotes", type=int, default=2_000, help="landed-cost quotes (0 to skip)")
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
    if args.quotes:
        measure_landed_cost(args.quotes, args.seed)


def _landed_cost_data() -> list[str]:
    """Synthetic Thai MFN and ACFTA lines, a CIF regime and VAT; the ECB rates for conversion."""
    from decimal import Decimal

    from harbor.core.actors import Actor
    from harbor.fx.importers import import_ecb
    from harbor.reference.models import HsCode
    from harbor.reference.services import load_reference
    from harbor.trade.models import CustomsRegime, ImportTax, TariffLine, TariffSchedule

    actor = Actor.system("benchmark")
    load_reference(actor=actor)
    import_ecb(actor=actor)
    start = date(2024, 1, 1)
    codes = list(
        HsCode.objects.filter(level=6, code__regex=r"^(84|85|94)").values_list("code", flat=True)
    )
    lines = []
    for agreement, percent in (("MFN", Decimal("12.5")), ("ACFTA", Decimal(0))):
        schedule = TariffSchedule.objects.create(
            importer_id="TH",
            agreement=agreement,
            title=f"Benchmark {agreement}",
            legal_source="benchmark data",
            is_sample=True,
            valid_from=start,
        )
        lines += [
            TariffLine(
                schedule=schedule,
                code=code,
                hs6=code,
                rate_type="ad_valorem",
                ad_valorem_percent=percent,
                valid_from=start,
            )
            for code in codes
        ]
    TariffLine.objects.bulk_create(lines, batch_size=500)
    CustomsRegime.objects.create(country_id="TH", valuation_basis="CIF", legal_source="benchmark")
    ImportTax.objects.create(
        country_id="TH",
        kind="vat",
        name="VAT",
        rate_percent=Decimal(7),
        legal_source="benchmark",
        valid_from=start,
    )
    return codes


def measure_landed_cost(quotes: int, seed: int) -> None:
    from harbor.trade import selectors
    from harbor.trade.landed_cost import Shipment, _taxes, duty_for, quote_landed_cost

    codes = _landed_cost_data()
    pick = random.Random(seed)
    shipments = [
        Shipment(
            hs_code=pick.choice(codes),
            importer="TH",
            exporter="CN",
            currency=pick.choice(["THB", "CNY"]),
            fob_value=pick.randint(10_000, 100_000_000),
            freight=pick.randint(0, 1_000_000),
            insurance=pick.randint(0, 100_000),
            on=date(2024, 5, 2),
        )
        for _ in range(quotes)
    ]
    for shipment in shipments[:50]:
        quote_landed_cost(shipment)  # warm-up
    timings = []
    for shipment in shipments:
        started = time.perf_counter()
        quote_landed_cost(shipment)
        timings.append(time.perf_counter() - started)

    prefetched = {
        (line.schedule.agreement, line.code): line
        for line in selectors.tariff_lines(importer="TH", hs="84", on=date(2024, 5, 2))
    }
    taxes = selectors.import_taxes(country="TH", hs="840000", on=date(2024, 5, 2))
    baseline = []
    for shipment in shipments:
        started = time.perf_counter()
        value = shipment.fob_value + shipment.freight + shipment.insurance
        for agreement in ("MFN", "ACFTA"):
            line = prefetched.get((agreement, shipment.hs_code))
            if line is not None:
                duty = duty_for(line, customs_value=value, shipment=shipment, currency="THB")
                _taxes(taxes, customs_value=value, duty=duty, currency="THB", on=shipment.on)
        baseline.append(time.perf_counter() - started)

    def row(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        p95 = ordered[int(0.95 * (len(ordered) - 1))] * 1000
        return (
            f"| {name} | {len(values):,} | {len(values) / sum(values):,.0f} | "
            f"{statistics.median(values) * 1000:.2f} | {p95:.2f} |"
        )

    print(f"\n## Landed cost ({quotes:,} quotes, {len(codes):,} subheadings, half in CNY)\n")
    print("| measurement | quotes | quotes/s | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    print(row("`quote_landed_cost` (MFN, ACFTA, RCEP; VAT; conversion)", timings))
    print(row("baseline: duty and VAT arithmetic on prefetched rows", baseline))
    p95 = sorted(timings)[int(0.95 * (len(timings) - 1))] * 1000
    verdict = "met" if p95 <= 5 else "NOT met"
    print(f"\nBudget ≤ 5 ms per quote (p95 {p95:.2f} ms): {verdict}.")


if __name__ == "__main__":
    main()
