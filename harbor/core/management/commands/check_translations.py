"""``harbor check-translations``: prove every UI string is extracted and translated in all eleven locales.

The check extracts the messages afresh with Django's ``makemessages`` (GNU gettext's xgettext underneath) in a
scratch copy of the package, so the working tree is never touched, then fails when

- a catalogue lacks messages that the code now uses, or keeps ones it no longer uses (run ``make messages``);
- an entry is untranslated (an empty msgstr, or any empty plural form) or marked fuzzy.

``--update`` (what ``make messages`` runs) writes the fresh extraction back into the package instead, with the
English catalogue filled from the message ids, and reports what is left to translate without failing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings
from django.utils.translation import to_locale

DOMAIN = "django"
SHOWN_PER_LOCALE = 20
# Directory names makemessages never descends into (the scratch copy leaves most of them out anyway).
IGNORED = [".venv", "tests", "var", "node_modules", "benchmarks", "static"]
# Only these files can hold UI strings for the ``django`` domain (plus the catalogues themselves).
COPIED_SUFFIXES = {".py", ".html", ".txt", ".po"}

# Plural rules as Django's own catalogues declare them, so both catalogues agree at run time; fil and lo,
# which Django does not ship, follow CLDR.
PLURAL_FORMS = {
    "en": "nplurals=2; plural=(n != 1);",
    "zh_Hans": "nplurals=1; plural=0;",
    "id": "nplurals=1; plural=0;",
    "ms": "nplurals=1; plural=0;",
    "th": "nplurals=1; plural=0;",
    "vi": "nplurals=1; plural=0;",
    "fil": "nplurals=2; plural=(n != 1 && n != 2 && n != 3 && (n % 10 == 4 || n % 10 == 6 || n % 10 == 9));",
    "km": "nplurals=1; plural=0;",
    "lo": "nplurals=1; plural=0;",
    "my": "nplurals=1; plural=0;",
    "ta": "nplurals=2; plural=(n != 1);",
}

MessageKey = tuple[str | None, str | tuple[str, ...]]


def ui_locales() -> list[str]:
    """The gettext locale names of settings.LANGUAGES: ``zh-hans`` → ``zh_Hans``."""
    return [to_locale(code) for code, _name in settings.LANGUAGES]


def catalogue_path(locale_dir: Path, locale: str) -> Path:
    return locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def shown(value: str | tuple[str, ...] | list[str]) -> str:
    """A message id on one line, quoted; plural ids as ``"one" / "many"``."""
    parts = (value,) if isinstance(value, str) else tuple(value)
    return " / ".join('"' + part.replace("\n", "\\n") + '"' for part in parts)


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def entries(catalog: Catalog) -> Iterator[Message]:
    """The catalogue's messages without the header entry."""
    return (message for message in catalog if message.id)


def key_of(message: Message) -> MessageKey:
    message_id = message.id if isinstance(message.id, str) else tuple(message.id)
    return (message.context, message_id)


def is_untranslated(message: Message) -> bool:
    if isinstance(message.string, tuple | list):
        return not message.string or not all(message.string)
    return not message.string


def _run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(f"{command[0]} failed: {result.stderr.strip()}")


def fix_header(path: Path, locale: str) -> None:
    """Replace the placeholders gettext leaves in a new catalogue's header with this project's values."""
    text = path.read_text(encoding="utf-8")
    plural_forms = f'"Plural-Forms: {PLURAL_FORMS.get(locale, "nplurals=2; plural=(n != 1);")}\\n"'
    fixed = text.replace('"Language: \\n"', f'"Language: {locale}\\n"')
    fixed = fixed.replace('"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"', plural_forms)
    header, blank, rest = fixed.partition("\n\n")
    if '"Plural-Forms:' not in header:
        # xgettext writes the line only once the code has a plural message, and then makemessages copies
        # it from Django's own catalogue, which Filipino and Lao lack; a catalogue needs it either way.
        fixed = f"{header}\n{plural_forms}{blank}{rest}"
    fixed = fixed.replace("PACKAGE VERSION", "infoharbor")
    fixed = fixed.replace("FULL NAME <EMAIL@ADDRESS>", "Information Harbor translators")
    fixed = fixed.replace("LANGUAGE <LL@li.org>", f"{locale} translators")
    # A new catalogue starts with template comments and a fuzzy header; a header is never fuzzy here.
    fixed = re.sub(
        r'\A(?:#[^\n]*\n)*?#, fuzzy\nmsgid ""\n',
        f"# Information Harbor user interface messages: {locale}.\n"
        "# This file is distributed under the same license as the infoharbor package.\n"
        "#\n"
        'msgid ""\n',
        fixed,
        count=1,
    )
    if fixed != text:
        path.write_text(fixed, encoding="utf-8")


def new_catalogue_header(locale: str) -> str:
    """The header entry of a catalogue that does not exist yet."""
    fields = [
        "Project-Id-Version: infoharbor",
        "Report-Msgid-Bugs-To: ",
        "PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator: Information Harbor translators",
        f"Language-Team: {locale} translators",
        f"Language: {locale}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        f"Plural-Forms: {PLURAL_FORMS.get(locale, 'nplurals=2; plural=(n != 1);')}",
    ]
    return (
        f"# Information Harbor user interface messages: {locale}.\n"
        "# This file is distributed under the same license as the infoharbor package.\n"
        "#\n"
        'msgid ""\n'
        'msgstr ""\n' + "".join(f'"{field}\\n"\n' for field in fields)
    )


def fill_english(path: Path) -> None:
    """English reads its message ids: fill every empty (or fuzzy) msgstr with its msgid."""
    _run("msgattrib", "--clear-fuzzy", "--empty", "--output-file", str(path), str(path))
    _run("msgen", "--output-file", str(path), str(path))


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def extract(package_dir: Path, locale_dir: Path, scratch: Path, *, verbosity: int) -> Path:
    """Run makemessages for every UI locale on a copy of the package; return the copy's locale dir."""
    copy = scratch / package_dir.name

    def ignore(directory: str, names: list[str]) -> set[str]:
        return {
            name
            for name in names
            if name in IGNORED
            or name == "__pycache__"
            or (Path(directory, name).is_file() and Path(name).suffix not in COPIED_SUFFIXES)
        }

    shutil.copytree(package_dir, copy, ignore=ignore)
    copied_locale_dir = copy / locale_dir.relative_to(package_dir)
    copied_locale_dir.mkdir(parents=True, exist_ok=True)
    # msgmerge gives new plural entries as many forms as the catalogue's header declares, so every
    # catalogue exists with the right header before the merge (a missing one starts from a bare header).
    for locale in ui_locales():
        path = catalogue_path(copied_locale_dir, locale)
        if path.exists():
            fix_header(path, locale)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(new_catalogue_header(locale), encoding="utf-8")
    # Run from inside the package so every path makemessages sees is relative to it.
    with working_directory(copy), override_settings(LOCALE_PATHS=[str(copied_locale_dir)]):
        call_command(
            "makemessages",
            locale=ui_locales(),
            domain=DOMAIN,
            no_location=True,
            no_obsolete=True,
            ignore_patterns=IGNORED,
            verbosity=max(0, verbosity - 1),
        )
    for locale in ui_locales():
        path = catalogue_path(copied_locale_dir, locale)
        fix_header(path, locale)
        if locale == "en":
            fill_english(path)
    return copied_locale_dir


def without_creation_date(text: str) -> str:
    """Catalogue text minus the extraction time stamp, which changes on every run."""
    return re.sub(r'^"POT-Creation-Date: [^"]*"\n', "", text, flags=re.MULTILINE)


@dataclass
class LocaleReport:
    """What is wrong with one locale's catalogue."""

    locale: str
    missing: bool = False
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return self.missing or bool(self.added or self.removed)

    @property
    def incomplete(self) -> bool:
        return bool(self.untranslated or self.fuzzy)


def compare(locale: str, on_disk: Path, fresh: Path) -> LocaleReport:
    """Compare the committed catalogue with a fresh extraction, and list what is not translated."""
    report = LocaleReport(locale)
    if not on_disk.exists():
        report.missing = True
        return report
    disk_catalog = read_catalogue(on_disk)
    disk = {key_of(message): message for message in entries(disk_catalog)}
    wanted = {key_of(message): message for message in entries(read_catalogue(fresh))}
    report.added = [shown(wanted[key].id) for key in wanted if key not in disk]
    report.removed = [shown(disk[key].id) for key in disk if key not in wanted]
    for message in disk.values():
        if message.fuzzy:
            report.fuzzy.append(shown(message.id))
        elif is_untranslated(message):
            report.untranslated.append(shown(message.id))
    return report


class Command(BaseCommand):
    help = (
        "Extract the UI messages afresh and fail when a catalogue is stale or any entry is "
        "untranslated or fuzzy; with --update, write the extraction into the package instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="write the fresh extraction into the package (English filled from the ids)",
        )
        parser.add_argument(
            "--allow-untranslated",
            action="store_true",
            help="only fail when catalogues are stale, not when entries are untranslated or fuzzy",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if shutil.which("xgettext") is None:
            raise CommandError(
                "GNU gettext is needed to extract messages (xgettext not found): "
                "apt-get install gettext"
            )
        package_dir = Path(settings.BASE_DIR)
        locale_dir = Path(settings.LOCALE_PATHS[0])
        with tempfile.TemporaryDirectory(prefix="harbor-messages-") as scratch:
            fresh_dir = extract(
                package_dir, locale_dir, Path(scratch), verbosity=options["verbosity"]
            )
            if options["update"]:
                self._update(locale_dir, fresh_dir)
                return
            reports = [
                compare(
                    locale,
                    catalogue_path(locale_dir, locale),
                    catalogue_path(fresh_dir, locale),
                )
                for locale in ui_locales()
            ]
        self._report(reports, locale_dir, strict=not options["allow_untranslated"])

    def _update(self, locale_dir: Path, fresh_dir: Path) -> None:
        for locale in ui_locales():
            target = catalogue_path(locale_dir, locale)
            fresh = catalogue_path(fresh_dir, locale)
            text = fresh.read_text(encoding="utf-8")
            catalog = read_catalogue(fresh)  # refuse to write a catalogue Babel cannot compile
            if target.exists() and without_creation_date(
                target.read_text(encoding="utf-8")
            ) == without_creation_date(text):
                status = "unchanged"
            else:
                status = "updated" if target.exists() else "created"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            messages = list(entries(catalog))
            untranslated = sum(1 for m in messages if is_untranslated(m) and not m.fuzzy)
            fuzzy = sum(1 for m in messages if m.fuzzy)
            self.stdout.write(
                f"{locale:<8} {status:<9} {len(messages)} messages, "
                f"{untranslated} untranslated, {fuzzy} fuzzy"
            )

    def _report(self, reports: list[LocaleReport], locale_dir: Path, *, strict: bool) -> None:
        failed: list[str] = []
        root = Path(settings.PROJECT_DIR)
        for report in reports:
            path = catalogue_path(locale_dir, report.locale)
            try:
                name = str(path.relative_to(root))
            except ValueError:
                name = str(path)
            if report.missing:
                self.stderr.write(f"{report.locale}: {name} is missing: run make messages")
                failed.append(report.locale)
                continue
            if report.stale:
                self.stderr.write(
                    f"{report.locale}: {name} is stale: run make messages "
                    f"({len(report.added)} new, {len(report.removed)} no longer used)"
                )
                listed = [f"  + {m}" for m in report.added] + [f"  - {m}" for m in report.removed]
                self._list(listed)
            if strict and report.incomplete:
                self.stderr.write(
                    f"{report.locale}: {len(report.untranslated)} untranslated, "
                    f"{len(report.fuzzy)} fuzzy in {name}"
                )
                listed = [f"  untranslated {m}" for m in report.untranslated] + [
                    f"  fuzzy        {m}" for m in report.fuzzy
                ]
                self._list(listed)
            if report.stale or (strict and report.incomplete):
                failed.append(report.locale)
        if failed:
            raise CommandError(
                f"message catalogues are stale or incomplete in {len(failed)} of {len(reports)} locales "
                f"({', '.join(failed)})"
            )
        total = sum(1 for _ in entries(read_catalogue(catalogue_path(locale_dir, "en"))))
        self.stdout.write(
            self.style.SUCCESS(
                f"translations up to date: {total} messages in {len(reports)} locales"
                + ("" if strict else " (untranslated entries allowed)")
            )
        )

    def _list(self, lines: list[str]) -> None:
        for line in lines[:SHOWN_PER_LOCALE]:
            self.stderr.write(line)
        if len(lines) > SHOWN_PER_LOCALE:
            self.stderr.write(f"  … and {len(lines) - SHOWN_PER_LOCALE} more")
