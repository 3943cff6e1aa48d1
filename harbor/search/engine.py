"""Index backends behind one interface: SQLite FTS5 and PostgreSQL tsvector over the same segmented text.

Both receive terms already segmented by ``harbor.search.text`` and match them exactly (no stemming, tone
marks kept), rank by relevance (BM25 on SQLite, ``ts_rank`` on PostgreSQL), and filter by access keys and
facet values inside the same query, so a caller cannot see documents, or counts, it may not see.

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
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction

FACET_LIMIT = 30
# Beyond this many matches the total is reported as "at least" and facets count the first matches only.
COUNT_CAP = 10_000
DEFAULT_RANK_WINDOW = 2_000


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


def rank_window() -> int:
    """How many of the most recent matches a query ranks by relevance (at least one)."""
    return max(1, int(getattr(settings, "HARBOR_SEARCH_RANK_WINDOW", DEFAULT_RANK_WINDOW)))


class SearchBackend:
    """The common part: facet filters, counting and the shape of the SQL; engines supply the match."""

    # How the capped matches meet their facet values (SQLite needs CROSS JOIN to keep the matches outside).
    facet_join = "JOIN"

    def _match(self, query: SearchQuery) -> tuple[str, str, list[Any], str, list[Any]]:
        """FROM clause, WHERE clause with its params, score expression with its params."""
        raise NotImplementedError

    def filtered(self, query: SearchQuery) -> tuple[str, str, list[Any], str, list[Any]]:
        """The match plus the source and facet filters: FROM, WHERE, params, score, score params."""
        from_sql, where_sql, params, score_sql, score_params = self._match(query)
        conditions = [where_sql]
        if query.source:
            conditions.append("d.source = %s")
            params = [*params, query.source]
        for name, values in sorted(query.filters.items()):
            if not values:
                continue
            placeholders = ", ".join(["%s"] * len(values))
            facet_sql = "d.id IN (SELECT document_id FROM search_searchfacet WHERE name = %s AND value IN ({}))"
            conditions.append(facet_sql.format(placeholders))
            params = [*params, name, *values]
        return from_sql, " AND ".join(conditions), params, score_sql, score_params

    def search(self, query: SearchQuery) -> SearchResult:
        """Ranked when there are terms (within the rank window), else newest first by date."""
        if query.terms:
            # One snapshot for the window, the ranking, the count and the facets.
            with transaction.atomic():
                return self._ranked(query)
        return self._browse(query)

    # -- ranked queries -----------------------------------------------------------------------------

    def _matches(self, query: SearchQuery) -> tuple[str, str, list[Any], str]:
        """FROM, WHERE and params selecting the visible matches, and the document id column."""
        from_sql, where, params, _score, _score_params = self.filtered(query)
        return from_sql, where, params, "d.id"

    def _ids_in(self, column: str, ids: list[int]) -> tuple[str, list[Any]]:
        """A condition restricting ``column`` to the given document ids."""
        return f"{column} = ANY(%s)", [ids]

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
        condition, params = self._ids_in("d.id", ids)
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
        recent = self._recent(query, limit=window + 1)
        windowed = len(recent) > window
        recent = recent[:window]
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
        hits = self._hits(page)
        # Without the window cut, the window holds every visible match: no counting query needed.
        total = self._count(query) if windowed else len(recent)
        facets = self._facets(query, None if windowed or total > COUNT_CAP else recent)
        return SearchResult(
            hits=hits,
            total=min(total, COUNT_CAP),
            facets=facets,
            total_exact=total <= COUNT_CAP,
            ranking_windowed=windowed,
        )

    def _hits(self, page: list[tuple[int, float]]) -> list[Hit]:
        if not page:
            return []
        condition, params = self._ids_in("id", [pk for pk, _score in page])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, object_id FROM search_searchdocument WHERE {condition}", params
            )
            objects: dict[int, int] = dict(cursor.fetchall())
        return [Hit(pk, objects[pk], score) for pk, score in page if pk in objects]

    def _count(self, query: SearchQuery) -> int:
        """How many visible matches there are, counting no further than one past ``COUNT_CAP``."""
        from_sql, where, params, _id_column = self._matches(query)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {from_sql} WHERE {where} LIMIT %s) AS capped",
                [*params, COUNT_CAP + 1],
            )
            return int(cursor.fetchone()[0])

    def _facets(
        self, query: SearchQuery, ids: list[int] | None
    ) -> dict[str, list[tuple[str, int]]]:
        """Facet values of the visible matches: of ``ids`` when all are known, else of the first
        ``COUNT_CAP`` matches."""
        facets: dict[str, list[tuple[str, int]]] = {name: [] for name in query.facet_names}
        if not query.facet_names or ids == []:
            return facets
        names = ", ".join(["%s"] * len(query.facet_names))
        if ids is not None:
            condition, params = self._ids_in("f.document_id", ids)
            sql = (
                f"SELECT f.name, f.value, count(*) AS n FROM search_searchfacet f "
                f"WHERE {condition} AND f.name IN ({names}) "
                "GROUP BY f.name, f.value ORDER BY n DESC, f.value"
            )
            params = [*params, *query.facet_names]
        else:
            from_sql, where, match_params, id_column = self._matches(query)
            # Start from the (capped) matches and look their facet values up by document.
            sql = (
                f"SELECT f.name, f.value, count(*) AS n FROM (SELECT {id_column} AS id FROM {from_sql} "
                f"WHERE {where} LIMIT %s) AS m {self.facet_join} search_searchfacet f "
                f"ON f.document_id = m.id WHERE f.name IN ({names}) "
                "GROUP BY f.name, f.value ORDER BY n DESC, f.value"
            )
            params = [*match_params, COUNT_CAP, *query.facet_names]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for name, value, count in cursor.fetchall():
                if len(facets[name]) < FACET_LIMIT:
                    facets[name].append((value, int(count)))
        return facets

    # -- browsing (no terms) ------------------------------------------------------------------------

    def _browse(self, query: SearchQuery) -> SearchResult:
        from_sql, where, params, score_sql, score_params = self.filtered(query)
        order = "d.date DESC, d.id DESC"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, d.object_id, {score_sql} AS score FROM {from_sql} WHERE {where} "
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*score_params, *params, query.limit, query.offset],
            )
            hits = [Hit(row[0], row[1], float(row[2])) for row in cursor.fetchall()]
        total = self._count(query)
        facets = self._facets(query, None if total else [])
        return SearchResult(
            hits=hits, total=min(total, COUNT_CAP), facets=facets, total_exact=total <= COUNT_CAP
        )


def source_marker(source: str) -> str:
    """The token that marks a document's source among its access keys (so FTS5 filters it in the match)."""
    return "src_" + re.sub(r"[^a-z0-9]", "_", source.lower())


def _fts5_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SqliteBackend(SearchBackend):
    """FTS5 (unicode61, diacritics kept, marks as word characters) on the segmented shadow column."""

    facet_join = "CROSS JOIN"

    def _terms_expression(self, query: SearchQuery) -> str:
        """The query terms alone, all required, in the segmented text column."""
        return "{terms}: (" + " AND ".join(_fts5_phrase(t) for t in query.terms) + ")"

    def _expression(self, query: SearchQuery, *, source: bool = True) -> str:
        """The MATCH expression: terms, the reader's access keys and the source marker.

        The access keys and the marker match the ``acl_terms`` column, which has weight 0 in ``bm25``,
        so they filter without changing a score.
        """
        access = " OR ".join(_fts5_phrase(key) for key in query.access_keys) or '"-"'
        expression = "{acl_terms}: (" + access + ")"
        if source and query.source:
            expression += " AND {acl_terms}: " + _fts5_phrase(source_marker(query.source))
        if query.terms:
            expression = self._terms_expression(query) + " AND " + expression
        return expression

    def _only_source(self, source: str) -> bool:
        """Whether every indexed document comes from ``source`` (two probes of the source index)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM search_searchdocument WHERE source < %s) "
                "OR EXISTS (SELECT 1 FROM search_searchdocument WHERE source > %s)",
                [source, source],
            )
            return not cursor.fetchone()[0]

    def _matches(self, query: SearchQuery) -> tuple[str, str, list[Any], str]:
        """Visible matches on the full-text index alone: access keys and source inside the MATCH.

        When the index holds one source only (checked in the query's snapshot) its marker, which every
        row then carries, is left out: it filters nothing but costs a step per candidate.
        """
        source = bool(query.source) and not self._only_source(query.source or "")
        where = ["search_fts MATCH %s"]
        params: list[Any] = [self._expression(query, source=source)]
        for name, values in sorted(query.filters.items()):
            if values:
                placeholders = ", ".join(["%s"] * len(values))
                where.append(
                    f"search_fts.rowid IN (SELECT document_id FROM search_searchfacet WHERE name = %s AND value IN ({placeholders}))"
                )
                params = [*params, name, *values]
        return "search_fts", " AND ".join(where), params, "search_fts.rowid"

    def _ids_in(self, column: str, ids: list[int]) -> tuple[str, list[Any]]:
        return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]

    def _scores(
        self, query: SearchQuery, ids: list[int], *, limit: int, offset: int = 0
    ) -> list[tuple[int, float]]:
        """BM25 of the given visible documents, from a MATCH on the query terms alone.

        The ids come from a MATCH that holds the access keys, so nothing else can be ranked. Leaving
        the keys out here saves BM25's per-phrase document frequencies, which for a key such as
        ``public`` would read most of the index; the scores are the same, since the access column
        weighs 0. The id range turns into a doclist range inside FTS5; the unary ``+`` keeps the id
        list a filter on those rows instead of one index lookup per id.
        """
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_fts.rowid, bm25(search_fts, 1.0, 0.0) AS score FROM search_fts "
                "WHERE search_fts MATCH %s AND search_fts.rowid BETWEEN %s AND %s "
                "AND +search_fts.rowid IN (SELECT value FROM json_each(%s)) "
                "ORDER BY score, search_fts.rowid LIMIT %s OFFSET %s",
                [
                    self._terms_expression(query),
                    min(ids),
                    max(ids),
                    json.dumps(ids),
                    limit,
                    offset,
                ],
            )
            return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def _match(self, query: SearchQuery) -> tuple[str, str, list[Any], str, list[Any]]:
        expression = self._expression(query)
        # CROSS JOIN keeps the full-text match as the outer loop (SQLite would otherwise start from the
        # source index and probe the match per row).
        from_sql = "search_fts CROSS JOIN search_searchdocument d ON d.id = search_fts.rowid"
        score = "bm25(search_fts, 1.0, 0.0)" if query.terms else "0"
        return from_sql, "search_fts MATCH %s", [expression], score, []


class PostgresBackend(SearchBackend):
    """``to_tsvector('simple')`` on the segmented terms (no stemming, marks kept) with GIN indexes.

    PostgreSQL ranks every visible match in one query and has no rank window: no index yields
    ``tsvector`` matches newest first, so finding the window reads every match anyway; measured at
    200,000 records the window gained nothing there (docs/PERFORMANCE.md), so every match is ranked.
    """

    def _ranked(self, query: SearchQuery) -> SearchResult:
        from_sql, where, params, score_sql, score_params = self.filtered(query)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, d.object_id, {score_sql} AS score FROM {from_sql} WHERE {where} "
                "ORDER BY score, d.id LIMIT %s OFFSET %s",
                [*score_params, *params, query.limit, query.offset],
            )
            hits = [Hit(row[0], row[1], float(row[2])) for row in cursor.fetchall()]
        total = self._count(query)
        facets = self._facets(query, None if total else [])
        return SearchResult(
            hits=hits, total=min(total, COUNT_CAP), facets=facets, total_exact=total <= COUNT_CAP
        )

    def _match(self, query: SearchQuery) -> tuple[str, str, list[Any], str, list[Any]]:
        where = "d.acl_array && %s::text[]"
        params: list[Any] = [list(query.access_keys) or ["-"]]
        if not query.terms:
            return "search_searchdocument d", where, params, "0", []
        # The query goes through the same 'simple' parser as the documents, so both split alike.
        text = " ".join(query.terms)
        where += " AND d.terms_tsv @@ plainto_tsquery('simple', %s)"
        params.append(text)
        # ts_rank is higher for better matches; negate so both engines sort ascending.
        score = "-ts_rank(d.terms_tsv, plainto_tsquery('simple', %s))"
        return "search_searchdocument d", where, params, score, [text]


def backend() -> SearchBackend:
    """The backend for the configured database."""
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()
