"""What the app knows without a database: its sources, the currencies they cover, and the pegs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from harbor.fx.choices import Frequency

ECB = "ecb"
FRED = "fred-h10"
OPERATOR = "operator"
PEG = "peg"

# The eleven member states' currencies; EUR and USD are the pivots every cross rate goes through.
MEMBER_CURRENCIES = ("BND", "CNY", "IDR", "KHR", "LAK", "MMK", "MYR", "PHP", "SGD", "THB", "VND")
PIVOTS = ("EUR", "USD")

# ECB columns imported: the member currencies the ECB publishes, plus the US dollar.
ECB_CURRENCIES = ("USD", "CNY", "IDR", "MYR", "PHP", "SGD", "THB")

# H.10 series in the monthly file, by its "Country" column, as (base, quote). The Fed publishes the euro
# (like the pound and the Australian dollar) as US dollars per unit, but this file holds every series as
# foreign units per US dollar: its Euro values are inverses rounded to four places (0.9251 for May 2024,
# when the ECB's rates averaged 1.0812 dollars per euro). So every series here is base USD.
FRED_SERIES: dict[str, tuple[str, str]] = {
    "China": ("USD", "CNY"),
    "Malaysia": ("USD", "MYR"),
    "Singapore": ("USD", "SGD"),
    "Thailand": ("USD", "THB"),
    "Euro": ("USD", "EUR"),
}

# Member currencies no bundled source publishes: an operator enters their rates.
OPERATOR_CURRENCIES = {
    "VND": "State Bank of Vietnam",
    "KHR": "National Bank of Cambodia",
    "LAK": "Bank of the Lao PDR",
    "MMK": "Central Bank of Myanmar",
}


@dataclass(frozen=True)
class SourceSpec:
    """A source as the code defines it; ``ensure_sources`` writes it to the database."""

    code: str
    name: str
    url: str
    licence: str
    attribution: str
    frequency: str
    max_age_days: int
    priority: int


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        code=ECB,
        name="ECB euro foreign exchange reference rates",
        url=(
            "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/"
            "euro_reference_exchange_rates/html/index.en.html"
        ),
        licence="ECB reuse with source acknowledged",
        attribution="Source: European Central Bank, euro foreign exchange reference rates.",
        frequency=Frequency.DAILY,
        max_age_days=7,
        priority=10,
    ),
    SourceSpec(
        code=FRED,
        name="Federal Reserve H.10 foreign exchange rates (monthly, via FRED)",
        url="https://fred.stlouisfed.org/categories/158",
        licence="ODC-PDDL-1.0",
        attribution=(
            "Source: Board of Governors of the Federal Reserve System, H.10 release, monthly averages, "
            "retrieved from FRED, Federal Reserve Bank of St. Louis."
        ),
        frequency=Frequency.MONTHLY,
        max_age_days=45,
        priority=20,
    ),
    SourceSpec(
        code=OPERATOR,
        name="Rates entered by platform operators",
        url="",
        licence="",
        attribution="Entered by a platform operator; each rate's note names its origin.",
        frequency=Frequency.AS_ENTERED,
        max_age_days=45,
        priority=30,
    ),
    SourceSpec(
        code=PEG,
        name="Fixed parities",
        url="",
        licence="",
        attribution=(
            "Brunei dollar at par with the Singapore dollar under the Currency Interchangeability "
            "Agreement of 1967."
        ),
        frequency=Frequency.RULE,
        max_age_days=0,
        priority=0,
    ),
)

SOURCE_BY_CODE = {spec.code: spec for spec in SOURCES}


@dataclass(frozen=True)
class Peg:
    """``currency`` is worth ``rate`` units of ``anchor`` on every day since ``since``."""

    currency: str
    anchor: str
    rate: Decimal
    since: date


PEGS: dict[str, Peg] = {
    # Currency Interchangeability Agreement between Brunei and Singapore, 12 June 1967.
    "BND": Peg("BND", "SGD", Decimal(1), date(1967, 6, 12)),
}
