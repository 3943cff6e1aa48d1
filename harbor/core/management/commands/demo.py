"""``harbor demo``: load the demo organisations, people and content (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from harbor.core.demo import demo_loaders


class Command(BaseCommand):
    help = "Load demo data, labelled as such in the UI; running it twice changes nothing."

    def handle(self, *args: Any, **options: Any) -> None:
        lines: list[str] = []
        loaders = demo_loaders()
        for _name, loader in tqdm(
            loaders, desc="demo data", unit="part", disable=options["verbosity"] < 1
        ):
            lines.extend(loader())
        for line in lines:
            self.stdout.write(line)
