"""``harbor trade import-tariffs FILE``: import trade data from CSV files with a progress bar and a report.

Subcommands: ``import-tariffs`` (harbor or WITS layout), ``import-rules``, ``import-measures``,
``import-taxes`` and ``import-regimes``. The platform imports (a system actor); a file with any problem
is not imported and the command exits 1 after listing every problem.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from harbor.core.actors import Actor
from harbor.core.errors import HarborError
from harbor.trade.importers import ImportReport, TariffOptions
from harbor.trade.services import FORMATS, import_file

SUBCOMMANDS = {
    "import-tariffs": (
        "tariffs",
        "import tariff schedules (harbor CSV layout or a WITS/TRAINS download)",
    ),
    "import-rules": ("rules", "import product-specific rules of origin"),
    "import-measures": ("measures", "import non-tariff measures"),
    "import-taxes": ("taxes", "import VAT/GST, excise and fees charged at import"),
    "import-regimes": ("regimes", "import customs valuation regimes (CIF or FOB)"),
}


class _Bar:
    """A tqdm bar seen as an import's progress."""

    def __init__(self, bar: tqdm[Any]) -> None:
        self.bar = bar

    def set_total(self, total: int) -> None:
        self.bar.total = total
        self.bar.refresh()

    def advance(self, steps: int = 1) -> None:
        self.bar.update(steps)


class Command(BaseCommand):
    help = "Import trade rules: tariff schedules, rules of origin, non-tariff measures, taxes, regimes."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, (_kind, text) in SUBCOMMANDS.items():
            command = sub.add_parser(name, help=text)
            command.add_argument("file", type=Path)
            if name == "import-tariffs":
                command.add_argument("--format", choices=FORMATS, default="harbor")
                command.add_argument(
                    "--agreement",
                    default="",
                    help="harbor layout: every row must be of this agreement; WITS: the agreement "
                    "AHS/PRF rates belong to (MFN rows stay MFN)",
                )
                command.add_argument(
                    "--importer",
                    default="",
                    help="ISO code of the importing country; rows for another country are refused",
                )
                command.add_argument(
                    "--source-url", default="", help="where the official figures are published"
                )
            command.add_argument(
                "--sample", action="store_true", help="mark everything imported as sample data"
            )
            command.add_argument(
                "--legal-source",
                default="",
                help="the instrument the figures come from, for rows that do not name one",
            )
            command.add_argument(
                "--no-alerts",
                action="store_true",
                help="do not publish change alerts (loading history or a first bulk load)",
            )
            command.add_argument("--report", type=Path, help="write the report as JSON here")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = SUBCOMMANDS[options["action"]][0]
        path: Path = options["file"]
        tariff_options = TariffOptions(
            file_format=options.get("format") or "harbor",
            agreement=options.get("agreement") or "",
            importer=options.get("importer") or "",
            sample=options["sample"],
            legal_source=options["legal_source"],
            source_url=options.get("source_url") or "",
            alerts=not options["no_alerts"],
        )
        with tqdm(total=0, desc="importing", unit="rows", disable=options["verbosity"] < 1) as bar:
            try:
                report = import_file(
                    kind,
                    path,
                    actor=Actor.system("trade-import"),
                    options=tariff_options,
                    progress=_Bar(bar),
                )
            except HarborError as error:
                raise CommandError(f"{path}: {error.detail}") from None
        self._print(report)
        if options["report"]:
            options["report"].write_text(
                json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
        if report.problems:
            raise CommandError(f"{path}: {len(report.problems)} problems, nothing was imported")

    def _print(self, report: ImportReport) -> None:
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        for problem in report.problems:
            self.stderr.write(str(problem))
        if not report.imported:
            return
        counts = ", ".join(f"{n} {name}" for name, n in sorted(report.counts.items())) or "nothing"
        self.stdout.write(self.style.SUCCESS(f"{report.file}: {report.rows} rows read; {counts}"))
