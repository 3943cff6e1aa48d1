"""Titles of the HS 2022 sections and chapters in the harbor's eleven UI languages.

The titles live in ``data/hs-titles.csv``, one row per section (Roman numeral) or chapter (two digits).
English is the WCO wording as published by UN Comtrade; the other languages are the harbor's own
translations, following national tariff terminology where it exists (see ``data/SOURCES.md``).
A language without titles falls back to English; every spelling of Simplified Chinese reads the
``zh-hans`` column, Traditional Chinese falls back to English.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

TITLE_LANGUAGES: tuple[str, ...] = (
    "en",
    "zh-hans",
    "id",
    "ms",
    "th",
    "vi",
    "fil",
    "km",
    "lo",
    "my",
    "ta",
)
FALLBACK_LANGUAGE = "en"
SECTION = "section"
CHAPTER = "chapter"

_SIMPLIFIED_CHINESE = frozenset({"zh", "zh-cn", "zh-sg", "zh-hans", "zh-hans-cn", "zh-hans-sg"})


@cache
def load_hs_titles() -> dict[tuple[str, str], dict[str, str]]:
    """Every title keyed by ``(kind, code)``, e.g. ``("chapter", "85")`` or ``("section", "XVI")``,
    each a mapping from UI language code to title; read once and shared, so callers must not modify it."""
    source = resources.files("harbor.trade").joinpath("data", "hs-titles.csv")
    titles: dict[tuple[str, str], dict[str, str]] = {}
    for row in csv.DictReader(source.read_text(encoding="utf-8").splitlines()):
        titles[(row["kind"], row["code"])] = {
            language: row[language] for language in TITLE_LANGUAGES
        }
    return titles


def title_language(language: str) -> str:
    """The title column for a UI language code: exact match, Simplified Chinese in any spelling, then the
    primary subtag (``th-TH`` → ``th``); anything else, Traditional Chinese included, reads English."""
    tag = (language or "").strip().lower().replace("_", "-")
    if tag in TITLE_LANGUAGES:
        return tag
    if tag in _SIMPLIFIED_CHINESE:
        return "zh-hans"
    primary = tag.split("-", 1)[0]
    if primary != "zh" and primary in TITLE_LANGUAGES:
        return primary
    return FALLBACK_LANGUAGE


def section_title(code: str, language: str) -> str:
    """The title of section ``code`` (a Roman numeral, ``I`` to ``XXI``) in ``language``; an empty string
    for a code that is not a section."""
    titles = load_hs_titles().get((SECTION, (code or "").strip().upper()))
    return _pick(titles, language)


def chapter_title(code: str, language: str) -> str:
    """The title of chapter ``code`` (``01`` to ``97``, ``1`` is read as ``01``) in ``language``; an empty
    string for a code that is not a chapter, such as the reserved ``77``."""
    titles = load_hs_titles().get((CHAPTER, (code or "").strip().zfill(2)))
    return _pick(titles, language)


def _pick(titles: dict[str, str] | None, language: str) -> str:
    if titles is None:
        return ""
    return titles[title_language(language)] or titles[FALLBACK_LANGUAGE]
