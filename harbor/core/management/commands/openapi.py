"""``harbor openapi``: write the API's OpenAPI schema to docs/openapi.json, or check that it is current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

DEFAULT_PATH = Path(settings.PROJECT_DIR) / "docs" / "openapi.json"


def render_schema() -> str:
    """The schema as committed: JSON with sorted keys, indented by 2, UTF-8 kept, a final newline."""
    from harbor.config.api import api

    # Descriptions are translatable: the committed file is always the English one.
    with translation.override("en"):
        schema = api.get_openapi_schema()
        return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = (
        "Write the OpenAPI schema to docs/openapi.json; with --check, fail when the file is stale."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="compare with the committed file instead of writing it; exit 1 when they differ",
        )
        parser.add_argument("--output", type=Path, default=DEFAULT_PATH, help="schema file path")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"]
        current = render_schema()
        if options["check"]:
            if not path.exists():
                raise CommandError(f"{self._shown(path)} is missing: run make schema")
            if path.read_text(encoding="utf-8") != current:
                raise CommandError(f"{self._shown(path)} is stale: run make schema")
            self.stdout.write(self.style.SUCCESS(f"{self._shown(path)} is up to date"))
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.read_text(encoding="utf-8") == current:
            self.stdout.write(f"{self._shown(path)} unchanged")
            return
        path.write_text(current, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"{self._shown(path)} written"))

    @staticmethod
    def _shown(path: Path) -> str:
        """The path relative to the project when it lies inside it, so messages read docs/openapi.json."""
        try:
            return str(path.resolve().relative_to(Path(settings.PROJECT_DIR).resolve()))
        except ValueError:
            return str(path)
