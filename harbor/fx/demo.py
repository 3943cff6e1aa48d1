"""Demo exchange rates: the bundled ECB and H.10 files, and sample operator rates labelled as such."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from harbor.core.actors import Actor
from harbor.core.demo import demo_loader
from harbor.fx import importers, services
from harbor.fx.catalogue import OPERATOR, OPERATOR_CURRENCIES
from harbor.fx.models import ExchangeRate
from harbor.reference.models import Currency

# Round figures near the 2026 levels, US dollar to each currency; sample data, not published rates.
SAMPLE_RATES: dict[str, Decimal] = {
    "VND": Decimal("26000"),
    "KHR": Decimal("4010"),
    "LAK": Decimal("21700"),
    "MMK": Decimal("2100"),
}
SAMPLE_DATES = [date(2026, month, 1) for month in range(1, 7)]


def sample_note(currency: str) -> str:
    return (
        f"Sample rate for the demo, not a published figure. Real {currency} rates come from the "
        f"{OPERATOR_CURRENCIES[currency]}."
    )


@demo_loader("fx", order=30)
def load_demo_fx() -> list[str]:
    """Import the bundled rate files (idempotent) and add the missing sample operator rates."""
    if not Currency.objects.filter(code__in=["EUR", "USD"]).exists():
        return ["Exchange rates skipped: load the reference data first (harbor load-reference)."]
    system = Actor.system("demo")
    reports = importers.import_bundled(actor=system)
    added = 0
    for currency, rate in SAMPLE_RATES.items():
        for day in SAMPLE_DATES:
            exists = ExchangeRate.objects.filter(
                source_id=OPERATOR, base_id="USD", quote_id=currency, date=day
            ).exists()
            if not exists:
                services.enter_operator_rate(
                    actor=system,
                    base="USD",
                    quote=currency,
                    on=day,
                    rate=rate,
                    note=sample_note(currency),
                )
                added += 1
    lines = ["", "Exchange rates:"]
    lines.extend(f"  {report.summary()}" for report in reports)
    lines.append(
        f"  sample operator rates (USD to {', '.join(SAMPLE_RATES)}, "
        f"{SAMPLE_DATES[0]}…{SAMPLE_DATES[-1]}): {added} added"
    )
    return lines
