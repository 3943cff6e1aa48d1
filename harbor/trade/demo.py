"""Sample trade data for the demo: tariff schedules, rules of origin, measures, taxes and customs regimes.

The files in ``harbor/trade/data/`` are loaded through the same importers as any other file, by the
platform. Tariff schedules, rules and measures are sample data (invented figures, labelled as such in the
data itself, with the real instrument and where the official figures are published); taxes and customs
regimes say per row whether they are sample. Loading twice changes nothing. See ``data/SOURCES.md``.
"""

from __future__ import annotations

from pathlib import Path

from harbor.core.actors import Actor
from harbor.core.demo import demo_loader
from harbor.reference.models import HsCode
from harbor.trade.importers import TariffOptions
from harbor.trade.services import import_file

DATA_DIR = Path(__file__).resolve().parent / "data"

# kind, file, whether every row is sample data (taxes and regimes mark it per row), whether changes
# publish alerts: the base data loads quietly; Thailand's 2026 schedule then changes two MFN duties
# (wooden furniture 9403.60.90 and electric cars 8703.80), which subscribers receive as sample alerts.
SAMPLE_FILES: list[tuple[str, str, bool, bool]] = [
    ("regimes", "sample-regimes.csv", False, False),
    ("taxes", "sample-taxes.csv", False, False),
    ("tariffs", "sample-tariffs.csv", True, False),
    ("rules", "sample-rules.csv", True, False),
    ("measures", "sample-measures.csv", True, False),
    ("tariffs", "sample-tariffs-2026.csv", True, True),
]


# After the directory (10), the sharing hub (20) and exchange rates: the alerts need the directory.
@demo_loader("trade", order=40)
def load_demo_trade() -> list[str]:
    """Import the sample files that are not loaded yet; an unchanged file writes nothing."""
    if not HsCode.objects.exists():
        return [
            "Trade sample data: skipped, load the reference data first (harbor load-reference)."
        ]
    actor = Actor.system("demo")
    lines: list[str] = []
    for kind, name, sample, alerts in SAMPLE_FILES:
        options = TariffOptions(sample=sample, alerts=alerts)
        report = import_file(kind, DATA_DIR / name, actor=actor, options=options)
        if report.problems:
            lines.append(
                f"Trade sample data: {name} not loaded, {len(report.problems)} problems "
                f"(first: {report.problems[0]})."
            )
            continue
        written = report.counts["created"] + report.counts["updated"] + report.counts["removed"]
        lines.append(f"Trade sample data: {name}, {report.rows} rows, {written} written.")
    return lines
