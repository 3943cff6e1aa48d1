"""Writing to and reading from the search index.

Other apps publish documents through ``index_documents`` (after their own transaction commits) and query
through ``search_documents`` with the access keys of the reader; the index never decides who may see what,
it only applies the keys it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.db import transaction

from harbor.search.engine import SearchQuery, SearchResult, backend
from harbor.search.models import SearchDocument, SearchFacet
from harbor.search.text import highlight_spans, index_terms, query_terms

SNIPPET_WIDTH = 180


@dataclass(frozen=True)
class IndexDocument:
    """What an app hands to the index for one object."""

    source: str
    object_id: int
    texts: dict[str, str]
    access_keys: list[str]
    kind: str = ""
    country: str = ""
    date: date | None = None
    facets: dict[str, list[str]] = field(default_factory=dict)


def _batches(items: Iterable[IndexDocument], size: int) -> Iterable[list[IndexDocument]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def index_documents(
    documents: Iterable[IndexDocument],
    *,
    batch_size: int = 2000,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Add or replace documents (by source and object id); returns how many were written."""
    written = 0
    for batch in _batches(documents, batch_size):
        rows = [
            SearchDocument(
                source=doc.source,
                object_id=doc.object_id,
                texts=doc.texts,
                terms=" ".join(term for text in doc.texts.values() for term in index_terms(text)),
                acl_terms=" ".join(key.lower() for key in doc.access_keys),
                kind=doc.kind,
                country=doc.country,
                date=doc.date,
            )
            for doc in batch
        ]
        with transaction.atomic():
            by_source: dict[str, list[int]] = {}
            for doc in batch:
                by_source.setdefault(doc.source, []).append(doc.object_id)
            for source, ids in by_source.items():
                SearchDocument.objects.filter(source=source, object_id__in=ids).delete()
            created = SearchDocument.objects.bulk_create(rows, batch_size=batch_size)
            facets = [
                SearchFacet(document_id=row.pk, name=name, value=str(value)[:60])
                for row, doc in zip(created, batch, strict=True)
                for name, values in _facets_of(doc).items()
                for value in dict.fromkeys(values)
            ]
            SearchFacet.objects.bulk_create(facets, batch_size=5000)
        written += len(batch)
        if progress is not None:
            progress(len(batch))
    return written


def _facets_of(doc: IndexDocument) -> dict[str, list[str]]:
    facets = dict(doc.facets)
    if doc.kind:
        facets.setdefault("kind", [doc.kind])
    if doc.country:
        facets.setdefault("country", [doc.country])
    return facets


def remove_documents(source: str, object_ids: Iterable[int]) -> int:
    deleted, _by_model = SearchDocument.objects.filter(
        source=source, object_id__in=list(object_ids)
    ).delete()
    return deleted


@dataclass(frozen=True)
class Snippet:
    """A short passage of the original text; ``parts`` alternate plain and highlighted text."""

    language: str
    parts: list[tuple[str, bool]]


def make_snippet(texts: dict[str, str], terms: list[str], preferred: str = "") -> Snippet | None:
    """A passage around the first match, from the reader's language when it matches, else any language."""
    ordered = sorted(texts.items(), key=lambda item: item[0] != preferred)
    fallback: Snippet | None = None
    for language, text in ordered:
        spans = highlight_spans(text, terms)
        if not spans:
            if fallback is None and text:
                fallback = Snippet(language, [(_shorten(text, 0), False)])
            continue
        start = max(0, spans[0][0] - SNIPPET_WIDTH // 3)
        end = min(len(text), start + SNIPPET_WIDTH)
        parts: list[tuple[str, bool]] = []
        cursor = start
        for span_start, span_end in spans:
            if span_start < cursor or span_end > end:
                continue
            parts.append((text[cursor:span_start], False))
            parts.append((text[span_start:span_end], True))
            cursor = span_end
        parts.append((text[cursor:end], False))
        if start > 0:
            parts.insert(0, ("…", False))
        if end < len(text):
            parts.append(("…", False))
        return Snippet(language, [part for part in parts if part[0]])
    return None if not terms else fallback


def _shorten(text: str, start: int) -> str:
    passage = text[start : start + SNIPPET_WIDTH]
    return passage + ("…" if len(text) > start + SNIPPET_WIDTH else "")


@dataclass
class FoundDocument:
    object_id: int
    score: float
    snippet: Snippet | None


@dataclass
class Found:
    documents: list[FoundDocument]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    terms: list[str]


def search_documents(
    text: str,
    *,
    access_keys: list[str],
    source: str | None = None,
    filters: dict[str, list[str]] | None = None,
    facet_names: tuple[str, ...] = (),
    limit: int = 20,
    offset: int = 0,
    language: str = "",
) -> Found:
    """Documents matching every query term that the given access keys open, best first, with facets."""
    terms = query_terms(text)
    result: SearchResult = backend().search(
        SearchQuery(
            terms=terms,
            access_keys=[key.lower() for key in access_keys],
            source=source,
            filters=filters or {},
            facet_names=facet_names,
            limit=limit,
            offset=offset,
        )
    )
    texts = dict(
        SearchDocument.objects.filter(pk__in=[hit.document_id for hit in result.hits]).values_list(
            "pk", "texts"
        )
    )
    documents = [
        FoundDocument(
            hit.object_id, hit.score, make_snippet(texts.get(hit.document_id, {}), terms, language)
        )
        for hit in result.hits
    ]
    return Found(documents=documents, total=result.total, facets=result.facets, terms=terms)
