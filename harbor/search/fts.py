"""The SQLite full-text index: an FTS5 table and the statistics that ranking reads.

Every row is keyed by the id of the ``search_searchdocument`` row it indexes.

- ``search_fts`` (FTS5, contentless, ``detail=column``) has three columns: the document's terms, its access
  keys and its facet values. It splits on white space only: the terms were already cut into words by ICU,
  so one term is one token and no query needs a phrase (which ``detail=column`` cannot answer).
- Token namespaces keep doclists apart, so the cost of a query follows what the reader may see. Each
  document's terms go to the parts that its keys open:
  - a document that the key ``public`` opens stores its terms as they are, once;
  - else, one that ``members`` (any verified organisation) opens stores each term behind ``^``;
  - and a document that is not public stores each term again behind each of its other keys, as
    ``~key~term`` (ICU words never hold ``~``, so the last ``~`` ends the key).
  A query reads the public part, and the members part, without any key filter when the reader holds
  that key, and the parts of the reader's other keys, which hold exactly the documents those keys open:
  no part walks documents of another, and a reader who sees a few of a word's matches reads only those
  (before, a reader's keys were matched against the whole members or restricted part of the word). The
  cost is an index that holds a restricted document's terms once per key;
  - access keys are stored behind ``#``, so a key never shares a doclist with a word such as "public";
  - facet values are ``name=value`` tokens (``harbor.search.facets``).
- ``search_docstat``: per document, its length in terms and the terms it holds more than once (JSON object
  of counts), so BM25 needs neither the documents nor a walk of the terms' doclists; and its facet tokens,
  so facet counts read these narrow rows rather than the documents (half the time at 10,000 matches).
- ``search_termstat``: per term, how many documents hold it (``documents``) and how often it occurs
  (``occurrences``); the row of the empty term counts all documents and their total length.

Rule: every write goes through ``add`` and ``remove``, inside the caller's transaction. There are no
triggers: FTS5 flushes its buffer at every statement a trigger runs, which made indexing five times slower.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Any

PUBLIC_KEY = "public"
MEMBERS_KEY = "members"
BROAD_KEYS = (PUBLIC_KEY, MEMBERS_KEY)
MEMBERS_MARK = "^"
KEYED_MARK = "~"
KEY_MARK = "#"
# Among a document's stored access keys, the marker of its source (``harbor.search.engine.source_marker``).
SOURCE_PREFIX = "src_"
ALL_DOCUMENTS = ""
# FTS5's own bm25 constants, so scores read as they did when FTS5 computed them.
K1 = 1.2
B = 0.75

# (document id, terms, access keys, facet tokens), each a space-separated string as stored.
IndexedRow = tuple[int, str, str, str]


def narrow_keys(keys: list[str]) -> list[str]:
    """The keys of ``keys`` that are neither broad nor a source marker: each has its own part."""
    return [key for key in keys if key not in BROAD_KEYS and not key.startswith(SOURCE_PREFIX)]


def keyed_prefix(key: str) -> str:
    """What stands before a term in the part of ``key``."""
    return f"{KEYED_MARK}{key}{KEYED_MARK}"


@lru_cache(maxsize=4096)
def term_prefixes(acl_terms: str) -> tuple[str, ...]:
    """What stands before each term in each part a document's terms go to (see the module docstring).

    Remembered per access-key string: a bulk load repeats a few of them many times."""
    keys = acl_terms.split()
    if PUBLIC_KEY in keys:
        return ("",)
    prefixes = [MEMBERS_MARK] if MEMBERS_KEY in keys else []
    return (*prefixes, *(keyed_prefix(key) for key in narrow_keys(keys)))


@lru_cache(maxsize=4096)
def _key_tokens(acl_terms: str) -> str:
    return " ".join(KEY_MARK + key for key in acl_terms.split())


def fts_values(terms: str, acl_terms: str, facet_terms: str) -> tuple[str, str, str]:
    """The three column values of a document's FTS5 row."""
    prefixes = term_prefixes(acl_terms)
    if prefixes != ("",):
        words = terms.split()
        terms = " ".join(prefix + word for prefix in prefixes for word in words)
    return terms, _key_tokens(acl_terms), facet_terms


# What JSON escapes in a string; ICU words hold none of it, so they are written between quotes as they are.
_JSON_ESCAPED = re.compile(r'[\x00-\x1f"\\]')


def repeats_json(counts: Counter[str]) -> str:
    """The terms held more than once and how often, as ``json.dumps`` writes them (written directly:
    half a bulk load's documents have some, and ``json.dumps`` cost 8 µs each)."""
    repeated = [(term, count) for term, count in counts.items() if count > 1]
    if any(_JSON_ESCAPED.search(term) for term, _count in repeated):
        return json.dumps(dict(repeated), ensure_ascii=False)
    return "{" + ", ".join(f'"{term}": {count}' for term, count in repeated) + "}"


@dataclass(frozen=True)
class Prepared:
    """Everything the index stores for a batch of documents except their ids (computed off the writer).

    ``documents`` holds, per document, its FTS5 column values, its length and its repeated terms (JSON);
    ``terms`` holds, per term of the batch, how many of its documents hold it and how often it occurs,
    with the batch totals on the empty term.
    """

    documents: list[tuple[str, str, str, int, str | None]]
    terms: list[tuple[str, int, int]]


def prepare(rows: Sequence[tuple[str, str, str]]) -> Prepared:
    """Prepare (terms, access keys, facet tokens) rows for ``add_prepared`` or ``remove``."""
    token_lists = [terms.split() for terms, _acl, _facets in rows]
    distinct = [set(tokens) for tokens in token_lists]
    occurrences = Counter(chain.from_iterable(token_lists))
    holding = Counter(chain.from_iterable(distinct))
    documents = []
    for (terms, acl, facets), tokens, unique in zip(rows, token_lists, distinct, strict=True):
        repeats = None
        if len(unique) < len(tokens):
            repeats = repeats_json(Counter(tokens))
        documents.append((*fts_values(terms, acl, facets), len(tokens), repeats))
    term_rows = [(term, holding[term], count) for term, count in occurrences.items()]
    term_rows.append((ALL_DOCUMENTS, len(rows), sum(map(len, token_lists))))
    return Prepared(documents, term_rows)


UPSERT_TERMS = (
    "INSERT INTO search_termstat (term, documents, occurrences) VALUES (%s, %s, %s) "
    "ON CONFLICT (term) DO UPDATE SET documents = documents + excluded.documents, "
    "occurrences = occurrences + excluded.occurrences"
)


def add_prepared(cursor: Any, ids: Sequence[int], prepared: Prepared) -> None:
    """Index new documents, ``ids`` in the order they were prepared in."""
    if not ids:
        return
    cursor.executemany(
        "INSERT INTO search_fts (rowid, terms, acl_terms, facet_terms) VALUES (%s, %s, %s, %s)",
        [(pk, *document[:3]) for pk, document in zip(ids, prepared.documents, strict=True)],
    )
    cursor.executemany(
        "INSERT INTO search_docstat (id, length, repeats, facet_terms) VALUES (%s, %s, %s, %s)",
        [
            (pk, document[3], document[4], document[2])
            for pk, document in zip(ids, prepared.documents, strict=True)
        ],
    )
    cursor.executemany(UPSERT_TERMS, prepared.terms)


def add(cursor: Any, rows: Sequence[IndexedRow]) -> None:
    """Index new documents: their FTS5 rows, their statistics and the term counts."""
    add_prepared(cursor, [row[0] for row in rows], prepare([row[1:] for row in rows]))


def remove(cursor: Any, rows: Sequence[IndexedRow]) -> None:
    """Take documents out of the index; ``rows`` must hold the values they were indexed with."""
    if not rows:
        return
    prepared = prepare([row[1:] for row in rows])
    cursor.executemany(
        "INSERT INTO search_fts (search_fts, rowid, terms, acl_terms, facet_terms) "
        "VALUES ('delete', %s, %s, %s, %s)",
        [(row[0], *document[:3]) for row, document in zip(rows, prepared.documents, strict=True)],
    )
    cursor.execute(
        "DELETE FROM search_docstat WHERE id IN (SELECT value FROM json_each(%s))",
        [json.dumps([row[0] for row in rows])],
    )
    cursor.executemany(
        UPSERT_TERMS, [(term, -documents, -count) for term, documents, count in prepared.terms]
    )
    cursor.execute(
        "DELETE FROM search_termstat WHERE documents <= 0 AND term != '' "
        "AND term IN (SELECT value FROM json_each(%s))",
        [json.dumps([row[0] for row in prepared.terms], ensure_ascii=False)],
    )


def consistent(cursor: Any) -> bool:
    """Whether the index covers exactly the stored documents (counts of documents and statistics)."""
    cursor.execute(
        "SELECT (SELECT count(*) FROM search_searchdocument), (SELECT count(*) FROM search_docstat), "
        "coalesce((SELECT documents FROM search_termstat WHERE term = ''), 0)"
    )
    documents, docstats, counted = cursor.fetchone()
    return bool(documents == docstats == counted)


def rebuild_from_documents(cursor: Any, *, batch: int = 2000) -> int:
    """Empty the index and its statistics and index every stored document again from its row.

    For an index that no longer matches the documents (rows deleted around ``search.services``): the
    stored terms, keys and facet tokens are enough, nothing is segmented again.
    """
    cursor.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
    cursor.execute("DELETE FROM search_docstat")
    cursor.execute("DELETE FROM search_termstat")
    last, done = 0, 0
    while True:
        cursor.execute(
            "SELECT id, terms, acl_terms, facet_terms FROM search_searchdocument "
            "WHERE id > %s ORDER BY id LIMIT %s",
            [last, batch],
        )
        rows = list(cursor.fetchall())
        if not rows:
            return done
        add(cursor, rows)
        last, done = rows[-1][0], done + len(rows)


@dataclass(frozen=True)
class Statistics:
    """What BM25 needs beyond one document: collection size, average length, document frequencies."""

    documents: int
    average_length: float
    frequencies: dict[str, int]

    def idf(self, term: str) -> float:
        """FTS5's inverse document frequency: ln((N - n + 0.5) / (n + 0.5)), at least 1e-6."""
        frequency = self.frequencies.get(term, 0)
        value = math.log((self.documents - frequency + 0.5) / (frequency + 0.5))
        return value if value > 0 else 1e-6


def statistics(cursor: Any, terms: Sequence[str]) -> Statistics:
    """Current statistics for the query terms (one indexed lookup per term)."""
    cursor.execute(
        "SELECT term, documents, occurrences FROM search_termstat "
        "WHERE term IN (SELECT value FROM json_each(%s))",
        [json.dumps([ALL_DOCUMENTS, *terms], ensure_ascii=False)],
    )
    rows = {term: (documents, occurrences) for term, documents, occurrences in cursor.fetchall()}
    documents, length = rows.pop(ALL_DOCUMENTS, (0, 0))
    return Statistics(
        documents=max(documents, 0),
        average_length=(length / documents) if documents > 0 else 1.0,
        frequencies={term: documents for term, (documents, _occurrences) in rows.items()},
    )


def score_sql(terms: Sequence[str], stats: Statistics) -> tuple[str, list[Any]]:
    """The BM25 score of a ``search_docstat`` row ``s`` for the query terms, negated (lower is better).

    Every ranked document holds every term (queries require all terms), once unless ``repeats`` says more.
    """
    parts: list[str] = []
    params: list[Any] = []
    norm = f"{K1} * (1 - {B} + {B} * s.length / %s)"
    for term in terms:
        if '"' in term or "\\" in term:  # not a JSON path label; ICU words never hold these
            frequency, paths = "1", []
        else:
            frequency, paths = "coalesce(json_extract(s.repeats, %s), 1)", ['$."' + term + '"']
        parts.append(f"%s * {frequency} * {K1 + 1} / ({frequency} + {norm})")
        params.extend([stats.idf(term), *paths, *paths, stats.average_length])
    return "-(" + " + ".join(parts) + ")", params
