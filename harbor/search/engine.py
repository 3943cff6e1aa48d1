"""Index backends behind one interface: SQLite FTS5 and PostgreSQL tsvector over the same segmented text.

Both receive terms already segmented by ``harbor.search.text`` and match them exactly (no stemming, tone
marks kept), rank by relevance (BM25 on SQLite, ``ts_rank`` on PostgreSQL), and filter by access keys and
facet values inside the same query, so a caller cannot see documents, or counts, it may not see. The
SQLite index layout (token namespaces, statistics) is described in ``harbor.search.fts``.

Ranking is bounded: a query with terms ranks only its ``HARBOR_SEARCH_RANK_WINDOW`` most recently indexed
matches (among the documents the reader may see) by relevance; older matches follow, newest first. Document
ids grow with every insert (SQLite ``AUTOINCREMENT``, a PostgreSQL sequence), and re-indexing a document
replaces its row, so a higher id means more recently indexed (a rebuild re-indexes each source in object id
order, so afterwards recency follows the sources' own id order). The cost of a broad query then grows with
the window, not with the number of matches; a narrower query (no more matches than the window) is ranked in
full exactly as before, and the result says whether the window cut the ranking (``ranking_windowed``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from harbor.search import fts
from harbor.search.facets import count_facets, facet_token

FACET_LIMIT = 30
# Beyond this many matches the total is reported as "at least" and facets count the first matches only.
COUNT_CAP = 10_000
DEFAULT_RANK_WINDOW = 1_000


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: query terms, who is asking (access keys), facet filters and the page."""

    terms: list[str]
    access_keys: list[str]
    source: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    facet_names: tuple[str, ...] = ()
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class Hit:
    document_id: int
    object_id: int
    score: float


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    total_exact: bool = True
    # True when there were more matches than the rank window: only the most recent ones were ranked.
    ranking_windowed: bool = False
    # The stored texts (JSON, as the database returns it) of hits read with them, for snippets.
    texts: dict[int, Any] = field(default_factory=dict)


def rank_window() -> int:
    """How many of the most recent matches a query ranks by relevance (at least one)."""
    return max(1, int(getattr(settings, "HARBOR_SEARCH_RANK_WINDOW", DEFAULT_RANK_WINDOW)))


class SearchBackend:
    """The common part: windowed ranking, counting, facets and browsing; engines supply the match."""

    # Where each document's facet tokens are read from, by document id.
    facet_table = "search_searchdocument"

    def _match(self, query: SearchQuery) -> tuple[str, str, list[Any], str, list[Any]]:
        """FROM clause, WHERE clause with its params (access keys and facet filters), score with params."""
        raise NotImplementedError

    def filtered(self, query: SearchQuery) -> tuple[str, str, list[Any], str, list[Any]]:
        """The match plus the source filter: FROM, WHERE, params, score, score params."""
        from_sql, where_sql, params, score_sql, score_params = self._match(query)
        if query.source:
            where_sql = f"{where_sql} AND d.source = %s"
            params = [*params, query.source]
        return from_sql, where_sql, params, score_sql, score_params

    def search(self, query: SearchQuery) -> SearchResult:
        """Ranked when there are terms (within the rank window), else newest first by date."""
        if query.terms:
            # One snapshot for the window, the ranking, the count and the facets.
            with self._snapshot():
                return self._ranked(query)
        return self._browse(query)

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A read transaction around several statements."""
        with transaction.atomic():
            yield

    # -- writing (engines whose index is not maintained by the database itself) ---------------------

    def prepare(self, rows: list[tuple[str, str, str]]) -> Any:
        """What ``add`` needs for (terms, access keys, facet tokens) rows; runs in segmentation workers."""
        return None

    def add(self, cursor: Any, ids: list[int], prepared: Any) -> None:
        """Index rows just inserted into ``search_searchdocument`` (ids in the prepared order)."""

    def remove(self, cursor: Any, rows: list[fts.IndexedRow]) -> None:
        """Take rows about to be deleted from ``search_searchdocument`` out of the index."""

    def after_bulk_load(self) -> None:
        """Bring the planner's statistics up to date after many documents changed at once."""

    def repair(self) -> bool:
        """Make the index match the stored documents again if it does not; True when it had to."""
        return False

    # -- ranked queries -----------------------------------------------------------------------------

    def _matches(self, query: SearchQuery) -> tuple[str, str, list[Any], str]:
        """FROM, WHERE and params selecting the visible matches, and the document id column."""
        from_sql, where, params, _score, _score_params = self.filtered(query)
        return from_sql, where, params, "d.id"

    def in_list(self, column: str, ids: list[int]) -> tuple[str, list[Any]]:
        """A condition restricting ``column`` to the given values (document ids, cells)."""
        return f"{column} = ANY(%s)", [ids]

    def visible_among(self, query: SearchQuery, ids: list[int]) -> dict[int, int]:
        """Which of the given documents the query's reader may see under its filters: id → object id."""
        if not ids:
            return {}
        from_sql, where, params, _score, _score_params = self.filtered(query)
        condition, id_params = self.in_list("d.id", ids)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, d.object_id FROM {from_sql} WHERE {where} AND {condition}",
                [*params, *id_params],
            )
            return dict(cursor.fetchall())

    def _recent(
        self, query: SearchQuery, *, limit: int, offset: int = 0, before: int | None = None
    ) -> list[int]:
        """Ids of visible matches, newest first (optionally only those older than ``before``)."""
        from_sql, where, params, id_column = self._matches(query)
        if before is not None:
            where = f"{where} AND {id_column} < %s"
            params = [*params, before]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {id_column} FROM {from_sql} WHERE {where} "
                f"ORDER BY {id_column} DESC LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            return [row[0] for row in cursor.fetchall()]

    def _scores(
        self, query: SearchQuery, ids: list[int], *, limit: int, offset: int = 0
    ) -> list[tuple[int, float]]:
        """The given (already visible) documents ranked by relevance, best first, one page of them."""
        _from, _where, _params, score_sql, score_params = self._match(query)
        condition, params = self.in_list("d.id", ids)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, {score_sql} AS score FROM search_searchdocument d WHERE {condition} "
                "ORDER BY score, d.id LIMIT %s OFFSET %s",
                [*score_params, *params, limit, offset],
            )
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def _ranked(self, query: SearchQuery) -> SearchResult:
        """Rank the most recent visible matches, then page through them and, past them, older ones.

        The order is total and the same for every page: the window's matches by score (ties by id),
        then the older matches newest first, so paging neither repeats nor skips a document.
        """
        window = rank_window()
        newest = self._recent(query, limit=window + 1)
        windowed = len(newest) > window
        recent = newest[:window]
        start, stop = query.offset, query.offset + query.limit
        page: list[tuple[int, float]] = []
        if recent and start < len(recent):
            page = self._scores(query, recent, limit=query.limit, offset=start)
        if windowed and stop > len(recent):
            first = max(start, len(recent))
            older = self._recent(
                query, limit=stop - first, offset=first - len(recent), before=recent[-1]
            )
            scores = dict(self._scores(query, older, limit=len(older))) if older else {}
            page += [(pk, scores.get(pk, 0.0)) for pk in older]
        hits, texts = self._hits(page)
        # Without the window cut, the window holds every visible match: no counting query needed.
        total = self._count(query, known=newest) if windowed else len(recent)
        facets = self._facets(query, None if windowed or total > COUNT_CAP else recent)
        return SearchResult(
            hits=hits,
            total=min(total, COUNT_CAP),
            facets=facets,
            total_exact=total <= COUNT_CAP,
            ranking_windowed=windowed,
            texts=texts,
        )

    def _hits(self, page: list[tuple[int, float]]) -> tuple[list[Hit], dict[int, Any]]:
        """The page's hits with their object ids, and their stored texts (read in the same query)."""
        if not page:
            return [], {}
        condition, params = self.in_list("id", [pk for pk, _score in page])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, object_id, texts FROM search_searchdocument WHERE {condition}", params
            )
            rows = {pk: (object_id, texts) for pk, object_id, texts in cursor.fetchall()}
        hits = [Hit(pk, rows[pk][0], score) for pk, score in page if pk in rows]
        return hits, {pk: texts for pk, (_object_id, texts) in rows.items()}

    def _count(self, query: SearchQuery, *, known: list[int] | None = None) -> int:
        """How many visible matches there are, counting no further than one past ``COUNT_CAP``.

        ``known`` are the newest matches, already read (newest first): only the older ones are counted.
        """
        from_sql, where, params, id_column = self._matches(query)
        known = known or []
        if known:
            where = f"{where} AND {id_column} < %s"
            params = [*params, known[-1]]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {from_sql} WHERE {where} LIMIT %s) AS capped",
                [*params, max(0, COUNT_CAP + 1 - len(known))],
            )
            return len(known) + int(cursor.fetchone()[0])

    def _facets(
        self, query: SearchQuery, ids: list[int] | None
    ) -> dict[str, list[tuple[str, int]]]:
        """Facet values of the visible matches: of ``ids`` when all are known, else of the first
        ``COUNT_CAP`` matches."""
        if not query.facet_names or ids == []:
            return {name: [] for name in query.facet_names}
        if ids is not None:
            condition, params = self.in_list("id", ids)
            sql = f"SELECT facet_terms FROM {self.facet_table} WHERE {condition}"
        else:
            sql, params = self._capped_facet_terms(query)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            strings = [row[0] for row in cursor.fetchall()]
        return count_facets(strings, query.facet_names, FACET_LIMIT)

    def _capped_facet_terms(self, query: SearchQuery) -> tuple[str, list[Any]]:
        """SQL for the facet tokens of the first ``COUNT_CAP`` visible matches: read from the matching
        document rows themselves."""
        from_sql, where, params, _id_column = self._matches(query)
        return f"SELECT d.facet_terms FROM {from_sql} WHERE {where} LIMIT %s", [*params, COUNT_CAP]

    # -- browsing (no terms) ------------------------------------------------------------------------

    def _browse(self, query: SearchQuery) -> SearchResult:
        return self._one_page(query, order="date DESC, id DESC")

    def _one_page(
        self, query: SearchQuery, *, order: str, counted_with_page: bool = False
    ) -> SearchResult:
        """One page of every visible match in ``order`` (of the columns ``id``, ``object_id`` and
        ``score``), with the capped count and facets.

        ``counted_with_page``: when the page's statement reads every match anyway (it ranks them all),
        it also counts them (``count(*) OVER ()``) instead of a second query reading them again. The
        matches are scored inside a subquery that the planner keeps (``OFFSET 0``), so the count holds
        narrow rows: above it, each row kept its whole ``tsvector`` until the sort and spilled to disk
        (at 200,000 documents, one common word: 113 to 127 ms against 132 to 139).
        """
        from_sql, where, params, score_sql, score_params = self.filtered(query)
        matches = ", count(*) OVER () AS matches" if counted_with_page else ""
        fence = " OFFSET 0" if counted_with_page else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, object_id, score{matches} FROM (SELECT d.id, d.object_id, d.date, "
                f"{score_sql} AS score FROM {from_sql} WHERE {where}{fence}) AS m "
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*score_params, *params, query.limit, query.offset],
            )
            rows = cursor.fetchall()
        hits = [Hit(row[0], row[1], float(row[2])) for row in rows]
        # A page past the last match has no row to carry the count.
        total = int(rows[0][3]) if counted_with_page and rows else self._count(query)
        facets = self._facets(query, None if total else [])
        return SearchResult(
            hits=hits, total=min(total, COUNT_CAP), facets=facets, total_exact=total <= COUNT_CAP
        )


@lru_cache(maxsize=256)
def source_marker(source: str) -> str:
    """The token that marks a document's source among its access keys (so FTS5 filters it in the match)."""
    return fts.SOURCE_PREFIX + re.sub(r"[^a-z0-9]", "_", source.lower())


def _words(query: SearchQuery) -> list[str]:
    """The query terms as FTS5 tokens (the index splits on white space only)."""
    return [word for term in query.terms for word in term.split()]


def _fts5_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _any_of(tokens: list[str]) -> str:
    return "(" + " OR ".join(_fts5_string(token) for token in tokens) + ")"


class SqliteBackend(SearchBackend):
    """FTS5 over the segmented terms, split on white space; see ``harbor.search.fts`` for the layout.

    A query with terms joins the parts of ``harbor.search.fts`` by OR: the public and members parts when
    the reader holds their key, and the part of each of the reader's other keys. Each part holds only
    documents its key opens, so documents the reader may not see cost nothing.
    BM25 is computed from ``search_docstat`` and ``search_termstat`` with FTS5's formula and constants.
    """

    facet_table = "search_docstat"  # narrow rows: half the pages of the documents'

    def __init__(self) -> None:
        self._single_source: dict[str, bool] = {}

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A deferred read transaction: ``atomic`` would begin IMMEDIATE (the write lock) on SQLite,
        making searches wait for a bulk load and a bulk load wait for searches."""
        if connection.in_atomic_block:
            yield
            return
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("COMMIT")

    def _capped_facet_terms(self, query: SearchQuery) -> tuple[str, list[Any]]:
        """Start from the capped full-text matches and look their facet tokens up by id; CROSS JOIN
        keeps the matches the outer loop."""
        from_sql, where, params, id_column = self._matches(query)
        sql = (
            f"SELECT doc.facet_terms FROM (SELECT {id_column} AS id FROM {from_sql} "
            f"WHERE {where} LIMIT %s) AS m CROSS JOIN {self.facet_table} doc ON doc.id = m.id"
        )
        return sql, [*params, COUNT_CAP]

    def prepare(self, rows: list[tuple[str, str, str]]) -> fts.Prepared:
        return fts.prepare(rows)

    def add(self, cursor: Any, ids: list[int], prepared: Any) -> None:
        fts.add_prepared(cursor, ids, prepared)

    def remove(self, cursor: Any, rows: list[fts.IndexedRow]) -> None:
        fts.remove(cursor, rows)

    def repair(self) -> bool:
        with transaction.atomic(), connection.cursor() as cursor:
            if fts.consistent(cursor):
                return False
            fts.rebuild_from_documents(cursor)
            return True

    def _filters(self, query: SearchQuery, *, source: bool) -> list[str]:
        """Source marker and facet filters, each an FTS5 expression on its column."""
        parts: list[str] = []
        if source and query.source:
            marker = fts.KEY_MARK + source_marker(query.source)
            parts.append("{acl_terms}: " + _fts5_string(marker))
        for name, values in sorted(query.filters.items()):
            if values:
                tokens = [facet_token(name, value) for value in values]
                parts.append("{facet_terms}: " + _any_of(tokens))
        return parts

    def _keys(self, keys: list[str]) -> str:
        return "{acl_terms}: " + _any_of([fts.KEY_MARK + key for key in keys] or ["#-"])

    def _expression(self, query: SearchQuery, *, source: bool = True) -> str:
        """The MATCH expression for the reader's visible matches.

        Access keys, the source marker and facet filters are all inside the expression, so FTS5 itself
        yields only visible rows; their columns do not enter the score.
        """
        filters = self._filters(query, source=source)
        if not query.terms:
            return " AND ".join([self._keys(query.access_keys), *filters])
        words = _words(query)

        def terms_in(prefix: str) -> str:
            return "{terms}: (" + " AND ".join(_fts5_string(prefix + word) for word in words) + ")"

        keys = query.access_keys
        parts: list[str] = []
        if fts.PUBLIC_KEY in keys:
            parts.append(" AND ".join([terms_in(""), *filters]))
        elif keys:  # public documents that another of the reader's keys opens as well
            parts.append(" AND ".join([terms_in(""), self._keys(keys), *filters]))
        if fts.MEMBERS_KEY in keys:
            parts.append(" AND ".join([terms_in(fts.MEMBERS_MARK), *filters]))
        # Every document that is not public is also in the part of each of its narrow keys.
        for key in dict.fromkeys(fts.narrow_keys(keys)):
            parts.append(" AND ".join([terms_in(fts.keyed_prefix(key)), *filters]))
        if not parts:  # a reader without keys sees nothing
            return self._keys([])
        return " OR ".join(f"({part})" for part in parts)

    def _only_source(self, source: str) -> bool:
        """Whether every indexed document comes from ``source`` (two probes of the source index, once
        per search: a backend serves one search)."""
        if source in self._single_source:
            return self._single_source[source]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM search_searchdocument WHERE source < %s) "
                "OR EXISTS (SELECT 1 FROM search_searchdocument WHERE source > %s)",
                [source, source],
            )
            self._single_source[source] = not cursor.fetchone()[0]
        return self._single_source[source]

    def _matches(self, query: SearchQuery) -> tuple[str, str, list[Any], str]:
        """Visible matches on the full-text index alone.

        When the index holds one source only (checked in the query's snapshot) its marker, which every
        row then carries, is left out: it filters nothing but costs a step per candidate.
        """
        source = bool(query.source) and not self._only_source(query.source or "")
        expression = self._expression(query, source=source)
        return "search_fts", "search_fts MATCH %s", [expression], "search_fts.rowid"

    def in_list(self, column: str, ids: list[int]) -> tuple[str, list[Any]]:
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]

    def visible_among(self, query: SearchQuery, ids: list[int]) -> dict[int, int]:
        """The candidates' stored keys and facet values are read by id and tested here, with the rule the
        MATCH applies (a shared key; per filtered facet, one of its values; the source): FTS5 would
        parse the expression and open its doclists again for every id (about 0.25 ms each)."""
        if not ids:
            return {}
        keys = set(query.access_keys)
        wanted = [
            {facet_token(name, value) for value in values}
            for name, values in query.filters.items()
            if values
        ]
        condition, params = self.in_list("id", ids)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, object_id, source, acl_terms, facet_terms FROM search_searchdocument "
                f"WHERE {condition}",
                params,
            )
            rows = cursor.fetchall()
        visible: dict[int, int] = {}
        for pk, object_id, source, acl_terms, facet_terms in rows:
            if query.source and source != query.source:
                continue
            if keys.isdisjoint(acl_terms.split()):
                continue
            facets = set(facet_terms.split())
            if all(not tokens.isdisjoint(facets) for tokens in wanted):
                visible[pk] = object_id
        return visible

    def _scores(
        self, query: SearchQuery, ids: list[int], *, limit: int, offset: int = 0
    ) -> list[tuple[int, float]]:
        """BM25 of the given visible documents from the stored statistics (no doclist is read)."""
        words = _words(query)
        with connection.cursor() as cursor:
            stats = fts.statistics(cursor, words)
            score, score_params = fts.score_sql(words, stats)
            cursor.execute(
                # The ids drive the join (an IN list would be sorted into a temporary index first).
                f"SELECT s.id, {score} AS score FROM json_each(%s) AS wanted "
                "CROSS JOIN search_docstat s ON s.id = wanted.value "
                "ORDER BY score, s.id LIMIT %s OFFSET %s",
                [*score_params, json.dumps(ids), limit, offset],
            )
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def _match(self, query: SearchQuery) -> tuple[str, str, list[Any], str, list[Any]]:
        # CROSS JOIN keeps the full-text match as the outer loop (SQLite would otherwise start from the
        # source index and probe the match per row).
        from_sql = "search_fts CROSS JOIN search_searchdocument d ON d.id = search_fts.rowid"
        return from_sql, "search_fts MATCH %s", [self._expression(query)], "0", []


class PostgresBackend(SearchBackend):
    """``to_tsvector('simple')`` on the segmented terms (no stemming, marks kept) with GIN indexes.

    PostgreSQL ranks every visible match in one query and has no rank window: no index yields
    ``tsvector`` matches newest first, so finding the window reads every match anyway; measured at
    200,000 records the window gained nothing there (docs/PERFORMANCE.md), so every match is ranked.
    Facet filters match the ``facet_array`` column (GIN), one overlap per facet name.
    """

    GIN_INDEXES = (
        "search_document_terms_gin",
        "search_document_acl_gin",
        "search_document_facet_gin",
    )

    def after_bulk_load(self) -> None:
        """Merge the GIN indexes' pending lists, then ANALYZE the documents.

        A GIN index takes new entries into an unsorted pending list, which every query reads in full
        until a VACUUM, an automatic ANALYZE or ``gin_clean_pending_list`` merges it (a manual ANALYZE
        does not): after a bulk load one word took 25 ms at 20,000 documents, and 6.7 ms once merged.
        With the statistics of an empty table the planner filters by source and access keys and reads
        every row instead of starting from the terms' GIN index (measured: 311 ms against 121 ms for one
        query at 200,000 documents). Both work inside a transaction, unlike VACUUM."""
        with connection.cursor() as cursor:
            for index in self.GIN_INDEXES:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
            cursor.execute("ANALYZE search_searchdocument")

    def _ranked(self, query: SearchQuery) -> SearchResult:
        """Every visible match ranked; the ranking reads every match anyway, so the page's statement
        counts them too (a separate count read the same rows again: about 50 ms of 130 at 200,000
        documents)."""
        return self._one_page(query, order="score, id", counted_with_page=True)

    def _match(self, query: SearchQuery) -> tuple[str, str, list[Any], str, list[Any]]:
        # A reader holding ``public`` opens most documents: walking the keys' GIN index for them (two
        # thirds of the table) cost more than checking the key of each row the terms' index yields, which
        # is read anyway (measured at 200,000 documents: 37 ms of a 50 to 85 ms query). The expression
        # form keeps the planner off that index; a reader without ``public`` still uses it.
        keys_column = "d.acl_array"
        if query.terms and fts.PUBLIC_KEY in query.access_keys:
            keys_column = "coalesce(d.acl_array, '{}'::text[])"
        conditions = [f"{keys_column} && %s::text[]"]
        params: list[Any] = [list(query.access_keys) or ["-"]]
        for name, values in sorted(query.filters.items()):
            if values:
                conditions.append("d.facet_array && %s::text[]")
                params.append([facet_token(name, value) for value in values])
        if not query.terms:
            return "search_searchdocument d", " AND ".join(conditions), params, "0", []
        # The query goes through the same 'simple' parser as the documents, so both split alike.
        text = " ".join(query.terms)
        conditions.append("d.terms_tsv @@ plainto_tsquery('simple', %s)")
        params.append(text)
        # ts_rank is higher for better matches; negate so both engines sort ascending.
        score = "-ts_rank(d.terms_tsv, plainto_tsquery('simple', %s))"
        return "search_searchdocument d", " AND ".join(conditions), params, score, [text]


def backend() -> SearchBackend:
    """The backend for the configured database."""
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
