"""Translation memory: translations approved by people, found again for the same or a similar segment.

Segments are compared in a normalised form: NFC, ends trimmed, every run of white space one space (and
Burmese in Zawgyi converted to Unicode). An exact lookup is one indexed query on the SHA-256 of that form.

A fuzzy lookup looks at the units of the same language pair whose source is within ±20 % of the length of
the text (at most ``MAX_CANDIDATES`` of them, the most used first) and scores each with RapidFuzz's
``fuzz.ratio`` (100 × (1 − Indel distance ÷ total length)), computed as an exact fraction so a score of
exactly 90 passes a threshold of 90. Units below the threshold (``HARBOR_TM_FUZZY_THRESHOLD``, default 90)
are not matches.

Which unit wins when several match:

- exact: a unit approved for a verified organisation first; then a human translation before an approved
  machine translation; then the most recently updated; then the highest id;
- fuzzy: among the units scoring within ``TIE_MARGIN`` (2 points) of the best score, a unit approved for a
  verified organisation first; then the higher score; then human before machine-approved; then the most
  recently updated; then the highest id.

A fuzzy match is a suggestion for a translator: a different sentence (another number, another name) must
never silently take the translation of a similar one, so ``lookup_many`` looks for exact matches only
unless asked.

Remembering a translation adds it to the memory every reader's translations draw on: it is shared, not
private to the organisation that approved it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from harbor.core.actors import Actor
from harbor.core.audit import record_audit
from harbor.core.errors import FieldError, ValidationFailed
from harbor.core.permissions import require
from harbor.language import permissions as perms
from harbor.language.choices import MatchKind, TranslationOrigin
from harbor.language.models import TranslationUnit
from harbor.reference.catalogue import CONTENT_LANGUAGES
from harbor.search.text import is_zawgyi, zawgyi_to_unicode

LANGUAGES = frozenset(code.lower() for code in CONTENT_LANGUAGES)
DEFAULT_THRESHOLD = 90
TIE_MARGIN = Fraction(2)
MAX_CANDIDATES = 500
SEGMENT_MAX = 5000
EXACT_BATCH = 500  # hashes per query, well under every database's limit of bound parameters


def normalise_segment(text: str, language: str = "") -> str:
    """The form segments are stored and compared in: NFC, trimmed, runs of white space collapsed."""
    if language == "my" and is_zawgyi(text):
        text = zawgyi_to_unicode(text)
    return " ".join(unicodedata.normalize("NFC", text).split())


def segment_hash(normalised: str) -> str:
    """SHA-256 of a normalised segment, the key of exact lookups."""
    return hashlib.sha256(normalised.encode()).hexdigest()


def length_window(length: int) -> tuple[int, int]:
    """The source lengths a fuzzy lookup considers for a text of ``length`` characters: ±20 %, inclusive."""
    return -(-length * 4 // 5), length * 6 // 5


def similarity(first: str, second: str) -> Fraction:
    """``fuzz.ratio`` as an exact fraction: 100 × (1 − Indel distance ÷ total length)."""
    total = len(first) + len(second)
    if total == 0:
        return Fraction(100)
    return Fraction(100 * (total - Indel.distance(first, second)), total)


def fuzzy_threshold() -> Fraction:
    return Fraction(str(getattr(settings, "HARBOR_TM_FUZZY_THRESHOLD", DEFAULT_THRESHOLD)))


@dataclass(frozen=True)
class MemoryMatch:
    """A unit found for a text, its similarity score (100 for exact) and whether it matched exactly."""

    unit: TranslationUnit
    score: Fraction
    kind: MatchKind

    @property
    def exact(self) -> bool:
        return self.kind == MatchKind.EXACT


def _pair(source: str, target: str) -> tuple[str, str]:
    """Both codes lower-cased and checked: supported content languages, and not the same one."""
    errors: list[FieldError] = []
    codes = {"source": source.lower(), "target": target.lower()}
    for name, code in codes.items():
        if code not in LANGUAGES:
            errors.append(
                FieldError(name, _("“%(lang)s” is not a supported language.") % {"lang": code})
            )
    if not errors and codes["source"] == codes["target"]:
        errors.append(FieldError("target", _("Choose a language other than the source language.")))
    if errors:
        raise ValidationFailed.for_fields(errors)
    return codes["source"], codes["target"]


def _units(source: str, target: str) -> QuerySet[TranslationUnit]:
    return TranslationUnit.objects.filter(
        source_language=source, target_language=target
    ).select_related("organisation")


def _exact_units(hashes: Sequence[str], source: str, target: str) -> list[TranslationUnit]:
    """Units with one of ``hashes`` in a language pair, through the exact-lookup index.

    This is the hot path of every translation, so it runs a fixed SQL statement: compiling the equivalent
    ORM query costs several times more than the indexed search itself. The organisation is loaded only
    when read.
    """
    table = connection.ops.quote_name(TranslationUnit._meta.db_table)
    marks = ", ".join(["%s"] * len(hashes))
    sql = (
        f"SELECT * FROM {table} WHERE source_hash IN ({marks}) "  # noqa: S608 - fixed names, bound values
        "AND source_language = %s AND target_language = %s"
    )
    return list(TranslationUnit.objects.raw(sql, [*hashes, source, target]))


def _exact_rank(unit: TranslationUnit) -> tuple[Any, ...]:
    return (
        not unit.organisation_verified,
        unit.origin != TranslationOrigin.HUMAN,
        -unit.updated_at.timestamp(),
        -unit.pk,
    )


def _best_exact(units: Iterable[TranslationUnit], normalised: str) -> TranslationUnit | None:
    same = [unit for unit in units if unit.source_text == normalised]
    return min(same, key=_exact_rank) if same else None


def _fuzzy(normalised: str, source: str, target: str, threshold: Fraction) -> MemoryMatch | None:
    low, high = length_window(len(normalised))
    candidates = list(
        TranslationUnit.objects.filter(
            source_language=source,
            target_language=target,
            source_length__gte=low,
            source_length__lte=high,
        )
        .order_by("-uses", "-id")
        .values_list("id", "source_text")[:MAX_CANDIDATES]
    )
    if not candidates:
        return None
    # RapidFuzz's float scores only preselect; the exact fraction decides against the threshold.
    rough = process.extract(
        normalised,
        [text for _id, text in candidates],
        scorer=fuzz.ratio,
        score_cutoff=max(float(threshold) - 1, 0),
        limit=None,
    )
    scores: dict[int, Fraction] = {}
    for _choice, _rough, index in rough:
        unit_id, text = candidates[index]
        score = similarity(normalised, text)
        if score >= threshold:
            scores[unit_id] = score
    if not scores:
        return None
    best = max(scores.values())
    contenders = [unit_id for unit_id, score in scores.items() if best - score <= TIE_MARGIN]
    unit = min(
        _units(source, target).filter(pk__in=contenders),
        key=lambda unit: (
            not unit.organisation_verified,
            -scores[unit.pk],
            unit.origin != TranslationOrigin.HUMAN,
            -unit.updated_at.timestamp(),
            -unit.pk,
        ),
    )
    return MemoryMatch(unit=unit, score=scores[unit.pk], kind=MatchKind.FUZZY)


def lookup(
    text: str,
    *,
    source: str,
    target: str,
    fuzzy: bool = True,
    threshold: int | Fraction | None = None,
) -> MemoryMatch | None:
    """The remembered translation of ``text``: exact by hash first, else (if ``fuzzy``) the best similar one."""
    source, target = _pair(source, target)
    normalised = normalise_segment(text, source)
    if not normalised:
        return None
    unit = _best_exact(_exact_units([segment_hash(normalised)], source, target), normalised)
    if unit is not None:
        return MemoryMatch(unit=unit, score=Fraction(100), kind=MatchKind.EXACT)
    if not fuzzy:
        return None
    limit = fuzzy_threshold() if threshold is None else Fraction(threshold)
    return _fuzzy(normalised, source, target, limit)


def lookup_many(
    texts: Sequence[str],
    *,
    source: str,
    target: str,
    fuzzy: bool = False,
    threshold: int | Fraction | None = None,
) -> list[MemoryMatch | None]:
    """Matches for many segments, in order: exact ones in one query per 500 segments; fuzzy if asked."""
    source, target = _pair(source, target)
    normalised = [normalise_segment(text, source) for text in texts]
    hashes = sorted({segment_hash(text) for text in normalised if text})
    by_hash: dict[str, list[TranslationUnit]] = {}
    for start in range(0, len(hashes), EXACT_BATCH):
        for found in _exact_units(hashes[start : start + EXACT_BATCH], source, target):
            by_hash.setdefault(found.source_hash, []).append(found)
    limit = fuzzy_threshold() if threshold is None else Fraction(threshold)
    matches: list[MemoryMatch | None] = []
    for text in normalised:
        if not text:
            matches.append(None)
            continue
        unit = _best_exact(by_hash.get(segment_hash(text), []), text)
        if unit is not None:
            matches.append(MemoryMatch(unit=unit, score=Fraction(100), kind=MatchKind.EXACT))
        elif fuzzy:
            matches.append(_fuzzy(text, source, target, limit))
        else:
            matches.append(None)
    return matches


def record_uses(units: Iterable[TranslationUnit | int]) -> int:
    """Count one use of each unit (a counter for ranking candidates, not an edit: not audited)."""
    ids = {unit if isinstance(unit, int) else unit.pk for unit in units}
    if not ids:
        return 0
    return TranslationUnit.objects.filter(pk__in=ids).update(uses=F("uses") + 1)


def _clean_segment(value: str, name: str, language: str, errors: list[FieldError]) -> str:
    cleaned = normalise_segment(value, language) if isinstance(value, str) else ""
    if not cleaned:
        errors.append(FieldError(name, _("Give the text; it cannot be empty.")))
    elif len(cleaned) > SEGMENT_MAX:
        errors.append(
            FieldError(name, _("Give at most %(limit)d characters.") % {"limit": SEGMENT_MAX})
        )
    return cleaned


def remember(
    source_text: str,
    target_text: str,
    *,
    source: str,
    target: str,
    actor: Actor,
    origin: str = TranslationOrigin.HUMAN,
) -> tuple[TranslationUnit, bool]:
    """Store a translation a person approved (members of verified organisations, platform staff).

    Each organisation keeps one unit per source segment and language pair: remembering the same segment
    again replaces its translation (a correction). Returns the unit and whether it was created.
    """
    require(actor, perms.REMEMBER_TRANSLATION)
    errors: list[FieldError] = []
    try:
        source, target = _pair(source, target)
    except ValidationFailed as error:
        errors.extend(error.errors)
    source_clean = _clean_segment(source_text, "source_text", source, errors)
    target_clean = _clean_segment(target_text, "target_text", target, errors)
    if origin not in TranslationOrigin.values:
        errors.append(
            FieldError(
                "origin",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(TranslationOrigin.values)},
            )
        )
    if errors:
        raise ValidationFailed.for_fields(errors)
    digest = segment_hash(source_clean)
    with transaction.atomic():
        unit = _own_unit(source, target, digest, actor).first()
        if unit is None:
            try:
                with transaction.atomic():
                    unit = _create_unit(
                        source, target, source_clean, digest, target_clean, origin, actor
                    )
                return unit, True
            except IntegrityError:
                # Someone of the same organisation remembered the segment at the same moment.
                unit = _own_unit(source, target, digest, actor).get()
        if unit.target_text == target_clean and unit.origin == origin:
            return unit, False
        unit.target_text = target_clean
        unit.origin = origin
        unit.approved_by_id = actor.user_id
        unit.organisation_verified = actor.organisation_verified
        unit.updated_at = timezone.now()
        unit.save(
            update_fields=[
                "target_text",
                "origin",
                "approved_by",
                "organisation_verified",
                "updated_at",
            ]
        )
        record_audit(actor, "language.translation_unit.updated", unit, source=source, target=target)
        return unit, False


def _own_unit(source: str, target: str, digest: str, actor: Actor) -> QuerySet[TranslationUnit]:
    units = TranslationUnit.objects.select_for_update().filter(
        source_language=source, target_language=target, source_hash=digest
    )
    if actor.organisation_id is None:
        return units.filter(organisation__isnull=True)
    return units.filter(organisation_id=actor.organisation_id)


def _create_unit(
    source: str,
    target: str,
    source_text: str,
    digest: str,
    target_text: str,
    origin: str,
    actor: Actor,
) -> TranslationUnit:
    now = timezone.now()
    unit = TranslationUnit.objects.create(
        source_language=source,
        target_language=target,
        source_text=source_text,
        source_hash=digest,
        source_length=len(source_text),
        target_text=target_text,
        origin=origin,
        approved_by_id=actor.user_id,
        organisation_id=actor.organisation_id,
        organisation_verified=actor.organisation_verified,
        created_at=now,
        updated_at=now,
    )
    record_audit(actor, "language.translation_unit.created", unit, source=source, target=target)
    return unit
