"""Translation of texts between the harbor's languages: the translation memory first, then a machine
translation engine with the glossary enforced, and every result saying how it was made.

Business rules:
- A text is cut into sentences (``engines.segments``); each sentence is looked up in the translation
  memory: an exact match is reused; a fuzzy match (similarity at least ``HARBOR_TM_FUZZY_THRESHOLD``) is
  reused only when the sentence and the unit's source hold the same numbers, since a near match that
  differs in a quantity, a date or a code would translate it wrongly. Human-approved translations by
  verified members win (``memory.lookup_many``).
- The sentences the memory does not hold go to the engine in one batch, through
  ``glossary.translate_with_glossary``, so trade and ICT terms always come out as the glossary writes them.
- Provenance of a text: ``original`` when source and target are the same language; ``memory`` when every
  sentence came from the memory; ``machine`` (with the engine, e.g. ``opus-mt-th-en → opus-mt-en-lo``)
  when any sentence was machine-translated.
- Without a usable engine the memory matches are still served: a text whose sentences are all in memory is
  translated; the others come back untranslated (``text`` None) with the reason, and the glossary terms
  found in them are listed with their target terms, so a reader still gets the key terms right.
- Limits: at most ``MAX_TEXTS`` texts and ``MAX_CHARACTERS`` characters in all per call; empty texts are
  refused with the field named.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from harbor.core.actors import Actor
from harbor.core.errors import FieldError, ValidationFailed
from harbor.language import glossary, memory
from harbor.language.engines import registry
from harbor.language.engines.base import EngineError, validate_language
from harbor.language.engines.segments import join_segments, split_segments

MAX_TEXTS = 50
MAX_CHARACTERS = 20_000


class Provenance:
    ORIGINAL = "original"
    MEMORY = "memory"
    MACHINE = "machine"


@dataclass(frozen=True)
class GlossaryHit:
    """A glossary term found in a source text, with the term the target language uses."""

    key: str
    source_text: str
    target_text: str

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "source": self.source_text, "target": self.target_text}


@dataclass(frozen=True)
class TranslatedText:
    """One text translated, or ``text`` None when no engine could translate what the memory lacked."""

    source_text: str
    text: str | None
    provenance: str | None
    engine: str = ""
    memory_segments: int = 0
    machine_segments: int = 0
    glossary: tuple[GlossaryHit, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "provenance": self.provenance,
            "engine": self.engine,
            "memory_segments": self.memory_segments,
            "machine_segments": self.machine_segments,
            "glossary": [hit.as_dict() for hit in self.glossary],
        }


@dataclass(frozen=True)
class TranslationOutcome:
    source: str
    target: str
    items: list[TranslatedText]
    available: bool = True
    message: str = ""
    error_code: str = ""
    engine: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _check(texts: list[str], source: str, target: str) -> tuple[str, str]:
    errors: list[FieldError] = []
    for name, code in (("source", source), ("target", target)):
        try:
            validate_language((code or "").lower(), field=name)
        except ValidationFailed as failure:
            errors.extend(failure.errors)
    if not texts:
        errors.append(FieldError("texts", _("Give at least one text to translate.")))
    if len(texts) > MAX_TEXTS:
        errors.append(
            FieldError("texts", _("At most %(count)d texts at a time.") % {"count": MAX_TEXTS})
        )
    for index, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            errors.append(FieldError(f"texts[{index}]", _("The text is empty.")))
    if sum(len(text) for text in texts if isinstance(text, str)) > MAX_CHARACTERS:
        errors.append(
            FieldError(
                "texts",
                _("At most %(count)d characters at a time.") % {"count": MAX_CHARACTERS},
            )
        )
    if errors:
        raise ValidationFailed.for_fields(errors)
    return source.lower(), target.lower()


def _glossary_hits(text: str, source: str, target: str) -> tuple[GlossaryHit, ...]:
    current = glossary.current_glossary()
    hits = []
    for match in glossary.find_terms(text, source, glossary=current):
        term = current.target_term(match.key, target)
        if term:
            hits.append(GlossaryHit(match.key, match.text, term))
    return tuple(hits)


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _same_numbers(segment: str, match: memory.MemoryMatch) -> bool:
    """A fuzzy match is safe to reuse only when it holds exactly the same numbers as the sentence."""
    numbers = _NUMBER.findall(unicodedata.normalize("NFKC", segment))
    return numbers == _NUMBER.findall(unicodedata.normalize("NFKC", match.unit.source_text))


def _machine(texts: list[str], *, source: str, target: str) -> list[str]:
    return registry.translate(texts, source=source, target=target).texts


def translate_texts(texts: list[str], *, source: str, target: str) -> TranslationOutcome:
    """Translate ``texts`` from ``source`` to ``target`` (see the module's rules)."""
    source, target = _check(list(texts), source, target)
    if source == target:
        same = [TranslatedText(text, text, Provenance.ORIGINAL) for text in texts]
        return TranslationOutcome(source, target, same)

    split = [split_segments(text) for text in texts]
    segments = [segment for parts, _glue in split for segment in parts]
    matches = [
        match if match is None or match.exact or _same_numbers(segment, match) else None
        for segment, match in zip(
            segments,
            memory.lookup_many(segments, source=source, target=target, fuzzy=True),
            strict=True,
        )
    ]
    translated: dict[int, str] = {}
    used_units = []
    for index, match in enumerate(matches):
        if match is not None:
            translated[index] = match.unit.target_text
            used_units.append(match.unit)
    missing = [index for index in range(len(segments)) if index not in translated]

    outcome_error: EngineError | None = None
    engine = ""
    if missing:
        unique = sorted({segments[index] for index in missing})
        try:
            plan = registry.plan_translation(source=source, target=target)
            engine = plan.label
            results = glossary.translate_with_glossary(
                unique,
                source=source,
                target=target,
                translate_batch=_machine,
            )
        except EngineError as error:
            outcome_error = error
        else:
            by_text = {text: result.text for text, result in zip(unique, results, strict=True)}
            for index in missing:
                translated[index] = by_text[segments[index]]
    memory.record_uses(used_units)

    items: list[TranslatedText] = []
    position = 0
    for text, (parts, glue) in zip(texts, split, strict=True):
        indexes = range(position, position + len(parts))
        position += len(parts)
        from_memory = sum(1 for index in indexes if matches[index] is not None)
        by_machine = len(parts) - from_memory
        if all(index in translated for index in indexes):
            items.append(
                TranslatedText(
                    source_text=text,
                    text=join_segments([translated[index] for index in indexes], glue),
                    provenance=Provenance.MACHINE if by_machine else Provenance.MEMORY,
                    engine=engine if by_machine else "",
                    memory_segments=from_memory,
                    machine_segments=by_machine,
                    glossary=_glossary_hits(text, source, target),
                )
            )
        else:
            items.append(
                TranslatedText(
                    source_text=text,
                    text=None,
                    provenance=None,
                    memory_segments=from_memory,
                    glossary=_glossary_hits(text, source, target),
                )
            )
    if outcome_error is not None:
        return TranslationOutcome(
            source,
            target,
            items,
            available=False,
            message=str(outcome_error.detail),
            error_code=str(outcome_error.code),
            extra=dict(outcome_error.extra),
        )
    return TranslationOutcome(source, target, items, engine=engine)


def remember_correction(
    original: str, corrected: str, *, source: str, target: str, actor: Actor
) -> int:
    """Store a person's corrected translation in the translation memory so it is reused next time.

    When the original and the correction have the same number of sentences, each sentence pair is
    remembered on its own (so it is found inside other texts); otherwise the whole text is one unit.
    Returns how many units were stored. Permission and audit are the memory's (``memory.remember``).
    """
    original, corrected = original.strip(), corrected.strip()
    if not original or not corrected:
        raise ValidationFailed.for_field("text", _("The correction is empty."))
    sources, _glue = split_segments(original)
    targets, _glue = split_segments(corrected)
    pairs = list(zip(sources, targets, strict=True)) if len(sources) == len(targets) else []
    pairs = pairs or [(original, corrected)]
    for source_text, target_text in pairs:
        memory.remember(source_text, target_text, source=source, target=target, actor=actor)
    return len(pairs)
