"""Index backends behind one interface: SQLite FTS5 and PostgreSQL tsvector over the same segmented text.

Both receive terms already segmented by ``harbor.search.text`` and match them exactly (no stemming, tone
marks kept), rank by relevance (BM25 on SQLite, ``ts_rank`` on PostgreSQL), and filter by access keys and
facet values inside the same query, so a caller cannot see documents, or counts, it may not see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

FACET_LIMIT = 30
# Beyond this many matches the total is reported as "at least" and facets count the first matches only.
COUNT_CAP = 10_000


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
        from_sql, where, params, score_sql, score_params = self.filtered(query)
        order = "score, d.id" if query.terms else "d.date DESC, d.id DESC"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, d.object_id, {score_sql} AS score FROM {from_sql} WHERE {where} "
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                [*score_params, *params, query.limit, query.offset],
            )
            hits = [Hit(row[0], row[1], float(row[2])) for row in cursor.fetchall()]
            # Counting stops at COUNT_CAP: a broad query should not pay for an exact count of everything.
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {from_sql} WHERE {where} LIMIT %s) AS capped",
                [*params, COUNT_CAP + 1],
            )
            total = int(cursor.fetchone()[0])
            exact = total <= COUNT_CAP
            total = min(total, COUNT_CAP)
            facets: dict[str, list[tuple[str, int]]] = {name: [] for name in query.facet_names}
            if query.facet_names and total:
                names = ", ".join(["%s"] * len(query.facet_names))
                # Start from the (capped) matches and look their facet values up by document.
                facets_sql = (
                    f"SELECT f.name, f.value, count(*) AS n FROM (SELECT d.id AS id FROM {from_sql} WHERE {where} LIMIT %s) AS m "
                    f"{self.facet_join} search_searchfacet f ON f.document_id = m.id WHERE f.name IN ({names}) "
                    "GROUP BY f.name, f.value ORDER BY n DESC, f.value"
                )
                cursor.execute(facets_sql, [*params, COUNT_CAP, *query.facet_names])
                for name, value, count in cursor.fetchall():
                    if len(facets[name]) < FACET_LIMIT:
                        facets[name].append((value, int(count)))
        return SearchResult(hits=hits, total=total, facets=facets, total_exact=exact)


def source_marker(source: str) -> str:
    """The token that marks a document's source among its access keys (so FTS5 filters it in the match)."""
    return "src_" + re.sub(r"[^a-z0-9]", "_", source.lower())


def _fts5_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class SqliteBackend(SearchBackend):
    """FTS5 (unicode61, diacritics kept, marks as word characters) on the segmented shadow column."""

    facet_join = "CROSS JOIN"

    def _expression(self, query: SearchQuery) -> str:
        """The MATCH expression: terms, the source marker and the reader's access keys."""
        access = " OR ".join(_fts5_phrase(key) for key in query.access_keys) or '"-"'
        expression = "{acl_terms}: (" + access + ")"
        if query.source:
            expression = (
                "{acl_terms}: " + _fts5_phrase(source_marker(query.source)) + " AND " + expression
            )
        if query.terms:
            expression = (
                "{terms}: ("
                + " AND ".join(_fts5_phrase(t) for t in query.terms)
                + ") AND "
                + expression
            )
        return expression

    def search(self, query: SearchQuery) -> SearchResult:
        """Ranked queries run on the full-text index alone; only the page's rows touch the documents."""
        if not query.terms:
            return super().search(query)
        where = ["search_fts MATCH %s"]
        params: list[Any] = [self._expression(query)]
        for name, values in sorted(query.filters.items()):
            if values:
                placeholders = ", ".join(["%s"] * len(values))
                where.append(
                    f"search_fts.rowid IN (SELECT document_id FROM search_searchfacet WHERE name = %s AND value IN ({placeholders}))"
                )
                params = [*params, name, *values]
        condition = " AND ".join(where)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT search_fts.rowid, bm25(search_fts, 1.0, 0.0) AS score FROM search_fts WHERE {condition} "
                "ORDER BY score, search_fts.rowid LIMIT %s OFFSET %s",
                [*params, query.limit, query.offset],
            )
            ranked = cursor.fetchall()
            objects: dict[int, int] = {}
            if ranked:
                marks = ", ".join(["%s"] * len(ranked))
                cursor.execute(
                    f"SELECT id, object_id FROM search_searchdocument WHERE id IN ({marks})",
                    [row[0] for row in ranked],
                )
                objects = dict(cursor.fetchall())
            hits = [
                Hit(row[0], objects[row[0]], float(row[1])) for row in ranked if row[0] in objects
            ]
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE {condition} LIMIT %s) AS capped",
                [*params, COUNT_CAP + 1],
            )
            total = int(cursor.fetchone()[0])
            facets: dict[str, list[tuple[str, int]]] = {name: [] for name in query.facet_names}
            if query.facet_names and total:
                names = ", ".join(["%s"] * len(query.facet_names))
                cursor.execute(
                    f"SELECT f.name, f.value, count(*) AS n FROM (SELECT search_fts.rowid AS id FROM search_fts WHERE {condition} LIMIT %s) AS m "
                    f"{self.facet_join} search_searchfacet f ON f.document_id = m.id WHERE f.name IN ({names}) "
                    "GROUP BY f.name, f.value ORDER BY n DESC, f.value",
                    [*params, COUNT_CAP, *query.facet_names],
                )
                for name, value, count in cursor.fetchall():
                    if len(facets[name]) < FACET_LIMIT:
                        facets[name].append((value, int(count)))
        return SearchResult(
            hits=hits, total=min(total, COUNT_CAP), facets=facets, total_exact=total <= COUNT_CAP
        )

    def _match(self, query: SearchQuery) -> tuple[str, str, list[Any], str, list[Any]]:
        expression = self._expression(query)
        # CROSS JOIN keeps the full-text match as the outer loop (SQLite would otherwise start from the
        # source index and probe the match per row).
        from_sql = "search_fts CROSS JOIN search_searchdocument d ON d.id = search_fts.rowid"
        score = "bm25(search_fts, 1.0, 0.0)" if query.terms else "0"
        return from_sql, "search_fts MATCH %s", [expression], score, []


class PostgresBackend(SearchBackend):
    """``to_tsvector('simple')`` on the segmented terms (no stemming, marks kept) with GIN indexes."""

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
