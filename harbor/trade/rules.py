"""The rule-of-origin language: rules such as ``WO | PE | RVC(40) | CTH`` parsed into a tree, printed back
as canonical text and evaluated against the facts of one good.

Grammar (keywords are case-insensitive; ``&`` binds tighter than ``|``)::

    rule       := term ("|" term)*
    term       := factor ("&" factor)*
    factor     := "(" rule ")" | criterion
    criterion  := "WO" | "PE" | "RVC" "(" number ")" | "SP" "(" string ")"
                | ("CC" | "CTH" | "CTSH") ["except" exclusion ("," exclusion)*]
    exclusion  := code ["-" code]          codes of 2, 4 or 6 digits; a range joins codes of one length

Criteria:

- ``WO``: the good is wholly obtained in the exporting party.
- ``PE``: the good is produced entirely from originating materials (at least one material, none
  non-originating).
- ``RVC(n)``: regional value content by the indirect formula, (FOB − VNM) / FOB × 100 ≥ n, compared exactly.
- ``CC`` / ``CTH`` / ``CTSH``: every non-originating material is classified in another chapter (2 digits),
  heading (4) or subheading (6) than the good; a material in an excluded chapter, heading or subheading
  fails even when it changes. Materials that fail are tolerated under de minimis: their value is at most
  the de minimis percentage of FOB or, for goods of the textile chapters, their weight is at most that
  percentage of the good's weight.
- ``SP("text")``: a specific process, satisfied when one of the declared processes is that text (case and
  runs of spaces ignored).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _


class RuleSyntaxError(ValueError):
    """A rule that cannot be parsed; `position` is the 0-based character offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        self.message = message
        self.position = position
        super().__init__(
            _("%(message)s (position %(position)s)") % {"message": message, "position": position}
        )


# ---------------------------------------------------------------------------------------------------------
# Facts and outcomes


@dataclass(frozen=True)
class MaterialFacts:
    """One non-originating material as a tariff-shift test sees it; `index` is its place in the bill."""

    index: int
    description: str
    hs_code: str
    value: int
    weight: int | None


@dataclass(frozen=True)
class Facts:
    """What the rule is evaluated against: the good, its non-originating materials and the tolerances."""

    hs_code: str
    fob_value: int
    wholly_obtained: bool
    processes: frozenset[str]
    material_count: int
    non_originating: tuple[MaterialFacts, ...]
    de_minimis_percent: Decimal
    textile: bool
    product_weight: int | None = None

    @functools.cached_property
    def vnm(self) -> int:
        """Value of non-originating materials (those of undetermined origin included)."""
        return sum(material.value for material in self.non_originating)

    @functools.cached_property
    def rvc(self) -> Fraction:
        """Regional value content in per cent, exactly: (FOB − VNM) / FOB × 100."""
        return Fraction((self.fob_value - self.vnm) * 100, self.fob_value)


@dataclass(frozen=True)
class ShiftLine:
    """The tariff-shift test of one non-originating material."""

    material: int
    description: str
    hs_code: str
    level: str
    passed: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "material": self.material,
            "description": self.description,
            "hs_code": self.hs_code,
            "level": self.level,
            "passed": self.passed,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class DeMinimis:
    """The de minimis tolerance for materials failing a tariff shift; `applied` when it saved the shift."""

    limit_percent: Decimal
    value_limit: Decimal
    failing_value: int
    within_by_value: bool
    weight_limit: Decimal | None
    failing_weight: int | None
    within_by_weight: bool | None
    applied: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "limit_percent": str(self.limit_percent),
            "value_limit": str(self.value_limit),
            "failing_value": self.failing_value,
            "within_by_value": self.within_by_value,
            "weight_limit": None if self.weight_limit is None else str(self.weight_limit),
            "failing_weight": self.failing_weight,
            "within_by_weight": self.within_by_weight,
            "applied": self.applied,
        }


@dataclass(frozen=True)
class ShiftOutcome:
    """One tariff-shift criterion: a line per non-originating material and the de minimis check."""

    criterion: str
    level: str
    passed: bool
    lines: tuple[ShiftLine, ...]
    de_minimis: DeMinimis

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "level": self.level,
            "passed": self.passed,
            "lines": [line.as_dict() for line in self.lines],
            "de_minimis": self.de_minimis.as_dict(),
        }


@dataclass(frozen=True)
class Outcome:
    """The verdict of one node of a rule, with the reasons and the verdicts of its parts."""

    node: Node = field(repr=False, compare=False)
    passed: bool
    reasons: tuple[str, ...]
    parts: tuple[Outcome, ...] = ()
    shift: ShiftOutcome | None = None

    @property
    def criterion(self) -> str:
        return self.node.text

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "passed": self.passed,
            "reasons": list(self.reasons),
            "parts": [part.as_dict() for part in self.parts],
        }


def display_percent(value: Fraction) -> Decimal:
    """A percentage for display: two decimals, rounded down, so a failing 39.999… never shows as 40.00."""
    hundredths = value.numerator * 100 // value.denominator
    return Decimal(hundredths).scaleb(-2)


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros: 40 → "40", 35.50 → "35.5"."""
    return format(value.normalize(), "f")


def normalize_process(text: str) -> str:
    return " ".join(text.split()).casefold()


# ---------------------------------------------------------------------------------------------------------
# The tree


class Node:
    """A node of a parsed rule; `text` is its canonical form."""

    @functools.cached_property
    def text(self) -> str:
        return self.render()

    def render(self) -> str:
        raise NotImplementedError

    def evaluate(self, facts: Facts) -> Outcome:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, eq=True)
class AnyOf(Node):
    """Alternatives: the rule is met when one of them is."""

    options: tuple[Node, ...]

    def render(self) -> str:
        return " | ".join(option.text for option in self.options)

    def evaluate(self, facts: Facts) -> Outcome:
        parts = tuple(option.evaluate(facts) for option in self.options)
        passed = any(part.passed for part in parts)
        chosen = [part for part in parts if part.passed] if passed else parts
        return Outcome(self, passed, _join(part.reasons for part in chosen), parts)


@dataclass(frozen=True, eq=True)
class AllOf(Node):
    """Conjunction: every part must be met."""

    parts: tuple[Node, ...]

    def render(self) -> str:
        return " & ".join(
            f"({part.text})" if isinstance(part, AnyOf) else part.text for part in self.parts
        )

    def evaluate(self, facts: Facts) -> Outcome:
        parts = tuple(part.evaluate(facts) for part in self.parts)
        passed = all(part.passed for part in parts)
        chosen = parts if passed else [part for part in parts if not part.passed]
        return Outcome(self, passed, _join(part.reasons for part in chosen), parts)


@dataclass(frozen=True, eq=True)
class WhollyObtained(Node):
    """WO: the good is wholly obtained or produced in the exporting party."""

    def render(self) -> str:
        return "WO"

    def evaluate(self, facts: Facts) -> Outcome:
        if facts.wholly_obtained:
            return Outcome(self, True, (_("The good is declared wholly obtained."),))
        return Outcome(self, False, (_("The good is not declared wholly obtained."),))


@dataclass(frozen=True, eq=True)
class ProducedEntirely(Node):
    """PE: produced entirely from materials originating in the parties."""

    def render(self) -> str:
        return "PE"

    def evaluate(self, facts: Facts) -> Outcome:
        if facts.material_count == 0:
            return Outcome(self, False, (_("No materials are declared."),))
        count = len(facts.non_originating)
        if count == 0:
            return Outcome(self, True, (_("Every material is originating."),))
        reason = _("%(count)s of %(total)s materials are not originating.") % {
            "count": count,
            "total": facts.material_count,
        }
        return Outcome(self, False, (reason,))


@dataclass(frozen=True, eq=True)
class ValueContent(Node):
    """RVC(n): regional value content of at least n per cent of FOB."""

    threshold: Decimal

    def render(self) -> str:
        return f"RVC({plain(self.threshold)})"

    def evaluate(self, facts: Facts) -> Outcome:
        rvc = facts.rvc
        values = {"rvc": display_percent(rvc), "threshold": plain(self.threshold)}
        if rvc >= Fraction(self.threshold):
            reason = _("Regional value content %(rvc)s %% reaches the %(threshold)s %% required.")
            return Outcome(self, True, (reason % values,))
        reason = _("Regional value content %(rvc)s %% is below the %(threshold)s %% required.")
        return Outcome(self, False, (reason % values,))


class ShiftLevel(StrEnum):
    CC = "CC"
    CTH = "CTH"
    CTSH = "CTSH"

    @property
    def digits(self) -> int:
        return {"CC": 2, "CTH": 4, "CTSH": 6}[self.value]

    def label(self) -> str:
        labels = {"CC": _("chapter"), "CTH": _("heading"), "CTSH": _("subheading")}
        return labels[self.value]


@dataclass(frozen=True, eq=True)
class Exclusion:
    """Codes excluded as sources of a tariff shift: one code, or a range of codes of the same length."""

    first: str
    last: str

    @property
    def text(self) -> str:
        return self.first if self.first == self.last else f"{self.first}-{self.last}"

    def covers(self, hs_code: str) -> bool:
        return self.first <= hs_code[: len(self.first)] <= self.last


@dataclass(frozen=True, eq=True)
class TariffShift(Node):
    """CC / CTH / CTSH [except …]: every non-originating material changes chapter, heading or subheading,
    and none comes from an excluded code; failures are tolerated within de minimis."""

    level: ShiftLevel
    exclusions: tuple[Exclusion, ...] = ()

    def render(self) -> str:
        if not self.exclusions:
            return self.level.value
        return f"{self.level.value} except " + ", ".join(item.text for item in self.exclusions)

    def evaluate(self, facts: Facts) -> Outcome:
        digits = self.level.digits
        label = self.level.label()
        product = facts.hs_code[:digits]
        lines: list[ShiftLine] = []
        failing_value = failing_weight = 0
        weights_known = True
        for material in facts.non_originating:
            own = material.hs_code[:digits]
            excluded = None
            if own != product:
                excluded = next(
                    (item for item in self.exclusions if item.covers(material.hs_code)), None
                )
            if own == product:
                passed = False
                reason = _("Same %(level)s %(code)s as the good: no change.") % {
                    "level": label,
                    "code": own,
                }
            elif excluded is not None:
                passed = False
                reason = _("Changes %(level)s, but %(exclusion)s is excluded as a source.") % {
                    "level": label,
                    "exclusion": excluded.text,
                }
            else:
                passed = True
                reason = _("Changes %(level)s from %(material)s to %(product)s.") % {
                    "level": label,
                    "material": own,
                    "product": product,
                }
            if not passed:
                failing_value += material.value
                if material.weight is None:
                    weights_known = False
                else:
                    failing_weight += material.weight
            lines.append(
                ShiftLine(
                    material.index,
                    material.description,
                    material.hs_code,
                    self.level.value,
                    passed,
                    reason,
                )
            )
        de_minimis, reasons = self._de_minimis(
            facts, label, lines, failing_value, failing_weight, weights_known
        )
        passed = all(line.passed for line in lines) or de_minimis.applied
        shift = ShiftOutcome(self.text, self.level.value, passed, tuple(lines), de_minimis)
        return Outcome(self, passed, reasons, shift=shift)

    @staticmethod
    def _de_minimis(
        facts: Facts,
        label: str,
        lines: list[ShiftLine],
        failing_value: int,
        failing_weight: int,
        weights_known: bool,
    ) -> tuple[DeMinimis, tuple[str, ...]]:
        """Materials failing the shift are tolerated when worth at most the de minimis percentage of FOB or,
        for textiles with every weight known, weighing at most that percentage of the good's weight."""
        percent = facts.de_minimis_percent
        limit = Fraction(percent) / 100
        value_limit = Decimal(facts.fob_value) * percent / 100
        by_value = failing_value <= facts.fob_value * limit
        weight_limit: Decimal | None = None
        by_weight: bool | None = None
        weight_applies = facts.textile and facts.product_weight is not None and weights_known
        if weight_applies:
            assert facts.product_weight is not None
            weight_limit = Decimal(facts.product_weight) * percent / 100
            by_weight = failing_weight <= facts.product_weight * limit
        failed = any(not line.passed for line in lines)
        applied = failed and (by_value or bool(by_weight))
        de_minimis = DeMinimis(
            limit_percent=percent,
            value_limit=value_limit,
            failing_value=failing_value,
            within_by_value=by_value,
            weight_limit=weight_limit,
            failing_weight=failing_weight if weight_applies else None,
            within_by_weight=by_weight,
            applied=applied,
        )
        if not lines:
            return de_minimis, (_("No non-originating materials to classify."),)
        if not failed:
            return de_minimis, (
                _("Every non-originating material changes %(level)s.") % {"level": label},
            )
        values = {
            "level": label,
            "value": failing_value,
            "limit": plain(value_limit),
            "percent": plain(percent),
        }
        if by_value:
            message = _(
                "Materials that do not change %(level)s are worth %(value)s, within the de minimis "
                "of %(limit)s (%(percent)s %% of FOB)."
            )
        else:
            message = _(
                "Materials that do not change %(level)s are worth %(value)s, over the de minimis "
                "of %(limit)s (%(percent)s %% of FOB)."
            )
        reasons = [message % values]
        if weight_applies:
            assert weight_limit is not None
            weights = {
                "level": label,
                "weight": failing_weight,
                "limit": plain(weight_limit),
                "percent": plain(percent),
            }
            if by_weight:
                message = _(
                    "They weigh %(weight)s g, within the textile de minimis of %(limit)s g "
                    "(%(percent)s %% of the good's weight)."
                )
            else:
                message = _(
                    "They weigh %(weight)s g, over the textile de minimis of %(limit)s g "
                    "(%(percent)s %% of the good's weight)."
                )
            reasons.append(message % weights)
        elif facts.textile:
            reasons.append(
                _(
                    "The textile de minimis by weight needs the weight of the good and of those materials."
                )
            )
        return de_minimis, tuple(reasons)


@dataclass(frozen=True, eq=True)
class SpecificProcess(Node):
    """SP("text"): a process the product-specific rule names, declared by the producer."""

    process: str

    def render(self) -> str:
        escaped = self.process.replace("\\", "\\\\").replace('"', '\\"')
        return f'SP("{escaped}")'

    def evaluate(self, facts: Facts) -> Outcome:
        values = {"process": self.process}
        if normalize_process(self.process) in facts.processes:
            return Outcome(self, True, (_('The process "%(process)s" is declared.') % values,))
        return Outcome(self, False, (_('The process "%(process)s" is not declared.') % values,))


def _join(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(reason for group in groups for reason in group)


def alternatives(node: Node) -> tuple[Node, ...]:
    """The top-level alternatives of a rule: each is one origin criterion."""
    return node.options if isinstance(node, AnyOf) else (node,)


def walk(node: Node) -> Iterable[Node]:
    yield node
    if isinstance(node, AnyOf):
        for option in node.options:
            yield from walk(option)
    elif isinstance(node, AllOf):
        for part in node.parts:
            yield from walk(part)


# ---------------------------------------------------------------------------------------------------------
# Parsing

_TOKEN = re.compile(
    r"""(?P<space>\s+)
       |(?P<number>[0-9]+(?:\.[0-9]+)?)
       |(?P<word>[A-Za-z]+)
       |(?P<string>"(?:[^"\\]|\\.)*")
       |(?P<punct>[|&(),-])""",
    re.VERBOSE,
)
_KEYWORDS = {"WO", "PE", "RVC", "SP", "CC", "CTH", "CTSH"}
_END = "end"


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position] == '"':
                raise RuleSyntaxError(_("Unterminated string."), position)
            raise RuleSyntaxError(
                _("Unexpected character %(char)s.") % {"char": repr(text[position])}, position
            )
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    tokens.append(_Token(_END, "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, punct: str) -> bool:
        return self.current.kind == "punct" and self.current.text == punct

    def expect(self, punct: str) -> _Token:
        if not self.at(punct):
            raise RuleSyntaxError(
                _("Expected %(expected)s, found %(found)s.")
                % {"expected": repr(punct), "found": self.describe(self.current)},
                self.current.position,
            )
        return self.advance()

    @staticmethod
    def describe(token: _Token) -> str:
        return _("the end of the rule") if token.kind == _END else repr(token.text)

    def parse(self) -> Node:
        if self.current.kind == _END:
            raise RuleSyntaxError(_("The rule is empty."), 0)
        node = self.rule()
        if self.current.kind != _END:
            raise RuleSyntaxError(
                _("Expected '|', '&' or the end of the rule, found %(found)s.")
                % {"found": self.describe(self.current)},
                self.current.position,
            )
        return node

    def rule(self) -> Node:
        options = [self.term()]
        while self.at("|"):
            self.advance()
            options.append(self.term())
        if len(options) == 1:
            return options[0]
        return AnyOf(tuple(_flatten(options, AnyOf)))

    def term(self) -> Node:
        parts = [self.factor()]
        while self.at("&"):
            self.advance()
            parts.append(self.factor())
        if len(parts) == 1:
            return parts[0]
        return AllOf(tuple(_flatten(parts, AllOf)))

    def factor(self) -> Node:
        if self.at("("):
            self.advance()
            node = self.rule()
            self.expect(")")
            return node
        token = self.current
        if token.kind != "word":
            raise RuleSyntaxError(
                _("Expected a criterion (WO, PE, RVC, CC, CTH, CTSH, SP) or '(', found %(found)s.")
                % {"found": self.describe(token)},
                token.position,
            )
        keyword = token.text.upper()
        if keyword not in _KEYWORDS:
            raise RuleSyntaxError(
                _("Unknown criterion %(word)s.") % {"word": repr(token.text)}, token.position
            )
        self.advance()
        if keyword == "WO":
            return WhollyObtained()
        if keyword == "PE":
            return ProducedEntirely()
        if keyword == "RVC":
            return self.value_content()
        if keyword == "SP":
            return self.specific_process()
        return self.tariff_shift(ShiftLevel(keyword))

    def value_content(self) -> Node:
        self.expect("(")
        token = self.current
        if token.kind != "number":
            raise RuleSyntaxError(
                _("Expected a percentage, found %(found)s.") % {"found": self.describe(token)},
                token.position,
            )
        threshold = Decimal(token.text)
        if not 0 < threshold <= 100:
            raise RuleSyntaxError(
                _("A value threshold is more than 0 and at most 100."), token.position
            )
        self.advance()
        self.expect(")")
        return ValueContent(threshold)

    def specific_process(self) -> Node:
        self.expect("(")
        token = self.current
        if token.kind != "string":
            raise RuleSyntaxError(
                _("Expected a quoted process, found %(found)s.") % {"found": self.describe(token)},
                token.position,
            )
        process = re.sub(r"\\(.)", r"\1", token.text[1:-1])
        if not process.strip():
            raise RuleSyntaxError(_("The process is empty."), token.position)
        self.advance()
        self.expect(")")
        return SpecificProcess(process)

    def tariff_shift(self, level: ShiftLevel) -> Node:
        if not (self.current.kind == "word" and self.current.text.lower() == "except"):
            return TariffShift(level)
        self.advance()
        exclusions = [self.exclusion()]
        while self.at(","):
            self.advance()
            exclusions.append(self.exclusion())
        return TariffShift(level, tuple(exclusions))

    def exclusion(self) -> Exclusion:
        first = self.code()
        last = first
        if self.at("-"):
            self.advance()
            position = self.current.position
            last = self.code()
            if len(last) != len(first):
                raise RuleSyntaxError(
                    _("Both ends of a range have the same number of digits."), position
                )
            if last < first:
                raise RuleSyntaxError(_("A range ends after it starts."), position)
        return Exclusion(first, last)

    def code(self) -> str:
        token = self.current
        if token.kind != "number" or "." in token.text or len(token.text) not in (2, 4, 6):
            raise RuleSyntaxError(
                _("Expected a chapter, heading or subheading (2, 4 or 6 digits), found %(found)s.")
                % {"found": self.describe(token)},
                token.position,
            )
        self.advance()
        return token.text


def _flatten(nodes: list[Node], kind: type[AnyOf] | type[AllOf]) -> Iterable[Node]:
    for node in nodes:
        if isinstance(node, AnyOf) and kind is AnyOf:
            yield from node.options
        elif isinstance(node, AllOf) and kind is AllOf:
            yield from node.parts
        else:
            yield node


@functools.lru_cache(maxsize=1024)
def parse_rule(text: str) -> Node:
    """The tree of a rule; parsed once per distinct text. Raises RuleSyntaxError with the position."""
    return _Parser(text).parse()


def canonical(text: str) -> str:
    """The canonical form of a rule's text: ``cth except 4407,4408|rvc(40.0)`` →
    ``CTH except 4407, 4408 | RVC(40)``."""
    return parse_rule(text).text
