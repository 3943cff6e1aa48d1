"""Glossary and translation-memory API, mounted inside the language router (``/api/v1/language``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from harbor.core.api import Problem, actor_of, anyone, signed_in
from harbor.core.errors import FieldError, ValidationFailed
from harbor.core.pagination import paginate
from harbor.language import glossary, memory
from harbor.language.models import GlossaryTerm, TranslationUnit
from harbor.language.schemas import (
    GlossaryPage,
    GlossaryTermRead,
    GlossaryTermWrite,
    MemoryLookupRead,
    TranslationUnitRead,
    TranslationUnitWrite,
)

router = Router(tags=["language"])
WRITE_ERRORS = {401: Problem, 403: Problem, 422: Problem}
MIN_SCORE_RANGE = (50, 100)


def term_out(term: GlossaryTerm) -> dict[str, Any]:
    return {
        "key": term.key,
        "domain": term.domain,
        "terms": term.terms,
        "variants": term.variants,
        "notes": term.notes,
        "do_not_translate": term.do_not_translate,
        "source": term.source,
        "updated_at": term.updated_at,
    }


def unit_out(unit: TranslationUnit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "source": unit.source_language,
        "target": unit.target_language,
        "source_text": unit.source_text,
        "target_text": unit.target_text,
        "origin": unit.origin,
        "organisation": unit.organisation.slug if unit.organisation is not None else None,
        "organisation_verified": unit.organisation_verified,
        "uses": unit.uses,
        "created_at": unit.created_at,
        "updated_at": unit.updated_at,
    }


@router.get(
    "/glossary",
    response={200: GlossaryPage, 422: Problem},
    auth=anyone,
    operation_id="list_glossary_terms",
)
def list_glossary(
    request: HttpRequest,
    q: str = "",
    domain: str = "",
    lang: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> object:
    """Glossary concepts by key: ``q`` searches keys and terms, ``lang`` keeps those with a term in it."""
    terms = glossary.list_terms(q=q, domain=domain, lang=lang)
    page = paginate(terms, cursor=cursor, limit=limit, order=("key",))
    return {"items": [term_out(term) for term in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/glossary",
    response={200: GlossaryTermRead, 201: GlossaryTermRead, **WRITE_ERRORS},
    auth=signed_in,
    operation_id="save_glossary_term",
)
def save_glossary_term(request: HttpRequest, payload: GlossaryTermWrite) -> object:
    """Create (201) or replace (200) a concept: platform staff and administrators of verified organisations."""
    term, created = glossary.save_term(actor=actor_of(request), **payload.dict())
    return (201 if created else 200), term_out(term)


@router.get(
    "/glossary/{key}",
    response={200: GlossaryTermRead, 404: Problem},
    auth=anyone,
    operation_id="get_glossary_term",
)
def get_glossary_term(request: HttpRequest, key: str) -> object:
    return term_out(glossary.get_term(key))


@router.post(
    "/memory",
    response={200: TranslationUnitRead, 201: TranslationUnitRead, **WRITE_ERRORS},
    auth=signed_in,
    operation_id="remember_translation",
)
def remember_translation(request: HttpRequest, payload: TranslationUnitWrite) -> object:
    """Add a translation a person approved to the shared memory (201), or correct your organisation's (200)."""
    unit, created = memory.remember(
        payload.source_text,
        payload.target_text,
        source=payload.source,
        target=payload.target,
        actor=actor_of(request),
        origin=payload.origin,
    )
    return (201 if created else 200), unit_out(unit)


@router.get(
    "/memory/lookup",
    response={200: MemoryLookupRead, 401: Problem, 422: Problem},
    auth=signed_in,
    operation_id="lookup_translation_memory",
)
def lookup_memory(
    request: HttpRequest,
    text: str,
    source: str,
    target: str,
    fuzzy: bool = True,
    min_score: int = memory.DEFAULT_THRESHOLD,
) -> object:
    """The remembered translation of ``text``: exact, else the most similar scoring at least ``min_score``."""
    errors: list[FieldError] = []
    if not memory.normalise_segment(text):
        errors.append(FieldError("text", _("Give the text; it cannot be empty.")))
    elif len(text) > memory.SEGMENT_MAX:
        errors.append(
            FieldError(
                "text", _("Give at most %(limit)d characters.") % {"limit": memory.SEGMENT_MAX}
            )
        )
    low, high = MIN_SCORE_RANGE
    if not low <= min_score <= high:
        errors.append(
            FieldError(
                "min_score",
                _("Give a score between %(low)d and %(high)d.") % {"low": low, "high": high},
            )
        )
    if errors:
        raise ValidationFailed.for_fields(errors)
    found = memory.lookup(text, source=source, target=target, fuzzy=fuzzy, threshold=min_score)
    if found is None:
        return {"match": None}
    return {
        "match": {
            "kind": found.kind,
            "score": round(float(found.score), 2),
            "unit": unit_out(found.unit),
        }
    }
