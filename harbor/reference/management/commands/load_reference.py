"""``harbor load-reference``: load countries, currencies and languages from the package's files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from harbor.core.actors import Actor
from harbor.reference.services import load_reference, reference_row_count


class Command(BaseCommand):
    help = "Load reference data (idempotent: a second run changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(
            total=reference_row_count(),
            desc="reference data",
            unit="rows",
            disable=options["verbosity"] < 1,
        ) as bar:
            report = load_reference(actor=Actor.system("load-reference"), progress=bar.update)
        created = sum(report.created.values())
        updated = sum(report.updated.values())
        self.stdout.write(f"reference data: {created} rows created, {updated} updated")
