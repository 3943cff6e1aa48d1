"""Language identification: the script decides first, CLD2 decides among Latin-script languages.

Indonesian and Malay are close enough that text alone is often ambiguous; the result is then marked
uncertain and the author's country (Malaysia, Brunei, Singapore → Malay; Indonesia → Indonesian) decides.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import py3langid
import pycld2

from harbor.search.text import has_myanmar

SCRIPT_LANGUAGES = {"THAI": "th", "LAO": "lo", "KHMER": "km", "MYANMAR": "my", "TAMIL": "ta"}
CLD2_TO_BCP47 = {"tl": "fil", "zh": "zh-hans", "zh-Hant": "zh-hant"}
MALAY_COUNTRIES = {"MY", "BN", "SG"}
SUPPORTED = {"en", "zh-hans", "zh-hant", "id", "ms", "th", "vi", "fil", "km", "lo", "my", "ta"}


@dataclass(frozen=True)
class Identified:
    language: str
    certain: bool


_LANGID: py3langid.LanguageIdentifier | None = None


def _langid() -> py3langid.LanguageIdentifier:
    """langid.py restricted to the harbor's languages, loaded once."""
    global _LANGID
    if _LANGID is None:
        identifier = py3langid.langid.LanguageIdentifier.from_model_file(
            py3langid.langid.MODEL_FILE
        )
        identifier.set_languages(["en", "zh", "id", "ms", "th", "vi", "tl", "km", "lo", "ta"])
        _LANGID = identifier
    return _LANGID


def _dominant_script(text: str) -> str | None:
    counts: dict[str, int] = {}
    for char in text:
        if not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        script = name.split(" ", 1)[0]
        if script == "CJK":
            script = "HAN"
        counts[script] = counts.get(script, 0) + 1
    return max(counts, key=lambda key: counts[key]) if counts else None


def identify(text: str, *, country: str | None = None) -> Identified | None:
    """The language of ``text`` among the harbor's content languages, or None when it cannot tell."""
    text = text.strip()
    if not text:
        return None
    script = _dominant_script(text)
    if script in SCRIPT_LANGUAGES:
        return Identified(SCRIPT_LANGUAGES[script], True)
    if has_myanmar(text):
        return Identified("my", True)
    try:
        reliable, _bytes, details = pycld2.detect(text)
        code = details[0][1]
    except pycld2.error:
        reliable, code = False, "un"
    if code == "un":
        # CLD2 abstains on short text; langid.py still gives its best guess, marked uncertain.
        reliable, code = False, _langid().classify(text)[0]
    code = CLD2_TO_BCP47.get(code, code)
    if script == "HAN" and code not in {"zh-hans", "zh-hant"}:
        code = "zh-hans"
    if code in {"id", "ms"}:
        if country:
            resolved = (
                "ms"
                if country.upper() in MALAY_COUNTRIES
                else "id"
                if country.upper() == "ID"
                else code
            )
            return Identified(resolved, resolved == code and reliable)
        return Identified(code, False)
    if code not in SUPPORTED:
        return None
    return Identified(code, bool(reliable))
