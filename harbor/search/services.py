"""Writing to and reading from the search index.

Other apps publish documents through ``index_documents`` (after their own transaction commits) and query
through ``search_documents`` with the access keys of the reader; the index never decides who may see what,
it only applies the keys it is given.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from harbor.search import semantic
from harbor.search.engine import (
    Hit,
    SearchBackend,
    SearchQuery,
    SearchResult,
    backend,
    source_marker,
)
from harbor.search.facets import facet_terms
from harbor.search.fts import SOURCE_PREFIX, IndexedRow
from harbor.search.models import SearchDocument
from harbor.search.text import first_match_in, index_terms, query_terms, spans_between

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


def prepare_row(doc: IndexDocument) -> tuple[Any, ...]:
    """The document's table row; segmentation happens here (the costly part, run in worker processes).

    Access keys are single words that do not start like a source marker (``src_``): the index tells a
    document's source from its keys by that prefix.
    """
    texts = doc.texts
    terms = " ".join([term for text in texts.values() for term in index_terms(text)])
    return (
        doc.source,
        doc.object_id,
        _texts_json(texts),
        terms,
        _acl_terms(tuple(doc.access_keys), doc.source),
        facet_terms(_facets_of(doc)),
        doc.kind,
        doc.country,
        doc.date,
    )


# ``json.dumps`` with a non-default argument builds a new encoder at every call.
_texts_json = json.JSONEncoder(ensure_ascii=False).encode


@lru_cache(maxsize=4096)
def _acl_terms(access_keys: tuple[str, ...], source: str) -> str:
    """The stored access-key string: the keys, lower-cased, then the source's marker (checked and
    built once per distinct set of keys: a bulk load repeats a few of them many times)."""
    for key in access_keys:
        if not key or key.split() != [key] or key.lower().startswith(SOURCE_PREFIX):
            raise ValueError(f"not an access key: {key!r}")
    return " ".join([*(key.lower() for key in access_keys), source_marker(source)])


INSERT_DOCUMENT = (
    "INSERT INTO search_searchdocument "
    "(source, object_id, texts, terms, acl_terms, facet_terms, kind, country, date, updated_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
INDEXED_COLUMNS = "id, terms, acl_terms, facet_terms"


def _delete_documents(cursor: Any, engine: SearchBackend, rows: list[IndexedRow]) -> None:
    """Delete indexed documents (rows as read with ``INDEXED_COLUMNS``), their index entries and vectors."""
    if not rows:
        return
    engine.remove(cursor, rows)
    ids = [row[0] for row in rows]
    placeholders = ", ".join(["%s"] * len(ids))
    cursor.execute(f"DELETE FROM search_searchvector WHERE document_id IN ({placeholders})", ids)
    cursor.execute(f"DELETE FROM search_searchdocument WHERE id IN ({placeholders})", ids)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for one batch, then restored as it was.

    Reading, preparing or writing a batch makes a few hundred thousand small lists, tuples and sets and
    no reference cycle; each collection that the allocations set off walked them, and every object the
    process holds with them, for nothing: about a quarter of the CPU of a bulk load. Reference counting
    frees the batch as usual; a cycle that the caller's documents might make is collected after it.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _write_batch(
    batch: list[IndexDocument], rows: list[tuple[Any, ...]], prepared: Any, *, embed: bool
) -> None:
    """Replace the batch's documents: delete the old rows, insert the new ones and index them."""
    engine = backend()
    with transaction.atomic(), connection.cursor() as cursor:
        stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        by_source: dict[str, list[int]] = {}
        for doc in batch:
            by_source.setdefault(doc.source, []).append(doc.object_id)
        for source, object_ids in by_source.items():
            placeholders = ", ".join(["%s"] * len(object_ids))
            cursor.execute(
                f"SELECT {INDEXED_COLUMNS} FROM search_searchdocument "
                f"WHERE source = %s AND object_id IN ({placeholders})",
                [source, *object_ids],
            )
            _delete_documents(cursor, engine, list(cursor.fetchall()))
        cursor.executemany(INSERT_DOCUMENT, [(*row, stamp) for row in rows])
        ids_of: dict[tuple[str, int], int] = {}
        for source, object_ids in by_source.items():
            placeholders = ", ".join(["%s"] * len(object_ids))
            cursor.execute(
                "SELECT object_id, id FROM search_searchdocument "
                f"WHERE source = %s AND object_id IN ({placeholders})",
                [source, *object_ids],
            )
            ids_of.update({(source, object_id): pk for object_id, pk in cursor.fetchall()})
        ids = [ids_of[(row[0], row[1])] for row in rows]
        engine.add(cursor, ids, prepared)
        if embed:
            semantic.store_vectors(ids, [_passage(doc) for doc in batch])


def index_documents(
    documents: Iterable[IndexDocument],
    *,
    batch_size: int = 2000,
    progress: Callable[[int], object] | None = None,
    embed: bool = True,
    workers: int = 1,
    written: Callable[[list[IndexDocument]], object] | None = None,
) -> int:
    """Add or replace documents (by source and object id); returns how many were written.

    ``workers > 1`` segments text in that many processes while this one writes (bulk loads and rebuilds)
    and refreshes the database's planner statistics at the end.
    ``embed=False`` skips the sentence embeddings; ``embed_missing`` adds them later.
    ``written`` is called with each batch once its transaction is over (a rebuild's checkpoint).
    """
    count = 0
    pool = _segmentation_pool(workers) if workers > 1 else None
    try:
        batches = _prepared(documents, batch_size, pool, in_flight=2 * workers)
        while True:
            # Reading a batch (the caller's documents included) and writing it make a few hundred
            # thousand small objects and no reference cycle: the collector waits for the batch.
            with _collector_paused():
                if (item := next(batches, None)) is None:
                    break
                batch, (rows, prepared) = item
                _write_batch(batch, rows, prepared, embed=embed)
            count += len(batch)
            if written is not None:
                written(batch)
            if progress is not None:
                progress(len(batch))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    if workers > 1 and count:
        backend().after_bulk_load()
    return count


def _segmentation_pool(workers: int) -> Any:
    """Worker processes for one bulk load, without the cyclic garbage collector: they only prepare
    batches, which make no reference cycle, and whatever one might still leave is freed when the
    pool closes at the end of the load. Unpickling each batch they are handed then costs a third less."""
    return multiprocessing.get_context("fork").Pool(workers, initializer=gc.disable)


def _prepared(
    documents: Iterable[IndexDocument],
    batch_size: int,
    pool: Any | None,
    *,
    in_flight: int,
) -> Iterator[tuple[list[IndexDocument], tuple[list[tuple[Any, ...]], Any]]]:
    """Batches with their rows, in order; with a pool, workers segment the next batches meanwhile.

    At most ``in_flight`` batches are out at a time: handing every batch to the pool at once would
    copy the whole input through pipes while this process writes, and hold it all in memory.
    """
    if pool is None:
        for batch in _batches(documents, batch_size):
            yield batch, _prepare_rows(batch)
        return
    pending: deque[tuple[list[IndexDocument], Any]] = deque()
    for batch in _batches(documents, batch_size):
        # Plain tuples cross the process boundary about three times faster than dataclasses.
        fields = [_fields_of(doc) for doc in batch]
        pending.append((batch, pool.apply_async(_prepare_fields, (fields,))))
        if len(pending) >= in_flight:
            done, result = pending.popleft()
            yield done, result.get()
    while pending:
        done, result = pending.popleft()
        yield done, result.get()


def _fields_of(doc: IndexDocument) -> tuple[Any, ...]:
    """The document's fields in declaration order, not copied (``dataclasses.astuple`` deep-copies)."""
    return (
        doc.source,
        doc.object_id,
        doc.texts,
        doc.access_keys,
        doc.kind,
        doc.country,
        doc.date,
        doc.facets,
    )


def _prepare_fields(fields: list[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], Any]:
    return _prepare_rows([IndexDocument(*values) for values in fields])


def _prepare_rows(batch: list[IndexDocument]) -> tuple[list[tuple[Any, ...]], Any]:
    """The batch's table rows and what the engine will index of them (the costly, parallel part).

    Runs without the cyclic collector: in a worker (``_segmentation_pool``), or within the batch that
    ``index_documents`` reads with it paused."""
    rows = [prepare_row(doc) for doc in batch]
    return rows, backend().prepare([(row[3], row[4], row[5]) for row in rows])


def _passage(doc: IndexDocument) -> str:
    """The text embedded for cross-lingual search: every language version, shortest first."""
    return "\n".join(sorted(doc.texts.values(), key=len))


def embed_missing(*, batch_size: int = 256, progress: Callable[[int], object] | None = None) -> int:
    """Embed documents indexed without vectors (after a bulk load or while the model was missing)."""
    if not semantic.available():
        return 0
    done = 0
    while True:
        rows = list(
            SearchDocument.objects.filter(vector__isnull=True)
            .order_by("pk")
            .values_list("pk", "texts")[:batch_size]
        )
        if not rows:
            return done
        texts = ["\n".join(sorted(texts.values(), key=len)) for _pk, texts in rows]
        done += semantic.store_vectors([pk for pk, _texts in rows], texts)
        if progress is not None:
            progress(len(rows))


def _facets_of(doc: IndexDocument) -> dict[str, list[str]]:
    facets = dict(doc.facets)
    if doc.kind:
        facets.setdefault("kind", [doc.kind])
    if doc.country:
        facets.setdefault("country", [doc.country])
    return facets


def remove_documents(source: str, object_ids: Iterable[int]) -> int:
    """Take the source's objects out of the index; returns how many documents were removed."""
    wanted = list(object_ids)
    removed = 0
    engine = backend()
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {INDEXED_COLUMNS} FROM search_searchdocument "
                f"WHERE source = %s AND object_id IN ({placeholders})",
                [source, *chunk],
            )
            rows = list(cursor.fetchall())
            _delete_documents(cursor, engine, rows)
            removed += len(rows)
    return removed


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
        found = first_match_in(text, terms) if terms else None
        if found is None:
            if fallback is None and text:
                fallback = Snippet(language, [(_shorten(text, 0), False)])
            continue
        first, segmented = found
        start = max(0, first - SNIPPET_WIDTH // 3)
        end = min(len(text), start + SNIPPET_WIDTH)
        if segmented.start <= start and end <= segmented.stop:  # already segmented: short texts
            spans = segmented.starting_between(start, end)
        else:
            spans = spans_between(text, terms, start, end)
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


def _texts_of(engine: SearchBackend, ids: list[int]) -> dict[int, dict[str, str]]:
    """The stored language versions of the given documents (one plain query: the ORM's own cost was a
    tenth of a search)."""
    if not ids:
        return {}
    condition, params = engine.in_list("id", ids)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, texts FROM search_searchdocument WHERE {condition}", params)
        return {pk: _decoded(value) for pk, value in cursor.fetchall()}


def _decoded(texts: Any) -> dict[str, str]:
    """Stored texts as read by a plain query: JSON text, or already decoded by the driver."""
    return texts if isinstance(texts, dict) else json.loads(texts)


def _fuse_semantic(
    engine: SearchBackend, query: SearchQuery, result: SearchResult, text: str
) -> SearchResult:
    """Add documents that are close in meaning (any language) to the keyword hits, by rank fusion."""
    visible = replace(query, terms=[])
    near = semantic.nearest(semantic.embed_query(text), engine, visible)
    if not near:
        return result
    by_id = {hit.document_id: hit for hit in result.hits}
    for document_id, object_id, similarity in near:
        by_id.setdefault(document_id, Hit(document_id, object_id, -similarity))
    order = semantic.fuse([hit.document_id for hit in result.hits], [row[0] for row in near])
    added = len(set(by_id) - {hit.document_id for hit in result.hits})
    return SearchResult(
        hits=[by_id[pk] for pk in order][: query.limit],
        total=result.total + added,
        total_exact=result.total_exact,
        facets=result.facets,
        ranking_windowed=result.ranking_windowed,
        texts=result.texts,
    )


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
    total_exact: bool = True
    # Only the most recent matches were ranked by relevance (more matched than the rank window).
    ranking_windowed: bool = False


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
    """Documents matching every query term that the given access keys open, best first, with facets.

    With terms, "best first" holds within the ``HARBOR_SEARCH_RANK_WINDOW`` most recently indexed
    matches; older matches follow, newest first, and ``ranking_windowed`` says when that happened.
    """
    terms = query_terms(text)
    query = SearchQuery(
        terms=terms,
        access_keys=[key.lower() for key in access_keys],
        source=source,
        filters=filters or {},
        facet_names=facet_names,
        limit=limit,
        offset=offset,
    )
    engine = backend()
    result: SearchResult = engine.search(query)
    if terms and offset == 0 and semantic.available():
        result = _fuse_semantic(engine, query, result, text)
    texts = {pk: _decoded(value) for pk, value in result.texts.items()}
    texts.update(
        _texts_of(engine, [hit.document_id for hit in result.hits if hit.document_id not in texts])
    )
    documents = [
        FoundDocument(
            hit.object_id, hit.score, make_snippet(texts.get(hit.document_id, {}), terms, language)
        )
        for hit in result.hits
    ]
    return Found(
        documents=documents,
        total=result.total,
        facets=result.facets,
        terms=terms,
        total_exact=result.total_exact,
        ranking_windowed=result.ranking_windowed,
    )
