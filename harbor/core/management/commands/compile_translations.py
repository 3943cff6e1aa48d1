"""``harbor compile-translations``: compile every message catalogue (.po) to its binary form (.mo).

Babel does the work, so a running harbor needs no GNU gettext. Entries that are fuzzy, untranslated or missing
a plural form are left out of the .mo, so a reader sees the English text rather than an empty string.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def catalogue_files(locale_dirs: list[Path] | None = None) -> list[Path]:
    """Every ``<locale>/LC_MESSAGES/*.po`` under the project's locale directories, sorted."""
    dirs = locale_dirs if locale_dirs is not None else [Path(p) for p in settings.LOCALE_PATHS]
    return sorted(po for base in dirs for po in base.glob("*/LC_MESSAGES/*.po"))


def complete(message: Any) -> bool:
    """Whether an entry has a translation for its singular and every plural form."""
    if isinstance(message.string, tuple | list):
        return bool(message.string) and all(message.string)
    return bool(message.string)


def compile_catalogue(po_path: Path) -> tuple[int, int]:
    """Write ``po_path`` as a .mo beside it; return (entries compiled, entries left out)."""
    with po_path.open("rb") as handle:
        catalog: Catalog = read_po(handle, abort_invalid=True)
    entries = [message for message in catalog if message.id]
    left_out = [message for message in entries if message.fuzzy or not complete(message)]
    for message in left_out:
        catalog.delete(message.id, context=message.context)
    mo_path = po_path.with_suffix(".mo")
    # Write beside the target and rename, so a running server never reads half a file.
    fd, tmp_name = tempfile.mkstemp(dir=po_path.parent, prefix=".", suffix=".mo.tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog, use_fuzzy=False)
        Path(tmp_name).chmod(0o644)
        Path(tmp_name).replace(mo_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return len(entries) - len(left_out), len(left_out)


class Command(BaseCommand):
    help = "Compile the message catalogues (.po) to .mo files with Babel; no GNU gettext needed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--locale-dir",
            action="append",
            type=Path,
            help="compile the catalogues under this directory instead of settings.LOCALE_PATHS",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files = catalogue_files(options["locale_dir"])
        if not files:
            raise CommandError("no message catalogues (.po files) found")
        for po_path in files:
            try:
                compiled, skipped = compile_catalogue(po_path)
            except Exception as error:  # name the file that failed, whatever the cause
                raise CommandError(f"{po_path}: {error}") from error
            if options["verbosity"] >= 2:
                self.stdout.write(
                    f"{po_path.parent.parent.name}: {compiled} compiled, {skipped} left out"
                )
        self.stdout.write(f"compiled {len(files)} message catalogues")
