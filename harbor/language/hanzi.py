"""Simplified or Traditional Chinese, told apart by characters that exist in only one of the two forms.

The table (``data/hanzi-variants.txt``) lists frequent characters written in only one standard form. A
text is counted: each character found only in Simplified Chinese is evidence for ``zh-hans``, each found
only in Traditional Chinese evidence for ``zh-hant``. The larger count decides, and the verdict is certain
when at least four in five of the distinguishing characters agree. A text without any distinguishing
character (or with as many of each) is taken as Simplified, the form most content is written in, and
marked uncertain.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "hanzi-variants.txt"
CERTAIN_SHARE = Fraction(4, 5)


@dataclass(frozen=True)
class VariantTable:
    """Characters that belong to one form only, and the Traditional counterparts of each Simplified one."""

    simplified_only: frozenset[str]
    traditional_only: frozenset[str]
    traditional_of: dict[str, str]


@dataclass(frozen=True)
class ChineseForm:
    """The form a Chinese text is written in, with the counts it was decided on."""

    language: str
    certain: bool
    simplified: int
    traditional: int

    def share(self, language: str) -> Fraction:
        """The part of the distinguishing characters that speak for ``language`` (½ when there are none)."""
        total = self.simplified + self.traditional
        if total == 0:
            return Fraction(1, 2)
        count = self.simplified if language == "zh-hans" else self.traditional
        return Fraction(count, total)


def parse_table(text: str) -> VariantTable:
    """Read the table: ``简 簡`` per line; ``(后) 後`` when the Simplified form is also Traditional."""
    simplified: set[str] = set()
    traditional: set[str] = set()
    traditional_of: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2:
            raise ValueError(f"hanzi-variants.txt line {number}: expected two columns")
        left, right = parts
        shared = left.startswith("(") and left.endswith(")")
        simple = left.strip("()")
        if len(simple) != 1:
            raise ValueError(f"hanzi-variants.txt line {number}: one Simplified character expected")
        if not shared:
            simplified.add(simple)
        traditional.update(right)
        traditional_of[simple] = right
    return VariantTable(frozenset(simplified), frozenset(traditional), traditional_of)


@lru_cache(maxsize=1)
def variant_table() -> VariantTable:
    """The shipped table, read once."""
    return parse_table(TABLE.read_text(encoding="utf-8"))


def chinese_form(text: str) -> ChineseForm:
    """Whether ``text`` is Simplified (``zh-hans``) or Traditional (``zh-hant``) Chinese.

    The majority of distinguishing characters decides; certain when it holds at least 80 % of them. No
    distinguishing character, or a tie, gives ``zh-hans``, uncertain.
    """
    table = variant_table()
    simplified = traditional = 0
    for char in text:
        if char in table.simplified_only:
            simplified += 1
        elif char in table.traditional_only:
            traditional += 1
    total = simplified + traditional
    if total == 0 or simplified == traditional:
        return ChineseForm("zh-hans", False, simplified, traditional)
    language = "zh-hant" if traditional > simplified else "zh-hans"
    majority = max(simplified, traditional)
    return ChineseForm(
        language, Fraction(majority, total) >= CERTAIN_SHARE, simplified, traditional
    )
