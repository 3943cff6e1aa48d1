"""``harbor fx``: import published rates, look up a rate or a conversion, enter an operator rate."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from harbor.core.actors import Actor
from harbor.core.errors import HarborError
from harbor.fx import importers, selectors, services
from harbor.fx.catalogue import ECB, FRED
from harbor.fx.selectors import Rate, decimal_text

SOURCES = {"ecb": ECB, "fred": FRED}


def _date(text: str) -> date:
    return date.fromisoformat(text)


class Command(BaseCommand):
    help = (
        "Exchange rates: import the ECB and H.10 files, show a rate or a conversion, enter a rate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import",
            help="import the bundled files, or FILE (a newer file of --source); idempotent",
        )
        load.add_argument("--source", choices=["ecb", "fred", "all"], default="all")
        load.add_argument(
            "file",
            nargs="?",
            type=Path,
            help="an ECB eurofxref-hist file (zip or CSV) or an H.10 monthly CSV",
        )
        for name, text in (("rate", "show the rate"), ("convert", "convert an amount")):
            lookup = sub.add_parser(name, help=f"{text} between two currencies on a day")
            lookup.add_argument("--base", required=True, help="ISO 4217 code, e.g. CNY")
            lookup.add_argument("--quote", required=True, help="ISO 4217 code, e.g. THB")
            lookup.add_argument("--date", type=_date, help="YYYY-MM-DD (default: today)")
            if name == "convert":
                lookup.add_argument(
                    "--amount", type=int, required=True, help="in minor units (cents, xu…)"
                )
        enter = sub.add_parser("enter", help="enter an operator rate: one BASE is worth RATE QUOTE")
        enter.add_argument("--base", required=True)
        enter.add_argument("--quote", required=True)
        enter.add_argument("--date", type=_date, required=True)
        enter.add_argument("--rate", type=Decimal, required=True)
        enter.add_argument("--note", default="", help="where the rate comes from")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except HarborError as error:
            fields = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
            raise CommandError(f"{error.detail}" + (f" ({fields})" if fields else "")) from None

    def _import(self, options: dict[str, Any]) -> None:
        file: Path | None = options["file"]
        if file is not None and options["source"] == "all":
            raise CommandError("name the source of FILE: --source ecb or --source fred")
        codes = (
            list(SOURCES.values()) if options["source"] == "all" else [SOURCES[options["source"]]]
        )
        started = time.perf_counter()
        files = {code: file or importers.BUNDLED[code] for code in codes}
        observations = {code: importers.READERS[code](path) for code, path in files.items()}
        actor = Actor.system("fx-import")
        with tqdm(
            total=sum(len(rows) for rows in observations.values()),
            desc="exchange rates",
            unit="rates",
            disable=options["verbosity"] < 1,
        ) as bar:
            reports = [
                importers.store_observations(
                    code, rows, actor=actor, file_name=files[code].name, progress=bar.update
                )
                for code, rows in observations.items()
            ]
        for report in reports:
            self.stdout.write(report.summary())
        self.stdout.write(f"done in {time.perf_counter() - started:.2f} s")

    def _day(self, options: dict[str, Any]) -> date:
        chosen: date | None = options["date"]
        return chosen or timezone.localdate()

    def _rate(self, options: dict[str, Any]) -> None:
        rate = selectors.get_rate(options["base"], options["quote"], on=self._day(options))
        self.stdout.write(
            f"1 {rate.base} = {decimal_text(rate.value)} {rate.quote} on {rate.requested_on} "
            f"(observed {rate.observed_on}), {rate.path_label}"
        )
        self._explain(rate)

    def _convert(self, options: dict[str, Any]) -> None:
        conversion = selectors.convert(
            options["amount"], options["base"], options["quote"], on=self._day(options)
        )
        rate = conversion.rate
        self.stdout.write(
            f"{conversion.amount_text} {conversion.base} = {conversion.converted_text} "
            f"{conversion.quote} at {decimal_text(rate.value)} on {rate.requested_on} "
            f"(observed {rate.observed_on}), {rate.path_label}"
        )
        self._explain(rate)

    def _explain(self, rate: Rate) -> None:
        for leg in rate.legs:
            stored = (
                f"{leg.quote}/{leg.base} {decimal_text(leg.stored_rate)} inverted"
                if leg.inverted
                else f"{leg.base}/{leg.quote} {decimal_text(leg.stored_rate)}"
            )
            self.stdout.write(
                f"  {leg.base}→{leg.quote} {decimal_text(leg.value)}  ({stored}, "
                f"{leg.observed_on}, {leg.source.name})"
            )
        for source in rate.sources:
            self.stdout.write(f"  {source.attribution}")

    def _enter(self, options: dict[str, Any]) -> None:
        created = services.enter_operator_rate(
            actor=Actor.system("fx-enter"),
            base=options["base"],
            quote=options["quote"],
            on=options["date"],
            rate=options["rate"],
            note=options["note"],
        )
        self.stdout.write(
            f"operator rate: 1 {created.base_id} = {decimal_text(Decimal(created.rate))} "
            f"{created.quote_id} on {created.date}"
        )
