"""``harbor mt``: install, list and try the machine-translation models.

    harbor mt install DIR [--replace]      check a converted model folder and copy it into place
    harbor mt list [--check]               every model: kind, languages, quantisation, licence, status
    harbor mt translate --from th --to en "…"

``list --check`` loads every model and translates a probe, and exits 1 when any model is broken.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from harbor.core.errors import HarborError
from harbor.language.engines import (
    EngineError,
    InstalledModel,
    install_model,
    list_models,
    models_dir,
    translate,
)


class Command(BaseCommand):
    help = "Install, list and try the machine-translation models."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        install = sub.add_parser(
            "install", help="check a converted model folder and copy it into the models directory"
        )
        install.add_argument("path", help="folder with model.bin, config.json, manifest.json, …")
        install.add_argument(
            "--replace", action="store_true", help="replace an installed model of the same name"
        )
        listing = sub.add_parser("list", help="the installed models and whether each works")
        listing.add_argument(
            "--check",
            action="store_true",
            help="load every model and translate a probe; exit 1 if any is broken",
        )
        run = sub.add_parser("translate", help="translate a text with the installed models")
        run.add_argument("--from", dest="source", required=True, help="source language, e.g. th")
        run.add_argument("--to", dest="target", required=True, help="target language, e.g. en")
        run.add_argument("text", help='the text to translate ("-" reads standard input)')

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "install":
                self._install(options["path"], replace=options["replace"])
            elif action == "list":
                self._list(check=options["check"])
            else:
                self._translate(options["text"], source=options["source"], target=options["target"])
        except HarborError as error:
            raise CommandError(_message(error)) from None

    def _install(self, path: str, *, replace: bool) -> None:
        try:
            model = install_model(path, replace=replace)
        except EngineError as error:
            if error.code == "mt_model_exists":
                raise CommandError(
                    f"a model named {error.model} is already installed; use --replace to replace it"
                ) from None
            raise
        except OSError as error:
            raise CommandError(f"could not copy the model into {models_dir()}: {error}") from None
        self.stdout.write(
            self.style.SUCCESS(f"installed {model.name} ({_coverage(model)}) in {model.path}")
        )

    def _list(self, *, check: bool) -> None:
        models = list_models(check=check)
        if not models:
            self.stdout.write(
                f"No translation model is installed in {models_dir()}: see docs/OPERATIONS.md, "
                "Machine translation"
            )
            return
        rows = [
            (
                model.name,
                model.kind or "-",
                _coverage(model) or "-",
                model.quantisation or "-",
                model.licence or "-",
                "ok" if model.problem is None else f"broken: {model.problem}",
            )
            for model in models
        ]
        header = ("name", "kind", "languages", "quantisation", "licence", "status")
        widths = [max(len(row[column]) for row in [header, *rows]) for column in range(5)]
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[5]]).rstrip())
        broken = [model.name for model in models if model.problem is not None]
        if check and broken:
            raise CommandError(f"{len(broken)} broken model(s): {', '.join(broken)}")

    def _translate(self, text: str, *, source: str, target: str) -> None:
        if text == "-":
            text = sys.stdin.read()
        result = translate([text], source=source, target=target)
        self.stdout.write(result.texts[0])
        self.stdout.write(f"engine: {result.engine or 'none (same language)'}")


def _coverage(model: InstalledModel) -> str:
    """``th→en`` for pair models, ``en th lo …`` (any to any) for multilingual ones."""
    if model.kind == "multilingual":
        return " ".join(model.languages)
    return ", ".join(f"{source}→{target}" for source, target in model.pairs)


def _message(error: HarborError) -> str:
    if not error.errors:
        return str(error.detail)
    options = {"source": "--from", "target": "--to"}
    return "; ".join(
        f"{options.get(item.field, item.field)}: {item.message}" for item in error.errors
    )
