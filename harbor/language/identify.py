"""Language identification: the script decides first, CLD2 decides among Latin-script languages.

- Thai, Lao, Khmer, Burmese and Tamil each have a script of their own: the script is the answer.
- Han text is Chinese; its form (Simplified ``zh-hans`` or Traditional ``zh-hant``) is decided by counting
  characters that exist in only one form (``harbor.language.hanzi``).
- Latin-script text goes to CLD2; when CLD2 abstains, or names a language the harbor does not hold but
  that is easily mistaken for one (Cebuano for Filipino, Javanese for Indonesian), langid.py restricted to
  the harbor's Latin-script languages gives its best guess, marked uncertain.
- Indonesian and Malay are close enough that text alone is often ambiguous. When CLD2 lands on either,
  langid.py restricted to the pair orders them and scores each, and the result is marked uncertain
  unless metadata settles it: the author's country does (Malaysia, Brunei, Singapore → Malay;
  Indonesia → Indonesian), and so does a declared language.
- A declared language wins whenever it is consistent with the script of the text (``ms`` for Latin text,
  ``zh-hant`` for Han text whose form is not clearly Simplified, …).
- Burmese in the legacy Zawgyi encoding is recognised and converted to Unicode, as the sharing hub stores
  it (``harbor.search.text``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import py3langid
import pycld2

from harbor.language.hanzi import chinese_form
from harbor.search.text import has_myanmar, is_zawgyi, zawgyi_to_unicode

SUPPORTED = frozenset(
    {"en", "zh-hans", "zh-hant", "id", "ms", "th", "vi", "fil", "km", "lo", "my", "ta"}
)
SCRIPT_LANGUAGES = {"Thai": "th", "Laoo": "lo", "Khmr": "km", "Mymr": "my", "Taml": "ta"}
# ISO 15924 script of each content language; Chinese is Han in either form.
LANGUAGE_SCRIPTS = {
    "en": "Latn",
    "id": "Latn",
    "ms": "Latn",
    "vi": "Latn",
    "fil": "Latn",
    "th": "Thai",
    "lo": "Laoo",
    "km": "Khmr",
    "my": "Mymr",
    "ta": "Taml",
    "zh-hans": "Hans",
    "zh-hant": "Hant",
}
MALAY_COUNTRIES = frozenset({"MY", "BN", "SG"})
INDONESIAN_COUNTRIES = frozenset({"ID"})
MALAY_PAIR = ("id", "ms")

# CLD2 codes → the harbor's BCP 47 codes, for the Latin-script languages it holds.
CLD2_LATIN = {"en": "en", "id": "id", "ms": "ms", "vi": "vi", "tl": "fil"}
# Languages CLD2 names for short text that is very likely one of the harbor's: langid.py then decides.
CLD2_NEIGHBOURS = frozenset({"ceb", "war", "pam", "jw", "su"})
LANGID_LATIN = {"en": "en", "id": "id", "ms": "ms", "vi": "vi", "tl": "fil"}

# A script of the harbor other than Latin wins when it holds at least a fifth of the letters: Asian-script
# text often embeds Latin names and acronyms, Latin-script text rarely embeds Thai or Burmese.
OWN_SCRIPT_SHARE = 5
# Kana among Han characters: Japanese, which the harbor does not hold.
KANA_SHARE = 10
MAX_ALTERNATIVES = 3
_ASCII_LETTER = re.compile("[A-Za-z]")

_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latn"),
    (0x1E00, 0x1EFF, "Latn"),
    (0x0370, 0x03FF, "Grek"),
    (0x0400, 0x052F, "Cyrl"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0900, 0x097F, "Deva"),
    (0x0B80, 0x0BFF, "Taml"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Laoo"),
    (0x1000, 0x109F, "Mymr"),
    (0x1100, 0x11FF, "Hang"),
    (0x1780, 0x17FF, "Khmr"),
    (0x19E0, 0x19FF, "Khmr"),
    (0x3040, 0x309F, "Kana"),
    (0x30A0, 0x30FF, "Kana"),
    (0x3130, 0x318F, "Hang"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xA9E0, 0xA9FF, "Mymr"),
    (0xAA60, 0xAA7F, "Mymr"),
    (0xAC00, 0xD7AF, "Hang"),
    (0xF900, 0xFAFF, "Hani"),
    (0xFF21, 0xFF3A, "Latn"),
    (0xFF41, 0xFF5A, "Latn"),
    (0xFF66, 0xFF9D, "Kana"),
    (0x20000, 0x3134F, "Hani"),
)


@dataclass(frozen=True)
class Alternative:
    """Another language the text may be in, with how strongly the text alone supports it (0–100)."""

    language: str
    confidence: int


@dataclass(frozen=True)
class Identified:
    """The language of a text.

    ``certain`` is False when the text alone could not settle it (Indonesian or Malay without metadata,
    Chinese without a distinguishing character, a guess on very short text). ``confidence`` is how strongly
    the text alone supports ``language`` (0–100): the share of the text CLD2 gives it, langid.py's
    probability, the share of distinguishing Han characters, or 100 when the script decides.
    ``normalised_text`` is the text converted to Unicode when it was Zawgyi-encoded Burmese, else None.
    """

    language: str
    certain: bool
    script: str | None = None
    zawgyi: bool = False
    normalised_text: str | None = None
    confidence: int = 0
    alternatives: tuple[Alternative, ...] = ()


class UnsupportedLanguage(ValueError):
    """A declared language code that is not one of the harbor's content languages."""


def supported_language(code: str) -> str | None:
    """The harbor's spelling of a content language code (``zh-Hant`` → ``zh-hant``), or None."""
    normalised = code.strip().lower().replace("_", "-")
    return normalised if normalised in SUPPORTED else None


@lru_cache(maxsize=1)
def _langid_latin() -> Any:
    """langid.py restricted to the harbor's Latin-script languages, with probabilities; loaded once."""
    identifier = py3langid.langid.LanguageIdentifier.from_model_file(
        py3langid.langid.MODEL_FILE, norm_probs=True
    )
    identifier.set_languages(list(LANGID_LATIN))
    return identifier


@lru_cache(maxsize=1)
def _langid_malay() -> Any:
    """langid.py restricted to Indonesian and Malay: it orders the pair and gives each a probability."""
    identifier = py3langid.langid.LanguageIdentifier.from_model_file(
        py3langid.langid.MODEL_FILE, norm_probs=True
    )
    identifier.set_languages(list(MALAY_PAIR))
    return identifier


@lru_cache(maxsize=65536)
def _script_of(char: str) -> str | None:
    """ISO 15924 code of a letter or mark; None for anything else (digits, spaces, punctuation)."""
    if unicodedata.category(char)[0] not in "LM":
        return None
    code = ord(char)
    for start, end, script in _RANGES:
        if start <= code <= end:
            return script
    return "Zinh" if unicodedata.category(char)[0] == "M" else "Zzzz"


def script_weights(text: str) -> Counter[str]:
    """How many letters and marks of ``text`` each script holds."""
    weights: Counter[str] = Counter()
    if text.isascii():
        letters = len(_ASCII_LETTER.findall(text))
        if letters:
            weights["Latn"] = letters
        return weights
    for char, count in Counter(text).items():
        script = _script_of(char)
        if script is not None and script != "Zinh":
            weights[script] += count
    return weights


def detect_script(text: str) -> str | None:
    """The ISO 15924 script ``text`` is written in (``Hani`` for Han, ``Jpan`` for Han with kana), or None.

    The script with the most letters wins, except that Thai, Lao, Khmer, Burmese, Tamil or Han wins over
    Latin when it holds at least a fifth of the letters.
    """
    weights = script_weights(text)
    if not weights:
        return None
    total = sum(weights.values())
    script = max(weights, key=lambda key: weights[key])
    if script == "Latn":
        own = [
            key for key in (*SCRIPT_LANGUAGES, "Hani") if weights[key] * OWN_SCRIPT_SHARE >= total
        ]
        if own:
            script = max(own, key=lambda key: weights[key])
    if script in {"Hani", "Kana"} and weights["Kana"] * KANA_SHARE >= total:
        return "Jpan"
    return script


def _percent(value: float) -> int:
    return max(0, min(100, round(value * 100)))


def _cld2(text: str) -> tuple[bool, list[tuple[str, int]]]:
    """CLD2's verdict: whether it is reliable, and its languages (CLD2 codes) with their share of the text."""
    try:
        reliable, _bytes, details = pycld2.detect(text, isPlainText=True)
    except (pycld2.error, ValueError):
        return False, []
    found = [(str(code), int(share)) for _name, code, share, _score in details if code != "un"]
    return bool(reliable), found


def _langid_guess(text: str) -> list[tuple[str, int]]:
    """langid.py's ranking of the harbor's Latin-script languages, best first, as (code, percent)."""
    ranked = _langid_latin().rank(text)
    return [(LANGID_LATIN[code], _percent(probability)) for code, probability in ranked]


def _latin(text: str) -> tuple[str | None, bool, list[tuple[str, int]]]:
    """Language, certainty and ranked candidates (language, confidence) for Latin-script text."""
    reliable, found = _cld2(text)
    top = found[0][0] if found else "un"
    if top in CLD2_LATIN:
        candidates = [(CLD2_LATIN[code], share) for code, share in found if code in CLD2_LATIN]
        language, certain = candidates[0][0], reliable
    elif not found or top in CLD2_NEIGHBOURS or not reliable:
        # CLD2 abstains on very short text and takes some Filipino for Cebuano: langid.py guesses.
        candidates = _langid_guess(text)
        language, certain = candidates[0][0], False
    else:
        return None, False, []
    if language in MALAY_PAIR:
        ranked = _langid_malay().rank(text)
        pair = [(code, _percent(probability)) for code, probability in ranked]
        others = [item for item in candidates if item[0] not in MALAY_PAIR]
        candidates = pair + others
        language, certain = pair[0][0], False
    return language, certain, candidates


def _by_country(language: str, country: str | None) -> str | None:
    """Indonesian or Malay as the author's country says, or None when the country says nothing."""
    if language not in MALAY_PAIR or not country:
        return None
    code = country.strip().upper()
    if code in MALAY_COUNTRIES:
        return "ms"
    if code in INDONESIAN_COUNTRIES:
        return "id"
    return None


def _consistent(declared: str, script: str) -> bool:
    """Whether a declared language can be written in the detected script (Han of undecided form: either)."""
    expected = LANGUAGE_SCRIPTS[declared]
    if script == "Hani":
        return expected in {"Hans", "Hant"}
    return expected == script


def identify(
    text: str, *, country: str | None = None, declared: str | None = None
) -> Identified | None:
    """The language of ``text`` among the harbor's content languages, or None when it cannot tell.

    ``country`` is the author's organisation country (ISO 3166 alpha-2): it settles Indonesian against
    Malay. ``declared`` is a language the author gave: it wins when consistent with the script. Raises
    UnsupportedLanguage when ``declared`` is not a content language.
    """
    wanted = None
    if declared is not None:
        wanted = supported_language(declared)
        if wanted is None:
            raise UnsupportedLanguage(declared)
    text = text.strip()
    if not text:
        return None
    zawgyi = has_myanmar(text) and is_zawgyi(text)
    working = zawgyi_to_unicode(text) if zawgyi else text
    script = detect_script(working)
    if script is None:
        return None

    language: str | None
    candidates: list[tuple[str, int]]
    if script in SCRIPT_LANGUAGES:
        language, certain = SCRIPT_LANGUAGES[script], True
        candidates = [(language, 100)]
    elif script == "Hani":
        form = chinese_form(working)
        other = "zh-hant" if form.language == "zh-hans" else "zh-hans"
        language, certain = form.language, form.certain
        candidates = [
            (language, _percent(float(form.share(language)))),
            (other, _percent(float(form.share(other)))),
        ]
        if certain:
            script = "Hant" if language == "zh-hant" else "Hans"
    elif script == "Latn":
        language, certain, candidates = _latin(working)
    else:
        return None

    if wanted is not None and _consistent(wanted, script):
        language, certain = wanted, True
        if script == "Hani":
            script = LANGUAGE_SCRIPTS[wanted]
    elif language is not None and (resolved := _by_country(language, country)) is not None:
        # The country settles the pair; it is certain when the text leans the same way.
        certain = resolved == language
        language = resolved
    if language is None:
        return None

    scores = dict(candidates)
    alternatives = tuple(
        Alternative(code, share) for code, share in scores.items() if code != language and share > 0
    )[:MAX_ALTERNATIVES]
    return Identified(
        language=language,
        certain=certain,
        script=script,
        zawgyi=zawgyi,
        normalised_text=working if zawgyi else None,
        confidence=scores.get(language, 0),
        alternatives=alternatives,
    )
