"""Text preparation for multilingual search: normalisation, Zawgyi repair and ICU word segmentation.

Thai, Lao, Khmer, Burmese and Chinese are written without spaces between words, so every text is cut into
words by ICU's dictionary-based word break iterator before it reaches the index, and every query is cut the
same way. Han characters are also indexed one by one so that a one-character Chinese query finds them.

ICU works in UTF-16 code units; offsets here are always converted back to Python string indices.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import filterfalse, pairwise

import icu
import numpy as np
from myanmartools import ZawgyiDetector

ZAWGYI_THRESHOLD = 0.95
_local = threading.local()


@dataclass(frozen=True)
class Token:
    """A word and where it sits in the normalised text (Python indices)."""

    text: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _zawgyi_detector() -> ZawgyiDetector:
    return ZawgyiDetector()


@lru_cache(maxsize=1)
def _zawgyi_model() -> tuple[dict[str, int], int, Sequence[float]] | None:
    """The detector's Markov model: character states, pair-table width and log-likelihood ratios.

    States come from the detector's own lookup, so characters it does not recognise stay foreign
    (state 0) exactly as in the detector. None when the detector does not expose its model.
    """
    detector = _zawgyi_detector()
    try:
        chars, params, state = detector._chars, detector._params, detector._state
    except AttributeError:
        return None
    states = {char: state(char) for char in chars}
    return {char: code for char, code in states.items() if code}, len(chars) + 1, params


def _zawgyi_probability(text: str) -> float:
    """The detector's Zawgyi probability for ``text``, computed from its model in one pass."""
    model = _zawgyi_model()
    if model is None:
        return _zawgyi_detector().get_zawgyi_probability(text)
    states, size, params = model
    get = states.get
    codes = [0, *[get(char, 0) for char in text], 0]
    # Log-likelihood ratio of each consecutive pair; the text's ends pair with the foreign state.
    ratios = [params[left * size + right] for left, right in pairwise(codes)]
    if all(map(math.isnan, ratios)):  # only foreign characters
        return -math.inf
    total = sum(filterfalse(math.isnan, ratios))
    # Pz / (Pu + Pz) = 1 / (1 + exp(lnPu - lnPz)), written so that exp cannot overflow.
    if total >= 0:
        z = math.exp(-total)
        return z / (z + 1)
    return 1 / (1 + math.exp(total))


def _zawgyi_transliterator() -> icu.Transliterator:
    if not hasattr(_local, "zawgyi"):
        _local.zawgyi = icu.Transliterator.createInstance("Zawgyi-my")
    return _local.zawgyi


def _word_breaker() -> icu.BreakIterator:
    if not hasattr(_local, "words"):
        _local.words = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    return _local.words


_MYANMAR = re.compile("[\u1000-\u109f]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")


def _bmp_class(pattern: str) -> str:
    """A regular-expression character class of the BMP characters in an ICU set ``pattern``."""
    chars = icu.UnicodeSet(pattern)
    ranges = [(ord(first), min(ord(last), 0xFFFF)) for first, last in chars.ranges()]
    return (
        "[" + "".join(f"\\u{start:04x}-\\u{end:04x}" for start, end in ranges if start <= end) + "]"
    )


# Letters and digits that ICU's word rules always keep together as one word (non-zero rule
# status), with the marks that attach to them; the dictionary-segmented scripts (Thai, Lao, Khmer,
# Burmese, CJK, Hangul), emoji and spaces are left out. Text made only of such words between spaces,
# tabs and line breaks breaks exactly there, so it needs no break iterator.
_EXCLUDED = (
    "[:Line_Break=Complex_Context:][:Han:][:Hiragana:][:Katakana:][:Ideographic:][\\uac00-\\ud7a3]"
    "[[:Extended_Pictographic:][:Emoji:][:Emoji_Component:]-[0-9]][:White_Space:]"
)
_LETTER = _bmp_class(f"[[[:Word_Break=ALetter:][:Word_Break=Numeric:]]-[{_EXCLUDED}]]")
_LETTER_OR_MARK = _bmp_class(
    f"[[[:Word_Break=ALetter:][:Word_Break=Numeric:][:Word_Break=Extend:]]-[{_EXCLUDED}]]"
)
_WORD = f"{_LETTER}{_LETTER_OR_MARK}*+"
# Possessive: the pieces cannot overlap, and backtracking a failed match would take quadratic time.
# Spaces, tabs and line breaks all break words and are never part of one.
_GAP = "[ \\t\\n]"
_SPACED_WORDS = re.compile(f"{_GAP}*+(?:{_WORD}(?:{_GAP}++{_WORD})*+)?{_GAP}*+")
# Thai SARA AM and its Lao counterparts have compatibility decompositions, which send the whole
# text through the slow NFKC path. Replacing them by their NFKD form first leaves NFKC unchanged.
_DECOMPOSE_FIRST = tuple(
    (char, unicodedata.normalize("NFKD", char))
    for char in map(chr, range(0x0E00, 0x0F00))
    if unicodedata.normalize("NFKD", char) != char
)


def has_myanmar(text: str) -> bool:
    return _MYANMAR.search(text) is not None


def is_zawgyi(text: str) -> bool:
    """Whether Burmese text is in the legacy Zawgyi encoding rather than Unicode."""
    return has_myanmar(text) and _zawgyi_probability(text) >= ZAWGYI_THRESHOLD


def zawgyi_to_unicode(text: str) -> str:
    return str(_zawgyi_transliterator().transliterate(text))


def normalise(text: str) -> str:
    """NFKC (folds full-width forms), Zawgyi converted to Unicode, case folded; tone marks are kept."""
    if not text:
        return ""
    if text.isascii():  # NFKC leaves ASCII as it is, and ASCII case folding is lower-casing
        return text.lower()
    if has_myanmar(text) and _zawgyi_probability(text) >= ZAWGYI_THRESHOLD:
        text = zawgyi_to_unicode(text)
    for char, decomposed in _DECOMPOSE_FIRST:
        if char in text:
            text = text.replace(char, decomposed)
    return unicodedata.normalize("NFKC", text).casefold()


def _is_han(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FA1F


def word_strings(text: str) -> list[str]:
    """The words of already-normalised ``text`` as strings (the indexing fast path)."""
    if _SPACED_WORDS.fullmatch(text) is not None:
        # Only letters, digits and their marks between spaces: ICU breaks exactly at the spaces.
        return text.split()
    if _ASTRAL.search(text) is not None:
        return [token.text for token in words(text)]
    return [text[start:end] for start, end in _bmp_word_spans(text)]


def _bmp_word_spans(text: str) -> list[tuple[int, int]]:
    """Where ICU's words lie in ``text``, which has no character outside the BMP: there ICU's UTF-16
    offsets are Python string indices."""
    breaker = _word_breaker()
    breaker.setText(text)
    status = breaker.getRuleStatus
    spans: list[tuple[int, int]] = []
    previous = 0
    for boundary in breaker:
        if status():  # UBRK_WORD_NONE (0): spaces and punctuation
            spans.append((previous, boundary))
        previous = boundary
    return spans


_NOT_GAP = re.compile("[^ \t\n]+")


def words(text: str) -> list[Token]:
    """Words of already-normalised ``text`` by ICU word boundaries, without spaces and punctuation."""
    if _SPACED_WORDS.fullmatch(text) is not None:
        # Only letters, digits and their marks between gaps: ICU breaks exactly at the gaps.
        return [
            Token(match.group(), match.start(), match.end()) for match in _NOT_GAP.finditer(text)
        ]
    return _icu_words(text)


def _icu_words(text: str) -> list[Token]:
    """``words`` by ICU's break iterator, in Python indices."""
    if _ASTRAL.search(text) is not None:
        return _icu_words_utf16(text)
    return [Token(text[start:end], start, end) for start, end in _bmp_word_spans(text)]


def _icu_words_utf16(text: str) -> list[Token]:
    """``words`` by ICU's break iterator, converting its UTF-16 offsets to Python indices."""
    unicode_text = icu.UnicodeString(text)
    breaker = _word_breaker()
    breaker.setText(unicode_text)
    tokens: list[Token] = []
    previous_utf16 = 0
    python_offset = 0
    for boundary in breaker:
        piece = str(unicode_text[previous_utf16:boundary])
        start = python_offset
        python_offset += len(piece)
        previous_utf16 = boundary
        if breaker.getRuleStatus() == 0:  # UBRK_WORD_NONE: spaces and punctuation
            continue
        tokens.append(Token(piece, start, python_offset))
    return tokens


def index_terms(text: str) -> list[str]:
    """The terms stored for ``text``: its words, then each Han character on its own."""
    normalised = normalise(text)
    tokens = word_strings(normalised)
    if normalised.isascii() or _HAN.search(normalised) is None:
        return tokens
    return tokens + _HAN.findall(" ".join(token for token in tokens if len(token) > 1))


def segmented(text: str) -> str:
    """Index terms joined by spaces: what the full-text engines tokenise on whitespace."""
    return " ".join(index_terms(text))


def query_terms(query: str) -> list[str]:
    """Terms of a user query, segmented like the documents; duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for token in words(normalise(query)):
        seen.setdefault(token.text, None)
    return list(seen)


@lru_cache(maxsize=65536)
def _char_form(char: str) -> str:
    """One character normalised on its own: NFKC, then case folded."""
    return unicodedata.normalize("NFKC", char).casefold()


def _normalised_with_origin(source: str) -> tuple[str, Sequence[int]]:
    """``source`` normalised character by character, and for each normalised character its origin.

    When ``source`` is already NFKC and case folding keeps its length, every character maps to exactly one
    character (case folding never shortens one, and no character of an NFKC text changes on its own), so
    the map is the identity and the per-character pass is skipped. Otherwise each distinct character is
    normalised once and the text translated in one pass; the map repeats each position as many times as
    its character's form is long (Thai and Lao SARA AM become two characters).
    """
    folded = source.casefold()
    if len(folded) == len(source) and unicodedata.is_normalized("NFKC", source):
        return folded, range(len(source))
    changed = {char: form for char in set(source) if (form := _char_form(char)) != char}
    normalised = source.translate({ord(char): form for char, form in changed.items()})
    resized = {char: len(form) for char, form in changed.items() if len(form) != 1}
    if not resized:
        return normalised, range(len(source))
    codes = np.frombuffer(source.encode("utf-32-le"), dtype=np.uint32)
    lengths = np.ones(len(source), dtype=np.intp)
    for char, length in resized.items():
        lengths[codes == ord(char)] = length
    origin: list[int] = np.repeat(np.arange(len(source)), lengths).tolist()
    return normalised, origin


def highlight_spans(original: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the query terms occur in ``original`` (Python indices), for snippets on the original text.

    Matching runs on the normalised text; NFKC and case folding can change lengths, so spans are found on a
    per-character normalisation map back to the original.
    """
    if not terms or not original:
        return []
    wanted = set(terms)
    wanted_han = {term for term in wanted if len(term) == 1 and _is_han(term)}
    source = zawgyi_to_unicode(original) if is_zawgyi(original) else original
    normalised, origin = _normalised_with_origin(source)
    if not any(term in normalised for term in wanted):  # no word can be a term: skip segmenting
        return []
    spans: list[tuple[int, int]] = []
    for token in words(normalised):
        matches = token.text in wanted or (
            bool(wanted_han) and any(char in wanted_han for char in token.text)
        )
        if matches and token.start < len(origin):
            end = origin[token.end - 1] + 1 if token.end - 1 < len(origin) else len(source)
            spans.append((origin[token.start], end))
    return spans if source is original else []


# Long texts are searched for snippets a piece at a time: segmenting a 10,000-character Thai body took 21 ms,
# and a search page shows 20 of them (20 snippets: 424 ms whole, 22 ms by pieces). Pieces are cut at white
# space or sentence punctuation, where ICU's dictionary segmentation starts afresh, so a piece breaks into
# the words the whole text would; where no such character lies within PIECE_MARGIN of the cut, it is made
# anyway and a word at the cut may break differently.
PIECE = 500
PIECE_MARGIN = 160
FIRST_MATCH_LIMIT = 40_000
_CUT = re.compile(r"[\s\u3000\u3001\u3002\uff0c\uff01\uff1f\uff1b\uff1a\u104a\u104b\u0e2f]")


def _cut_at_or_before(text: str, position: int) -> int:
    """A cut point at most ``PIECE_MARGIN`` characters before ``position`` (0 at the start)."""
    if position <= 0:
        return 0
    low = max(0, position - PIECE_MARGIN)
    cuts = [match.end() for match in _CUT.finditer(text, low, position)]
    return cuts[-1] if cuts else low


def _cut_at_or_after(text: str, position: int) -> int:
    """A cut point at most ``PIECE_MARGIN`` characters after ``position`` (the end of the text at most)."""
    if position >= len(text):
        return len(text)
    match = _CUT.search(text, position, min(len(text), position + PIECE_MARGIN))
    return match.start() if match else min(len(text), position + PIECE_MARGIN)


@dataclass(frozen=True)
class Segmented:
    """The matches found by segmenting ``original[start:stop]`` on its own, as spans of ``original``."""

    start: int
    stop: int
    spans: list[tuple[int, int]]

    def starting_between(self, low: int, high: int) -> list[tuple[int, int]]:
        return [(a, b) for a, b in self.spans if low <= a < high]


def segment_around(original: str, terms: list[str], low: int, high: int) -> Segmented:
    """Segment the piece of ``original`` that holds ``[low, high)``, cut where ICU starts afresh."""
    start = _cut_at_or_before(original, low)
    stop = _cut_at_or_after(original, high)
    if start == 0 and stop == len(original):
        return Segmented(start, stop, highlight_spans(original, terms))
    spans = [(a + start, b + start) for a, b in highlight_spans(original[start:stop], terms)]
    return Segmented(start, stop, spans)


def spans_between(original: str, terms: list[str], low: int, high: int) -> list[tuple[int, int]]:
    """``highlight_spans`` of the matches starting in ``original[low:high]``, segmenting only around it."""
    return segment_around(original, terms, low, high).starting_between(low, high)


def first_match_in(original: str, terms: list[str]) -> tuple[int, Segmented] | None:
    """Where the first match starts, with the piece segmented to find it (reused for the snippet),
    reading ``PIECE`` characters at a time (no further than ``FIRST_MATCH_LIMIT``: a match deeper in a
    long text is not worth segmenting it all)."""
    for low in range(0, min(len(original), FIRST_MATCH_LIMIT), PIECE):
        segmented = segment_around(original, terms, low, low + PIECE)
        if spans := segmented.starting_between(low, low + PIECE):
            return spans[0][0], segmented
    return None


def first_match(original: str, terms: list[str]) -> int | None:
    """Where the first match starts (see ``first_match_in``)."""
    found = first_match_in(original, terms)
    return None if found is None else found[0]
