"""The trade and ICT glossary: finding its terms in a text, and making translations use them.

Finding (``find_terms``): every form of every concept in the source language (the preferred term, its
variants, and the English form of a do-not-translate concept) is searched for. Forms with lower-case
letters match case-insensitively; forms written in capitals only (acronyms: FOB, CERT, 5G) match as written,
so "cert" or "5g" in running text are not taken for them. Where a form begins or ends with a letter or digit
of a script written with spaces (Latin, Tamil …), the neighbouring character must not be one, so "FOB" is
not found in "FOBBING"; Thai, Lao, Khmer, Burmese and Chinese are written without spaces, so their forms
match as plain substrings. A match never ends before a combining mark. When matches overlap, the longest
wins (then the leftmost, then the concept key).

Enforcing (``translate_with_glossary``): each term found is replaced by a placeholder ``ZXQ1``, ``ZXQ2`` …
(ASCII capitals and digits: every SentencePiece vocabulary holds them and models copy them through, where
brackets such as ``⟦1⟧`` are often out of vocabulary and come back as ``<unk>``); the engine translates;
each placeholder is replaced by the concept's target-language term. When the output lost, repeated or
invented a placeholder, or the source already contains ``zxq``, the text is instead cut at its terms: the
pieces between them are translated in one batch and the target terms are put between them verbatim. Either
way every applied target term appears in the result. A term written at the start of a sentence gets a
capital initial; in Chinese output the spaces an engine leaves around a placeholder are dropped.

Writes (``save_term``, ``load_glossary``) are checked against ``language.edit_glossary`` and audited. The
bundled file ``data/glossary.csv`` is loaded by the demo loader (``harbor demo``); ``load_glossary`` can be
called from any other loading step, since it is idempotent and keeps concepts edited on the platform.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.errors import FieldError, NotFound, ValidationFailed
from harbor.core.permissions import require
from harbor.language import permissions as perms
from harbor.language.choices import GlossaryDomain
from harbor.language.models import GlossaryTerm
from harbor.reference.catalogue import CONTENT_LANGUAGES
from harbor.search.text import is_zawgyi, zawgyi_to_unicode

LANGUAGES: tuple[str, ...] = tuple(code.lower() for code in CONTENT_LANGUAGES)
GLOSSARY_FILE = Path(__file__).resolve().parent / "data" / "glossary.csv"
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_MAX = 80
TERM_MAX = 200
VARIANTS_MAX = 10
NOTES_MAX = 2000
SOURCE_MAX = 300
QUERY_MAX = 200
VARIANT_SEPARATOR = "|"

PLACEHOLDER_PREFIX = "ZXQ"
_PLACEHOLDER = re.compile(r"(?P<left>[ \t]*)ZXQ(?P<number>\d+)(?P<right>[ \t]*)", re.IGNORECASE)
# Languages written without spaces between words.
UNSPACED_LANGUAGES = frozenset({"zh-hans", "zh-hant", "th", "lo", "km", "my"})
CHINESE = frozenset({"zh-hans", "zh-hant"})
_CLOSING = set(".,;:!?)]}%»”’、。，；：！？）」』")
_OPENING = set("([{«“‘（「『")
_SENTENCE_END = set(".!?。！？\n")
_QUOTES = set("\"'«“‘([（「『")

# Blocks of scripts written without spaces: Thai, Lao, Myanmar, Khmer, CJK and the Myanmar and Khmer
# extensions. A letter in any other script is a "spaced" word character for the boundary rule.
_UNSPACED_RANGES: tuple[tuple[int, int], ...] = (
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
    (0x19E0, 0x19FF),
    (0x2E80, 0x2FDF),
    (0x3000, 0x9FFF),
    (0xA9E0, 0xA9FF),
    (0xAA60, 0xAA7F),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)


def is_unspaced(char: str) -> bool:
    """Whether ``char`` belongs to a script written without spaces between words."""
    point = ord(char)
    return any(low <= point <= high for low, high in _UNSPACED_RANGES)


def _is_spaced_word_char(char: str) -> bool:
    """A letter, mark or digit of a script written with spaces (or ``_``): words do not end next to one."""
    if char == "_":
        return True
    return unicodedata.category(char)[0] in "LMN" and not is_unspaced(char)


def _is_mark(char: str) -> bool:
    return unicodedata.category(char)[0] == "M"


def _is_acronym(form: str) -> bool:
    """Capitals (and digits or signs) only, as FOB, 5G or L/C: matched as written."""
    return any(char.isupper() for char in form) and not any(char.islower() for char in form)


def clean_text(value: str) -> str:
    """NFC with runs of white space collapsed to one space and the ends trimmed."""
    return " ".join(unicodedata.normalize("NFC", value).split())


# --- the glossary in memory --------------------------------------------------------------------------


@dataclass(frozen=True)
class GlossaryEntry:
    """One concept as the matcher sees it."""

    key: str
    terms: dict[str, str]
    variants: dict[str, list[str]] = field(default_factory=dict)
    do_not_translate: bool = False

    def term_for(self, language: str) -> str | None:
        """The term written in ``language``: its own, else the English form when not translated."""
        own = self.terms.get(language)
        if own:
            return own
        if self.do_not_translate:
            return self.terms.get("en") or None
        return None

    def forms(self, language: str) -> list[str]:
        """Every form recognised in a ``language`` text, the preferred term first."""
        found: list[str] = []
        candidates = [self.terms.get(language, ""), *self.variants.get(language, [])]
        if self.do_not_translate:
            candidates.append(self.terms.get("en", ""))
        for form in candidates:
            if form and form not in found:
                found.append(form)
        return found


@dataclass(frozen=True)
class Match:
    """A glossary term found in a text: the concept, where it is, what the text says and which form matched."""

    key: str
    start: int
    end: int
    text: str
    form: str


@dataclass(frozen=True)
class _Form:
    key: str
    form: str
    pattern: re.Pattern[str]
    check_start: bool
    check_end: bool


class Glossary:
    """A snapshot of the glossary with one compiled matcher per language, built when first needed."""

    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        self.entries: dict[str, GlossaryEntry] = {entry.key: entry for entry in entries}
        self._forms: dict[str, list[_Form]] = {}

    def _forms_for(self, language: str) -> list[_Form]:
        if language not in self._forms:
            forms: list[_Form] = []
            for entry in self.entries.values():
                for form in entry.forms(language):
                    flags = 0 if _is_acronym(form) else re.IGNORECASE
                    forms.append(
                        _Form(
                            key=entry.key,
                            form=form,
                            pattern=re.compile(re.escape(form), flags),
                            check_start=_is_spaced_word_char(form[0]),
                            check_end=_is_spaced_word_char(form[-1]),
                        )
                    )
            self._forms[language] = forms
        return self._forms[language]

    def find(self, text: str, language: str) -> list[Match]:
        """Non-overlapping terms of ``language`` in ``text`` (NFC), in text order; see the module notes."""
        candidates: list[tuple[int, int, str, str]] = []
        for form in self._forms_for(language):
            position = 0
            while (found := form.pattern.search(text, position)) is not None:
                start, end = found.span()
                position = start + 1
                if form.check_start and start > 0 and _is_spaced_word_char(text[start - 1]):
                    continue
                if end < len(text) and (
                    _is_mark(text[end]) or (form.check_end and _is_spaced_word_char(text[end]))
                ):
                    continue
                candidates.append((start, end, form.key, form.form))
        candidates.sort(key=lambda item: (item[0] - item[1], item[0], item[2]))
        taken = bytearray(len(text))
        matches: list[Match] = []
        for start, end, key, surface in candidates:
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            matches.append(Match(key=key, start=start, end=end, text=text[start:end], form=surface))
        matches.sort(key=lambda match: match.start)
        return matches

    def target_term(self, key: str, target: str) -> str | None:
        entry = self.entries.get(key)
        return entry.term_for(target) if entry is not None else None


_cached: tuple[tuple[int, datetime | None], Glossary] | None = None


def forget_cached_glossary() -> None:
    """Drop this process's snapshot; the next lookup reads the glossary again."""
    global _cached
    _cached = None


def current_glossary() -> Glossary:
    """The glossary as stored, cached per process until a concept is added or changed (one cheap query)."""
    global _cached
    stats = GlossaryTerm.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    fingerprint = (int(stats["count"]), stats["latest"])
    if _cached is not None and _cached[0] == fingerprint:
        return _cached[1]
    rows = GlossaryTerm.objects.values_list("key", "terms", "variants", "do_not_translate")
    glossary = Glossary(
        GlossaryEntry(key=key, terms=terms, variants=variants, do_not_translate=dnt)
        for key, terms, variants, dnt in rows
    )
    _cached = (fingerprint, glossary)
    return glossary


def find_terms(text: str, source: str, *, glossary: Glossary | None = None) -> list[Match]:
    """Glossary terms of language ``source`` in ``text``; offsets index the NFC form of ``text``."""
    normalised = unicodedata.normalize("NFC", text)
    return (glossary or current_glossary()).find(normalised, source.lower())


# --- translation with the glossary -------------------------------------------------------------------


class TranslateBatch(Protocol):
    """Anything that translates a batch as an engine's ``translate_batch`` does."""

    def __call__(self, texts: list[str], *, source: str, target: str) -> list[str]: ...


class GlossaryMethod(StrEnum):
    """How a text was translated: no terms in it, terms kept through placeholders, or cut at its terms."""

    PLAIN = "plain"
    PLACEHOLDERS = "placeholders"
    SPLIT = "split"


@dataclass(frozen=True)
class AppliedTerm:
    """A glossary term written into a translation: the concept, the source text found and the term written."""

    key: str
    source_text: str
    target_text: str


@dataclass(frozen=True)
class GlossaryResult:
    """One translated text, the glossary terms it uses (in source order) and how they were kept."""

    text: str
    applied: tuple[AppliedTerm, ...]
    method: GlossaryMethod


@dataclass
class _Plan:
    text: str
    applied: list[AppliedTerm]
    matches: list[Match]
    method: GlossaryMethod
    batch_index: int | None = None
    pieces: list[tuple[str, int | None]] = field(default_factory=list)
    result: str = ""


def translate_with_glossary(
    texts: Sequence[str],
    *,
    source: str,
    target: str,
    translate_batch: TranslateBatch,
    glossary: Glossary | None = None,
) -> list[GlossaryResult]:
    """Translate ``texts`` so that every glossary term found is written as the glossary's target term.

    ``translate_batch`` is called at most twice: once with every text (terms replaced by placeholders), and
    once more with the pieces of the texts whose placeholders did not come back intact.
    """
    source, target = source.lower(), target.lower()
    glossary = glossary or current_glossary()
    plans: list[_Plan] = []
    batch: list[str] = []
    for original in texts:
        text = unicodedata.normalize("NFC", original)
        if not text.strip():
            plans.append(_Plan(text=original, applied=[], matches=[], method=GlossaryMethod.PLAIN))
            plans[-1].result = original
            continue
        matches = [
            match
            for match in glossary.find(text, source)
            if glossary.target_term(match.key, target) is not None
        ]
        applied = [
            AppliedTerm(match.key, match.text, glossary.target_term(match.key, target) or "")
            for match in matches
        ]
        plan = _Plan(text=text, applied=applied, matches=matches, method=GlossaryMethod.PLAIN)
        if not matches:
            plan.batch_index = len(batch)
            batch.append(text)
        elif PLACEHOLDER_PREFIX.casefold() in text.casefold():
            plan.method = GlossaryMethod.SPLIT
        else:
            plan.method = GlossaryMethod.PLACEHOLDERS
            plan.batch_index = len(batch)
            batch.append(_protect(text, matches))
        plans.append(plan)

    outputs = _translate(translate_batch, batch, source=source, target=target)
    for plan in plans:
        if plan.batch_index is None:
            continue
        output = outputs[plan.batch_index]
        if plan.method == GlossaryMethod.PLAIN:
            plan.result = output
            continue
        restored = _restore(output, [term.target_text for term in plan.applied], target)
        if restored is None:
            plan.method = GlossaryMethod.SPLIT
        else:
            plan.result = restored

    pieces: list[str] = []
    for plan in plans:
        if plan.method == GlossaryMethod.SPLIT:
            plan.pieces = _split(plan, pieces)
    translated = _translate(translate_batch, pieces, source=source, target=target)
    for plan in plans:
        if plan.method == GlossaryMethod.SPLIT:
            parts = [
                translated[index] if index is not None else text for text, index in plan.pieces
            ]
            plan.result = _join(parts, target)
    return [GlossaryResult(plan.result, tuple(plan.applied), plan.method) for plan in plans]


def _translate(
    translate_batch: TranslateBatch, texts: list[str], *, source: str, target: str
) -> list[str]:
    if not texts:
        return []
    outputs = list(translate_batch(texts, source=source, target=target))
    if len(outputs) != len(texts):
        raise RuntimeError(
            f"The engine returned {len(outputs)} translations for {len(texts)} texts."
        )
    return outputs


def _protect(text: str, matches: list[Match]) -> str:
    parts: list[str] = []
    position = 0
    for number, match in enumerate(matches, start=1):
        parts.append(text[position : match.start])
        parts.append(f"{PLACEHOLDER_PREFIX}{number}")
        position = match.end
    parts.append(text[position:])
    return "".join(parts)


def _restore(output: str, terms: list[str], target: str) -> str | None:
    """The output with each placeholder replaced by its term, or None unless each appears exactly once."""
    found = Counter(int(match.group("number")) for match in _PLACEHOLDER.finditer(output))
    if found != Counter(range(1, len(terms) + 1)):
        return None

    def replace(match: re.Match[str]) -> str:
        term = terms[int(match.group("number")) - 1]
        left, right = match.group("left"), match.group("right")
        before = output[: match.start()]
        after = output[match.end() :]
        if _starts_sentence(before + left):
            term = _capitalise(term)
        if target in CHINESE:
            if left and before and is_unspaced(before[-1]) and is_unspaced(term[0]):
                left = ""
            if right and after and is_unspaced(after[0]) and is_unspaced(term[-1]):
                right = ""
        return f"{left}{term}{right}"

    return _PLACEHOLDER.sub(replace, output)


def _starts_sentence(before: str) -> bool:
    stripped = before.rstrip()
    while stripped and stripped[-1] in _QUOTES:
        stripped = stripped[:-1].rstrip()
    return not stripped or stripped[-1] in _SENTENCE_END


def _capitalise(term: str) -> str:
    first = term[0]
    if first.islower() and first.upper() != first:
        return first.upper() + term[1:]
    return term


def _split(plan: _Plan, pieces: list[str]) -> list[tuple[str, int | None]]:
    """The text cut at its terms: pieces with letters go to ``pieces`` to be translated; terms stay."""
    parts: list[tuple[str, int | None]] = []

    def between(segment: str) -> None:
        segment = segment.strip()
        if not segment:
            return
        if any(unicodedata.category(char)[0] == "L" for char in segment):
            parts.append((segment, len(pieces)))
            pieces.append(segment)
        else:
            parts.append((segment, None))

    position = 0
    for match, term in zip(plan.matches, plan.applied, strict=True):
        between(plan.text[position : match.start])
        parts.append((term.target_text, None))
        position = match.end
    between(plan.text[position:])
    return parts


def _join(parts: list[str], target: str) -> str:
    """Pieces joined as ``target`` writes them: spaces between words, none inside Chinese or Thai text."""
    joined = ""
    for part in (part.strip() for part in parts):
        if not part:
            continue
        if joined and _needs_space(joined[-1], part[0], target):
            joined += " "
        joined += part
    return joined


def _needs_space(left: str, right: str, target: str) -> bool:
    if right in _CLOSING or left in _OPENING:
        return False
    if target not in UNSPACED_LANGUAGES:
        return True
    if target in CHINESE:
        return False
    # Thai, Lao, Khmer and Burmese join their own words without a space, but set Latin words apart.
    return _is_spaced_word_char(left) or _is_spaced_word_char(right)


# --- reads --------------------------------------------------------------------------------------------


def list_terms(*, q: str = "", domain: str = "", lang: str = "") -> QuerySet[GlossaryTerm]:
    """Glossary concepts, public to everyone: ``q`` searches keys and terms, ``lang`` keeps those with a term."""
    errors: list[FieldError] = []
    terms = GlossaryTerm.objects.all()
    if domain:
        if domain not in GlossaryDomain.values:
            errors.append(
                FieldError(
                    "domain", _("“%(domain)s” is not a glossary domain.") % {"domain": domain}
                )
            )
        terms = terms.filter(domain=domain)
    if lang:
        code = lang.lower()
        if code not in LANGUAGES:
            errors.append(
                FieldError("lang", _("“%(lang)s” is not a supported language.") % {"lang": lang})
            )
        terms = terms.filter(terms__has_key=code)
    if q:
        if len(q) > QUERY_MAX:
            errors.append(
                FieldError("q", _("Give at most %(limit)d characters.") % {"limit": QUERY_MAX})
            )
        terms = terms.filter(search_text__contains=clean_text(q).casefold())
    if errors:
        raise ValidationFailed.for_fields(errors)
    return terms


def get_term(key: str) -> GlossaryTerm:
    """One glossary concept by its key."""
    term = GlossaryTerm.objects.filter(key=key).first()
    if term is None:
        raise NotFound(_("There is no glossary concept “%(key)s”.") % {"key": key})
    return term


# --- writes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TermData:
    """A concept's fields after validation."""

    key: str
    domain: str
    terms: dict[str, str]
    variants: dict[str, list[str]]
    notes: str
    do_not_translate: bool
    source: str

    def as_fields(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "terms": self.terms,
            "variants": self.variants,
            "notes": self.notes,
            "do_not_translate": self.do_not_translate,
            "source": self.source,
            "search_text": _search_text(self.key, self.terms, self.variants),
        }


def _search_text(key: str, terms: dict[str, str], variants: dict[str, list[str]]) -> str:
    forms = [key, *terms.values(), *(form for forms in variants.values() for form in forms)]
    return "\n".join(form.casefold() for form in forms)


def _clean_term(value: Any, field_name: str, language: str, errors: list[FieldError]) -> str | None:
    if not isinstance(value, str):
        errors.append(FieldError(field_name, _("Give text.")))
        return None
    if language == "my" and is_zawgyi(value):
        # Burmese typed in the legacy Zawgyi encoding would never match the Unicode texts it is meant for.
        value = zawgyi_to_unicode(value)
    cleaned = clean_text(value)
    if not cleaned:
        errors.append(FieldError(field_name, _("Give the term; it cannot be empty.")))
        return None
    if len(cleaned) > TERM_MAX:
        errors.append(
            FieldError(field_name, _("Give at most %(limit)d characters.") % {"limit": TERM_MAX})
        )
        return None
    if PLACEHOLDER_PREFIX.casefold() in cleaned.casefold():
        errors.append(
            FieldError(
                field_name,
                _("A term cannot contain “%(token)s”, which translation uses for placeholders.")
                % {"token": PLACEHOLDER_PREFIX},
            )
        )
        return None
    return cleaned


def clean_term_data(
    *,
    key: Any,
    domain: Any,
    terms: Any,
    variants: Any = None,
    notes: Any = "",
    do_not_translate: Any = False,
    source: Any = "",
) -> TermData:
    """Validate a concept, naming every bad field: the key, the domain, each term and variant, notes, source.

    Terms need an English form (the reference for every other language); a form may belong to one concept
    only in each language, so a text never matches two concepts at the same place.
    """
    errors: list[FieldError] = []
    if not isinstance(key, str) or not KEY_PATTERN.match(key) or len(key) > KEY_MAX:
        errors.append(
            FieldError(
                "key",
                _(
                    "Give a key of at most %(limit)d lower-case letters and digits in words joined "
                    "by hyphens, e.g. bill-of-lading."
                )
                % {"limit": KEY_MAX},
            )
        )
    if domain not in GlossaryDomain.values:
        errors.append(
            FieldError(
                "domain",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(GlossaryDomain.values)},
            )
        )
    cleaned_terms: dict[str, str] = {}
    if not isinstance(terms, dict) or not terms:
        errors.append(FieldError("terms", _("Give at least the English term.")))
    else:
        for language, value in terms.items():
            code = str(language).lower()
            if code not in LANGUAGES:
                errors.append(
                    FieldError(
                        f"terms.{language}",
                        _("“%(lang)s” is not a supported language.") % {"lang": language},
                    )
                )
                continue
            term = _clean_term(value, f"terms.{language}", code, errors)
            if term is not None:
                cleaned_terms[code] = term
        if "en" not in {str(language).lower() for language in terms}:
            errors.append(FieldError("terms.en", _("Give the English term.")))
    cleaned_variants: dict[str, list[str]] = {}
    if variants is not None and not isinstance(variants, dict):
        errors.append(FieldError("variants", _("Give an object mapping language codes to lists.")))
    for language, values in (variants or {}).items() if isinstance(variants, dict) else []:
        code = str(language).lower()
        name = f"variants.{language}"
        if code not in LANGUAGES:
            errors.append(
                FieldError(name, _("“%(lang)s” is not a supported language.") % {"lang": language})
            )
            continue
        if not isinstance(values, list) or len(values) > VARIANTS_MAX:
            errors.append(
                FieldError(
                    name, _("Give a list of at most %(limit)d forms.") % {"limit": VARIANTS_MAX}
                )
            )
            continue
        if code not in cleaned_terms and not any(e.field == f"terms.{language}" for e in errors):
            errors.append(FieldError(name, _("Give the preferred term in this language first.")))
            continue
        forms: list[str] = []
        for index, value in enumerate(values):
            form = _clean_term(value, f"{name}.{index}", code, errors)
            known = [cleaned_terms.get(code, ""), *forms]
            if form is not None and form.casefold() not in {item.casefold() for item in known}:
                forms.append(form)
        if forms:
            cleaned_variants[code] = forms
    if not isinstance(notes, str) or len(notes) > NOTES_MAX:
        errors.append(
            FieldError("notes", _("Give at most %(limit)d characters.") % {"limit": NOTES_MAX})
        )
    if not isinstance(source, str) or len(source) > SOURCE_MAX:
        errors.append(
            FieldError("source", _("Give at most %(limit)d characters.") % {"limit": SOURCE_MAX})
        )
    if not isinstance(do_not_translate, bool):
        errors.append(FieldError("do_not_translate", _("Give true or false.")))
    if not errors:
        errors.extend(_clashes(str(key), cleaned_terms, cleaned_variants))
    if errors:
        raise ValidationFailed.for_fields(errors)
    return TermData(
        key=str(key),
        domain=str(domain),
        terms=cleaned_terms,
        variants=cleaned_variants,
        notes=str(notes).strip(),
        do_not_translate=bool(do_not_translate),
        source=clean_text(str(source)),
    )


def _clashes(key: str, terms: dict[str, str], variants: dict[str, list[str]]) -> list[FieldError]:
    """Forms another concept already uses in the same language."""
    taken: dict[tuple[str, str], str] = {}
    others = GlossaryTerm.objects.exclude(key=key).values_list("key", "terms", "variants")
    for other_key, other_terms, other_variants in others:
        for language, term in other_terms.items():
            taken[(language, str(term).casefold())] = other_key
        for language, forms in other_variants.items():
            for form in forms:
                taken[(language, str(form).casefold())] = other_key
    errors: list[FieldError] = []
    mine = [(f"terms.{code}", code, term) for code, term in terms.items()] + [
        (f"variants.{code}.{index}", code, form)
        for code, forms in variants.items()
        for index, form in enumerate(forms)
    ]
    for name, code, form in mine:
        owner = taken.get((code, form.casefold()))
        if owner is not None:
            errors.append(
                FieldError(
                    name,
                    _("“%(term)s” is already a term of the concept “%(key)s”.")
                    % {"term": form, "key": owner},
                )
            )
    return errors


def _write(data: TermData, *, actor: Actor) -> tuple[GlossaryTerm, bool]:
    """Create or update the concept ``data.key``; write and audit only when something differs."""
    fields = data.as_fields()
    now = timezone.now()
    existing = GlossaryTerm.objects.select_for_update().filter(key=data.key).first()
    if existing is None:
        try:
            with transaction.atomic():
                term = GlossaryTerm.objects.create(
                    key=data.key,
                    updated_by_id=actor.user_id,
                    created_at=now,
                    updated_at=now,
                    **fields,
                )
                record_audit(actor, "language.glossary_term.created", term)
            transaction.on_commit(forget_cached_glossary)
            forget_cached_glossary()
            return term, True
        except IntegrityError:
            # Someone created the same key at the same moment: this write becomes an update of theirs.
            existing = GlossaryTerm.objects.select_for_update().get(key=data.key)
    changed = [name for name, value in fields.items() if getattr(existing, name) != value]
    if not changed:
        return existing, False
    for name in changed:
        setattr(existing, name, fields[name])
    existing.updated_by_id = actor.user_id
    existing.updated_at = now
    existing.save(update_fields=[*changed, "updated_by", "updated_at"])
    record_audit(
        actor,
        "language.glossary_term.updated",
        existing,
        fields=[name for name in changed if name != "search_text"],
    )
    transaction.on_commit(forget_cached_glossary)
    forget_cached_glossary()
    return existing, False


@transaction.atomic
def save_term(
    *,
    actor: Actor,
    key: Any,
    domain: Any,
    terms: Any,
    variants: Any = None,
    notes: Any = "",
    do_not_translate: Any = False,
    source: Any = "",
) -> tuple[GlossaryTerm, bool]:
    """Create or replace a glossary concept (platform staff, administrators of verified organisations).

    What is given replaces what was stored: terms and variants left out are removed. Returns the concept
    and whether it was created.
    """
    require(actor, perms.EDIT_GLOSSARY)
    data = clean_term_data(
        key=key,
        domain=domain,
        terms=terms,
        variants=variants,
        notes=notes,
        do_not_translate=do_not_translate,
        source=source,
    )
    return _write(data, actor=actor)


@dataclass
class GlossaryLoadReport:
    """What one load of the bundled glossary did: concepts created, updated, already equal, kept as edited."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept": self.kept,
        }


def read_glossary_file(path: Path = GLOSSARY_FILE) -> list[dict[str, Any]]:
    """The concepts of a glossary CSV (UTF-8): one row per concept, one column per language.

    A language cell holds the preferred term, then any variants, separated by ``|``.
    """
    concepts: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            terms: dict[str, str] = {}
            variants: dict[str, list[str]] = {}
            for language in LANGUAGES:
                forms = [
                    form.strip() for form in (row.get(language) or "").split(VARIANT_SEPARATOR)
                ]
                forms = [form for form in forms if form]
                if forms:
                    terms[language] = forms[0]
                if len(forms) > 1:
                    variants[language] = forms[1:]
            concepts.append(
                {
                    "key": row["key"],
                    "domain": row["domain"],
                    "terms": terms,
                    "variants": variants,
                    "notes": row.get("notes") or "",
                    "do_not_translate": (row.get("do_not_translate") or "").lower() == "yes",
                    "source": row.get("source") or "",
                }
            )
    return concepts


def load_glossary(*, actor: Actor | None = None, path: Path = GLOSSARY_FILE) -> GlossaryLoadReport:
    """Load the bundled glossary: create missing concepts, update those only the loader ever wrote.

    A concept someone edited on the platform (``updated_by`` set) is kept as edited. Running the load again
    changes nothing. Used by the demo loader; reference loading may call it too.
    """
    actor = actor or Actor.system("glossary-loader")
    require(actor, perms.EDIT_GLOSSARY)
    report = GlossaryLoadReport()
    with transaction.atomic():
        edited = set(
            GlossaryTerm.objects.filter(updated_by__isnull=False).values_list("key", flat=True)
        )
        for concept in read_glossary_file(path):
            if concept["key"] in edited:
                report.kept += 1
                continue
            before = (
                GlossaryTerm.objects.filter(key=concept["key"])
                .values_list("updated_at", flat=True)
                .first()
            )
            try:
                data = clean_term_data(**concept)
            except ValidationFailed as error:
                fields = ", ".join(item.field for item in error.errors)
                raise ValidationFailed(
                    _("The glossary file has invalid fields for “%(key)s”: %(fields)s.")
                    % {"key": concept["key"], "fields": fields},
                    error.errors,
                ) from None
            term, created = _write(data, actor=actor)
            if created:
                report.created += 1
            elif before != term.updated_at:
                report.updated += 1
            else:
                report.unchanged += 1
    return report
